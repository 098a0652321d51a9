import { useEffect, useState } from 'preact/hooks';
import { request, type ApiError } from '../../api/client';
import { ComponentQuery, ConfigureComponentMutation } from '../../api/operations';
import type { ComponentConfigInput, EventStatus, Priority, RetentionUnit } from '../../gql/graphql';
import { ErrorBox } from '../../components/ErrorBox';
import { formatDate, formatDateTime, priorities, priorityLabel, statuses, statusLabel, unitLabel, userLabel } from '../../labels';
import { onLinkClick } from '../../router';
import { isConflict, type Comp } from './config';

// The longest retention per unit: 5 years, as the API judges it.
const maxRetention: Record<RetentionUnit, number> = { DAYS: 1826, WEEKS: 260, MONTHS: 60, YEARS: 5 };

type Form = {
  loggingEnabled: boolean;
  // null: every activity, including ones added later.
  activities: string[] | null;
  priorityOn: boolean;
  minPriority: Priority;
  periodOn: boolean;
  periodStart: string;
  periodEnd: string;
  captureDescription: boolean;
  statusOn: boolean;
  statuses: EventStatus[];
  captureIpAddress: boolean;
  retentionOn: boolean;
  retentionValue: string;
  retentionUnit: RetentionUnit;
};

function day(iso: string): string {
  const t = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}`;
}

function formOf(c: Comp): Form {
  const k = c.criteria;
  return {
    loggingEnabled: c.loggingEnabled,
    activities: k.activities ?? null,
    priorityOn: k.minPriority != null,
    minPriority: k.minPriority ?? 'HIGH',
    periodOn: k.loggingPeriod != null,
    periodStart: k.loggingPeriod ? day(k.loggingPeriod.start) : '',
    periodEnd: k.loggingPeriod ? day(k.loggingPeriod.end) : '',
    captureDescription: k.captureDescription,
    statusOn: k.statuses != null,
    statuses: k.statuses ?? ['FAILED'],
    captureIpAddress: k.captureIpAddress,
    retentionOn: k.retention != null,
    retentionValue: String(k.retention?.value ?? 1),
    retentionUnit: k.retention?.unit ?? 'YEARS',
  };
}

function inputOf(f: Form, version: number): ComponentConfigInput {
  const [sy, sm, sd] = f.periodStart.split('-').map(Number);
  const [ey, em, ed] = f.periodEnd.split('-').map(Number);
  return {
    loggingEnabled: f.loggingEnabled,
    activities: f.activities,
    minPriority: f.priorityOn ? f.minPriority : null,
    // The period's days in the admin's time zone, the end day included.
    loggingPeriod: f.periodOn
      ? { start: new Date(sy, sm - 1, sd).toISOString(), end: new Date(new Date(ey, em - 1, ed + 1).getTime() - 1).toISOString() }
      : null,
    captureDescription: f.captureDescription,
    statuses: f.statusOn ? f.statuses : null,
    captureIpAddress: f.captureIpAddress,
    retention: f.retentionOn ? { value: Number(f.retentionValue), unit: f.retentionUnit } : null,
    version,
  };
}

// ComponentSettings is a module's card page: its activities and the
// additional criteria to be recorded.
export function ComponentSettings({ id }: { id: string }) {
  const [comp, setComp] = useState<Comp | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Set when a save met someone else's: their version, the form kept as is.
  const [theirs, setTheirs] = useState<Comp | null>(null);

  const load = () =>
    request(ComponentQuery, { id }).then((d) => {
      if (!d.component) throw new Error(`There is no module ${id}.`);
      return d.component;
    });
  useEffect(() => {
    load()
      .then((c) => {
        setComp(c);
        setForm(formOf(c));
      })
      .catch((e: ApiError) => setError(e.message));
  }, [id]);

  if (!comp || !form) {
    return <main class="page">{error ? <ErrorBox message={error} /> : <p role="status">Loading…</p>}</main>;
  }
  // An edit makes the last "Saved" notice stale.
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm({ ...form, [k]: v });
    setNotice(null);
  };
  const captured = (code: string) => form.activities == null || form.activities.includes(code);
  const setCaptured = (code: string, on: boolean) => {
    const all = comp.activities.map((a) => a.code);
    const now = new Set(form.activities ?? all);
    if (on) now.add(code);
    else now.delete(code);
    set('activities', now.size === all.length ? null : all.filter((c) => now.has(c)));
  };
  const areas = new Map<string, Comp['activities']>();
  for (const a of comp.activities) {
    const k = a.area ?? 'Other';
    areas.set(k, [...(areas.get(k) ?? []), a]);
  }

  const save = async (version: number) => {
    setNotice(null);
    try {
      await request(ConfigureComponentMutation, { id, config: inputOf(form, version) });
      const c = await load();
      setComp(c);
      setForm(formOf(c));
      setTheirs(null);
      setError(null);
      setNotice(`Saved at ${formatDateTime(c.updatedAt)}.`);
    } catch (e) {
      const err = e as ApiError;
      if (isConflict(err)) {
        setTheirs(await load().catch(() => null));
        setError(null);
      } else {
        setError(err.message);
      }
      setNotice(null);
    }
  };

  const over = form.retentionOn && Number(form.retentionValue) > maxRetention[form.retentionUnit];
  return (
    <main class="page settings">
      <p>
        <a href="/settings/audit-logs" onClick={(e) => onLinkClick(e, '/settings/audit-logs')}>
          ← Filter Management
        </a>
      </p>
      <div class="page-head">
        <h1>
          {comp.name} <small>({comp.id})</small>
        </h1>
      </div>
      <p class="hint">
        Last updated {comp.updatedAt ? `${formatDate(comp.updatedAt)} by ${userLabel(comp.updatedBy)}` : 'never'} · captured since:{' '}
        {comp.stats.captured.toLocaleString()}
        {comp.stats.suppressed.map((s) => ` · ${s.reason.toLowerCase().replace(/_/g, ' ')}: ${s.count.toLocaleString()}`)}
      </p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          save(comp.version);
        }}
      >
        {error && <ErrorBox message={error} />}
        {theirs && (
          <div class="error" role="alert">
            <p>
              Someone else ({userLabel(theirs.updatedBy) || 'another admin'}) saved this module's configuration at {formatDateTime(theirs.updatedAt)}, after
              you opened it. Nothing of yours was saved, and your changes are still below.
            </p>
            <div class="actions">
              <button type="button" onClick={() => save(theirs.version)}>
                Save mine over theirs
              </button>
              <button
                type="button"
                onClick={() => {
                  setComp(theirs);
                  setForm(formOf(theirs));
                  setTheirs(null);
                }}
              >
                Discard mine, show theirs
              </button>
            </div>
          </div>
        )}
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <label class="switch">
          <input type="checkbox" role="switch" checked={form.loggingEnabled} onChange={(e) => set('loggingEnabled', e.currentTarget.checked)} />
          <span>Enable logging</span>
        </label>

        <fieldset>
          <legend>Activities to log</legend>
          <label class="option">
            <input
              type="checkbox"
              checked={form.activities == null}
              onChange={(e) => set('activities', e.currentTarget.checked ? null : [])}
            />
            <span>All activities, including ones added later</span>
          </label>
          <div class="areas">
          {[...areas].map(([area, list]) => (
            <fieldset class="area" key={area}>
              <legend>{area}</legend>
              {list.map((a) => (
                <label class="option" key={a.code}>
                  <input type="checkbox" value={a.code} checked={captured(a.code)} onChange={(e) => setCaptured(a.code, e.currentTarget.checked)} />
                  <span>{a.name}</span> <span class={`badge p-${a.defaultPriority.toLowerCase()}`}>{priorityLabel[a.defaultPriority]}</span>
                </label>
              ))}
            </fieldset>
          ))}
          </div>
        </fieldset>

        <fieldset>
          <legend>Additional criteria to be recorded for the above events</legend>
          <div class="criterion">
            <label class="option">
              <input type="checkbox" checked={form.priorityOn} onChange={(e) => set('priorityOn', e.currentTarget.checked)} />
              <span>Priority</span>
            </label>
            {form.priorityOn && (
              <label>
                At or above{' '}
                <select value={form.minPriority} onChange={(e) => set('minPriority', e.currentTarget.value as Priority)}>
                  {priorities.map((p) => (
                    <option value={p} key={p}>
                      {priorityLabel[p]}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          <div class="criterion">
            <label class="option">
              <input type="checkbox" checked={form.periodOn} onChange={(e) => set('periodOn', e.currentTarget.checked)} />
              <span>Logging period</span>
            </label>
            {form.periodOn && (
              <>
                <label>
                  From <input type="date" required value={form.periodStart} onInput={(e) => set('periodStart', e.currentTarget.value)} />
                </label>
                <label>
                  To <input type="date" required value={form.periodEnd} onInput={(e) => set('periodEnd', e.currentTarget.value)} />
                </label>
              </>
            )}
          </div>
          <div class="criterion">
            <label class="option">
              <input type="checkbox" checked={form.captureDescription} onChange={(e) => set('captureDescription', e.currentTarget.checked)} />
              <span>Activity description</span>
            </label>
          </div>
          <div class="criterion">
            <label class="option">
              <input type="checkbox" checked={form.statusOn} onChange={(e) => set('statusOn', e.currentTarget.checked)} />
              <span>Status</span>
            </label>
            {form.statusOn &&
              statuses.map((s) => (
                <label class="option" key={s}>
                  <input
                    type="checkbox"
                    checked={form.statuses.includes(s)}
                    onChange={(e) =>
                      set('statuses', e.currentTarget.checked ? [...form.statuses, s] : form.statuses.filter((x) => x !== s))
                    }
                  />
                  <span>{statusLabel[s]}</span>
                </label>
              ))}
          </div>
          <div class="criterion">
            <label class="option">
              <input type="checkbox" checked={form.captureIpAddress} onChange={(e) => set('captureIpAddress', e.currentTarget.checked)} />
              <span>IP address</span>
            </label>
          </div>
          <div class="criterion">
            <label class="option">
              <input type="checkbox" checked={form.retentionOn} onChange={(e) => set('retentionOn', e.currentTarget.checked)} />
              <span>Automatically expires after</span>
            </label>
            {form.retentionOn && (
              <>
                <input
                  type="number"
                  aria-label="Expires after how many"
                  min={1}
                  max={maxRetention[form.retentionUnit]}
                  required
                  value={form.retentionValue}
                  onInput={(e) => set('retentionValue', e.currentTarget.value)}
                />
                <select aria-label="Unit" value={form.retentionUnit} onChange={(e) => set('retentionUnit', e.currentTarget.value as RetentionUnit)}>
                  {(Object.keys(unitLabel) as RetentionUnit[]).map((u) => (
                    <option value={u} key={u}>
                      {unitLabel[u]}
                    </option>
                  ))}
                </select>
                {over && <span class="field-error">At most 5 years ({maxRetention[form.retentionUnit]} {unitLabel[form.retentionUnit].toLowerCase()}).</span>}
              </>
            )}
          </div>
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" disabled={over}>
            Save
          </button>
          <button type="button" onClick={() => (setForm(formOf(comp)), setTheirs(null), setError(null))}>
            Reset
          </button>
        </div>
      </form>
    </main>
  );
}
