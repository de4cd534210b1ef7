// admin.test.mjs: the admin's, the auditor's and everyone's account pages
// in real chromium. Through the UI only, the admin creates a jurisdiction
// (a bad time zone first: the API's error shows next to the field), its
// facility and two policy versions; a user with a role (a short password
// first), who then logs in; locks themselves out with 5 failures and is
// unlocked by the admin; is disabled and cannot log in; a closure on the
// jurisdiction's calendar (a second on the same day is refused next to
// the date); a delegation with its instrument uploaded; a webhook. The
// auditor searches the audit trail for the admin's actions and verifies
// the chain. An API token made in the UI works with curl-like fetch until
// it is revoked in the UI; the calendar feed link likewise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, loginAs, shot, adminClient, totpCode, PASSWORD, ADMIN_EMAIL } from './harness.mjs';

// Monday 13 January 2020, 11:00 in Denver.
const now = Date.parse('2020-01-13T18:00:00Z') * 1000;
let web;
let admin; // API client, to check what the UI did
let adminId;
let adminUi; // the admin's browser page, logged in once
const JURISDICTION = 'Adams County';
const CLERK = 'clerk@web.test';

before(async () => {
  web = await startWeb({ clock: now });
  admin = await adminClient(web.server);
  adminId = (await admin.get('/api/v1/me')).json.id;
  const agency = (await admin.get('/api/v1/orgs?kind=agency_office')).json.items[0];
  for (const [key, role, title] of [['auditor', 'auditor'], ['acting', 'signer', 'Acting Deputy']]) {
    const r = await admin.post('/api/v1/users', { email: `${key}@web.test`, name: `User ${key}`,
      org_id: agency.id, roles: [role], title, password: PASSWORD });
    assert.equal(r.status, 201, r.text);
  }
  adminUi = await web.newPage({ width: 1280 });
  await loginAs(adminUi.page, ADMIN_EMAIL);
});

after(async () => {
  await web?.stop();
  assert.doesNotMatch(web?.server.stderr() || '', /Sanitizer|runtime error/);
});

// Follow a link of the top bar's navigation.
const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

// Fill the labelled fields of `scope` ({label: value}; a select by its
// option's text when the value is {option}).
async function fill(scope, fields) {
  for (const [lbl, v] of Object.entries(fields)) {
    const control = scope.getByLabel(lbl, { exact: true });
    if (typeof v === 'object') await control.selectOption({ label: v.option });
    else await control.fill(v);
  }
}

test('the admin creates a jurisdiction, its facility and two policy versions', async () => {
  const { page, assertClean } = adminUi;
  await nav(page, 'Organizations');
  await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
  const f = page.getByTestId('org-create');
  await fill(f, { Kind: { option: 'Jurisdiction' }, Name: JURISDICTION, State: 'CO', 'Time zone': 'Mars/Olympus_Mons' });
  await f.getByRole('button', { name: 'Create organization' }).click();
  // The API's error, next to the field it names; nothing was created.
  const tzError = f.getByTestId('error-timezone');
  await tzError.waitFor();
  assert.match(await tzError.textContent(), /IANA time zone/);
  assert.equal(await f.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');
  await shot(page, 'admin-orgs-error');
  const orgs = await admin.get('/api/v1/orgs?kind=jurisdiction');
  assert.equal(orgs.json.items.length, 0);

  await f.getByLabel('Time zone').fill('America/Denver');
  await f.getByRole('button', { name: 'Create organization' }).click();
  await page.getByRole('heading', { name: JURISDICTION, level: 1 }).waitFor();
  assert.match(page.url(), /\/admin\/orgs\/[\w-]+$/);

  const fac = page.getByTestId('facility-create');
  await fac.getByLabel('Facility name').fill('Adams County Detention Facility');
  await fac.getByRole('button', { name: 'Add facility' }).click();
  await page.getByTestId('facilities').getByText('Adams County Detention Facility').waitFor();

  const addPolicy = async (from, detainers, subpoenas, citation) => {
    const p = page.getByTestId('policy-create');
    await p.getByLabel('Effective from').fill(from);
    await p.getByLabel('Detainers').selectOption(detainers);
    await p.getByLabel('Subpoenas').selectOption(subpoenas);
    await p.getByLabel('Citation').fill(citation);
    await p.getByLabel('Summary').fill(`Policy under ${citation}`);
    await p.getByRole('button', { name: 'Add version' }).click();
    await page.getByTestId('policies').getByRole('cell', { name: citation, exact: true }).waitFor();
  };
  await addPolicy('2019-06-01', 'honor', 'comply', 'Resolution 2019-14');
  await addPolicy('2020-01-01', 'decline', 'court_order_only', 'Ordinance 2019-88');
  // Both versions listed, oldest first; the newer one in force today.
  const rows = page.getByTestId('policies').getByTestId('row');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).textContent(), /^v1.*Resolution 2019-14/);
  assert.doesNotMatch(await rows.nth(0).textContent(), /In force/);
  assert.match(await rows.nth(1).textContent(), /^v2 In force.*Decline.*Court order only.*Ordinance 2019-88/);
  await shot(page, 'admin-org');
  assertClean();
});

