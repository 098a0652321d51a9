// A new user's first command: `auditlog serve --demo` prints a sign-in
// link, which opens the console on the demo events.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Service, launch, rowIds, watch } from './harness.mjs';

let svc, browser;
after(async () => {
  await browser?.close();
  await svc?.stop();
});

test('serve --demo on a new embedded store prints a link that opens the console on demo events', async () => {
  svc = await new Service('sqlite').start(['--demo']);
  const link = /Sign in to the console: (http:\/\/\S+\/#key=\S+)/.exec(svc.log)?.[1];
  assert.ok(link, `no sign-in link in:\n${svc.log}`);
  assert.ok(link.startsWith(svc.url + '/#key='));
  browser = await launch();
  const page = await browser.newPage();
  const problems = watch(page, svc.url);
  await page.goto(link);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/explore');
  assert.equal(new URL(page.url()).hash, '');
  assert.equal((await rowIds(page)).length, 50);
  const count = Number((await page.locator('.count').textContent()).replace(/\D/g, ''));
  assert.ok(count >= 1000, `${count} events shown, want the 1,000 demo events`);
  await page.getByRole('link', { name: 'Settings → Audit Logs' }).click();
  await page.locator('li[data-component="KMS"]').waitFor();
  assert.deepEqual(problems, []);
});
