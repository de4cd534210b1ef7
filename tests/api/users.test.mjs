// users.test.mjs: user administration over real HTTP (role admin): users
// in each kind of organization with the roles that kind allows, the 400
// for a role the kind may not hold, duplicate emails, weak passwords,
// paging, PATCH with If-Match (428 / 412), disabling (the user's session
// stops), and that nobody but an admin may do any of it.
import { test, before, after } from 'node:test';
import { totpCode } from '../browser/harness.mjs';
import assert from 'node:assert/strict';

import { startServer, adminClient, dumpDatabase, PASSWORD }
  from './harness.mjs';

let server;
let admin;
const orgs = {}; // kind -> id

async function makeOrg(kind, name) {
  const r = await admin.post('/api/v1/orgs',
    { kind, name, state: 'CO', timezone: 'America/Denver' });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function createUser(body) {
  return admin.post('/api/v1/users', { password: PASSWORD, ...body });
}

before(async () => {
  server = await startServer();
  admin = await adminClient(server);
  orgs.agency_office = (await admin.get('/api/v1/me')).json.org.id;
  orgs.jurisdiction = await makeOrg('jurisdiction', 'Denver County Jail');
  orgs.doj_office = await makeOrg('doj_office',
    'U.S. Attorney, District of Colorado');
});

after(async () => {
  await server.stop();
  assert.doesNotMatch(server.stderr(), /Sanitizer|runtime error/);
});

test('users in each kind of organization, with the roles it allows',
  async () => {
    const cases = [
      ['officer.a@agency.test', 'agency_office', ['officer', 'signer'],
        'Field Office Director'],
      ['booking.a@county.test', 'jurisdiction', ['booking', 'custodian']],
      ['ausa.a@usdoj.test', 'doj_office', ['doj_attorney']],
    ];
    for (const [email, kind, roles, title] of cases) {
      const r = await createUser({ email, name: `User ${kind}`,
        org_id: orgs[kind], roles, title });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.email, email);
      assert.equal(r.json.org.id, orgs[kind]);
      assert.equal(r.json.org.kind, kind);
      assert.deepEqual(r.json.roles, roles);
      assert.equal(r.json.title, title ?? null);
      assert.equal(r.json.version, 1);
      assert.equal(r.json.disabled, false);
      assert.equal(r.json.locked, false);
      assert.equal(r.json.totp_enabled, false);
      assert.equal(r.headers.get('etag'), '"1"');
      assert.equal(r.headers.get('location'), `/api/v1/users/${r.json.id}`);
      for (const secret of ['password', 'password_hash', 'totp_secret',
        'failed_logins', 'first_failed_at', 'locked_at'])
        assert.ok(!(secret in r.json), secret);
      assert.ok(!r.text.includes(PASSWORD));
      // The new user can log in and sees the same self.
      const c = server.client();
      const login = await c.login(email);
      assert.equal(login.status, 201, login.text);
      assert.deepEqual(login.json.user.roles, roles);
      const me = await c.get('/api/v1/me');
      assert.equal(me.json.id, r.json.id);
      assert.equal(me.json.org.kind, kind);
    }
  });

test('a role the organization kind may not hold is refused', async () => {
  const before = dumpDatabase(server, { except: ['sessions'] });
  const r = await createUser({ email: 'wrong.role@county.test',
    name: 'Wrong Role', org_id: orgs.jurisdiction, roles: ['officer'] });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'validation_failed');
  assert.equal(r.json.field, 'roles');
  const doj = await createUser({ email: 'wrong.role@usdoj.test',
    name: 'Wrong Role', org_id: orgs.doj_office,
    roles: ['doj_attorney', 'admin'] });
  assert.equal(doj.status, 400);
  assert.equal(doj.json.field, 'roles');
  const unknown = await createUser({ email: 'x@agency.test', name: 'X',
    org_id: orgs.agency_office, roles: ['officer', 'sheriff'] });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.field, 'roles[1]');
  const none = await createUser({ email: 'x@agency.test', name: 'X',
    org_id: orgs.agency_office, roles: [] });
  assert.equal(none.status, 400);
  assert.equal(none.json.field, 'roles');
  assert.equal(dumpDatabase(server, { except: ['sessions'] }), before);
});

