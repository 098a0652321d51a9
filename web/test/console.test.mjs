// The console in real Chromium against the real service, on each store.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { Service, backends, launch, parseCSV, rowIds, rowsAfter, signIn, watch } from './harness.mjs';
import { dataset, people } from './data.mjs';

const tenant = 'acme';
const idsQuery = 'query($f: EventFilter!) { events(filter: $f, first: 50) { totalCount edges { node { id } } } }';

for (const backend of backends()) {
  describe(`console on ${backend}`, () => {
    let svc, browser, admin, viewer, other;
    const events = dataset();
    const ids = async (key, f) => (await svc.gql(key, idsQuery, { f })).events.edges.map((e) => e.node.id);

    // page opens a tab signed in with key, in a zone other than UTC, so
    // that dates are the browser's.
    const open = async (key, path = '/explore') => {
      const ctx = await browser.newContext({ acceptDownloads: true, timezoneId: 'Asia/Kolkata', viewport: { width: 1400, height: 900 } });
      const page = await ctx.newPage();
      page.problems = watch(page, svc.url);
      await signIn(page, svc, key, path);
      return page;
    };
    const done = async (page) => {
      assert.deepEqual(page.problems, [], 'the page broke a rule');
      await page.context().close();
    };
    const download = async (page, click) => {
      const [d] = await Promise.all([page.waitForEvent('download'), click()]);
      const rows = parseCSV(readFileSync(await d.path(), 'utf8'));
      const trailer = rows.pop()[0];
      return { header: rows[0], rows: rows.slice(1), trailer };
    };
    const axe = async (page, what, within) => {
      const builder = new AxeBuilder({ page });
      if (within) builder.include(within);
      const r = await builder.analyze();
      const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
        [],
        `axe-core on ${what}`,
      );
    };

    before(async () => {
      svc = await new Service(backend).start();
      admin = svc.key({ tenant, role: 'admin', userId: 'ada', name: 'Ada Admin', email: 'ada@example.com' });
      viewer = svc.key({ tenant, role: 'viewer', userId: 'wei', name: 'Wei Chen', email: 'wei.chen@example.com' });
      other = svc.key({ tenant, role: 'viewer', userId: 'helpbot', name: 'Help Bot', email: 'bot@example.com' });
      const res = await svc.ingest(admin, events);
      assert.ok(res.every((r) => r.captured), JSON.stringify(res.filter((r) => !r.captured)));
      // Searchable once OpenSearch has refreshed; flagEvents finds only
      // searchable events.
      const until = async (ok) => {
        for (let i = 0; !(await ok()) && i < 100; i++) await new Promise((r) => setTimeout(r, 200));
      };
      const described = Math.min(events.filter((e) => e.description.includes('item')).length, 50);
      await until(async () => (await ids(admin, { text: 'item' })).length === described);
      // Two flagged events for the Flagged filter.
      const flagged = await svc.gql(admin, 'mutation { flagEvents(ids: ["web-3", "web-7"], note: "check") { id } }');
      assert.equal(flagged.flagEvents.length, 2);
      await until(async () => (await ids(admin, { flagged: true })).length === 2);
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await svc?.stop();
    });

    test('sign in with a pasted key and with a #key= link, and sign out', async () => {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const problems = watch(page, svc.url);
      await page.goto(svc.url + '/explore');
      await page.getByLabel('API key').fill('not-a-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
      await page.getByLabel('API key').fill(admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.who').getByText('Ada Admin').waitFor();
      assert.ok((await rowIds(page)).length > 0);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('auditlog.apiKey')), admin);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('auditlog.apiKey')), null);

      await page.goto(`${svc.url}/explore#key=${admin}`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      assert.equal(new URL(page.url()).hash, '', 'the key stays in the address bar');
      assert.ok(!page.url().includes(admin));
      assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
      await ctx.close();
    });

    test('each Explore filter narrows the table to what the API returns for it', async () => {
      const page = await open(admin);
      const all = await rowIds(page);
      assert.deepEqual(all, await ids(admin, {}));
      const f = page.getByRole('form', { name: 'Filters' });
      // The browser's local midnight of a day, as the API's time.
      const midnight = (daysAgo, plus = 0) =>
        page.evaluate(([a, p]) => {
          const t = new Date(Date.now() - a * 864e5);
          return new Date(t.getFullYear(), t.getMonth(), t.getDate() + p).toISOString();
        }, [daysAgo, plus]);
      const dayInput = (daysAgo) =>
        page.evaluate((a) => {
          const t = new Date(Date.now() - a * 864e5);
          const p = (n) => String(n).padStart(2, '0');
          return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}`;
        }, daysAgo);
      const cases = [
        ['Component ID', async () => f.getByLabel('Component ID').selectOption('KMS'), { components: ['KMS'] }],
        [
          'Event type',
          async () => {
            await f.getByLabel('Component ID').selectOption('KMS');
            await f.getByRole('checkbox', { name: 'Article published' }).check();
          },
          { components: ['KMS'], eventTypes: ['ARTICLE_PUBLISHED'] },
        ],
        ['Status', async () => f.getByRole('checkbox', { name: /^Failed/ }).check(), { statuses: ['FAILED'] }],
        [
          'Priority',
          async () => {
            await f.getByRole('checkbox', { name: /^High/ }).check();
            await f.getByRole('checkbox', { name: /^Critical/ }).check();
          },
          { priorities: ['HIGH', 'CRITICAL'] },
        ],
        [
          'Start date and End date',
          async () => {
            await f.getByLabel('Start date').fill(await dayInput(12));
            await f.getByLabel('End date').fill(await dayInput(5));
          },
          { from: await midnight(12), to: await midnight(5, 1) },
        ],
        ['Action user', async () => f.getByLabel('Action user').fill('wei.chen@example.com'), { actionUser: 'wei.chen@example.com' }],
        [
          'Action user, picked from the suggestions',
          async () => {
            const box = f.getByRole('combobox', { name: 'Action user' });
            await box.pressSequentially('We');
            const want = (await svc.gql(admin, '{ userSuggestions(role: ACTION_USER, prefix: "We") { id name events } }')).userSuggestions;
            assert.equal(want[0]?.id, 'wei');
            await f.getByRole('option', { name: new RegExp(`^Wei Chen.*${want[0].events} events`) }).waitFor();
            await box.press('ArrowDown');
            await box.press('Enter');
            assert.equal(await box.inputValue(), 'wei');
          },
          { actionUser: 'wei' },
        ],
        ['Target user', async () => f.getByLabel('Target user').fill('Mia Novak'), { targetUser: 'Mia Novak' }],
        ['Flagged', async () => f.getByLabel('Flagged', { exact: true }).selectOption({ label: 'Flagged only' }), { flagged: true }],
        ['Full-text search', async () => f.getByLabel('Full-text search').fill('payroll'), { text: 'payroll' }],
      ];
      for (const [name, set, filter] of cases) {
        await f.getByRole('button', { name: 'Start from new' }).click();
        await set();
        const got = await rowsAfter(page, () => f.getByRole('button', { name: 'Apply' }).click());
        const want = await ids(admin, filter);
        assert.ok(want.length > 0 && want.length < all.length, `${name}: the filter narrows (${want.length} of ${all.length})`);
        assert.deepEqual(got, want, name);
      }
      // The histogram is on the browser's clock: its buckets are the API's in Asia/Kolkata.
      await rowsAfter(page, () => f.getByRole('button', { name: 'Start from new' }).click());
      const bars = await page.locator('.histogram .bar').evaluateAll((bs) => bs.map((b) => ({ start: b.dataset.start, count: Number(b.dataset.count) })));
      const hist = (await svc.gql(admin, '{ events(filter: {}) { facets { histogram(timeZone: "Asia/Kolkata") { start count } } } }')).events.facets.histogram;
      assert.ok(hist.length > 1);
      assert.deepEqual(bars, hist);
      // Without a module, event types are listed by their display names.
      await f.getByRole('checkbox', { name: /^Password changed \(\d+\)/ }).waitFor();
      // Facet counts stand beside the values: Failed's is what the API counts.
      await rowsAfter(page, () => f.getByRole('button', { name: 'Start from new' }).click());
      const failed = (await svc.gql(admin, 'query { events(filter: {statuses: [FAILED]}) { totalCount } }')).events.totalCount;
      await f.getByRole('checkbox', { name: new RegExp(`^Failed \\(${failed}\\)`) }).waitFor();
      // Oldest first, and the next page.
      // A page at a time, by the API's cursor.
      const page1 = await rowsAfter(page, () => page.getByLabel('Rows per page').selectOption('25'));
      const api1 = (await svc.gql(admin, '{ events(filter: {}, first: 25) { pageInfo { endCursor } edges { node { id } } } }')).events;
      assert.deepEqual(page1, api1.edges.map((e) => e.node.id));
      const page2 = await rowsAfter(page, () => page.getByRole('button', { name: 'Next page' }).click());
      const api2 = (await svc.gql(admin, 'query($a: String) { events(filter: {}, first: 25, after: $a) { edges { node { id } } } }', { a: api1.pageInfo.endCursor })).events;
      assert.ok(page2.length > 0);
      assert.deepEqual(page2, api2.edges.map((e) => e.node.id));
      assert.deepEqual(await rowsAfter(page, () => page.getByRole('button', { name: 'Previous page' }).click()), page1);
      await rowsAfter(page, () => page.getByLabel('Rows per page').selectOption('50'));
      const shown = await rowsAfter(page, () => page.getByLabel('Order').selectOption('OLDEST_FIRST'));
      const oldest = (await svc.gql(admin, 'query { events(filter: {}, first: 50, order: OLDEST_FIRST) { edges { node { id } } } }')).events.edges.map((e) => e.node.id);
      assert.deepEqual(shown, oldest);
      await done(page);
    });

    test('the detail drawer shows every field of the event', async () => {
      const page = await open(admin);
      const ev = events[1]; // wei, a target user, flagged by nobody yet
      await page.locator(`tr[data-event-id="${ev.id}"] button.link`).click();
      const drawer = page.getByRole('dialog', { name: /Article archived/ });
      await drawer.getByText('Event metadata').waitFor();
      const field = (section, label) => drawer.locator(`section:has(h3:text-is("${section}")) dt:text-is("${label}") + dd`);
      const expect = [
        ['Event metadata', 'Event ID', ev.id],
        ['Event metadata', 'Component module', 'KMS'],
        ['Event details', 'Submodule name', ev.submodule],
        ['Event details', 'Event type', 'Article archived (ARTICLE_ARCHIVED)'],
        ['Event details', 'Activity description', ev.description],
        ['Event details', 'Priority', 'High'],
        ['Event details', 'Status', 'Success'],
        ['Action user', 'User type', 'Dashboard'],
        ['Action user', 'Name', 'Wei Chen'],
        ['Action user', 'Email', 'wei.chen@example.com'],
        ['Action user', 'IP address', ev.actionUser.ipAddress],
        ['Target user', 'User type', 'Dashboard'],
        ['Target user', 'Name', 'Mia Novak'],
        ['Target user', 'Email', 'mia@example.com'],
        ['Target user', 'Current account status', 'Active'],
        ['Target user', 'Account status recorded with this event', 'Terminated'],
      ];
      for (const [s, l, v] of expect) assert.equal(await field(s, l).textContent(), v, `${s} / ${l}`);
      assert.match(await field('Event metadata', 'Ingested').textContent(), /\d{4}/);
      assert.equal(await drawer.getByRole('link', { name: 'View update' }).getAttribute('href'), ev.redirectUrl);
      await drawer.getByText('Other Details').click();
      await drawer.locator('details dt:text-is("ticket") + dd').filter({ hasText: ev.details.ticket }).waitFor();
      await axe(page, 'the drawer', '.drawer');
      // Flagging info appears once flagged.
      await drawer.getByRole('button', { name: 'Flag Event' }).click();
      await drawer.getByText('Flagging info').waitFor();
      assert.equal(await field('Flagging info', 'Flagged by').textContent(), 'Ada Admin');
      await page.locator(`tr[data-event-id="${ev.id}"] svg[aria-label="Flagged"]`).waitFor();
      await drawer.getByRole('button', { name: 'Unflag Event' }).click();
      await drawer.getByRole('button', { name: 'Flag Event' }).waitFor();
      await page.locator(`tr[data-event-id="${ev.id}"] svg[aria-label="Flagged"]`).waitFor({ state: 'detached' });
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
      await done(page);
    });

    test('flag from the kebab and selected rows; the action user is notified and marks it read', async () => {
      const page = await open(admin);
      const flagged = async (id) => (await svc.gql(admin, `{ event(id: "${id}") { flag { by { id } } } }`)).event.flag?.by.id ?? null;
      const row = (id) => page.locator(`tr[data-event-id="${id}"]`);
      // web-5 is Wei's.
      await row('web-5').getByRole('button', { name: /^Actions for/ }).click();
      await page.getByRole('menuitem', { name: 'Flag event' }).click();
      await row('web-5').locator('svg[aria-label="Flagged"]').waitFor();
      assert.equal(await flagged('web-5'), 'ada');

      const wei = await open(viewer);
      const unread = async () =>
        (await svc.gql(viewer, '{ notifications(unreadOnly: true) { eventId } }')).notifications.map((n) => n.eventId);
      const before = await unread();
      assert.ok(before.includes('web-5'), `Wei's unread notifications: ${before}`);
      await wei.getByRole('button', { name: `Notifications: ${before.length} unread` }).click();
      const note = wei.getByRole('region', { name: 'Notifications' }).locator('li[data-event-id="web-5"]').first();
      await note.getByText('Ada Admin flagged your CMS event').waitFor();
      await note.getByRole('button', { name: 'Mark read' }).click();
      await wei.getByRole('button', { name: `Notifications: ${before.length - 1} unread` }).waitFor();
      assert.ok(!(await unread()).includes('web-5'));
      if (before.length > 1) await wei.getByRole('button', { name: 'Mark all read' }).click();
      await wei.getByRole('button', { name: 'Notifications: 0 unread' }).waitFor();
      await done(wei);

      await row('web-5').getByRole('button', { name: /^Actions for/ }).click();
      await page.getByRole('menuitem', { name: 'Unflag event' }).click();
      await row('web-5').locator('svg[aria-label="Flagged"]').waitFor({ state: 'detached' });
      assert.equal(await flagged('web-5'), null);

      // Keyboard: the kebab opens with Enter and its items take arrows.
      await row('web-9').getByRole('button', { name: /^Actions for/ }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('menuitem', { name: 'View event' }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.textContent), 'View event');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await row('web-9').locator('svg[aria-label="Flagged"]').waitFor();
      assert.equal(await flagged('web-9'), 'ada');

      for (const id of ['web-10', 'web-11']) await row(id).getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Flag Selected' }).click();
      for (const id of ['web-10', 'web-11']) await row(id).locator('svg[aria-label="Flagged"]').waitFor();
      assert.deepEqual([await flagged('web-10'), await flagged('web-11')], ['ada', 'ada']);
      await done(page);
    });

    test('export one event, the selected ones and the whole filtered log as CSV', async () => {
      const page = await open(admin);
      await page.locator('tr[data-event-id="web-2"] button.link').click();
      const one = await download(page, () => page.getByRole('button', { name: 'Export Event' }).click());
      assert.equal(one.rows.length, 1);
      assert.equal(one.rows[0][one.header.indexOf('Event ID')] ?? one.rows[0][0], 'web-2');
      assert.equal(one.trailer, '# complete: 1 rows');
      await page.getByRole('button', { name: 'Close event details' }).click();

      for (const id of ['web-12', 'web-13', 'web-14']) await page.locator(`tr[data-event-id="${id}"]`).getByRole('checkbox').check();
      const sel = await download(page, () => page.getByRole('button', { name: 'Export Selected' }).click());
      assert.deepEqual(sel.rows.map((r) => r[0]).sort(), ['web-12', 'web-13', 'web-14']);
      assert.equal(sel.trailer, '# complete: 3 rows');

      const f = page.getByRole('form', { name: 'Filters' });
      await f.getByLabel('Component ID').selectOption('SET');
      await rowsAfter(page, () => f.getByRole('button', { name: 'Apply' }).click());
      const log = await download(page, async () => {
        await page.getByRole('button', { name: 'More actions' }).click();
        await page.getByRole('menuitem', { name: 'Export Log' }).click();
      });
      const want = await ids(admin, { components: ['SET'] });
      assert.deepEqual(log.rows.map((r) => r[0]), want);
      assert.equal(log.trailer, `# complete: ${want.length} rows`);
      await done(page);
    });

    test('save, apply, edit and delete a filter; another user does not see it', async () => {
      const page = await open(admin);
      const f = page.getByRole('form', { name: 'Filters' });
      await f.getByRole('checkbox', { name: /^Failed/ }).check();
      const failed = await rowsAfter(page, () => f.getByRole('button', { name: 'Apply' }).click());
      await f.getByRole('button', { name: 'Save filter' }).click();
      const save = page.getByRole('dialog', { name: 'Save filter' });
      await save.getByLabel('Name').fill('Failed actions');
      await save.getByLabel('Description (optional)').fill('monthly review');
      await save.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved the filter “Failed actions”.').waitFor();

      assert.notDeepEqual(await rowsAfter(page, () => f.getByRole('button', { name: 'Start from new' }).click()), failed);
      await page.getByRole('button', { name: 'Saved filters' }).click();
      const dlg = page.getByRole('dialog', { name: 'Saved filters' });
      await dlg.getByText('monthly review').waitFor();
      assert.deepEqual(await rowsAfter(page, () => dlg.getByRole('button', { name: 'Apply Failed actions' }).click()), failed);
      assert.equal(await f.getByRole('checkbox', { name: /^Failed/ }).isChecked(), true);

      await page.getByRole('button', { name: 'Saved filters' }).click();
      await dlg.getByRole('button', { name: 'Edit Failed actions' }).click();
      await dlg.getByLabel('Name').fill('Failed, reviewed');
      await dlg.getByRole('button', { name: 'Save changes' }).click();
      await dlg.getByText('Failed, reviewed').waitFor();
      const mine = (await svc.gql(admin, '{ savedFilters { name filter { statuses } } }')).savedFilters;
      assert.deepEqual(mine, [{ name: 'Failed, reviewed', filter: { statuses: ['FAILED'] } }]);

      const wei = await open(viewer);
      await wei.getByRole('button', { name: 'Saved filters' }).click();
      await wei.getByText('No saved filters yet').waitFor();
      await done(wei);

      page.once('dialog', (d) => d.accept());
      await dlg.getByRole('button', { name: 'Delete Failed, reviewed' }).click();
      await dlg.getByText('No saved filters yet').waitFor();
      assert.deepEqual((await svc.gql(admin, '{ savedFilters { name } }')).savedFilters, []);
      await done(page);
    });

    test('Filter Management: toggle logging and each criterion, then ingest and see the effect', async () => {
      const page = await open(admin, '/settings/audit-logs');
      const card = page.locator('li[data-component="CMS"]');
      await card.getByText('Component ID').waitFor();
      await axe(page, 'Filter Management');
      const ev = (over = {}) => ({
        componentId: 'CMS',
        eventType: 'CREATE_USER_GROUP',
        status: 'SUCCESS',
        occurredAt: new Date().toISOString(),
        description: 'criteria probe',
        actionUser: { ...people.ada, ipAddress: '192.0.2.7' },
        ...over,
      });
      const ingest = async (over) => (await svc.ingest(admin, [ev(over)]))[0];

      await card.getByRole('switch', { name: 'Enable logging' }).uncheck();
      await page.getByRole('status').filter({ hasText: 'Logging disabled for CMS.' }).waitFor();
      assert.equal((await ingest()).reason, 'LOGGING_DISABLED');
      await card.getByRole('switch', { name: 'Enable logging' }).check();
      await page.getByRole('status').filter({ hasText: 'Logging enabled for CMS.' }).waitFor();
      assert.equal((await ingest()).captured, true);

      await card.getByRole('link').click();
      const form = page.locator('main form');
      await form.getByText('Additional criteria to be recorded for the above events').waitFor();
      // The page's defaults: Activity description and IP address on, the rest off.
      for (const [name, on] of [
        ['Priority', false],
        ['Logging period', false],
        ['Activity description', true],
        ['Status', false],
        ['IP address', true],
        ['Automatically expires after', false],
      ])
        assert.equal(await form.getByRole('checkbox', { name, exact: true }).isChecked(), on, name);
      await axe(page, 'a Filter Management card');
      const save = async () => {
        await form.getByText(/^Saved at/).waitFor({ state: 'detached' });
        await form.getByRole('button', { name: 'Save', exact: true }).click();
        await form.getByText(/^Saved at/).waitFor();
      };

      // Activities: Create user group unticked.
      await form.getByRole('checkbox', { name: 'Create user group' }).uncheck();
      await save();
      assert.equal((await ingest()).reason, 'ACTIVITY_NOT_SELECTED');
      await form.getByRole('checkbox', { name: 'Create user group' }).check();
      // Priority at or above High: a Medium event is not captured.
      await form.getByRole('checkbox', { name: 'Priority', exact: true }).check();
      await form.getByLabel('At or above').selectOption('HIGH');
      await save();
      assert.equal((await ingest()).reason, 'BELOW_MIN_PRIORITY');
      assert.equal((await ingest({ priority: 'CRITICAL' })).captured, true);
      await form.getByRole('checkbox', { name: 'Priority', exact: true }).uncheck();
      // Status: Failed only.
      await form.getByRole('checkbox', { name: 'Status', exact: true }).check();
      await save();
      assert.equal((await ingest()).reason, 'STATUS_NOT_SELECTED');
      assert.equal((await ingest({ status: 'FAILED' })).captured, true);
      await form.getByRole('checkbox', { name: 'Status', exact: true }).uncheck();
      // Logging period in the past.
      await form.getByRole('checkbox', { name: 'Logging period' }).check();
      await form.getByLabel('From', { exact: true }).fill('2020-01-01');
      await form.getByLabel('To', { exact: true }).fill('2020-12-31');
      await save();
      assert.equal((await ingest()).reason, 'OUTSIDE_LOGGING_PERIOD');
      await form.getByRole('checkbox', { name: 'Logging period' }).uncheck();
      // Neither description nor IP address kept.
      await form.getByRole('checkbox', { name: 'Activity description' }).uncheck();
      await form.getByRole('checkbox', { name: 'IP address' }).uncheck();
      // Expires after 6 Weeks; 6 Years is refused before saving.
      await form.getByRole('checkbox', { name: 'Automatically expires after' }).check();
      await form.getByLabel('Unit').selectOption('YEARS');
      await form.getByLabel('Expires after how many').fill('6');
      await form.getByText('At most 5 years').waitFor();
      assert.equal(await form.getByRole('button', { name: 'Save', exact: true }).isDisabled(), true);
      await form.getByLabel('Expires after how many').fill('6');
      await form.getByLabel('Unit').selectOption('WEEKS');
      await save();
      const kept = await ingest({ id: 'probe-bare' });
      assert.equal(kept.captured, true);
      const read = () => svc.gql(admin, '{ event(id: "probe-bare") { description actionUser { ipAddress } } component(id: "CMS") { criteria { retention { value unit } } } }');
      let stored = await read();
      // OpenSearch shows it once refreshed.
      for (let i = 0; !stored.event && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 200));
        stored = await read();
      }
      assert.deepEqual(stored.event, { description: null, actionUser: { ipAddress: null } });
      assert.deepEqual(stored.component.criteria.retention, { value: 6, unit: 'WEEKS' });
      // An event older than 6 weeks is past retention: not captured.
      const old = await ingest({ id: 'probe-old', occurredAt: new Date(Date.now() - 50 * 864e5).toISOString() });
      assert.equal(old.reason, 'EXPIRED');

      // Someone else saves meanwhile: the conflict is explained, nothing lost.
      const v = (await svc.gql(admin, '{ component(id: "CMS") { version } }')).component.version;
      await svc.gql(admin, 'mutation($v: Int) { configureComponent(id: "CMS", config: {loggingEnabled: true, version: $v}) { version } }', { v });
      await form.getByRole('checkbox', { name: 'IP address' }).check();
      await form.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'saved this module' }).waitFor();
      assert.equal(await form.getByRole('checkbox', { name: 'IP address' }).isChecked(), true);
      await page.getByRole('button', { name: 'Save mine over theirs' }).click();
      await form.getByText(/^Saved at/).waitFor();
      assert.equal((await svc.gql(admin, '{ component(id: "CMS") { criteria { captureIpAddress } } }')).component.criteria.captureIpAddress, true);
      await done(page);
    });

    test('a viewer sees no Filter Management', async () => {
      const page = await open(viewer);
      await page.locator('.who').getByText('Wei Chen').waitFor();
      assert.equal(await page.getByRole('link', { name: /Audit Logs/ }).count(), 0);
      await page.goto(svc.url + '/settings/audit-logs');
      await page.getByRole('alert').filter({ hasText: 'Filter Management is for admins' }).waitFor();
      assert.equal(await page.locator('li[data-component]').count(), 0);
      await done(page);
    });

    test('Explore passes axe-core with no serious or critical violation', async () => {
      const page = await open(other);
      // A page of a dozen rows: axe-core's checks take seconds per row on a busy machine.
      await page.getByRole('form', { name: 'Filters' }).getByLabel('Component ID').selectOption('KMS');
      await rowsAfter(page, () => page.getByRole('button', { name: 'Apply' }).click());
      await axe(page, 'Explore');
      await page.getByRole('button', { name: 'More actions' }).click();
      await axe(page, 'Explore with a menu open');
      await done(page);
    });
  });
}
