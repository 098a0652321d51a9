import { useEffect, useState } from 'preact/hooks';
import type { Viewer } from '../../App';
import { request, type ApiError } from '../../api/client';
import {
  DeleteSavedFilterMutation,
  SavedFiltersQuery,
  SaveFilterMutation,
  UpdateSavedFilterMutation,
} from '../../api/operations';
import type { EventFilter, SavedFiltersQuery as SavedResult } from '../../gql/graphql';
import { Dialog } from '../../components/Dialog';
import { ErrorBox } from '../../components/ErrorBox';
import { formatDateTime } from '../../labels';
import { asInput, fromFilter, type Draft } from './filter';

type Saved = SavedResult['savedFilters'][number];

function NameFields(props: { name: string; description: string; setName: (s: string) => void; setDescription: (s: string) => void }) {
  return (
    <>
      <label for="sf-name">Name</label>
      <input id="sf-name" required maxLength={128} value={props.name} onInput={(e) => props.setName(e.currentTarget.value)} />
      <label for="sf-description">Description (optional)</label>
      <textarea
        id="sf-description"
        maxLength={1024}
        value={props.description}
        onInput={(e) => props.setDescription(e.currentTarget.value)}
      />
    </>
  );
}

// SaveFilterDialog saves the applied filter under a name.
export function SaveFilterDialog(props: { filter: EventFilter; onClose: () => void; onSaved: (name: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title="Save filter" onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await request(SaveFilterMutation, {
              input: { name: name.trim(), description: description.trim() || null, filter: props.filter },
            });
            props.onSaved(name.trim());
          } catch (err) {
            setError((err as ApiError).message);
          }
        }}
      >
        <p class="hint">Saves the filters applied now; only you will see it.</p>
        {error && <ErrorBox message={error} />}
        <NameFields name={name} description={description} setName={setName} setDescription={setDescription} />
        <div class="actions">
          <button type="submit" class="primary">
            Save
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// SavedFiltersDialog lists the user's saved filters to apply, edit or delete.
export function SavedFiltersDialog(props: { viewer: Viewer; onClose: () => void; onApply: (d: Draft, f: EventFilter) => void }) {
  const [list, setList] = useState<Saved[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Saved | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [reload, setReload] = useState(0);

  useEffect(() => {
    request(SavedFiltersQuery)
      .then((d) => setList(d.savedFilters))
      .catch((e: ApiError) => setError(e.message));
  }, [reload]);

  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(null);
      setEditing(null);
      setReload((n) => n + 1);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };

  return (
    <Dialog title="Saved filters" onClose={props.onClose}>
      {error && <ErrorBox message={error} />}
      {!list && !error && <p role="status">Loading…</p>}
      {list && list.length === 0 && <p>No saved filters yet: apply filters, then “Save filter”.</p>}
      {editing ? (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            run(() =>
              request(UpdateSavedFilterMutation, {
                id: editing.id,
                input: { name: name.trim(), description: description.trim() || null, filter: asInput(editing.filter) },
              }),
            );
          }}
        >
          <NameFields name={name} description={description} setName={setName} setDescription={setDescription} />
          <div class="actions">
            <button type="submit" class="primary">
              Save changes
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <ul class="saved-list">
          {list?.map((s) => (
            <li key={s.id} data-saved-filter={s.name}>
              <div>
                <strong>{s.name}</strong>
                {s.description && <p>{s.description}</p>}
                <small>Updated {formatDateTime(s.updatedAt)}</small>
              </div>
              <div class="actions">
                <button type="button" class="primary" aria-label={`Apply ${s.name}`} onClick={() => props.onApply(fromFilter(s.filter), asInput(s.filter))}>
                  Apply
                </button>
                <button
                  type="button"
                  aria-label={`Edit ${s.name}`}
                  onClick={() => {
                    setEditing(s);
                    setName(s.name);
                    setDescription(s.description ?? '');
                  }}
                >
                  Edit
                </button>
                <button
                  type="button"
                  aria-label={`Delete ${s.name}`}
                  onClick={() => confirm(`Delete the saved filter “${s.name}”?`) && run(() => request(DeleteSavedFilterMutation, { id: s.id }))}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
