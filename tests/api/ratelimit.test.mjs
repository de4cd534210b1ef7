// ratelimit.test.mjs: the rate limits (issue 7), kept in the store so that
// they hold across servers (issue 6): per account (login attempts naming
// one email, counted before the password is checked), per user and per
// organization (authenticated requests). Fixed one-minute windows of the
// server's clock: the (limit + 1)th call of a window is the first refused,
// 429 rate_limited with Retry-After (the seconds left in the window), and
// the next minute starts afresh.
//
// The server runs with small limits (COMPEL_RATE_LIMIT_*) and the
// injectable clock; each test moves the clock to a minute of its own. Only
// the harness is used (server.client(), server.setClock()), so the same
// file runs on PostgreSQL and across servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, PASSWORD } from './harness.mjs';
import { assertProblem, at } from './world.mjs';

const LOGIN = 3;
const USER = 5;
const ORG = 8;
const T0 = at('2020-01-13T15:00:00Z'); // the start of a minute
const MINUTE = 60_000_000;

let server;
let minute = 0;
// Move the clock to second `s` of the next minute; returns that minute.
function nextMinute(s = 10) {
  minute += 1;
  server.setClock(T0 + minute * MINUTE + s * 1_000_000);
  return minute;
}

const u = {}; // key → { id, email, client (a logged-in session) }
let admin;

before(async () => {
  server = await startServer({ clock: T0 + 10_000_000, env: {
    COMPEL_RATE_LIMIT_LOGIN: String(LOGIN),
    COMPEL_RATE_LIMIT_USER: String(USER),
    COMPEL_RATE_LIMIT_ORG: String(ORG) } });
  admin = await adminClient(server);
  // The admin is limited too: at most USER requests a minute.
  const org = {};
  for (const [key, name] of [['X', 'Denver Field Office'],
    ['Y', 'Salt Lake City Field Office']]) {
    const r = await admin.post('/api/v1/orgs', { kind: 'agency_office', name,
      state: 'CO', timezone: 'America/Denver' });
    assert.equal(r.status, 201, r.text);
    org[key] = r.json;
  }
  nextMinute();
  for (const [key, orgKey, role] of [['u1', 'X', 'officer'],
    ['u2', 'X', 'officer'], ['u3', 'Y', 'officer'], ['aud', 'Y', 'auditor']]) {
    const email = `${key}@ratelimit.test`;
    const r = await admin.post('/api/v1/users', { email, name: `User ${key}`,
      org_id: org[orgKey].id, roles: [role], password: PASSWORD });
    assert.equal(r.status, 201, r.text);
    const c = server.client();
    const l = await c.login(email);
    assert.equal(l.status, 201, l.text);
    u[key] = { id: r.json.id, email, client: c };
  }
});

after(async () => {
  if (process.env.DEBUG_STDERR) console.error(server?.stderr());
  await server?.stop();
});

function assertLimited(r, retryAfter) {
  assertProblem(r, 429, 'rate_limited');
  assert.equal(r.headers.get('retry-after'), String(retryAfter));
}

test('the (limit + 1)th login naming one email is refused, whatever the ' +
  'password, until the next minute; other emails are not affected',
async () => {
  nextMinute(10);
  const { email } = u.u1;
  for (let i = 0; i < LOGIN; i++)
    assertProblem(await server.client().login(email, 'not the password!'),
      401, 'bad_credentials');
  // Refused before the password is checked: the right one too.
  const refused = await server.client().login(email);
  assertLimited(refused, 50);
  assert.equal(refused.headers.get('set-cookie'), null);
  assert.match(refused.json.detail, /login attempts/);
  // The same account written in capitals is the same account.
  assertLimited(await server.client().login(email.toUpperCase()), 50);
  server.setClock(T0 + minute * MINUTE + 45_000_000);
  assertLimited(await server.client().login(email, 'not the password!'), 15);
  // Another account, and an email nobody has, count on their own.
  assert.equal((await server.client().login(u.u2.email)).status, 201);
  for (let i = 0; i < LOGIN; i++)
    assertProblem(await server.client().login('nobody@ratelimit.test'),
      401, 'bad_credentials');
  assertLimited(await server.client().login('nobody@ratelimit.test'), 15);
  // The next minute starts afresh: the right password logs in (the
  // refused attempts were not counted as failures toward the lockout).
  nextMinute(0);
  const ok = await server.client().login(email);
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.user.id, u.u1.id);

  // One audit record for the account's refusals of that minute (the first
  // refusal), none for the others.
  nextMinute();
  const a = await u.aud.client.get(
    `/api/v1/audit?object=${u.u1.id}&limit=500`);
  assert.equal(a.status, 200, a.text);
  const limited = a.json.items.filter((x) => x.outcome === 'rate_limited');
  assert.equal(limited.length, 1, JSON.stringify(limited));
  assert.equal(limited[0].action, 'session.login');
  assert.equal(limited[0].actor_id, u.u1.id);
  assert.equal(limited[0].object_id, u.u1.id);
  assert.ok(!JSON.stringify(limited[0]).includes(u.u1.email));
  const failed = a.json.items.filter((x) => x.action === 'session.login' &&
    x.outcome === 'failed');
  assert.equal(failed.length, LOGIN);
});

test('per user: the (limit + 1)th request of a minute by one user is ' +
  'refused; the same organization\'s other users are not', async () => {
  nextMinute(20);
  const c1 = u.u1.client;
  for (let i = 0; i < USER; i++) {
    const r = await c1.get('/api/v1/me');
    assert.equal(r.status, 200, `request ${i + 1}: ${r.text}`);
  }
  const refused = await c1.get('/api/v1/me');
  assertLimited(refused, 40);
  assert.match(refused.json.detail, /this user/);
  // A write is refused as well, and does nothing.
  assertLimited(await c1.post('/api/v1/tokens', { name: 'refused' }), 40);
  assert.equal((await u.u2.client.get('/api/v1/me')).status, 200);
  // Health checks are never limited.
  assert.equal((await c1.get('/healthz')).status, 200);
  assert.equal((await c1.get('/readyz')).status, 200);
  nextMinute();
  assert.equal((await c1.get('/api/v1/me')).status, 200);
  // The refused write left no token behind.
  const tokens = await c1.get('/api/v1/tokens');
  assert.equal(tokens.status, 200, tokens.text);
  assert.ok(!tokens.json.items.some((t) => t.name === 'refused'));
});

test('per organization: the (limit + 1)th request of a minute by all the ' +
  'users of one organization is refused; other organizations are not',
async () => {
  nextMinute(30);
  const [c1, c2] = [u.u1.client, u.u2.client];
  for (let i = 0; i < ORG / 2; i++) {
    assert.equal((await c1.get('/api/v1/me')).status, 200);
    assert.equal((await c2.get('/api/v1/me')).status, 200);
  }
  // Each user is under USER, but the organization is at ORG.
  const refused = await c1.get('/api/v1/me');
  assertLimited(refused, 30);
  assert.match(refused.json.detail, /your organization/);
  assertLimited(await c2.get('/api/v1/me'), 30);
  assert.equal((await u.u3.client.get('/api/v1/me')).status, 200);
  nextMinute();
  assert.equal((await c2.get('/api/v1/me')).status, 200);
});