test('the admin creates a user (a short password refused first); the user logs in', async () => {
  const { page, assertClean } = adminUi;
  await nav(page, 'Users');
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  await page.getByTestId('user-list').getByText(ADMIN_EMAIL).waitFor();
  const f = page.getByTestId('user-create');
  await fill(f, { Email: CLERK, Name: 'Casey Clerk', Organization: { option: `${JURISDICTION} (Jurisdiction)` },
    Password: 'too short' });
  // The roles offered are the jurisdiction's.
  await f.getByLabel('Custodian').check();
  assert.equal(await f.getByLabel('Officer').count(), 0);
  await f.getByRole('button', { name: 'Create user' }).click();
  const pwError = f.getByTestId('error-password');
  await pwError.waitFor();
  assert.match(await pwError.textContent(), /at least 12 characters/);
  await shot(page, 'admin-users-error');
  await f.getByLabel('Password').fill(PASSWORD);
  await f.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('heading', { name: 'Casey Clerk', level: 1 }).waitFor();
  await shot(page, 'admin-user');

  // Change the title through the edit form.
  const edit = page.getByTestId('user-edit');
  await edit.getByLabel('Title').fill('Records Supervisor');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('toast').getByText('Changes saved').waitFor();
  await page.getByText('Records Supervisor', { exact: true }).first().waitFor();

  const user = await web.newPage({ width: 360, height: 740 });
  await loginAs(user.page, CLERK);
  assert.match(await user.page.getByTestId('who').textContent(), /Casey Clerk.*Adams County.*Custodian/);
  await user.page.getByRole('heading', { name: 'Welcome, Casey Clerk' }).waitFor();
  await shot(user.page, 'clerk-home-360');
  user.assertClean();
  await user.context.close();
  assertClean();
});

test('five failed logins lock the user; the admin unlocks them in the UI', async () => {
  const user = await web.newPage({ width: 1280 });
  const { page } = user;
  await page.goto('/login');
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Email').fill(CLERK);
    await page.getByLabel('Password').fill(`wrong password ${i}`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('form-error').filter({ hasText: i < 4 ? /wrong/ : /locked/ }).waitFor();
  }
  assert.match(await page.getByTestId('form-error').textContent(), /locked; ask an administrator/);

  const a = adminUi.page;
  await nav(a, 'Users');
  const row = a.getByTestId('user-list').getByTestId('row').filter({ hasText: CLERK });
  await row.getByText('Locked').waitFor();
  await shot(a, 'admin-users-locked');
  await row.getByRole('link', { name: CLERK }).click();
  await a.getByTestId('user-locked').waitFor();
  await a.getByRole('button', { name: 'Unlock' }).click();
  await a.getByTestId('toast').getByText('is unlocked').waitFor();
  assert.equal(await a.getByTestId('user-state').first().textContent(), 'Active');
  assert.equal(await a.getByRole('button', { name: 'Unlock' }).count(), 0);

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('who').waitFor();
  user.assertClean();
  await user.context.close();
  adminUi.assertClean();
});

