import type { Listing } from './Explore';

type Bucket = Listing['facets']['histogram'][number];

const day = 24 * 3600 * 1000;

// Histogram draws the filtered events over time, labelled in the browser's
// time zone.
export function Histogram({ buckets }: { buckets: Bucket[] }) {
  if (buckets.length === 0) return null;
  const max = Math.max(...buckets.map((b) => b.count));
  const width = new Date(buckets[0].end).getTime() - new Date(buckets[0].start).getTime();
  const fmt = new Intl.DateTimeFormat(undefined, width >= day ? { dateStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' });
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  // Empty buckets are omitted: place each bar at its time.
  const t0 = new Date(first.start).getTime();
  const span = new Date(last.end).getTime() - t0;
  return (
    <figure class="histogram" aria-label="Events over time">
      <div class="bars">
        {buckets.map((b) => (
          <div
            key={b.start}
            class="bar"
            data-start={b.start}
            data-count={b.count}
            title={`${fmt.format(new Date(b.start))}: ${b.count.toLocaleString()} events`}
            style={{
              left: `${((new Date(b.start).getTime() - t0) / span) * 100}%`,
              width: `${Math.max(0.2, ((new Date(b.end).getTime() - new Date(b.start).getTime()) / span) * 100)}%`,
              height: `${Math.max(2, (b.count / max) * 100)}%`,
            }}
          />
        ))}
      </div>
      <figcaption>
        <span>{fmt.format(new Date(first.start))}</span>
        <span>
          Events over time ({Intl.DateTimeFormat().resolvedOptions().timeZone}), peak {max.toLocaleString()}
        </span>
        <span>{fmt.format(new Date(last.start))}</span>
      </figcaption>
    </figure>
  );
}
