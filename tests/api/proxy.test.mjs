// proxy.test.mjs: compel behind a load balancer: the Secure cookie flag
// (cookie_secure) and the client address taken from X-Forwarded-For only
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
    assert.match(r.headers.get('set-cookie'), /; Secure/);
    // The balancer appends the address it saw: the last one counts, not
    // whatever the client itself put first.
    const addrs = await loginAddresses(server, '198.51.100.1, 203.0.113.7');
    assert.ok(addrs.includes('203.0.113.7'), addrs.join(' '));
    assert.ok(!addrs.includes('198.51.100.1'), addrs.join(' '));
  });
