// parked.test.mjs: a read of personal data answers only once its audit
// record is committed. The worker parks the request (the connection is
// suspended) while the writer commits the record with its group, and
// serves others meanwhile (docs/performance.md). Here: many such reads at
// once on a server of 4 threads, each answered with its values and
// recorded once; and a record that cannot be committed (a trigger refuses
// it) gives 503 with no value in the answer, and nothing recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { buildWorld, noon, uploadDocument } from './world.mjs';

const VALUE = '12 Parkplatzweg';

let server;
let w;
let sid;

function responseReads() {
  return Number(server.sql(
    `SELECT count(*) FROM audit WHERE action = 'subpoena.response.read'
       AND object_id = '${sid}' AND outcome = 'ok'`).trim());
}

before(async () => {
  server = await startServer({ clock: noon('2020-01-13') });
  w = await buildWorld(server, { tag: 'parked' });
  const { officerA: off, signerA, custodian1 } = w.user;
  let r = await off.post('/api/v1/subpoenas', { recipient_org_id: w.org.J1.id,
    purpose: 'records', items: [{ category: 'home_address' }] });
  assert.equal(r.status, 201, r.text);
  sid = r.json.id;
  const step = async (c, a, body) => {
    const x = await c.post(`/api/v1/subpoenas/${sid}/actions/${a}`, body);
    assert.equal(x.status, 200, `${a}: ${x.text}`);
    return x;
  };
  await step(off, 'submit');
  await step(signerA, 'sign');
  const proof = await uploadDocument(off, sid, 'proof_of_service');
  r = await step(off, 'serve', { served_at: '2020-01-13T15:00:00Z',
    method: 'courier', served_to: 'records unit', return_days: 14,
    proof_of_service_document_id: proof });
  const item = r.json.items[0].id;
  await step(custodian1, 'respond', { items: [
    { item_id: item, outcome: 'produced', value: VALUE }] });
});

after(async () => {
  if (process.env.DEBUG_STDERR) console.error(server?.stderr());
  await server?.stop();
});

test('many audited reads at once: each answered and recorded once',
  async () => {
    const readers = [w.user.officerA, w.user.custodian1, w.user.counselA];
    const before0 = responseReads();
    const n = 48; // far more than the server's 4 threads
    const answers = await Promise.all(Array.from({ length: n },
      (_, i) => readers[i % readers.length].get(`/api/v1/subpoenas/${sid}`)));
    for (const r of answers) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.items[0].value, VALUE);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.notEqual(r.headers.get('connection'), 'close');
    }
    assert.equal(responseReads() - before0, n);
  });

test('a read whose audit record cannot be committed is withheld (503)',
  async () => {
    const off = w.user.officerA;
    const before0 = responseReads();
    server.sql(server.backend === 'sqlite' ? `CREATE TRIGGER test_refuse_reads
      BEFORE INSERT ON audit WHEN NEW.action = 'subpoena.response.read'
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;`
      : `CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $f$
         BEGIN RAISE EXCEPTION 'refused by the test'; END $f$;
       CREATE TRIGGER test_refuse_reads BEFORE INSERT ON audit FOR EACH ROW
         WHEN (NEW.action = 'subpoena.response.read')
         EXECUTE FUNCTION test_refuse();`);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await off.get(`/api/v1/subpoenas/${sid}`);
        assert.equal(r.status, 503, r.text);
        assert.equal(r.json.code, 'unavailable');
        assert.ok(!r.text.includes(VALUE), r.text);
        assert.ok(!r.text.includes('refused by the test'), r.text);
        assert.equal(r.headers.get('cache-control'), 'no-store');
      }
      // Reads without personal data are not affected.
      const d = await off.get('/api/v1/subpoenas?limit=5');
      assert.equal(d.status, 200, d.text);
    } finally {
      server.sql(server.backend === 'sqlite' ? 'DROP TRIGGER test_refuse_reads'
        : 'DROP TRIGGER test_refuse_reads ON audit');
    }
    assert.equal(responseReads(), before0);
    const r = await off.get(`/api/v1/subpoenas/${sid}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items[0].value, VALUE);
    assert.equal(responseReads(), before0 + 1);
  });

test('the chain still verifies', async () => {
  const r = await w.user.auditorA.get('/api/v1/audit/verify');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ok, true, r.text);
});
