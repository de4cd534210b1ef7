// login.test.mjs: logging in through the web UI in real chromium: wrong
// password, lockout after 5 failures, enrolling a second factor from its
// QR code and then logging in with a code, logout, session expiry, the
// officer's home queue, keyboard-only login, at 360 px and 1920 px wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWeb, loginAs, shot, totpCode, adminClient, PASSWORD, ADMIN_EMAIL, ARTIFACTS } from './harness.mjs';

// Monday 13 January 2020, 11:00 in Denver (18:00 UTC): a working day.
let now = Date.parse('2020-01-13T18:00:00Z') * 1000;
let web;
let draftNumber;

async function mkUser(admin, orgId, key, role) {
  const r = await admin.post('/api/v1/users', { email: `${key}@web.test`, name: `User ${key}`,
    org_id: orgId, roles: [role], password: PASSWORD });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  web = await startWeb({ clock: now });
  const admin = await adminClient(web.server);
  const org = async (kind, name) => {
    const r = await admin.post('/api/v1/orgs', { kind, name, state: 'CO', timezone: 'America/Denver' });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const agency = await org('agency_office', 'Denver Field Office');
  const county = await org('jurisdiction', 'Denver County');
  for (const key of ['officer', 'locky', 'totpy', 'sleepy', 'keys'])
    await mkUser(admin, agency.id, key, 'officer');
  // The officer's draft, which their queue asks them to submit.
  const officer = web.server.client();
  assert.equal((await officer.login('officer@web.test')).status, 201);
  const d = await officer.post('/api/v1/subpoenas', { recipient_org_id: county.id,
    purpose: 'Locate the subject for removal proceedings', items: [{ category: 'home_address' }] });
  assert.equal(d.status, 201, d.text);
  draftNumber = d.json.number;
});

after(async () => {
  await web?.stop();
  assert.doesNotMatch(web?.server.stderr() || '', /Sanitizer|runtime error/);
});

test('RFC 6238 helper matches the RFC test vector', () => {
  // RFC 6238 appendix B: the ASCII secret "12345678901234567890" at T = 59 s
  // gives 94287082 in 8 digits, so 287082 in 6.
  assert.equal(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59e6), '287082');
});

test('a deep link asks to log in; a wrong password says so', async () => {
  const { page, assertClean } = await web.newPage({ width: 360, height: 740 });
  await page.goto('/subpoenas');
  await page.waitForURL(/\/login\?next=%2Fsubpoenas$/);
  await shot(page, 'login-360');
  await page.getByLabel('Email').fill('officer@web.test');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await assert.doesNotReject(page.getByTestId('form-error').getByText('wrong').waitFor());
  // The right one now goes where the deep link pointed.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/subpoenas$/);
  await page.getByRole('heading', { name: 'Subpoenas' }).waitFor();
  await page.getByRole('link', { name: draftNumber }).waitFor();
  await shot(page, 'subpoenas-360');
  assertClean();
  await page.context().close();
});

test('keyboard only: Tab to the fields, Enter to log in', async () => {
  const { page, assertClean } = await web.newPage({ width: 1280 });
  await page.goto('/login');
  await page.getByLabel('Email').waitFor();
  const focused = () => page.evaluate(() =>
    document.activeElement?.getAttribute('name') || document.activeElement?.textContent);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Skip to content');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'email');
  await page.keyboard.type('keys@web.test');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByTestId('who').getByText('User keys').waitFor();
  assertClean();
  await page.context().close();
});

test('five wrong passwords lock the account, and the page says to ask an administrator', async () => {
  const { page, assertClean } = await web.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill('locky@web.test');
  const error = page.getByTestId('form-error');
  for (let i = 1; i <= 5; i++) {
    await page.getByLabel('Password').fill(`wrong ${i}`);
    await page.getByRole('button', { name: 'Log in' }).click();
    // Failures 1-4 answer 401; the 5th locks the account (423).
    const expected = i < 5 ? /wrong/ : /locked; ask an administrator to unlock it/;
    await page.waitForFunction(([re, src]) => new RegExp(src).test(
      document.querySelector('[data-testid=form-error]')?.textContent || ''), [null, expected.source]);
  }
  // Even the right password is refused now.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForFunction(() => /locked/.test(document.querySelector('[data-testid=form-error]').textContent));
  assert.match(await error.textContent(), /ask an administrator/);
  await shot(page, 'login-locked');
  assertClean();
  await page.context().close();
});