test('bad fields are named; nothing is created', async () => {
  // Sessions are left out: a request may refresh the admin's last_seen.
  const before = dumpDatabase(server, { except: ['sessions'] });
  const base = { email: 'ok@agency.test', name: 'Ok',
    org_id: orgs.agency_office, roles: ['officer'] };
  const weak = await createUser({ ...base, password: 'short' });
  assert.equal(weak.status, 400);
  assert.equal(weak.json.field, 'password');
  // NIST SP 800-63B context rules: the user's own name or email name, the
  // service's name, a run or a repeat (docs/api.md, "Passwords").
  for (const [password, because] of [
    ['Olivia Quintero forever', /user's name/],
    ['xx oliviaq@ yy zz', /email address's name/],
    ['compel is my password', /service's name/],
    ['123456789012', /consecutive/],
    ['zzzzzzzzzzzzzz', /repeated/]]) {
    const r = await createUser({ ...base, email: 'oliviaq@agency.test',
      name: 'Olivia Quintero', password });
    assert.equal(r.status, 400, password);
    assert.equal(r.json.field, 'password');
    assert.match(r.json.detail, because);
  }
  const email = await createUser({ ...base, email: 'not an email' });
  assert.equal(email.json.field, 'email');
  const org = await createUser({ ...base, org_id: 'A'.repeat(22) });
  assert.equal(org.status, 400);
  assert.equal(org.json.field, 'org_id');
  const forbidden = await createUser({ ...base, id: 'mine' });
  assert.equal(forbidden.status, 400);
  assert.equal(forbidden.json.code, 'forbidden_field');
  const unknown = await createUser({ ...base, shoe_size: 9 });
  assert.equal(unknown.json.code, 'unknown_field');
  assert.equal(dumpDatabase(server, { except: ['sessions'] }), before);
});

test('a duplicate email, in any case, is 409', async () => {
  const r = await createUser({ email: 'dup@agency.test', name: 'Dup',
    org_id: orgs.agency_office, roles: ['officer'] });
  assert.equal(r.status, 201);
  const again = await createUser({ email: 'DUP@Agency.test', name: 'Dup 2',
    org_id: orgs.agency_office, roles: ['officer'] });
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'already_exists');
  assert.equal(again.json.field, 'email');
});

test('Idempotency-Key: a repeated create answers the first user again',
  async () => {
    const body = { email: 'idem@agency.test', name: 'Idem',
      org_id: orgs.agency_office, roles: ['officer'], password: PASSWORD };
    const key = { 'Idempotency-Key': 'create-idem-1' };
    const first = await admin.post('/api/v1/users', body, key);
    assert.equal(first.status, 201, first.text);
    const again = await admin.post('/api/v1/users', body, key);
    assert.equal(again.status, 201);
    assert.equal(again.json.id, first.json.id);
    const other = await admin.post('/api/v1/users',
      { ...body, name: 'Someone Else' }, key);
    assert.equal(other.status, 422);
    assert.equal(other.json.code, 'idempotency_conflict');
    const list = await admin.get(`/api/v1/users?org_id=${orgs.agency_office}`
      + '&limit=500');
    assert.equal(list.json.items.filter((u) => u.email === body.email)
      .length, 1);
  });

test('only an admin manages users', async () => {
  const email = 'plain.officer@agency.test';
  const r = await createUser({ email, name: 'Plain Officer',
    org_id: orgs.agency_office, roles: ['officer'] });
  assert.equal(r.status, 201);
  const c = server.client();
  assert.equal((await c.login(email)).status, 201);
  const before = dumpDatabase(server, { except: ['audit', 'sessions'] });
  const attempts = [
    await c.post('/api/v1/users', { email: 'x2@agency.test', name: 'X',
      org_id: orgs.agency_office, roles: ['admin'], password: PASSWORD }),
    await c.get('/api/v1/users'),
    await c.get(`/api/v1/users/${r.json.id}`),
    await c.patch(`/api/v1/users/${r.json.id}`, { roles: ['admin'] },
      { 'If-Match': '"1"' }),
    await c.post(`/api/v1/users/${r.json.id}/unlock`, {}),
  ];
  for (const a of attempts) {
    assert.equal(a.status, 403);
    assert.equal(a.json.code, 'forbidden');
  }
  assert.equal(dumpDatabase(server, { except: ['audit', 'sessions'] }),
    before);
});

test('listing pages through users and filters by org', async () => {
  const j = await admin.get(`/api/v1/users?org_id=${orgs.jurisdiction}`);
  assert.equal(j.status, 200);
  assert.ok(j.json.items.length >= 1);
  for (const u of j.json.items) {
    assert.equal(u.org.id, orgs.jurisdiction);
    assert.equal(u.org.kind, 'jurisdiction');
    assert.ok(!('password_hash' in u));
  }
  const all = await admin.get('/api/v1/users?limit=500');
  assert.equal(all.json.next_cursor, null);
  const seen = [];
  let cursor = null;
  do {
    const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await admin.get(`/api/v1/users?limit=2${q}`);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.json.items.length <= 2);
    seen.push(...page.json.items.map((u) => u.id));
    cursor = page.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all.json.items.map((u) => u.id));
  assert.equal(new Set(seen).size, seen.length);
  const bad = await admin.get('/api/v1/users?cursor=not-a-cursor');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'cursor');
  const missing = await admin.get(`/api/v1/users/${'B'.repeat(22)}`);
  assert.equal(missing.status, 404);
});

