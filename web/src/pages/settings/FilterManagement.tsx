import { useEffect, useState } from 'preact/hooks';
import { request, type ApiError } from '../../api/client';
import { ComponentQuery, ComponentsQuery, ConfigureComponentMutation } from '../../api/operations';
import type { ComponentsQuery as ComponentsResult } from '../../gql/graphql';
import { ErrorBox } from '../../components/ErrorBox';
import { formatDate } from '../../labels';
import { onLinkClick } from '../../router';
import { configOf, isConflict } from './config';

type Card = ComponentsResult['components'][number];

// FilterManagement is Settings → Audit Logs: one card per module.
export function FilterManagement() {
  const [cards, setCards] = useState<Card[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    request(ComponentsQuery)
      .then((d) => setCards(d.components))
      .catch((e: ApiError) => setError(e.message));
  }, [reload]);

  // The toggle saves the stored configuration with logging flipped; if
  // someone saved in between, it says so and shows their state.
  const toggle = async (card: Card, on: boolean) => {
    setBusy(card.id);
    setNotice(null);
    setCards((list) => list?.map((c) => (c.id === card.id ? { ...c, loggingEnabled: on } : c)) ?? null);
    try {
      const d = await request(ComponentQuery, { id: card.id });
      if (!d.component) throw new Error(`The component ${card.id} is gone.`);
      if (d.component.version !== card.version) {
        setError(`${card.id}'s configuration was changed by someone else since this page loaded; it now shows their version. Toggle again if you still want to.`);
      } else {
        await request(ConfigureComponentMutation, { id: card.id, config: { ...configOf(d.component), loggingEnabled: on } });
        setError(null);
        setNotice(`Logging ${on ? 'enabled' : 'disabled'} for ${card.id}.`);
      }
    } catch (e) {
      const err = e as ApiError;
      setError(
        isConflict(err)
          ? `${card.id}'s configuration was saved by someone else at the same moment; it now shows their version. Toggle again if you still want to.`
          : err.message,
      );
    } finally {
      setBusy(null);
      setReload((n) => n + 1);
    }
  };

  return (
    <main class="page">
      <div class="page-head">
        <h1>Filter Management</h1>
      </div>
      <p class="hint">Choose which events each module captures. A module whose logging is off shows no new events in Explore.</p>
      {error && <ErrorBox message={error} />}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {!cards && !error && <p role="status">Loading…</p>}
      <ul class="cards">
        {cards?.map((c) => (
          <li class="card component-card" key={c.id} data-component={c.id}>
            <h2>
              <a href={`/settings/audit-logs/${encodeURIComponent(c.id)}`} onClick={(e) => onLinkClick(e, `/settings/audit-logs/${encodeURIComponent(c.id)}`)}>
                {c.name}
              </a>
            </h2>
            <dl>
              <dt>Component ID</dt>
              <dd>{c.id}</dd>
              <dt>Last updated</dt>
              <dd>{c.updatedAt ? formatDate(c.updatedAt) : 'Never'}</dd>
            </dl>
            <label class="switch">
              <input
                type="checkbox"
                role="switch"
                checked={c.loggingEnabled}
                disabled={busy === c.id}
                onChange={(e) => toggle(c, e.currentTarget.checked)}
              />
              <span>Enable logging</span>
            </label>
          </li>
        ))}
      </ul>
    </main>
  );
}
