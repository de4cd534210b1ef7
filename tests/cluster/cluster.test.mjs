// cluster.test.mjs: three `compel serve` on one PostgreSQL database behind
// nginx (issue 6). State that must be shared is in the database, so what
// one server did holds on the others: sessions, the lockout counter,
// idempotency keys, version checks on a case, the audit chain. Then the
// faults: a server killed with SIGKILL under load, and PostgreSQL itself
// restarted under load; clients that retry with their Idempotency-Key end
// with every acknowledged write present exactly once.
//
// Run by ctest as cluster.lb under tests/pg/pgtest.sh run (which starts
// the PostgreSQL cluster and sets COMPEL_PG_URL / COMPEL_PG_DIR).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startCluster, postgresDown, postgresUp } from './lb.mjs';
import { ADMIN_EMAIL, PASSWORD } from '../api/harness.mjs';
import { buildWorld, assertProblem } from '../api/world.mjs';

let cl;
let w;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  cl = await startCluster({ n: 3 });
  w = await buildWorld(cl, { tag: 'cluster' });
});

after(async () => {
  await cl?.stop();
});

// A draft subpoena's body; `tag` marks the rows of one test.
const draft = (tag) => ({ recipient_org_id: w.org.J1.id,
  purpose: `${tag}: records for a removal case`, items: [{ category: 'employer' }] });

// The officer's token client, through server i (or the balancer).
function officerVia(i) {
  const c = i === undefined ? cl.client() : cl.clientOf(i);
  c.bearer = w.user.officerA.bearer;
  return c;
}

const count = (sql) => Number(cl.sql(sql).trim());

test('a session made on one server is valid on the others, and ends everywhere',
  async () => {
    const a = cl.clientOf(0);
    assert.equal((await a.login(ADMIN_EMAIL)).status, 201);
    for (const i of [1, 2]) {
      const c = cl.clientOf(i);
      c.cookie = a.cookie;
      c.csrf = a.csrf;
      const me = await c.get('/api/v1/me');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.email ?? me.json.user?.email, ADMIN_EMAIL);
      // A write with the CSRF token made on server 0.
      const t = await c.post('/api/v1/tokens', { name: `from server ${i}` });
      assert.equal(t.status, 201, t.text);
    }
    const b = cl.clientOf(1);
    b.cookie = a.cookie;
    b.csrf = a.csrf;
    assert.equal((await b.del('/api/v1/session')).status, 204);
    for (const i of [0, 2]) {
      const c = cl.clientOf(i);
      c.cookie = a.cookie;
      assert.equal((await c.get('/api/v1/me')).status, 401);
    }
  });

test('the fifth failed login, counted across servers, locks the account everywhere',
  async () => {
    const email = 'lockme@cluster.test';
    const r = await w.admin.post('/api/v1/users', { email, name: 'Lock Me',
      org_id: w.org.A.id, roles: ['officer'], password: PASSWORD });
    assert.equal(r.status, 201, r.text);
    for (let k = 0; k < 4; k++) {
      const f = await cl.clientOf(k % 3).login(email, 'not the password!!');
      assertProblem(f, 401, 'bad_credentials');
    }
    const fifth = await cl.clientOf(1).login(email, 'not the password!!');
    assert.equal(fifth.json.code, 'account_locked', fifth.text);
    for (const i of [0, 1, 2]) {
      const right = await cl.clientOf(i).login(email);
      assert.equal(right.json.code, 'account_locked', `server ${i}: ${right.text}`);
    }
  });