test('a user the admin disables is logged out and cannot log in', async () => {
  const user = await web.newPage({ width: 1280 });
  await loginAs(user.page, CLERK);
  const a = adminUi.page;
  await a.getByRole('button', { name: 'Disable' }).click();
  await a.getByTestId('toast').getByText('is disabled').waitFor();
  assert.equal(await a.getByTestId('user-state').first().textContent(), 'Disabled');
  await a.getByRole('button', { name: 'Enable' }).waitFor();
  // Their open session has ended: the next request lands on the login page.
  await user.page.reload();
  await user.page.waitForURL(/\/login/);
  await user.page.getByLabel('Email').fill(CLERK);
  await user.page.getByLabel('Password').fill(PASSWORD);
  await user.page.getByRole('button', { name: 'Log in' }).click();
  await user.page.getByTestId('form-error').getByText(/wrong/).waitFor();
  assert.equal(await user.page.getByTestId('who').count(), 0);
  user.assertClean();
  await user.context.close();
  adminUi.assertClean();
});

test('a closure added to the jurisdiction\'s calendar shows; the same day again is refused', async () => {
  const { page, assertClean } = adminUi;
  await nav(page, 'Calendars');
  await page.getByTestId('calendar-list').getByRole('link', { name: 'Federal' }).waitFor();
  await shot(page, 'admin-calendars');
  await page.getByRole('link', { name: JURISDICTION }).click();
  await page.getByRole('heading', { name: `${JURISDICTION} calendar` }).waitFor();
  const add = async () => {
    const f = page.getByTestId('closure-create');
    await f.getByLabel('Date').fill('2020-02-03');
    await f.getByLabel('Name').fill('Courthouse closed: snow');
    await f.getByLabel('Source').fill('County order 20-7');
    await f.getByRole('button', { name: 'Add closure' }).click();
  };
  await add();
  await page.getByTestId('closures').getByText('Courthouse closed: snow').waitFor();
  assert.match(await page.getByTestId('closures').textContent(), /Mon, Feb 3, 2020.*County order 20-7/);
  await add();
  const err = page.getByTestId('closure-create').getByTestId('error-date');
  await err.waitFor();
  assert.notEqual((await err.textContent()).trim(), '');
  assert.equal(await page.getByTestId('closures').getByTestId('row').count(), 1);
  // The observed federal holidays of 2020 are listed too.
  await page.getByTestId('holidays').getByText('Birthday of Martin Luther King, Jr.').waitFor();
  await shot(page, 'admin-calendar');
  assertClean();
});

test('a delegation is recorded with its instrument uploaded first', async () => {
  const { page, assertClean } = adminUi;
  await nav(page, 'Delegations');
  await page.getByRole('heading', { name: 'Delegations', level: 1 }).waitFor();
  const f = page.getByTestId('delegation-create');
  await f.getByLabel('Delegate (a signer)').selectOption({ label: 'User acting <acting@web.test>, Acting Deputy' });
  await f.getByLabel('Authority').fill('Delegation Order 7030.2 (8 CFR 2.1)');
  await f.getByLabel('Effective from').fill('2020-01-01');
  await f.getByLabel('Effective to').fill('2020-12-31');
  // Without the instrument the API refuses; the message sits by the file field.
  await f.getByRole('button', { name: 'Record delegation' }).click();
  await f.getByTestId('error-document').waitFor();
  await shot(page, 'admin-delegations-error');
  await f.getByLabel('Signed delegation instrument').setInputFiles({
    name: 'delegation order 7030.2.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% delegation order\n%%EOF\n') });
  await f.getByRole('button', { name: 'Record delegation' }).click();
  await page.getByRole('heading', { name: 'Delegations of User acting' }).waitFor();
  const row = page.getByTestId('delegations').getByTestId('row');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /Delegation Order 7030\.2.*Wed, Jan 1, 2020.*Thu, Dec 31, 2020.*Download/);
  await shot(page, 'admin-delegations');
  // What the API holds: the delegation names the uploaded instrument.
  const docs = (await admin.get('/api/v1/documents?kind=delegation')).json.items;
  assert.equal(docs.length, 1);
  assert.equal(docs[0].filename, 'delegation order 7030.2.pdf');
  const userId = new URL(page.url()).searchParams.get('user_id');
  const dels = (await admin.get(`/api/v1/delegations?user_id=${userId}`)).json.items;
  assert.equal(dels[0].document_id, docs[0].id);
  assertClean();
});