test('enrol a second factor from the QR code, then logging in needs the code', async () => {
  const { page, assertClean } = await web.newPage({ width: 1280 });
  await loginAs(page, 'totpy@web.test');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await page.getByRole('button', { name: 'Set up a second factor' }).click();
  const qr = page.getByTestId('totp-qr');
  await qr.locator('svg').waitFor();
  const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await shot(page, 'account-totp');
  // The QR code, read back by a real decoder, is the otpauth URI that
  // carries the secret shown as text.
  const png = join(ARTIFACTS, 'totp-qr.png');
  writeFileSync(png, await qr.screenshot());
  const decoded = execFileSync('zbarimg', ['--raw', '-q', png]).toString().trim();
  assert.match(decoded, /^otpauth:\/\/totp\/compel:/);
  assert.equal(new URL(decoded).searchParams.get('secret'), secret);

  await page.getByLabel('Code from the app').fill(totpCode(secret, now));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByTestId('totp-on').waitFor();
  await page.getByTestId('logout').click();
  await page.getByTestId('login-message').getByText('logged out').waitFor();

  // A minute later (a fresh code), the password alone is not enough.
  now += 60e6;
  web.server.setClock(now);
  await page.getByLabel('Email').fill('totpy@web.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Authentication code').waitFor();
  await page.getByTestId('error-totp').getByText('6-digit code').waitFor();
  await page.getByLabel('Authentication code').fill(totpCode(secret, now));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('who').getByText('User totpy').waitFor();
  assertClean();
  await page.context().close();
});

test('with require_totp, an account without a second factor is kept on the account page until it enrols one', async () => {
  const strict = await startWeb({ clock: now, env: { COMPEL_REQUIRE_TOTP: '1' } });
  try {
    const { page, assertClean } = await strict.newPage({ width: 1280 });
    await loginAs(page, ADMIN_EMAIL);
    await page.getByTestId('mfa-required').waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');
    // Another page leads back here.
    await page.goto('/subpoenas');
    await page.getByTestId('mfa-required').waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal(await page.getByTestId('token-list').count(), 0);
    // The top bar offers the account page alone.
    assert.deepEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts(), ['Account']);
    await shot(page, 'account-mfa-required');
    await page.getByRole('button', { name: 'Set up a second factor' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(totpCode(secret, now));
    await page.getByRole('button', { name: 'Turn on' }).click();
    // Enrolled: the home page, and the rest of compel, open.
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto('/account');
    await page.getByTestId('totp-on').waitFor();
    assert.equal(await page.getByTestId('mfa-required').count(), 0);
    await page.getByTestId('token-list').waitFor();
    assertClean();
    await page.context().close();
  } finally {
    await strict.stop();
  }
});

test("the officer's home page lists the draft to submit; logout ends the session", async () => {
  for (const [width, height] of [[360, 740], [1920, 1080]]) {
    const { page, assertClean } = await web.newPage({ width, height });
    await loginAs(page, 'officer@web.test');
    const item = page.getByTestId('queue-item').filter({ hasText: draftNumber });
    await item.getByText('Submit').waitFor();
    await shot(page, `home-officer-${width}`);
    await item.getByRole('link', { name: draftNumber }).click();
    await page.getByRole('heading', { name: draftNumber }).waitFor();
    assert.equal(await page.getByTestId('case-state').textContent(), 'Draft');
    await page.getByTestId('action-submit').waitFor();
    await shot(page, `case-draft-${width}`);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-message').getByText('You are logged out.').waitFor();
    // The session is over on the server too: home asks to log in again.
    await page.goto('/');
    await page.waitForURL(/\/login/);
    assertClean();
    await page.context().close();
  }
});

test('after 30 idle minutes the page says the session expired', async () => {
  const { page, assertClean } = await web.newPage();
  await loginAs(page, 'sleepy@web.test');
  // Idle means idle: the home page's own requests are all answered
  // before the clock moves (one still in flight would meet the expired
  // session first and send the page to the login from home instead).
  await page.waitForLoadState('networkidle');
  now += 31 * 60e6;
  web.server.setClock(now);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  // The API answers 401; the tab held a session, so the page says it
  // expired (the API's detail does not always say so: see docs/web.md).
  await page.getByTestId('login-message').getByText(/^Your session expired/).waitFor();
  assert.match(page.url(), /\/login\?next=%2Faccount$/);
  await shot(page, 'login-expired');
  // Logging in again goes back to the page asked for.
  await page.getByLabel('Email').fill('sleepy@web.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Account' }).waitFor();
  assertClean();
  await page.context().close();
});
