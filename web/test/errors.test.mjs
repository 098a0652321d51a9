// Errors reach the user in words: a revoked key, a role that may not, a
// rate limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Service, binary, launch, signIn } from './harness.mjs';

let svc, limited, browser;
before(async () => {
  svc = await new Service('sqlite').start();
  // A rate of 1 request a second, 4 at once: the console's first load
  // (viewer, components, events, notifications) already uses them up.
  limited = await new Service('sqlite').start(['--rate-limit', '1', '--rate-burst', '4']);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await svc?.stop();
  await limited?.stop();
});

test('a key revoked while signed in signs the user out, saying why', async () => {
  const key = svc.key({ tenant: 'errs', role: 'viewer', userId: 'v', name: 'Vera', email: 'vera@example.com' });
  const page = await browser.newPage();
  await signIn(page, svc, key);
  const id = (await svc.gql(key, '{ viewer { keyId } }')).viewer.keyId;
  execFileSync(binary(), ['keys', 'revoke', ...svc.storeArgs, id], { env: svc.env, stdio: 'ignore' });
  // The service may reuse a key lookup for a few seconds.
  const deadline = Date.now() + 30_000;
  while (!(await page.getByLabel('API key', { exact: true }).isVisible()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    await page.reload();
  }
  await page.getByRole('alert').filter({ hasText: 'Your API key was not accepted: it is unknown, revoked or expired' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('auditlog.apiKey')), null);
  await page.close();
});

test('a rate-limited request says so and when to retry', async () => {
  const key = limited.key({ tenant: 'errs', role: 'admin', userId: 'a', name: 'Ann', email: 'ann@example.com' });
  const page = await browser.newPage();
  await signIn(page, limited, key);
  // The key's burst used up just before "Apply" (a token comes back each second).
  const spend = () =>
    fetch(limited.url + '/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: '{"query":"{ __typename }"}',
    }).then((r) => r.status);
  const statuses = await Promise.all(Array.from({ length: 8 }, spend));
  assert.ok(statuses.includes(429), `no request was limited: ${statuses}`);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('alert').filter({ hasText: /rate limited\. Try again in \d+ second/ }).first().waitFor();
  await page.close();
});

test('an emitter key cannot sign in to the console', async () => {
  const key = svc.key({ tenant: 'errs', role: 'emitter', userId: 'm', name: 'Module', email: 'm@example.com' });
  const page = await browser.newPage();
  await page.goto(`${svc.url}/explore#key=${key}`);
  await page.getByRole('alert').filter({ hasText: 'emitter key' }).waitFor();
  await page.getByLabel('API key', { exact: true }).waitFor();
  await page.close();
});
