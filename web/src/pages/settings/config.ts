import type { ComponentConfigInput, ComponentQuery } from '../../gql/graphql';

export type Comp = NonNullable<ComponentQuery['component']>;

// configOf is a component's stored configuration as the input that saves
// it unchanged, for edits that change one part of it.
export function configOf(c: Comp): ComponentConfigInput {
  const k = c.criteria;
  return {
    loggingEnabled: c.loggingEnabled,
    activities: k.activities ?? null,
    minPriority: k.minPriority ?? null,
    loggingPeriod: k.loggingPeriod ? { start: k.loggingPeriod.start, end: k.loggingPeriod.end } : null,
    captureDescription: k.captureDescription,
    statuses: k.statuses ?? null,
    captureIpAddress: k.captureIpAddress,
    retention: k.retention ? { value: k.retention.value, unit: k.retention.unit } : null,
    version: c.version,
  };
}

// isConflict tells a save refused because someone else saved first.
export function isConflict(e: { code?: string; field?: string }): boolean {
  return e.code === 'BAD_USER_INPUT' && e.field === 'config.version';
}
