import { FlagIcon, KebabIcon, Menu } from '../../components/Menu';
import { formatDateTime, priorityLabel, statusLabel, userLabel } from '../../labels';
import type { Row } from './Explore';

export function EventTable(props: {
  rows: Row[];
  selected: Set<string>;
  setSelected: (s: Set<string>) => void;
  onOpen: (id: string) => void;
  onFlag: (id: string, on: boolean) => void;
}) {
  const { rows, selected, setSelected } = props;
  const all = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const select = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  return (
    <div class="table-wrap">
      <table class="events">
        <thead>
          <tr>
            <th scope="col" class="check">
              <input
                type="checkbox"
                aria-label="Select all events of this page"
                checked={all}
                onChange={(e) => setSelected(e.currentTarget.checked ? new Set(rows.map((r) => r.id)) : new Set())}
              />
            </th>
            <th scope="col">Event Type</th>
            <th scope="col">Submodule name</th>
            <th scope="col">Priority</th>
            <th scope="col">Action User</th>
            <th scope="col">Target User</th>
            <th scope="col">Status</th>
            <th scope="col">Date</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={9} class="empty">
                No events match this filter.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.id} data-event-id={r.id} class={selected.has(r.id) ? 'selected' : undefined} onClick={() => props.onOpen(r.id)}>
              <td class="check" onClick={(e) => e.stopPropagation()}>
                <input
                  type="checkbox"
                  aria-label={`Select event ${r.eventTypeName ?? r.eventType} of ${formatDateTime(r.occurredAt)}`}
                  checked={selected.has(r.id)}
                  onChange={(e) => select(r.id, e.currentTarget.checked)}
                />
              </td>
              <td class="type">
                <button type="button" class="link" onClick={(e) => (e.stopPropagation(), props.onOpen(r.id))}>
                  {r.eventTypeName ?? r.eventType}
                </button>
                {r.flag && <FlagIcon title="Flagged" />}
              </td>
              <td>{r.submodule ?? ''}</td>
              <td>
                <span class={`badge p-${r.priority.toLowerCase()}`}>{priorityLabel[r.priority]}</span>
              </td>
              <td>{userLabel(r.actionUser)}</td>
              <td>{userLabel(r.targetUser)}</td>
              <td>
                <span class={`badge s-${r.status.toLowerCase()}`}>{statusLabel[r.status]}</span>
              </td>
              <td>
                <time dateTime={r.occurredAt}>{formatDateTime(r.occurredAt)}</time>
              </td>
              <td onClick={(e) => e.stopPropagation()}>
                <Menu
                  label={`Actions for ${r.eventTypeName ?? r.eventType}`}
                  icon={<KebabIcon />}
                  items={[
                    { label: 'View event', onSelect: () => props.onOpen(r.id) },
                    r.flag
                      ? { label: 'Unflag event', onSelect: () => props.onFlag(r.id, false) }
                      : { label: 'Flag event', onSelect: () => props.onFlag(r.id, true) },
                  ]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
