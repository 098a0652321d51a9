// The browser tests' harness: the real `auditlog serve`, built from this
// tree, on the embedded store or on the OpenSearch node of OPENSEARCH_URL,
// keys made by `auditlog keys create`, events ingested through the API,
// and Debian's Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const repo = resolve(import.meta.dirname, '../..');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// backends are the stores the tests run against: always the embedded one,
// and OpenSearch when OPENSEARCH_URL is set (REQUIRE_OPENSEARCH=1 makes
// its absence a failure, not a skip).
export function backends() {
  const list = ['sqlite'];
  if (process.env.OPENSEARCH_URL) list.push('opensearch');
  else if (process.env.REQUIRE_OPENSEARCH === '1') throw new Error('REQUIRE_OPENSEARCH=1 but OPENSEARCH_URL is not set');
  return list;
}

let built;
// binary builds cmd/auditlog once per test process (or uses AUDITLOG_BIN).
export function binary() {
  if (process.env.AUDITLOG_BIN) return process.env.AUDITLOG_BIN;
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), 'auditlog-web-bin-'));
    built = join(dir, 'auditlog');
    execFileSync('go', ['build', '-o', built, './cmd/auditlog'], { cwd: repo, stdio: 'inherit' });
  }
  return built;
}

// A Service is one `auditlog serve` with its own store.
export class Service {
  constructor(backend) {
    this.backend = backend;
    this.dir = mkdtempSync(join(tmpdir(), 'auditlog-web-'));
    this.prefix = 'w' + randomBytes(5).toString('hex');
    this.env = { ...process.env, AUDITLOG_SECRET: randomBytes(32).toString('hex'), AUDITLOG_SIGNING_KEY: randomBytes(32).toString('base64') };
    this.storeArgs =
      backend === 'opensearch'
        ? ['--opensearch-url', process.env.OPENSEARCH_URL, '--opensearch-prefix', this.prefix]
        : ['--data-dir', this.dir];
  }

  // start runs serve on a free loopback port and waits until it listens.
  async start(extra = []) {
    const args = ['serve', ...this.storeArgs, '--addr', '127.0.0.1:0', '--playground', 'true', ...extra];
    if (this.backend === 'opensearch') args.push('--lifecycle', 'off');
    this.proc = spawn(binary(), args, { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.log = '';
    this.url = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not start:\n${this.log}`)), 60_000);
      this.proc.stderr.on('data', (b) => {
        this.log += b;
        const m = /"auditlog listening" addr=(\S+)/.exec(this.log);
        if (m) {
          clearTimeout(timer);
          ok(`http://${m[1]}`);
        }
      });
      this.proc.on('exit', (code) => fail(new Error(`serve exited ${code}:\n${this.log}`)));
    });
    return this;
  }

  // key runs `auditlog keys create` and returns the new key.
  key({ tenant, role, userId, name, email }) {
    const out = execFileSync(
      binary(),
      ['keys', 'create', ...this.storeArgs, '--tenant', tenant, '--role', role, '--user-id', userId, '--user-name', name, '--user-email', email],
      { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return out.trim().split('\n').pop();
  }

  // gql sends one GraphQL request with key and returns its data.
  async gql(key, query, variables = {}) {
    const resp = await fetch(this.url + '/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await resp.json();
    if (body.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  // ingest sends events through the API and checks each was captured.
  async ingest(key, events) {
    const d = await this.gql(key, 'mutation($e: [EventInput!]!) { ingestEvents(events: $e) { id captured reason error { message } } }', { e: events });
    return d.ingestEvents;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((ok) => this.proc.once('exit', ok));
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (this.backend === 'opensearch') await cleanOpenSearch(process.env.OPENSEARCH_URL, this.prefix);
  }
}

// cleanOpenSearch deletes every index, template and ISM policy named with prefix.
async function cleanOpenSearch(base, prefix) {
  base = base.replace(/\/$/, '');
  const pattern = encodeURIComponent(prefix + '*');
  for (const p of [`/_index_template/${pattern}`, `/${pattern}?expand_wildcards=all`, `/_component_template/${pattern}`]) {
    await fetch(base + p, { method: 'DELETE' });
  }
  const resp = await fetch(`${base}/_plugins/_ism/policies?size=1000&queryString=${encodeURIComponent(prefix + '*')}`);
  if (!resp.ok) return;
  const body = await resp.json();
  for (const p of body.policies ?? []) {
    if (p._id.startsWith(prefix)) await fetch(`${base}/_plugins/_ism/policies/${encodeURIComponent(p._id)}`, { method: 'DELETE' });
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// watch records what a page must never do: fail a script, break the CSP,
// or ask any host but the service.
export function watch(page, origin) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.location().url ?? '') && !/status of 404/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`request to another host: ${r.url()}`);
  });
  return problems;
}

// signIn opens the console with a #key= link and waits for the table.
export async function signIn(page, svc, key, path = '/explore') {
  await page.goto(`${svc.url}${path}#key=${encodeURIComponent(key)}`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// rowsAfter runs action, waits for the listing it asks for to be shown,
// and returns its rows' event ids.
export async function rowsAfter(page, action) {
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('query Events')),
    action(),
  ]);
  return rowIds(page);
}

// rowIds are the event ids of the table's rows, in order.
export async function rowIds(page) {
  await page.locator('.results[aria-busy="false"]').waitFor();
  return page.locator('table.events tbody tr[data-event-id]').evaluateAll((rows) => rows.map((r) => r.dataset.eventId));
}

// parseCSV reads RFC 4180 CSV into rows of cells.
export function parseCSV(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