test('a webhook: a bad URL is refused by the field; a good one shows its secret once', async () => {
  const { page, assertClean } = adminUi;
  await nav(page, 'Webhooks');
  await page.getByTestId('webhooks-empty').waitFor();
  const f = page.getByTestId('webhook-create');
  await f.getByLabel('URL').fill('ftp://hooks.example/compel');
  await f.getByLabel('Organization whose cases it hears about').selectOption({ label: `${JURISDICTION} (Jurisdiction)` });
  await f.getByRole('button', { name: 'Register webhook' }).click();
  await f.getByTestId('error-url').getByText('absolute http:// or https://').waitFor();
  await f.getByLabel('URL').fill('https://hooks.adams.example/compel');
  await f.getByRole('button', { name: 'Register webhook' }).click();
  const secret = page.getByTestId('webhook-secret');
  await secret.waitFor();
  assert.match(await secret.locator('code').textContent(), /^[\w-]{40,}$/);
  await page.getByRole('link', { name: 'Show the updated list' }).click();
  await page.getByTestId('webhooks').getByText('https://hooks.adams.example/compel').waitFor();
  await page.getByTestId('job-list').waitFor();
  await shot(page, 'admin-webhooks');
  assertClean();
});

test('the auditor searches the audit trail for the admin\'s actions and verifies the chain', async () => {
  const { page, assertClean, context } = await web.newPage({ width: 1920 });
  await loginAs(page, 'auditor@web.test');
  await nav(page, 'Audit');
  await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
  const f = page.getByTestId('audit-search');
  await f.getByLabel('Actor (user id)').fill(adminId);
  await f.getByLabel('From').fill('yesterday');
  await f.getByRole('button', { name: 'Search' }).click();
  await f.getByTestId('error-from').getByText('a date YYYY-MM-DD or an RFC 3339 instant').waitFor();
  await f.getByLabel('From').fill('2020-01-13');
  await f.getByRole('button', { name: 'Search' }).click();
  const list = page.getByTestId('audit-list');
  const rows = list.getByTestId('row');
  // The unfiltered first page is replaced by the admin's entries.
  await rows.first().filter({ hasText: adminId }).waitFor();
  const n = await rows.count();
  assert.ok(n >= 8, `${n} rows`);
  for (let i = 0; i < n; i++) assert.match(await rows.nth(i).textContent(), new RegExp(adminId));
  const text = await list.textContent();
  for (const action of ['user.unlock', 'org.create', 'facility.create', 'policy.create', 'user.create', 'closure.create', 'delegation.create'])
    assert.ok(text.includes(action), `${action} in ${text.slice(0, 400)}`);
  await shot(page, 'audit-1920');
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await page.getByTestId('verify-result').waitFor();
  assert.match(await page.getByTestId('verify-ok').textContent(), /^OK/);
  assert.ok(Number(await page.getByTestId('verify-checked').textContent()) > n);
  assert.equal(await page.getByTestId('verify-first-bad').textContent(), 'none');
  await shot(page, 'audit-verified');
  assertClean();
  await context.close();
});

