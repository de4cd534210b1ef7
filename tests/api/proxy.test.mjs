// proxy.test.mjs: compel behind a load balancer: the Secure cookie flag
// and its __Host- name (cookie_secure) and the client address taken from X-Forwarded-For only
// when the request comes from the trusted proxy (trusted_proxy).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, ADMIN_EMAIL, PASSWORD } from './harness.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });

// Log in as the admin, make an auditor, and return the client addresses
// the audit trail recorded for the admin's login attempts.
async function loginAddresses(server, xff) {
  const admin = await adminClient(server);
  const me = await admin.get('/api/v1/me');
  let r = await admin.post('/api/v1/users', {
    email: 'auditor@proxy.test', name: 'Auditor', org_id: me.json.org.id,
    roles: ['auditor'], password: PASSWORD,
  });
  assert.equal(r.status, 201, r.text);
  const c = server.client();
  r = await c.req('POST', '/api/v1/session',
    { email: ADMIN_EMAIL, password: PASSWORD }, { 'X-Forwarded-For': xff });
  assert.equal(r.status, 201, r.text);
  const auditor = server.client();
  assert.equal((await auditor.login('auditor@proxy.test')).status, 201);
  r = await auditor.get(`/api/v1/audit?actor=${admin.user.id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((a) => /login|session/.test(a.action))
    .map((a) => a.client_addr);
}

test('without a trusted proxy X-Forwarded-For is ignored; no Secure flag',
  async () => {
    const server = await startServer();
    servers.push(server);
    const c = server.client();
    const r = await c.req('POST', '/api/v1/session',
      { email: ADMIN_EMAIL, password: PASSWORD });
    assert.equal(r.status, 201);
    assert.doesNotMatch(r.headers.get('set-cookie'), /Secure/);
    // Over plain HTTP the cookie cannot carry the __Host- prefix (a
    // browser keeps such a cookie only when it is Secure).
    assert.match(r.headers.get('set-cookie'), /^compel_session=/);
    const addrs = await loginAddresses(server, '203.0.113.7');
    assert.ok(addrs.length >= 2);
    assert.ok(addrs.every((a) => a === '127.0.0.1'), addrs.join(' '));
  });

test('from the trusted proxy the client address is the forwarded one',
  async () => {
    const server = await startServer({ env: {
      COMPEL_TRUSTED_PROXY: '127.0.0.1', COMPEL_COOKIE_SECURE: '1' } });
    servers.push(server);
    const c = server.client();
    const r = await c.req('POST', '/api/v1/session',
      { email: ADMIN_EMAIL, password: PASSWORD });
    assert.equal(r.status, 201);
    // Behind TLS: the __Host- name, which a browser keeps only when the
    // cookie is Secure, has Path=/ and no Domain, so no other host and no
    // page over plain HTTP can set or overwrite it.
    const sc = r.headers.get('set-cookie');
    assert.match(sc,
      /^__Host-compel_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
    assert.doesNotMatch(sc, /Domain/i);
    const token = sc.slice('__Host-compel_session='.length, sc.indexOf(';'));
    const me = (cookie) => fetch(`${server.base}/api/v1/me`, { headers: { Cookie: cookie } });
    assert.equal((await me(`__Host-compel_session=${token}`)).status, 200);
    // The unprefixed name is not read: a cookie some other page could set
    // is never taken for the session.
    assert.equal((await me(`compel_session=${token}`)).status, 401);
    // Logging out clears the cookie under the same name.
    c.cookie = `__Host-compel_session=${token}`;
    c.csrf = r.json.csrf_token;
    const out = await c.del('/api/v1/session');
    assert.equal(out.status, 204, out.text);
    assert.match(out.headers.get('set-cookie'),
      /^__Host-compel_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0; Secure$/);
    assert.equal((await me(`__Host-compel_session=${token}`)).status, 401);
    // The balancer appends the address it saw: the last one counts, not
    // whatever the client itself put first.
    const addrs = await loginAddresses(server, '198.51.100.1, 203.0.113.7');
    assert.ok(addrs.includes('203.0.113.7'), addrs.join(' '));
    assert.ok(!addrs.includes('198.51.100.1'), addrs.join(' '));
  });
