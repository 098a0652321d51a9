import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Viewer } from '../../App';
import { request, type ApiError } from '../../api/client';
import { EventsQuery, ExportEventsMutation, FlagEventsMutation, UnflagEventsMutation } from '../../api/operations';
import type { EventFilter, EventOrder, EventsQuery as EventsResult } from '../../gql/graphql';
import { ErrorBox } from '../../components/ErrorBox';
import { DotsIcon, Menu } from '../../components/Menu';
import { startDownload } from '../../download';
import { emptyDraft, toFilter, type Draft } from './filter';
import { FilterPanel } from './FilterPanel';
import { EventTable } from './EventTable';
import { Histogram } from './Histogram';
import { EventDrawer } from './EventDrawer';
import { SaveFilterDialog, SavedFiltersDialog } from './SavedFilters';

export type Listing = EventsResult['events'];
export type Row = Listing['edges'][number]['node'];

const pageSizes = [25, 50, 100];
// The histogram's buckets follow the browser's clock (its midnights).
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function Explore({ viewer }: { viewer: Viewer }) {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [applied, setApplied] = useState<EventFilter>({});
  const [order, setOrder] = useState<EventOrder>('NEWEST_FIRST');
  const [pageSize, setPageSize] = useState(50);
  // Cursors of the pages before this one; the last is this page's `after`.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [listing, setListing] = useState<Listing | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'save' | 'saved' | null>(null);
  const [reload, setReload] = useState(0);

  const after = cursors[cursors.length - 1];
  useEffect(() => {
    let live = true;
    setLoading(true);
    request(EventsQuery, { filter: applied, first: pageSize, after, order, timeZone })
      .then((d) => {
        if (!live) return;
        setListing(d.events);
        setError(null);
      })
      .catch((e: ApiError) => live && setError(e.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [applied, order, pageSize, after, reload]);

  const apply = useCallback((f: EventFilter) => {
    setApplied(f);
    setCursors([null]);
    setSelected(new Set());
  }, []);

  const act = async (what: () => Promise<string>) => {
    try {
      setNotice(await what());
      setError(null);
      setReload((n) => n + 1);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  const flag = (ids: string[], on: boolean) =>
    act(async () => {
      if (on) await request(FlagEventsMutation, { ids });
      else await request(UnflagEventsMutation, { ids });
      return `${on ? 'Flagged' : 'Unflagged'} ${ids.length} event${ids.length === 1 ? '' : 's'}.`;
    });
  const exportCSV = (vars: { ids?: string[]; filter?: EventFilter }, what: string) =>
    act(async () => {
      const d = await request(ExportEventsMutation, vars);
      startDownload(d.exportEvents.url);
      return `Downloading ${what} as CSV.`;
    });

  const rows = listing?.edges.map((e) => e.node) ?? [];
  return (
    <main class="page explore">
      <div class="page-head">
        <h1>Explore</h1>
        <span class="spacer" />
        <button type="button" onClick={() => setDialog('saved')}>
          Saved filters
        </button>
        <Menu
          label="More actions"
          icon={<DotsIcon />}
          items={[{ label: 'Export Log', onSelect: () => exportCSV({ filter: applied }, 'the filtered audit log') }]}
        />
      </div>
      <div class="explore-body">
        <FilterPanel
          draft={draft}
          setDraft={setDraft}
          facets={listing?.facets}
          onStartNew={() => {
            setDraft(emptyDraft);
            apply({});
          }}
          onApply={() => apply(toFilter(draft))}
          onSave={() => setDialog('save')}
        />
        <section class="results" aria-label="Events" aria-busy={loading}>
          {error && <ErrorBox message={error} />}
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
          {listing && <Histogram buckets={listing.facets.histogram} />}
          <div class="table-head">
            <span role="status" class="count">
              {loading ? 'Loading…' : listing ? `${listing.totalCount.toLocaleString()} events` : ''}
            </span>
            {selected.size > 0 && (
              <span class="bulk">
                <span>{selected.size} selected</span>
                <button type="button" onClick={() => flag([...selected], true).then(() => setSelected(new Set()))}>
                  Flag Selected
                </button>
                <button type="button" onClick={() => exportCSV({ ids: [...selected] }, `${selected.size} selected events`)}>
                  Export Selected
                </button>
              </span>
            )}
            <span class="spacer" />
            <label>
              Order{' '}
              <select
                value={order}
                onChange={(e) => {
                  setOrder(e.currentTarget.value as EventOrder);
                  setCursors([null]);
                }}
              >
                <option value="NEWEST_FIRST">Newest first</option>
                <option value="OLDEST_FIRST">Oldest first</option>
              </select>
            </label>
          </div>
          <EventTable
            rows={rows}
            selected={selected}
            setSelected={setSelected}
            onOpen={setOpen}
            onFlag={(id, on) => flag([id], on)}
          />
          <nav class="pager" aria-label="Pages">
            <label>
              Rows per page{' '}
              <select
                value={pageSize}
                onChange={(e) => {
                  setPageSize(Number(e.currentTarget.value));
                  setCursors([null]);
                }}
              >
                {pageSizes.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" disabled={cursors.length <= 1 || loading} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              disabled={!listing?.pageInfo.hasNextPage || loading}
              onClick={() => listing?.pageInfo.endCursor && setCursors([...cursors, listing.pageInfo.endCursor])}
            >
              Next page
            </button>
          </nav>
        </section>
      </div>
      {open && (
        <EventDrawer
          id={open}
          onClose={() => setOpen(null)}
          onChanged={() => setReload((n) => n + 1)}
          onExport={(id) => exportCSV({ ids: [id] }, 'the event')}
        />
      )}
      {dialog === 'save' && (
        <SaveFilterDialog
          filter={applied}
          onClose={() => setDialog(null)}
          onSaved={(name) => {
            setDialog(null);
            setNotice(`Saved the filter “${name}”.`);
          }}
        />
      )}
      {dialog === 'saved' && (
        <SavedFiltersDialog
          viewer={viewer}
          onClose={() => setDialog(null)}
          onApply={(d, f) => {
            setDialog(null);
            setDraft(d);
            apply(f);
          }}
        />
      )}
    </main>
  );
}