test('an Idempotency-Key replayed to another server creates nothing', async () => {
  const key = { 'Idempotency-Key': randomUUID() };
  const first = await officerVia(0).post('/api/v1/subpoenas', draft('idem'), key);
  assert.equal(first.status, 201, first.text);
  for (const i of [1, 2]) {
    const again = await officerVia(i).post('/api/v1/subpoenas', draft('idem'), key);
    assert.equal(again.status, 201, again.text);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.json.number, first.json.number);
  }
  assert.equal(count("SELECT count(*) FROM subpoenas WHERE purpose LIKE 'idem:%'"), 1);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'subpoena.create'
    AND object_id = '${first.json.id}'`), 1);
});

test('two concurrent actions on one case through different servers never both win',
  async () => {
    for (let k = 0; k < 10; k++) {
      const d = await officerVia(0).post('/api/v1/subpoenas', draft('race'));
      assert.equal(d.status, 201, d.text);
      const [x, y] = await Promise.all([1, 2].map((i) => officerVia(i).post(
        `/api/v1/subpoenas/${d.json.id}/actions/submit`, {})));
      const statuses = [x.status, y.status].sort();
      assert.equal(statuses[0], 200, `${x.text} ${y.text}`);
      assert.ok([409, 412].includes(statuses[1]), `${x.text} ${y.text}`);
      assert.equal(count(`SELECT count(*) FROM audit WHERE object_id = '${d.json.id}'
        AND action = 'subpoena.submit' AND outcome = 'ok'`), 1);
    }
  });

// Clients writing through the balancer for `ms`: each creates a draft with
// an Idempotency-Key and submits it, retrying a request that got no answer,
// a 502 or a 503 with the same key until it is acknowledged. `during` runs
// meanwhile. Returns what was acknowledged and what was seen.
async function load(tag, { clients = 64, ms = 6000, during = async () => {} } = {}) {
  const acked = { create: new Map(), submit: new Set() };
  const seen = { statuses: new Map(), retries: 0, failures: [] };
  const note = (s) => seen.statuses.set(s, (seen.statuses.get(s) || 0) + 1);
  let stop = false;
  async function send(c, path, body, key) {
    for (let attempt = 0; attempt < 400; attempt++) {
      let r;
      try {
        r = await c.post(path, body, { 'Idempotency-Key': key });
      } catch {
        r = { status: 0 };
      }
      note(r.status);
      if (![0, 502, 503, 504].includes(r.status)) return { ...r, retried: attempt > 0 };
      seen.retries++;
      if (seen.failures.length < 5) seen.failures.push(`${r.status} ${r.text ?? ''}`);
      await sleep(50);
    }
    throw new Error(`${path}: no answer after 400 attempts`);
  }
  async function worker() {
    const c = officerVia();
    while (!stop) {
      const key = randomUUID();
      const r = await send(c, '/api/v1/subpoenas', draft(tag), key);
      assert.equal(r.status, 201, r.text);
      acked.create.set(key, r.json.id);
      // Actions take no Idempotency-Key: a retried submit whose first try
      // landed (its answer lost with the server) answers 409, and the
      // client reads the case to learn that it did.
      const s = await send(c, `/api/v1/subpoenas/${r.json.id}/actions/submit`, {},
        `${key}-submit`);
      if (s.status === 409 && s.retried) {
        const g = await c.get(`/api/v1/subpoenas/${r.json.id}`);
        assert.notEqual(g.json?.state, 'draft', g.text);
      } else {
        assert.equal(s.status, 200, s.text);
      }
      acked.submit.add(r.json.id);
    }
  }
  const workers = Array.from({ length: clients }, worker);
  await during();
  await sleep(ms);
  stop = true;
  await Promise.all(workers);
  return { acked, seen };
}

// Every acknowledged create and submit is there exactly once, with exactly
// one audit record each, and the chain verifies.
async function assertExactlyOnce(tag, { acked }) {
  const ids = [...acked.create.values()];
  assert.equal(new Set(ids).size, ids.length, 'two keys acknowledged one id');
  assert.ok(ids.length > 0, 'something was written');
  assert.equal(count(`SELECT count(*) FROM subpoenas WHERE purpose LIKE '${tag}:%'`),
    ids.length, 'rows beside the acknowledged creates (or missing ones)');
  // Submitted: out of draft (to review, or straight to signing when the
  // office does not require counsel's review).
  assert.equal(count(`SELECT count(*) FROM subpoenas WHERE purpose LIKE '${tag}:%'
    AND state <> 'draft'`), acked.submit.size);
  const audits = cl.sql(`SELECT a.action, count(*) FROM audit a
      JOIN subpoenas s ON s.id = a.object_id
     WHERE s.purpose LIKE '${tag}:%' AND a.outcome = 'ok'
     GROUP BY a.action ORDER BY 1`).trim().split('\n');
  assert.deepEqual(audits, [`subpoena.create|${ids.length}`,
    `subpoena.submit|${acked.submit.size}`]);
  const v = await w.user.auditorA.get('/api/v1/audit/verify');
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.ok, true, v.text);
}

test('64 clients writing through three servers: one audit record per change, a chain that verifies',
  async () => {
    const r = await load('load');
    assert.equal(r.seen.retries, 0, `no request failed without a fault: ${
      JSON.stringify([...r.seen.statuses])} ${r.seen.failures.join(' | ')}\n${
      cl.logs().slice(-4000)}`);
    await assertExactlyOnce('load', r);
  });

test('a server killed with SIGKILL under load: retried writes land exactly once',
  async () => {
    const r = await load('kill', { during: async () => {
      await sleep(2000);
      await cl.kill(1);
    } });
    await assertExactlyOnce('kill', r);
    await cl.restart(1);
    assert.equal((await officerVia(1).get('/api/v1/subpoenas?limit=1')).status, 200);
  });

test('PostgreSQL restarted under load: 503 while it is down, recovery without a restart',
  async () => {
    const down = [];
    const r = await load('pgrestart', { ms: 3000, during: async () => {
      await sleep(1500);
      postgresDown();
      // While it is down every server says so: 503 with a correlation id,
      // no SQL and no path in the body.
      for (const i of [0, 1, 2]) {
        const a = await officerVia(i).get('/api/v1/subpoenas?limit=1');
        down.push(a);
      }
      await sleep(1000);
      postgresUp();
    } });
    for (const a of down) {
      assertProblem(a, 503, 'unavailable');
      assert.ok(a.json.request_id || a.headers.get('x-request-id'), a.text);
      assert.doesNotMatch(a.text, /SELECT|postgres|\/tmp\//i);
    }
    assert.ok((r.seen.statuses.get(503) || 0) > 0, 'the load saw the outage');
    await assertExactlyOnce('pgrestart', r);
    for (const i of [0, 1, 2])
      assert.equal((await officerVia(i).get('/api/v1/subpoenas?limit=1')).status, 200);
  });
