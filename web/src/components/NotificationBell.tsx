import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type ApiError } from '../api/client';
import { MarkNotificationsReadMutation, NotificationsQuery } from '../api/operations';
import type { NotificationsQuery as NotificationsResult } from '../gql/graphql';
import { formatDateTime, userLabel } from '../labels';

type Note = NotificationsResult['notifications'][number];

// How often the unread count is refreshed.
const pollMs = 30_000;

// NotificationBell shows the caller's flagged actions: an unread count, the
// list, and marking them read.
export function NotificationBell() {
  const [unread, setUnread] = useState<Note[]>([]);
  const [list, setList] = useState<Note[] | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  const refresh = () =>
    request(NotificationsQuery, { unreadOnly: true, first: 100 })
      .then((d) => setUnread(d.notifications))
      .catch(() => undefined);
  useEffect(() => {
    refresh();
    const t = setInterval(refresh, pollMs);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    if (!open) return;
    request(NotificationsQuery, { unreadOnly: false, first: 20 })
      .then((d) => setList(d.notifications))
      .catch((e: ApiError) => setError(e.message));
    const close = (e: Event) => !root.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open, unread.length]);

  const markRead = async (ids: string[]) => {
    try {
      await request(MarkNotificationsReadMutation, { ids });
      await refresh();
    } catch (e) {
      setError((e as ApiError).message);
    }
  };

  const n = unread.length;
  return (
    <div class="bell" ref={root} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button
        type="button"
        class="icon"
        aria-label={`Notifications: ${n >= 100 ? '100 or more' : n} unread`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <svg width="18" height="18" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm5-5V7a5 5 0 0 0-4-4.9V1H7v1.1A5 5 0 0 0 3 7v4l-1.5 1.5V13h13v-.5z" />
        </svg>
        {n > 0 && <span class="unread">{n >= 100 ? '99+' : n}</span>}
      </button>
      {open && (
        <div class="popover" role="region" aria-label="Notifications">
          <header>
            <strong>Your flagged actions</strong>
            {n > 0 && (
              <button type="button" onClick={() => markRead(unread.map((u) => u.id))}>
                Mark all read
              </button>
            )}
          </header>
          {error && <p role="alert">{error}</p>}
          {list?.length === 0 && <p>None of your actions has been flagged.</p>}
          <ul>
            {list?.map((x) => {
              const isUnread = !x.readAt && unread.some((u) => u.id === x.id);
              return (
                <li key={x.id} class={isUnread ? 'unread-item' : undefined} data-event-id={x.eventId}>
                  <p>
                    {userLabel(x.flaggedBy)} flagged your {x.componentId} event <code>{x.eventType}</code>
                    {x.note ? `: “${x.note}”` : ''}
                  </p>
                  <small>
                    {formatDateTime(x.flaggedAt)} · event {x.eventId}
                  </small>
                  {isUnread && (
                    <button type="button" onClick={() => markRead([x.id])}>
                      Mark read
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}
