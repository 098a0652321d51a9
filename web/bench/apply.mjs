// Benchmark: Explore's "Apply" until the rows are shown, against the same
// GraphQL request alone, over a seeded store. Not a test: it reports.
//
//   cd web && node bench/apply.mjs [events=200000] [runs=20]
//
// The ratio is median(Apply → rows shown) ÷ median(the same request,
// fetched and decoded in the same page), both measured in the browser.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Service, binary, launch, signIn } from '../test/harness.mjs';

const events = Number(process.argv[2] ?? 200000);
const runs = Number(process.argv[3] ?? 20);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const svc = new Service('sqlite');
// BENCH_DATA_DIR keeps the seeded store for the next run (seeding 200,000
// events takes minutes).
const keep = process.env.BENCH_DATA_DIR;
if (keep) svc.storeArgs = ['--data-dir', keep];
try {
  if (!keep || !existsSync(join(keep, 'auditlog.db'))) {
    const t = Date.now();
    execFileSync(binary(), ['seed', ...svc.storeArgs, '--tenant', 'bench', '--events', String(events)], { env: svc.env, stdio: 'ignore' });
    console.log(`seeded ${events} events in ${((Date.now() - t) / 1000).toFixed(0)}s`);
  }
  await svc.start();
  const key = svc.key({ tenant: 'bench', role: 'viewer', userId: 'b', name: 'Bench', email: 'bench@example.com' });
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(page, svc, key);
  const form = page.getByRole('form', { name: 'Filters' });
  await form.getByRole('checkbox', { name: /^High/ }).check();
  await form.getByRole('checkbox', { name: /^Critical/ }).check();

  // The request Apply sends, to replay alone.
  const sent = page.waitForRequest((r) => r.url().endsWith('/graphql') && r.postData()?.includes('query Events'));
  await form.getByRole('button', { name: 'Apply' }).click();
  const body = (await sent).postData();
  await page.locator('.results[aria-busy="false"]').waitFor();

  const apply = () =>
    page.evaluate(
      () =>
        new Promise((resolve) => {
          const results = document.querySelector('.results');
          let busy = false;
          const t0 = performance.now();
          const obs = new MutationObserver(() => {
            if (results.getAttribute('aria-busy') === 'true') busy = true;
            else if (busy) {
              obs.disconnect();
              // Shown: after the next frame is painted.
              requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)));
            }
          });
          obs.observe(results, { attributes: true, attributeFilter: ['aria-busy'] });
          document.querySelector('form.filters button[type=submit]').click();
        }),
    );
  const request = () =>
    page.evaluate(async (b) => {
      const t0 = performance.now();
      const resp = await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('auditlog.apiKey')}` },
        body: b,
      });
      const d = await resp.json();
      if (!d.data) throw new Error(JSON.stringify(d.errors));
      return performance.now() - t0;
    }, body);

  // Warm up, then alternate so both see the same conditions.
  await apply();
  await request();
  const ui = [];
  const api = [];
  for (let i = 0; i < runs; i++) {
    ui.push(await apply());
    api.push(await request());
  }
  const u = median(ui);
  const a = median(api);
  const total = await page.locator('.count').textContent();
  console.log(`filter: priorities HIGH, CRITICAL (${total}); page of 50 with facets and histogram`);
  console.log(`Apply → rows shown: median ${u.toFixed(1)} ms of ${runs} (min ${Math.min(...ui).toFixed(1)}, max ${Math.max(...ui).toFixed(1)})`);
  console.log(`same GraphQL request: median ${a.toFixed(1)} ms of ${runs} (min ${Math.min(...api).toFixed(1)}, max ${Math.max(...api).toFixed(1)})`);
  console.log(`ratio: ${(u / a).toFixed(2)} (goal ≤ 1.2)`);
  await browser.close();
} finally {
  await svc.stop();
}
