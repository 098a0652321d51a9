import { useEffect, useState } from 'preact/hooks';
import { request } from '../../api/client';
import { ComponentActivitiesQuery, ComponentsQuery } from '../../api/operations';
import type { ComponentActivitiesQuery as ActivitiesResult, ComponentsQuery as ComponentsResult } from '../../gql/graphql';
import { priorities, priorityLabel, statuses, statusLabel } from '../../labels';
import type { Listing } from './Explore';
import type { Draft } from './filter';
import { UserInput } from './UserInput';

type Facets = Listing['facets'];
type Activity = NonNullable<ActivitiesResult['component']>['activities'][number];

function counts(list: { value: string; count: number }[] | undefined): Map<string, number> {
  return new Map(list?.map((f) => [f.value, f.count]) ?? []);
}

function toggle<T>(list: T[], v: T, on: boolean): T[] {
  return on ? [...list, v] : list.filter((x) => x !== v);
}

function Count({ n }: { n: number | undefined }) {
  return <span class="facet-count">{n === undefined ? '' : `(${n.toLocaleString()})`}</span>;
}

export function FilterPanel(props: {
  draft: Draft;
  setDraft: (d: Draft) => void;
  facets: Facets | undefined;
  onStartNew: () => void;
  onApply: () => void;
  onSave: () => void;
}) {
  const { draft, setDraft, facets } = props;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft({ ...draft, [k]: v });
  const [components, setComponents] = useState<ComponentsResult['components']>([]);
  const [activities, setActivities] = useState<Activity[]>([]);

  useEffect(() => {
    request(ComponentsQuery)
      .then((d) => setComponents(d.components))
      .catch(() => setComponents([]));
  }, []);
  // The chosen module's event types, as its catalog and registrations list them.
  useEffect(() => {
    if (!draft.componentId) {
      setActivities([]);
      return;
    }
    let live = true;
    request(ComponentActivitiesQuery, { id: draft.componentId })
      .then((d) => live && setActivities(d.component?.activities ?? []))
      .catch(() => live && setActivities([]));
    return () => {
      live = false;
    };
  }, [draft.componentId]);

  const typeCounts = counts(facets?.eventType);
  const statusCounts = counts(facets?.status);
  const priorityCounts = counts(facets?.priority);
  const submoduleCounts = counts(facets?.submodule);
  // Without a module, the event types are those the matching events have.
  const typeOptions: { code: string; name: string }[] = draft.componentId
    ? activities.map((a) => ({ code: a.code, name: a.name }))
    : (facets?.eventType ?? []).map((f) => ({ code: f.value, name: f.label }));
  for (const code of draft.eventTypes) if (!typeOptions.some((o) => o.code === code)) typeOptions.push({ code, name: code });

  return (
    <form
      class="filters"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply();
      }}
    >
      <button type="button" onClick={props.onStartNew}>
        Start from new
      </button>
      <label for="f-component">Component ID</label>
      <select
        id="f-component"
        value={draft.componentId}
        onChange={(e) => setDraft({ ...draft, componentId: e.currentTarget.value, eventTypes: [] })}
      >
        <option value="">All modules</option>
        {components.map((c) => (
          <option value={c.id} key={c.id}>
            {c.id} — {c.name}
          </option>
        ))}
      </select>

      <fieldset>
        <legend>Event type</legend>
        <div class="options scroll">
          {typeOptions.length === 0 && <p class="hint">Choose a Component ID to list its event types.</p>}
          {typeOptions.map((o) => (
            <label key={o.code} class="option">
              <input
                type="checkbox"
                name="eventType"
                value={o.code}
                checked={draft.eventTypes.includes(o.code)}
                onChange={(e) => set('eventTypes', toggle(draft.eventTypes, o.code, e.currentTarget.checked))}
              />
              <span>{o.name}</span> <Count n={typeCounts.get(o.code) ?? (facets ? 0 : undefined)} />
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>Status</legend>
        {statuses.map((s) => (
          <label key={s} class="option">
            <input
              type="checkbox"
              name="status"
              value={s}
              checked={draft.statuses.includes(s)}
              onChange={(e) => set('statuses', toggle(draft.statuses, s, e.currentTarget.checked))}
            />
            <span>{statusLabel[s]}</span> <Count n={statusCounts.get(s) ?? (facets ? 0 : undefined)} />
          </label>
        ))}
      </fieldset>

      <div class="dates">
        <label>
          Start date
          <input type="date" value={draft.startDate} onInput={(e) => set('startDate', e.currentTarget.value)} />
        </label>
        <label>
          End date
          <input type="date" value={draft.endDate} onInput={(e) => set('endDate', e.currentTarget.value)} />
        </label>
      </div>

      <fieldset>
        <legend>Priority</legend>
        {priorities.map((p) => (
          <label key={p} class="option">
            <input
              type="checkbox"
              name="priority"
              value={p}
              checked={draft.priorities.includes(p)}
              onChange={(e) => set('priorities', toggle(draft.priorities, p, e.currentTarget.checked))}
            />
            <span>{priorityLabel[p]}</span> <Count n={priorityCounts.get(p) ?? (facets ? 0 : undefined)} />
          </label>
        ))}
      </fieldset>

      {(facets?.submodule.length ?? 0) > 0 || draft.submodules.length > 0 ? (
        <fieldset>
          <legend>Submodule name</legend>
          <div class="options scroll">
            {[...new Set([...(facets?.submodule.map((f) => f.value) ?? []), ...draft.submodules])].map((v) => (
              <label key={v} class="option">
                <input
                  type="checkbox"
                  name="submodule"
                  value={v}
                  checked={draft.submodules.includes(v)}
                  onChange={(e) => set('submodules', toggle(draft.submodules, v, e.currentTarget.checked))}
                />
                <span>{v}</span> <Count n={submoduleCounts.get(v) ?? 0} />
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}

      <UserInput id="f-action-user" label="Action user" role="ACTION_USER" value={draft.actionUser} onInput={(v) => set('actionUser', v)} />
      <UserInput id="f-target-user" label="Target user" role="TARGET_USER" value={draft.targetUser} onInput={(v) => set('targetUser', v)} />

      <label for="f-flagged">Flagged</label>
      <select id="f-flagged" value={draft.flagged} onChange={(e) => set('flagged', e.currentTarget.value as Draft['flagged'])}>
        <option value="">All events</option>
        <option value="true">Flagged only</option>
        <option value="false">Not flagged</option>
      </select>

      <label for="f-text">Full-text search</label>
      <input
        id="f-text"
        type="search"
        placeholder='words, "a phrase", prefix*, -excluded'
        value={draft.text}
        onInput={(e) => set('text', e.currentTarget.value)}
      />

      <div class="actions">
        <button type="submit" class="primary">
          Apply
        </button>
        <button type="button" onClick={props.onSave}>
          Save filter
        </button>
      </div>
    </form>
  );
}
