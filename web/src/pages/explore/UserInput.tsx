import { useEffect, useId, useState } from 'preact/hooks';
import { request } from '../../api/client';
import { UserSuggestionsQuery } from '../../api/operations';
import type { UserRole, UserSuggestionsQuery as SuggestionsResult } from '../../gql/graphql';
import { userTypeLabel } from '../../labels';

type Suggestion = SuggestionsResult['userSuggestions'][number];

// The pause after a key press before suggestions are asked for.
const debounceMs = 150;

// filterValue is what EventFilter.actionUser/targetUser takes for a user.
export const filterValue = (s: Suggestion) => s.id ?? s.email ?? s.name ?? '';

// UserInput is the Action user / Target user box: an id, email or name,
// with suggestions of the users the tenant's events name in that role (an
// ARIA combobox: arrows move, Enter picks, Escape closes).
export function UserInput(props: { id: string; label: string; role: UserRole; value: string; onInput: (v: string) => void }) {
  const [list, setList] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const prefix = props.value.trim();

  useEffect(() => {
    if (!open || prefix.length === 0) {
      setList([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      request(UserSuggestionsQuery, { role: props.role, prefix, first: 8 })
        .then((d) => {
          if (!live) return;
          setList(d.userSuggestions);
          setActive(-1);
        })
        .catch(() => live && setList([]));
    }, debounceMs);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [prefix, open, props.role]);

  const pick = (s: Suggestion) => {
    props.onInput(filterValue(s));
    setOpen(false);
  };
  const shown = open && list.length > 0;
  return (
    <div class="combo">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        role="combobox"
        autoComplete="off"
        placeholder="id, email or name"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
        value={props.value}
        onInput={(e) => {
          props.onInput(e.currentTarget.value);
          setOpen(true);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (!shown) return;
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
          } else if (e.key === 'Enter' && active >= 0) {
            e.preventDefault();
            pick(list[active]);
          } else if (e.key === 'Escape') {
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {shown && (
        <ul role="listbox" id={listId} aria-label={`${props.label} suggestions`}>
          {list.map((s, i) => (
            <li
              role="option"
              id={`${listId}-${i}`}
              key={`${s.type}|${s.id}|${s.name}|${s.email}`}
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(s);
              }}
            >
              <span>{s.name || s.email || s.id}</span>
              <small>
                {[s.email && s.email !== s.name ? s.email : null, userTypeLabel[s.type], `${s.events.toLocaleString()} events`]
                  .filter(Boolean)
                  .join(' · ')}
              </small>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
