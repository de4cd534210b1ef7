// auth.test.mjs: logging in and out over real HTTP: the session cookie and
// its flags, CSRF, the same answer for an unknown email and a wrong
// password, the lockout (5 failures in 15 minutes), session idle and
// absolute limits, logout, password change, TOTP (RFC 6238, computed here
// with node:crypto), and API tokens.
//
// The server runs on the injectable clock; `now` only ever moves forward,
// and each test logs its users in afresh, so moving the clock never
// depends on what an earlier test left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

import { startServer, dumpDatabase, ADMIN_EMAIL, PASSWORD }
  from './harness.mjs';

const MIN = 60 * 1000000; // one minute in microseconds
let server;
let now = Date.UTC(2026, 2, 2, 15, 0, 0) * 1000; // 2026-03-02T15:00:00Z
let agencyOrgId;
let seq = 0;
// Values that must never be stored in clear (checked by the last test).
const secrets = [PASSWORD];

function advance(us) {
  now += us;
  server.setClock(now);
}

async function admin() {
  const c = server.client();
  const r = await c.login(ADMIN_EMAIL);
  assert.equal(r.status, 201, r.text);
  return c;
}

// A new officer of the agency made by `compel init`, through the API.
async function newUser(prefix) {
  seq += 1;
  const email = `${prefix}${seq}@agency.test`;
  const a = await admin();
  const r = await a.post('/api/v1/users', {
    email, name: `Officer ${seq}`, org_id: agencyOrgId, roles: ['officer'],
    password: PASSWORD,
  });
  assert.equal(r.status, 201, r.text);
  return { email, id: r.json.id };
}