test('PATCH needs If-Match, refuses a stale one, and changes the user',
  async () => {
    const r = await createUser({ email: 'patch.me@county.test',
      name: 'Patch Me', org_id: orgs.jurisdiction, roles: ['booking'] });
    assert.equal(r.status, 201);
    const url = `/api/v1/users/${r.json.id}`;
    const one = await admin.get(url);
    assert.equal(one.headers.get('etag'), '"1"');

    const noMatch = await admin.patch(url, { name: 'New Name' });
    assert.equal(noMatch.status, 428);
    const ok = await admin.patch(url,
      { name: 'New Name', title: 'Records Supervisor',
        roles: ['booking', 'custodian'] }, { 'If-Match': '"1"' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.name, 'New Name');
    assert.equal(ok.json.title, 'Records Supervisor');
    assert.deepEqual(ok.json.roles, ['booking', 'custodian']);
    assert.equal(ok.json.version, 2);
    assert.equal(ok.headers.get('etag'), '"2"');
    assert.equal(ok.json.email, 'patch.me@county.test');

    const stale = await admin.patch(url, { name: 'Other' },
      { 'If-Match': '"1"' });
    assert.equal(stale.status, 412);
    assert.equal((await admin.get(url)).json.name, 'New Name');

    const role = await admin.patch(url, { roles: ['signer'] },
      { 'If-Match': '"2"' });
    assert.equal(role.status, 400);
    assert.equal(role.json.field, 'roles');
    const email = await admin.patch(url, { email: 'x@county.test' },
      { 'If-Match': '"2"' });
    assert.equal(email.status, 400);
    assert.equal(email.json.code, 'forbidden_field');
  });

test('disabling a user stops their session; enabling lets them back',
  async () => {
    const email = 'disable.me@agency.test';
    const r = await createUser({ email, name: 'Disable Me',
      org_id: orgs.agency_office, roles: ['officer'] });
    assert.equal(r.status, 201);
    const c = server.client();
    assert.equal((await c.login(email)).status, 201);
    assert.equal((await c.get('/api/v1/me')).status, 200);
    const t = await c.post('/api/v1/tokens', { name: 'script' });
    assert.equal(t.status, 201);
    const bot = server.client();
    bot.bearer = t.json.token;

    const url = `/api/v1/users/${r.json.id}`;
    const off = await admin.patch(url, { disabled: true },
      { 'If-Match': '"1"' });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.disabled, true);
    assert.equal((await c.get('/api/v1/me')).status, 401);
    assert.equal((await bot.get('/api/v1/me')).status, 401);
    const login = await server.client().login(email);
    assert.equal(login.status, 401);
    assert.equal(login.json.code, 'bad_credentials');

    const on = await admin.patch(url, { disabled: false },
      { 'If-Match': `"${off.json.version}"` });
    assert.equal(on.status, 200);
    assert.equal((await server.client().login(email)).status, 201);
    // The session ended by disabling stays ended.
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

test('a lost second factor: the admin removes it; the user logs in and enrols again',
  async () => {
    const email = 'lost.phone@agency.test';
    const r = await createUser({ email, name: 'Lost Phone',
      org_id: orgs.agency_office, roles: ['officer'] });
    assert.equal(r.status, 201, r.text);
    const c = server.client();
    assert.equal((await c.login(email)).status, 201);
    const en = await c.post('/api/v1/me/totp', {});
    assert.equal(en.status, 201, en.text);
    const code = totpCode(en.json.secret, Date.now() * 1000);
    assert.equal((await c.post('/api/v1/me/totp/confirm', { code })).status, 200);
    const mfa = await server.client().login(email);
    assert.equal(mfa.status, 401);
    assert.equal(mfa.json.code, 'mfa_required');

    const url = `/api/v1/users/${r.json.id}/totp/reset`;
    // Only an admin; a body other than {} is refused; a stale If-Match too.
    assert.equal((await c.post(url, {})).status, 403);
    assert.equal((await admin.post(url, { totp_enabled: false })).status, 400);
    const cur = await admin.get(`/api/v1/users/${r.json.id}`);
    assert.equal((await admin.post(url, {},
      { 'If-Match': `"${cur.json.version - 1}"` })).status, 412);
    assert.equal((await admin.post('/api/v1/users/nope/totp/reset', {})).status, 404);
    const reset = await admin.post(url, {});
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.json.totp_enabled, false);
    // The session made with the old factor ended; the password alone
    // logs in now, and the user can enrol again.
    assert.equal((await c.get('/api/v1/me')).status, 401);
    const again = server.client();
    assert.equal((await again.login(email)).status, 201);
    assert.equal((await again.post('/api/v1/me/totp', {})).status, 201);
    const audit = server.sql(
      `SELECT detail FROM audit WHERE action = 'user.totp_reset' AND object_id = '${r.json.id}'`)
      .trim().split('\n');
    assert.deepEqual(audit, ['was_enabled, sessions_ended=1']);
  });

test('an admin cannot disable their own account or drop admin', async () => {
  const me = await admin.get('/api/v1/me');
  const url = `/api/v1/users/${me.json.id}`;
  const etag = me.headers.get('etag');
  const off = await admin.patch(url, { disabled: true }, { 'If-Match': etag });
  assert.equal(off.status, 409);
  const drop = await admin.patch(url, { roles: ['auditor'] },
    { 'If-Match': etag });
  assert.equal(drop.status, 409);
  assert.equal((await admin.get('/api/v1/me')).status, 200);
});
