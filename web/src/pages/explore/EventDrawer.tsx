import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type ApiError } from '../../api/client';
import { EventQuery, FlagEventsMutation, UnflagEventsMutation } from '../../api/operations';
import type { EventQuery as EventResult } from '../../gql/graphql';
import { ErrorBox } from '../../components/ErrorBox';
import { FlagIcon } from '../../components/Menu';
import { accountStatusLabel, formatDateTime, priorityLabel, statusLabel, userLabel, userTypeLabel } from '../../labels';

type Ev = NonNullable<EventResult['event']>;

function Field({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value || '—'}</dd>
    </>
  );
}

// safeLink keeps only http(s) links (the API accepts no others; this is
// belt and braces against a javascript: URL).
function safeLink(u: string | null | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function EventDrawer(props: { id: string; onClose: () => void; onChanged: () => void; onExport: (id: string) => void }) {
  const [ev, setEv] = useState<Ev | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    request(EventQuery, { id: props.id })
      .then((d) => {
        if (!live) return;
        if (!d.event) setError('This event no longer exists (or its retention has passed).');
        setEv(d.event ?? null);
      })
      .catch((e: ApiError) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [props.id, reload]);

  // Focus moves into the drawer, Escape closes it, and focus returns to
  // what opened it.
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !document.querySelector('dialog[open]') && props.onClose();
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (opener?.isConnected) opener.focus();
    };
  }, [props.id]);

  const flag = async (on: boolean) => {
    setBusy(true);
    try {
      if (on) await request(FlagEventsMutation, { ids: [props.id] });
      else await request(UnflagEventsMutation, { ids: [props.id] });
      setReload((n) => n + 1);
      props.onChanged();
    } catch (e) {
      setError((e as ApiError).message);
    } finally {
      setBusy(false);
    }
  };

  const link = safeLink(ev?.redirectUrl);
  const details = ev?.details ? Object.entries(ev.details) : [];
  return (
    <div class="drawer" role="dialog" aria-modal="false" aria-labelledby="drawer-title" tabIndex={-1} ref={panel}>
      <header>
        <h2 id="drawer-title">
          {ev ? (ev.eventTypeName ?? ev.eventType) : 'Event'} {ev?.flag && <FlagIcon title="Flagged" />}
        </h2>
        <button type="button" class="icon" aria-label="Close event details" onClick={props.onClose}>
          ×
        </button>
      </header>
      {error && <ErrorBox message={error} />}
      {!ev && !error && <p role="status">Loading…</p>}
      {ev && (
        <div class="drawer-body">
          <div class="actions">
            <button type="button" onClick={() => props.onExport(ev.id)}>
              Export Event
            </button>
            <button type="button" disabled={busy} onClick={() => flag(!ev.flag)}>
              {ev.flag ? 'Unflag Event' : 'Flag Event'}
            </button>
            {link && (
              <a href={link} target="_blank" rel="noopener noreferrer">
                View update
              </a>
            )}
          </div>
          <section aria-labelledby="d-meta">
            <h3 id="d-meta">Event metadata</h3>
            <dl>
              <Field label="Event ID" value={ev.id} />
              <Field label="Ingested" value={formatDateTime(ev.ingestedAt)} />
              <Field label="Component module" value={ev.componentId} />
            </dl>
          </section>
          <section aria-labelledby="d-details">
            <h3 id="d-details">Event details</h3>
            <dl>
              <Field label="Submodule name" value={ev.submodule} />
              <Field label="Event type" value={ev.eventTypeName ? `${ev.eventTypeName} (${ev.eventType})` : ev.eventType} />
              <Field label="Area" value={ev.area} />
              <Field label="Activity description" value={ev.description} />
              <Field label="Priority" value={priorityLabel[ev.priority]} />
              <Field label="Status" value={statusLabel[ev.status]} />
              <Field label="Date" value={formatDateTime(ev.occurredAt)} />
            </dl>
          </section>
          <section aria-labelledby="d-action">
            <h3 id="d-action">Action user</h3>
            <dl>
              <Field label="User type" value={userTypeLabel[ev.actionUser.type]} />
              <Field label="Name" value={ev.actionUser.name} />
              <Field label="Email" value={ev.actionUser.email} />
              <Field label="User ID" value={ev.actionUser.id} />
              <Field label="IP address" value={ev.actionUser.ipAddress} />
              <Field label="User agent" value={ev.actionUser.userAgent} />
            </dl>
          </section>
          {ev.targetUser && (
            <section aria-labelledby="d-target">
              <h3 id="d-target">Target user</h3>
              <dl>
                <Field label="User type" value={userTypeLabel[ev.targetUser.type]} />
                <Field label="Name" value={ev.targetUser.name} />
                <Field label="Email" value={ev.targetUser.email} />
                <Field label="User ID" value={ev.targetUser.id} />
                <Field
                  label="Current account status"
                  value={ev.targetUser.currentAccountStatus ? accountStatusLabel[ev.targetUser.currentAccountStatus] : null}
                />
                <Field
                  label="Account status recorded with this event"
                  value={ev.targetUser.accountStatus ? accountStatusLabel[ev.targetUser.accountStatus] : null}
                />
              </dl>
            </section>
          )}
          {ev.flag && (
            <section aria-labelledby="d-flag">
              <h3 id="d-flag">Flagging info</h3>
              <dl>
                <Field label="Flagged by" value={userLabel(ev.flag.by)} />
                <Field label="Flagged by email" value={ev.flag.by.email} />
                <Field label="Flagged at" value={formatDateTime(ev.flag.at)} />
                <Field label="Note" value={ev.flag.note} />
              </dl>
            </section>
          )}
          <details class="accordion">
            <summary>Other Details</summary>
            {details.length === 0 ? (
              <p class="hint">No additional details.</p>
            ) : (
              <dl>
                {details.map(([k, v]) => (
                  <Field key={k} label={k} value={typeof v === 'string' ? v : JSON.stringify(v)} />
                ))}
              </dl>
            )}
          </details>
        </div>
      )}
    </div>
  );
}