// RFC 4648 base32 (no padding) to bytes.
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    assert.ok(i >= 0, `bad base32 character ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238 TOTP with HMAC-SHA1, 30-second steps from the epoch, 6 digits
// (RFC 4226 section 5.3 dynamic truncation), at `us` microseconds.
function totp(secretBase32, us) {
  const step = Math.floor(us / 1000000 / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter)
    .digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) |
    (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

before(async () => {
  server = await startServer({ clock: now });
  const a = await admin();
  const me = await a.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  agencyOrgId = me.json.org.id;
});

after(async () => {
  await server.stop();
  // The server runs under ASan+UBSan: it must have reported nothing.
  assert.doesNotMatch(server.stderr(), /Sanitizer|runtime error/);
});

test('RFC 6238 helper matches the RFC test vector', () => {
  // RFC 6238 appendix B: secret "12345678901234567890" (ASCII), SHA-1,
  // T = 59 s gives 94287082 in 8 digits, so 287082 in 6.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(secret, 59 * 1000000), '287082');
});

test('login sets a strict session cookie and answers the user', async () => {
  const c = server.client();
  const r = await c.login(ADMIN_EMAIL);
  assert.equal(r.status, 201, r.text);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /^compel_session=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /;\s*HttpOnly/i);
  assert.match(cookie, /;\s*SameSite=Strict/);
  assert.match(cookie, /;\s*Path=\//);
  assert.equal(typeof r.json.csrf_token, 'string');
  secrets.push(r.json.csrf_token, c.cookie.replace(/^compel_session=/, ''));
  assert.ok(r.json.csrf_token.length >= 32);
  assert.equal(r.json.user.email, ADMIN_EMAIL);
  assert.deepEqual(r.json.user.roles, ['admin']);
  assert.ok(!('password_hash' in r.json.user));
  assert.ok(!r.text.includes('argon2'));

  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.email, ADMIN_EMAIL);
  assert.equal(me.json.org.id, agencyOrgId);
  assert.equal(me.json.org.kind, 'agency_office');
  assert.equal(typeof me.json.org.name, 'string');
  assert.deepEqual(me.json.roles, ['admin']);
  assert.equal(me.json.totp_enabled, false);
  assert.ok('title' in me.json);

  const anon = await server.client().get('/api/v1/me');
  assert.equal(anon.status, 401);
});

test('an unknown email and a wrong password get the same answer',
  async () => {
    const a = await server.client().login('nobody@agency.test');
    secrets.push('nobody@agency.test', 'not the password!');
    const b = await server.client().login(ADMIN_EMAIL, 'not the password!');
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.json.code, 'bad_credentials');
    for (const k of ['code', 'title', 'detail', 'type', 'status', 'field'])
      assert.deepEqual(a.json[k], b.json[k], k);
    // A missing field is the client's mistake, not a login failure.
    const c = await server.client().req('POST', '/api/v1/session',
      { email: ADMIN_EMAIL });
    assert.equal(c.status, 400);
    assert.equal(c.json.field, 'password');
  });

test('4 failures then the right password logs in', async () => {
  const u = await newUser('four');
  for (let i = 0; i < 4; i++) {
    const r = await server.client().login(u.email, 'wrong password ' + i);
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'bad_credentials');
  }
  const ok = await server.client().login(u.email);
  assert.equal(ok.status, 201, ok.text);
  // Success cleared the failures: 4 more do not lock either.
  for (let i = 0; i < 4; i++)
    assert.equal((await server.client().login(u.email, 'nope nope')).status,
      401);
  assert.equal((await server.client().login(u.email)).status, 201);
});

test('a new account cannot take a common or breached password', async () => {
  const a = await admin();
  const before = dumpDatabase(server, { except: ['audit', 'sessions'] });
  for (const pw of ['iloveyou1234', 'Qwerty123456!', 'winniethepooh']) {
    const r = await a.post('/api/v1/users', { email: 'common@agency.test',
      name: 'Common Choice', org_id: agencyOrgId, roles: ['officer'], password: pw });
    assert.equal(r.status, 400, `${pw}: ${r.text}`);
    assert.equal(r.json.field, 'password');
    assert.match(r.json.detail, /list of common or breached passwords/);
  }
  assert.deepEqual(dumpDatabase(server, { except: ['audit', 'sessions'] }), before);
});

test('5 failures lock the account until an admin unlocks it', async () => {
  const u = await newUser('five');
  for (let i = 0; i < 4; i++)
    assert.equal((await server.client().login(u.email, 'bad one')).status,
      401);
  const fifth = await server.client().login(u.email, 'bad one');
  assert.equal(fifth.status, 423);
  assert.equal(fifth.json.code, 'account_locked');
  const right = await server.client().login(u.email);
  assert.equal(right.status, 423);
  assert.equal(right.json.code, 'account_locked');

  const a = await admin();
  const seen = await a.get(`/api/v1/users/${u.id}`);
  assert.equal(seen.json.locked, true);
  assert.ok(!('failed_logins' in seen.json));
  // Waiting does not unlock: only an admin does.
  advance(60 * MIN);
  assert.equal((await server.client().login(u.email)).status, 423);
  const unlocked = await (await admin()).post(
    `/api/v1/users/${u.id}/unlock`, {});
  assert.equal(unlocked.status, 200, unlocked.text);
  assert.equal(unlocked.json.locked, false);
  assert.equal((await server.client().login(u.email)).status, 201);
});

test('failures older than 15 minutes do not count', async () => {
  const u = await newUser('window');
  for (let i = 0; i < 4; i++)
    assert.equal((await server.client().login(u.email, 'bad one')).status,
      401);
  advance(16 * MIN);
  for (let i = 0; i < 4; i++)
    assert.equal((await server.client().login(u.email, 'bad one')).status,
      401);
  assert.equal((await server.client().login(u.email)).status, 201);
});

test('unsafe requests with the cookie need the CSRF token', async () => {
  const c = await admin();
  // The cookie alone, without X-CSRF-Token.
  const bare = await fetch(server.base + '/api/v1/tokens', {
    method: 'POST',
    headers: { Cookie: c.cookie, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'x' }),
  });
  const bareJson = await bare.json();
  assert.equal(bare.status, 403);
  assert.equal(bareJson.code, 'csrf_failed');

  const wrong = await c.req('POST', '/api/v1/tokens', { name: 'x' },
    { 'X-CSRF-Token': 'A'.repeat(43) });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.json.code, 'csrf_failed');
  const garbage = await c.req('POST', '/api/v1/tokens', { name: 'x' },
    { 'X-CSRF-Token': 'garbage' });
  assert.equal(garbage.status, 403);

  // GET needs none.
  const get = await fetch(server.base + '/api/v1/me',
    { headers: { Cookie: c.cookie } });
  assert.equal(get.status, 200);
  // Nothing was created by the refused requests.
  const list = await c.get('/api/v1/tokens');
  assert.equal(list.json.items.length, 0);
});

test('a session ends after 31 idle minutes', async () => {
  const c = await admin();
  advance(29 * MIN);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  advance(31 * MIN);
  const r = await c.get('/api/v1/me');
  assert.equal(r.status, 401);
  assert.equal(r.json.code, 'unauthenticated');
  // The answer says why, so the person knows to log in again.
  assert.match(r.json.detail, /session expired/, r.text);
  // And stays ended.
  assert.equal((await c.get('/api/v1/me')).status, 401);
});

test('activity every 20 minutes keeps a session only up to 12 hours',
  async () => {
    const c = await admin();
    // 35 steps of 20 minutes end at 11 h 40 min: still alive.
    for (let i = 1; i <= 35; i++) {
      advance(20 * MIN);
      const r = await c.get('/api/v1/me');
      assert.equal(r.status, 200, `after ${i * 20} minutes`);
    }
    advance(20 * MIN); // 12 h after login
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

test('logout ends the session and clears the cookie', async () => {
  const c = await admin();
  const cookie = c.cookie;
  const r = await c.del('/api/v1/session');
  assert.equal(r.status, 204);
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /compel_session=;/);
  assert.match(sc, /Max-Age=0/);
  const again = await fetch(server.base + '/api/v1/me',
    { headers: { Cookie: cookie } });
  assert.equal(again.status, 401);
});

test('a password change ends the other sessions and keeps this one',
  async () => {
    const u = await newUser('pw');
    const c1 = server.client();
    const c2 = server.client();
    assert.equal((await c1.login(u.email)).status, 201);
    assert.equal((await c2.login(u.email)).status, 201);
    const NEW = 'a much better passphrase 2026';
    secrets.push(NEW);

    const weak = await c1.post('/api/v1/me/password',
      { current_password: PASSWORD, new_password: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(weak.json.field, 'new_password');
    // On the list of common passwords (Debian's john-data, the default
    // password_blocklist), with digits and symbols around it: refused.
    const common = await c1.post('/api/v1/me/password',
      { current_password: PASSWORD, new_password: 'Password2024!' });
    assert.equal(common.status, 400);
    assert.equal(common.json.field, 'new_password');
    assert.match(common.json.detail, /common or breached/);
    const wrong = await c1.post('/api/v1/me/password',
      { current_password: 'not my password', new_password: NEW });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.field, 'current_password');
    assert.equal((await c2.get('/api/v1/me')).status, 200);

    const ok = await c1.post('/api/v1/me/password',
      { current_password: PASSWORD, new_password: NEW });
    assert.equal(ok.status, 204, ok.text);
    assert.equal((await c1.get('/api/v1/me')).status, 200);
    assert.equal((await c2.get('/api/v1/me')).status, 401);
    assert.equal((await server.client().login(u.email)).status, 401);
    assert.equal((await server.client().login(u.email, NEW)).status, 201);
  });

test('TOTP: enroll, confirm, then login needs a fresh code', async () => {
  const u = await newUser('totp');
  const c = server.client();
  assert.equal((await c.login(u.email)).status, 201);

  const en = await c.post('/api/v1/me/totp', {});
  assert.equal(en.status, 201, en.text);
  assert.match(en.json.secret, /^[A-Z2-7]{32}$/);
  assert.ok(en.json.otpauth_uri.startsWith('otpauth://totp/compel:'));
  assert.ok(en.json.otpauth_uri.includes(`secret=${en.json.secret}`));
  const secret = en.json.secret;
  secrets.push(secret);

  // Not enabled until confirmed: login still needs no code.
  assert.equal((await server.client().login(u.email)).status, 201);
  const bad = await c.post('/api/v1/me/totp/confirm', { code: '000000' ===
    totp(secret, now) ? '111111' : '000000' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'code');
  const conf = await c.post('/api/v1/me/totp/confirm',
    { code: totp(secret, now) });
  assert.equal(conf.status, 200, conf.text);
  assert.deepEqual(conf.json, { totp_enabled: true });
  assert.equal((await c.get('/api/v1/me')).json.totp_enabled, true);
  assert.equal((await c.post('/api/v1/me/totp', {})).status, 409);

  const noCode = await server.client().login(u.email);
  assert.equal(noCode.status, 401);
  assert.equal(noCode.json.code, 'mfa_required');
  // A wrong password still says only bad_credentials.
  const wrongPw = await server.client().login(u.email, 'not the right password');
  assert.equal(wrongPw.json.code, 'bad_credentials');

  advance(30 * 1000000); // the next 30-second step
  const code = totp(secret, now);
  const ok = await server.client().login(u.email, PASSWORD, code);
  assert.equal(ok.status, 201, ok.text);
  const replay = await server.client().login(u.email, PASSWORD, code);
  assert.equal(replay.status, 401);
  assert.equal(replay.json.code, 'bad_credentials');
});

test('require_totp: an account without a second factor may only enroll one', async () => {
  let t = Date.UTC(2026, 2, 2, 15, 0, 0) * 1000;
  const strict = await startServer({ clock: t, env: { COMPEL_REQUIRE_TOTP: '1' } });
  try {
    // The default server warns that a password alone is enough; this one
    // does not.
    assert.match(server.stderr(), /require_totp is 0/);
    assert.doesNotMatch(strict.stderr(), /require_totp is 0/);
    const c = strict.client();
    const login = await c.login(ADMIN_EMAIL);
    assert.equal(login.status, 201, login.text);
    assert.equal(login.json.mfa_enrollment_required, true);
    let me = await c.get('/api/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.mfa_enrollment_required, true);

    // Everything else is refused, audited, and changes nothing.
    const except = ['audit', 'sessions', 'rate_limits'];
    const before = dumpDatabase(strict, { except });
    for (const [method, path, body] of [['GET', '/api/v1/users'],
      ['GET', '/api/v1/subpoenas'], ['POST', '/api/v1/tokens', { name: 'ci' }],
      ['POST', '/api/v1/users', { email: 'x@agency.test', name: 'X',
        org_id: me.json.org.id, roles: ['officer'], password: PASSWORD }]]) {
      const r = method === 'GET' ? await c.get(path) : await c.post(path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      assert.equal(r.json.code, 'mfa_enrollment_required');
      assert.match(r.json.detail, /POST \/api\/v1\/me\/totp/);
    }
    assert.deepEqual(dumpDatabase(strict, { except }), before);
    assert.equal(strict.sql("SELECT count(*) FROM audit WHERE action = 'route.denied' "
      + "AND outcome = 'mfa_enrollment_required';").trim(), '4');

    // Enroll and confirm: the same session may then do what its roles allow.
    const en = await c.post('/api/v1/me/totp', {});
    assert.equal(en.status, 201, en.text);
    secrets.push(en.json.secret);
    const conf = await c.post('/api/v1/me/totp/confirm', { code: totp(en.json.secret, t) });
    assert.equal(conf.status, 200, conf.text);
    me = await c.get('/api/v1/me');
    assert.equal(me.json.mfa_enrollment_required, false);
    assert.equal((await c.get('/api/v1/users')).status, 200);

    // A new login needs the code, and is not limited.
    t += 30 * 1000000;
    strict.setClock(t);
    assert.equal((await strict.client().login(ADMIN_EMAIL)).json.code, 'mfa_required');
    const c2 = strict.client();
    const ok = await c2.login(ADMIN_EMAIL, PASSWORD, totp(en.json.secret, t));
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.mfa_enrollment_required, false);
    assert.equal((await c2.get('/api/v1/users')).status, 200);
  } finally {
    await strict.stop();
  }
  assert.doesNotMatch(strict.stderr(), /Sanitizer|runtime error/);
});

// Step-up (T-AUTH-7): an administrator's changes, signing and new API
// tokens need a login or step-up within step_up_minutes (15 by default).
test('step-up: 16 minutes after the login an admin change needs the password again',
  async () => {
    const a = await admin();
    const tokenCount = async () => (await a.get('/api/v1/tokens')).json.items.length;
    const made = await a.post('/api/v1/tokens', { name: 'fresh' });
    assert.equal(made.status, 201, made.text);
    advance(14 * MIN);
    assert.equal((await a.post('/api/v1/tokens', { name: 'at 14' })).status, 201);
    advance(2 * MIN); // 16 minutes after the login, 2 after the last request
    const before = dumpDatabase(server, { except: ['audit', 'sessions'] });
    for (const [method, path, body] of [
      ['POST', '/api/v1/tokens', { name: 'late' }],
      ['POST', '/api/v1/users', { email: 'late@agency.test', name: 'Late One',
        org_id: agencyOrgId, roles: ['officer'], password: PASSWORD }],
      ['POST', '/api/v1/orgs', { kind: 'jurisdiction', name: 'Late County',
        state: 'CO', timezone: 'America/Denver' }],
    ]) {
      const r = await a.req(method, path, body);
      assert.equal(r.status, 401, `${method} ${path}: ${r.text}`);
      assert.equal(r.json.code, 'step_up_required');
      assert.match(r.json.detail, /POST \/api\/v1\/session\/step-up/);
    }
    // Nothing was made, and the session itself is alive: reads go on.
    assert.deepEqual(dumpDatabase(server, { except: ['audit', 'sessions'] }),
      before);
    assert.equal((await a.get('/api/v1/me')).status, 200);
    assert.equal(await tokenCount(), 2);

    // A wrong password is refused, keeps the session, and is no step-up.
    const wrong = await a.post('/api/v1/session/step-up',
      { password: 'not the right password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.code, 'bad_credentials');
    assert.equal((await a.get('/api/v1/me')).status, 200);
    assert.equal((await a.post('/api/v1/tokens', { name: 'late' })).status, 401);
    // Bad input changes nothing either.
    assert.equal((await a.post('/api/v1/session/step-up', {})).status, 400);
    assert.equal((await a.post('/api/v1/session/step-up',
      { password: PASSWORD, extra: 1 })).status, 400);

    const ok = await a.post('/api/v1/session/step-up', { password: PASSWORD });
    assert.equal(ok.status, 200, ok.text);
    const iso = (us) => new Date(us / 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    assert.deepEqual(ok.json, { authenticated_at: iso(now),
      step_up_until: iso(now + 15 * MIN) });
    assert.equal((await a.post('/api/v1/tokens', { name: 'late' })).status, 201);
    assert.equal(await tokenCount(), 3);
    // Counted from the step-up: 14 minutes later still fine, 16 not.
    advance(14 * MIN);
    assert.equal((await a.post('/api/v1/tokens', { name: 'later' })).status, 201);
    advance(2 * MIN);
    assert.equal((await a.post('/api/v1/tokens', { name: 'too late' })).json.code,
      'step_up_required');

    // An API token is not asked (it is presented whole on every request;
    // making one needed a step-up), and cannot step up: it has no session.
    const bot = server.client();
    bot.bearer = made.json.token;
    secrets.push(made.json.token);
    const byToken = await bot.post('/api/v1/users', { email: `tok${seq}@agency.test`,
      name: 'By Token', org_id: agencyOrgId, roles: ['officer'], password: PASSWORD });
    assert.equal(byToken.status, 201, byToken.text);
    const botStep = await bot.post('/api/v1/session/step-up', { password: PASSWORD });
    assert.equal(botStep.status, 400);
  });

test('step-up: 5 wrong passwords lock the account and end all its sessions',
  async () => {
    const u = await newUser('stepfive');
    const c = server.client();
    const d = server.client();
    assert.equal((await c.login(u.email)).status, 201);
    assert.equal((await d.login(u.email)).status, 201);
    for (let i = 0; i < 4; i++) {
      const r = await c.post('/api/v1/session/step-up', { password: `wrong ${i}` });
      assert.equal(r.status, 401, r.text);
      assert.equal(r.json.code, 'bad_credentials');
    }
    const fifth = await c.post('/api/v1/session/step-up', { password: 'wrong 5' });
    assert.equal(fifth.status, 423, fifth.text);
    assert.equal(fifth.json.code, 'account_locked');
    assert.equal((await c.get('/api/v1/me')).status, 401);
    assert.equal((await d.get('/api/v1/me')).status, 401);
    assert.equal((await server.client().login(u.email)).status, 423);
    const seen = await (await admin()).get(`/api/v1/users/${u.id}`);
    assert.equal(seen.json.locked, true);
  });

test('step-up with a second factor needs a fresh code', async () => {
  const u = await newUser('steptotp');
  const c = server.client();
  assert.equal((await c.login(u.email)).status, 201);
  const secret = (await c.post('/api/v1/me/totp', {})).json.secret;
  secrets.push(secret);
  assert.equal((await c.post('/api/v1/me/totp/confirm',
    { code: totp(secret, now) })).status, 200);
  advance(30 * 1000000);
  assert.equal((await c.login(u.email, PASSWORD, totp(secret, now))).status, 201);
  advance(16 * MIN);
  assert.equal((await c.post('/api/v1/tokens', { name: 't' })).json.code,
    'step_up_required');
  const noCode = await c.post('/api/v1/session/step-up', { password: PASSWORD });
  assert.equal(noCode.status, 401);
  assert.equal(noCode.json.code, 'mfa_required');
  assert.equal(noCode.json.field, 'totp');
  const code = totp(secret, now);
  const ok = await c.post('/api/v1/session/step-up', { password: PASSWORD, totp: code });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await c.post('/api/v1/tokens', { name: 't' })).status, 201);
  // The same code again is a replay: refused like a wrong one.
  const replay = await c.post('/api/v1/session/step-up', { password: PASSWORD, totp: code });
  assert.equal(replay.status, 401);
  assert.equal(replay.json.code, 'bad_credentials');
});

test('API tokens: bearer use, listing, revocation', async () => {
  const u = await newUser('tok');
  const c = server.client();
  assert.equal((await c.login(u.email)).status, 201);

  const t1 = await c.post('/api/v1/tokens', { name: 'nightly export' });
  assert.equal(t1.status, 201, t1.text);
  assert.equal(t1.json.name, 'nightly export');
  assert.match(t1.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(t1.json.expires_at, null);
  assert.equal(typeof t1.json.created_at, 'string');
  advance(1000000); // one second later: listed after the first
  const t2 = await c.post('/api/v1/tokens',
    { name: 'second', expires_at: '2099-01-01T00:00:00Z' });
  assert.equal(t2.status, 201);
  assert.equal(t2.json.expires_at, '2099-01-01T00:00:00Z');
  secrets.push(t1.json.token, t2.json.token);
  const past = await c.post('/api/v1/tokens',
    { name: 'old', expires_at: '2020-01-01T00:00:00Z' });
  assert.equal(past.status, 400);
  assert.equal(past.json.field, 'expires_at');

  // As a bearer: the user's identity, and no CSRF token needed.
  const bot = server.client();
  bot.bearer = t1.json.token;
  const me = await bot.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.email, u.email);
  assert.deepEqual(me.json.roles, ['officer']);
  // A token may not mint tokens.
  assert.equal((await bot.post('/api/v1/tokens', { name: 'x' })).status, 403);

  const list = await c.get('/api/v1/tokens');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((t) => t.name),
    ['nightly export', 'second']);
  assert.equal(list.json.next_cursor, null);
  for (const t of list.json.items) assert.ok(!('token' in t));
  assert.ok(!list.text.includes(t1.json.token));
  assert.ok(!list.text.includes(t2.json.token));

  // Another user's token id is not found, and that token keeps working.
  const other = await admin();
  const theirs = await other.del(`/api/v1/tokens/${t2.json.id}`);
  assert.equal(theirs.status, 404);
  assert.equal(theirs.json.code, 'not_found');
  const bot2 = server.client();
  bot2.bearer = t2.json.token;
  assert.equal((await bot2.get('/api/v1/me')).status, 200);

  // The bearer revokes itself with an unsafe request and no CSRF header.
  const rv = await bot.del(`/api/v1/tokens/${t1.json.id}`);
  assert.equal(rv.status, 204);
  assert.equal((await bot.get('/api/v1/me')).status, 401);
  assert.equal((await c.del(`/api/v1/tokens/${t1.json.id}`)).status, 404);
  const after1 = await c.get('/api/v1/tokens');
  assert.equal(typeof after1.json.items[0].revoked_at, 'string');
});

test('a token stops working when it expires', async () => {
  const u = await newUser('exp');
  const c = server.client();
  assert.equal((await c.login(u.email)).status, 201);
  const inAnHour = new Date(now / 1000 + 3600 * 1000).toISOString()
    .replace(/\.\d+Z$/, 'Z');
  const t = await c.post('/api/v1/tokens',
    { name: 'short-lived', expires_at: inAnHour });
  assert.equal(t.status, 201, t.text);
  const bot = server.client();
  bot.bearer = t.json.token;
  assert.equal((await bot.get('/api/v1/me')).status, 200);
  advance(61 * MIN);
  assert.equal((await bot.get('/api/v1/me')).status, 401);
});

test('the database holds no password, token or TOTP secret in clear',
  () => {
    const dump = dumpDatabase(server);
    for (const v of secrets) assert.ok(!dump.includes(v), v.slice(0, 4));
  });