test('account: a token made in the UI works until revoked in the UI; the calendar feed likewise', async () => {
  const { page, assertClean, context } = await web.newPage({ width: 1280 });
  await loginAs(page, 'auditor@web.test');
  await nav(page, 'Account');
  const f = page.getByTestId('token-create');
  await f.getByRole('button', { name: 'Create token' }).click();
  await f.getByTestId('error-name').waitFor();
  await f.getByLabel('Token name').fill('audit robot');
  await f.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent()).trim();
  const me = () => fetch(`${web.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  let r = await me();
  assert.equal(r.status, 200);
  assert.equal((await r.json()).email, 'auditor@web.test');
  const row = page.getByTestId('token-list').getByTestId('row').filter({ hasText: 'audit robot' });
  assert.match(await row.textContent(), /Active/);
  await shot(page, 'account-token');
  await row.getByRole('button', { name: 'Revoke the token audit robot' }).click();
  await row.getByText('Revoked').waitFor();
  assert.equal(await page.getByTestId('new-token').count(), 0);
  r = await me();
  assert.equal(r.status, 401);

  await page.getByRole('button', { name: 'Create a feed link' }).click();
  const url = new URL(await page.getByTestId('feed-url').inputValue());
  assert.equal(url.pathname, '/api/v1/calendar.ics');
  const feed = () => fetch(`${web.base}${url.pathname}${url.search}`);
  r = await feed();
  assert.equal(r.status, 200);
  assert.match(await r.text(), /^BEGIN:VCALENDAR/);
  await shot(page, 'account-feed');
  await page.getByRole('button', { name: 'Revoke the feed' }).click();
  await page.getByTestId('toast').getByText('revoked').waitFor();
  assert.equal(await page.getByTestId('feed-url').count(), 0);
  r = await feed();
  assert.equal(r.status, 404);
  assertClean();
  await context.close();
});

test('account: a user changes their password; a typo and a wrong current one are refused by the field', async () => {
  const { page, context, assertClean } = await web.newPage({ width: 1280, height: 900 });
  await loginAs(page, 'acting@web.test');
  await nav(page, 'Account');
  const f = page.getByTestId('password-form');
  await f.waitFor();
  const NEW = 'a new passphrase of five words';
  await fill(f, { 'Current password': PASSWORD, 'New password': NEW, 'New password, again': `${NEW}!` });
  await f.getByRole('button', { name: 'Change the password' }).click();
  const again = f.getByTestId('error-new_password_again');
  await again.waitFor();
  assert.equal(await again.textContent(), 'The two new passwords differ.');
  await fill(f, { 'Current password': 'not my password at all', 'New password': NEW, 'New password, again': NEW });
  await f.getByRole('button', { name: 'Change the password' }).click();
  await f.getByTestId('error-current_password').waitFor();
  await fill(f, { 'Current password': PASSWORD, 'New password': 'short', 'New password, again': 'short' });
  await f.getByRole('button', { name: 'Change the password' }).click();
  // The answer comes back after the click: wait for the message itself.
  const short = f.getByTestId('error-new_password');
  await short.filter({ hasText: /12 characters/ }).waitFor();
  assert.match(await short.textContent(), /12 characters/);
  await fill(f, { 'Current password': PASSWORD, 'New password': NEW, 'New password, again': NEW });
  await f.getByRole('button', { name: 'Change the password' }).click();
  await page.getByTestId('toast').getByText('Your password is changed').waitFor();
  assert.equal(await f.getByLabel('Current password', { exact: true }).inputValue(), '', 'the form is cleared');
  await shot(page, 'account-password');
  // The old password no longer logs in; the new one does.
  const login = (password) => fetch(`${web.base}/api/v1/session`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'acting@web.test', password }) });
  assert.equal((await login(PASSWORD)).status, 401);
  assert.equal((await login(NEW)).status, 201);
  assertClean();
  await context.close();
});

test('a lost phone: the admin removes the second factor; the user logs in with the password and enrols again', async () => {
  // The auditor enrols a second factor (through the API, at the test clock).
  const c = web.server.client();
  assert.equal((await c.login('auditor@web.test')).status, 201);
  const en = await c.post('/api/v1/me/totp', {});
  assert.equal((await c.post('/api/v1/me/totp/confirm', { code: totpCode(en.json.secret, now) })).status, 200);

  const a = adminUi.page;
  await nav(a, 'Users');
  const row = a.getByTestId('user-list').getByTestId('row').filter({ hasText: 'auditor@web.test' });
  await row.getByRole('link', { name: 'auditor@web.test' }).click();
  await a.getByRole('button', { name: 'Remove the second factor' }).click();
  await a.getByTestId('toast').getByText('second factor is removed').waitFor();
  assert.equal(await a.getByRole('button', { name: 'Remove the second factor' }).count(), 0);
  assert.equal((await c.get('/api/v1/me')).status, 401, 'their session ended');

  // The password alone logs in now; the Account page offers enrolment.
  const user = await web.newPage({ width: 1280 });
  await loginAs(user.page, 'auditor@web.test');
  await nav(user.page, 'Account');
  await user.page.getByTestId('totp-start').waitFor();
  user.assertClean();
  await user.context.close();
  adminUi.assertClean();
});
