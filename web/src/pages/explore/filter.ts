import type { EventFilter, EventStatus, Priority } from '../../gql/graphql';

// Draft is the Explore filter form as the user edits it; toFilter turns it
// into the API's EventFilter when they click "Apply".
export type Draft = {
  componentId: string;
  eventTypes: string[];
  submodules: string[];
  statuses: EventStatus[];
  priorities: Priority[];
  // yyyy-mm-dd in the browser's time zone; the end date is included.
  startDate: string;
  endDate: string;
  actionUser: string;
  targetUser: string;
  flagged: '' | 'true' | 'false';
  text: string;
};

export const emptyDraft: Draft = {
  componentId: '',
  eventTypes: [],
  submodules: [],
  statuses: [],
  priorities: [],
  startDate: '',
  endDate: '',
  actionUser: '',
  targetUser: '',
  flagged: '',
  text: '',
};

// localMidnight is the start of a yyyy-mm-dd day in the browser's zone.
function localMidnight(day: string, addDays = 0): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + addDays);
}

function dayOf(t: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}`;
}

export function toFilter(d: Draft): EventFilter {
  const f: EventFilter = {};
  if (d.componentId) f.components = [d.componentId];
  if (d.eventTypes.length) f.eventTypes = d.eventTypes;
  if (d.submodules.length) f.submodules = d.submodules;
  if (d.statuses.length) f.statuses = d.statuses;
  if (d.priorities.length) f.priorities = d.priorities;
  if (d.startDate) f.from = localMidnight(d.startDate).toISOString();
  if (d.endDate) f.to = localMidnight(d.endDate, 1).toISOString();
  if (d.actionUser.trim()) f.actionUser = d.actionUser.trim();
  if (d.targetUser.trim()) f.targetUser = d.targetUser.trim();
  if (d.flagged) f.flagged = d.flagged === 'true';
  if (d.text.trim()) f.text = d.text.trim();
  return f;
}

type SavedShape = {
  components?: string[] | null;
  eventTypes?: string[] | null;
  submodules?: string[] | null;
  statuses?: EventStatus[] | null;
  priorities?: Priority[] | null;
  from?: string | null;
  to?: string | null;
  actionUser?: string | null;
  targetUser?: string | null;
  flagged?: boolean | null;
  text?: string | null;
};

// fromFilter fills the form from a saved filter.
export function fromFilter(f: SavedShape): Draft {
  return {
    componentId: f.components?.[0] ?? '',
    eventTypes: f.eventTypes ?? [],
    submodules: f.submodules ?? [],
    statuses: f.statuses ?? [],
    priorities: f.priorities ?? [],
    startDate: f.from ? dayOf(new Date(f.from)) : '',
    endDate: f.to ? dayOf(new Date(new Date(f.to).getTime() - 1)) : '',
    actionUser: f.actionUser ?? '',
    targetUser: f.targetUser ?? '',
    flagged: f.flagged == null ? '' : f.flagged ? 'true' : 'false',
    text: f.text ?? '',
  };
}

// asInput is a saved filter as an EventFilter to query with, exactly as
// saved (its times too, not only their days).
export function asInput(f: SavedShape): EventFilter {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) if (v != null && k !== '__typename') out[k] = v;
  return out as EventFilter;
}
