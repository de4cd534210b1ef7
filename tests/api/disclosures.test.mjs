// disclosures.test.mjs: the accounting of disclosures (Privacy Act,
// 5 U.S.C. 552a(c); API.md "Disclosures") over HTTP. A subpoena response
// that produces items about the subpoena's person makes exactly one entry
// (date = the response's time, nature = the produced categories, purpose =
// the subpoena's, recipient = the agency office, disclosed by the
// jurisdiction); a response producing nothing (not_held, objected), a
// refusal, makes none. GET /api/v1/people/{id}/disclosures lists them,
// newest first and paged: agency roles see all, a jurisdiction only its
// own, anyone else 404 (or 403 by role); each read is audited. Entries are
// append-only in the database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { buildWorld, buildCases, must, noon, assertProblem,
  uploadDocument } from './world.mjs';

let server;
let w;
let u;
let cases;
let person;

const list = (c, id, q = '') =>
  c.get(`/api/v1/people/${id}/disclosures${q}`);

async function auditOf(id) {
  const r = await u.auditorA.get(
    `/api/v1/audit?object=${encodeURIComponent(id)}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

// A subpoena of agency A about `personId`, served on jurisdiction `j`
// ('1' or '2'), with items of `categories`.
async function served(personId, j, purpose, categories) {
  let s = await u.officerA.post('/api/v1/subpoenas', {
    recipient_org_id: w.org[`J${j}`].id, person_id: personId, purpose,
    items: categories.map((category) => ({ category })) });
  assert.equal(s.status, 201, s.text);
  const id = s.json.id;
  await must(u.officerA, 'subpoenas', id, 'submit');
  await must(u.signerA, 'subpoenas', id, 'sign');
  const proof = await uploadDocument(u.officerA, id, 'proof_of_service');
  s = await must(u.officerA, 'subpoenas', id, 'serve', {
    served_at: '2020-01-13T15:00:00Z', method: 'personal',
    served_to: 'records unit', return_date: '2020-01-31',
    proof_of_service_document_id: proof });
  return s;
}

const subs = {};

before(async () => {
  server = await startServer({ clock: noon('2020-01-13') });
  w = await buildWorld(server, { tag: 'disclosures' });
  u = w.user;
  // Person A: a closed subpoena answered not_held only, and a refused one.
  cases = await buildCases(w, 'A');
  person = cases.person;
});

after(async () => { await server.stop(); });

test('responses that produce nothing make no entry', async () => {
  // buildCases answered one subpoena all not_held and refused another.
  let r = await list(u.officerA, person.id);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { items: [], next_cursor: null });

  // Objected and withheld only: still nothing was disclosed.
  const s = await served(person.id, '1', 'objected in full',
    ['home_address', 'employer']);
  await must(u.custodian1, 'subpoenas', s.id, 'respond', { items: [
    { item_id: s.items[0].id, outcome: 'objected', ground: 'relevance' },
    { item_id: s.items[1].id, outcome: 'not_held' },
  ] });
  r = await list(u.auditorA, person.id);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 0);

  // Produced, but the subpoena names no person: no one's record left.
  const anon = await served(null, '1', 'no person named', ['charges']);
  await must(u.custodian1, 'subpoenas', anon.id, 'respond', { items: [
    { item_id: anon.items[0].id, outcome: 'produced', value: 'none' },
  ] });
  assert.equal(server.sql('SELECT count(*) FROM disclosures;').trim(), '0');
});

test('a response that produces items makes one entry with its fields',
  async () => {
    const s = await served(person.id, '1', 'removal proceedings, A-file',
      ['home_address', 'employer', 'phone', 'home_address']);
    server.setClock(noon('2020-01-20'));
    const done = await must(u.custodian1, 'subpoenas', s.id, 'respond',
      { items: [
        { item_id: s.items[0].id, outcome: 'produced', value: '1 Elm St' },
        { item_id: s.items[1].id, outcome: 'objected',
          ground: 'tenth_amendment' },
        { item_id: s.items[2].id, outcome: 'produced', value: '555-0100' },
        { item_id: s.items[3].id, outcome: 'produced', value: '2 Oak St' },
      ] });
    assert.equal(done.state, 'responded');
    subs.first = done;

    const r = await list(u.officerA, person.id);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items.length, 1);
    assert.equal(r.json.next_cursor, null);
    const e = r.json.items[0];
    assert.match(e.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(e.person_id, person.id);
    assert.equal(e.subpoena_id, s.id);
    assert.equal(e.disclosed_at, done.responded_at);
    assert.equal(e.disclosed_at, '2020-01-20T18:00:00Z');
    // The categories produced, each once, in item order; not the objected.
    assert.deepEqual(e.nature, ['home_address', 'phone']);
    assert.equal(e.purpose, 'removal proceedings, A-file');
    assert.deepEqual(e.recipient,
      { org_id: w.org.A.id, name: 'Denver Field Office' });
    assert.deepEqual(e.disclosed_by,
      { org_id: w.org.J1.id, name: 'Denver County' });
    assert.equal(e.disclosed_by_user_id, u.custodian1.id);
    // No produced value appears in the accounting.
    assert.doesNotMatch(r.text, /Elm St|555-0100|Oak St/);

    // The subpoena's timeline names the entry.
    const h = await u.officerA.get(`/api/v1/subpoenas/${s.id}/history`);
    assert.equal(h.status, 200, h.text);
    const ev = h.json.items.find((x) => x.action === 'respond');
    assert.equal(ev?.details?.disclosure_id, e.id);
  });

test('who may list: agency roles all, a jurisdiction its own, others 404',
  async () => {
    // Another jurisdiction, not (yet) holding a case about the person.
    for (const c of [u.booking2, u.custodian2, u.rcounsel2]) {
      const r = await list(c, person.id);
      assertProblem(r, 404, 'not_found');
    }
    // Another agency office with no case naming the person.
    assertProblem(await list(u.officerB, person.id), 404, 'not_found');
    // Roles the route does not admit.
    assertProblem(await list(u.admin, person.id), 403, 'forbidden');
    assertProblem(await list(u.doj1, person.id), 403, 'forbidden');
    // Unknown person.
    assertProblem(await list(u.officerA, 'AAAAAAAAAAAAAAAAAAAAAA'), 404,
      'not_found');

    // Every agency A reader sees the entry.
    for (const c of [u.officerA, u.signerA, u.counselA, u.auditorA]) {
      const r = await list(c, person.id);
      assert.equal(r.status, 200, `${c.role}: ${r.text}`);
      assert.equal(r.json.items.length, 1, c.role);
    }

    // J2 now discloses too (agency A served it about the same person).
    server.setClock(noon('2020-01-21'));
    const s = await served(person.id, '2', 'second county',
      ['vehicle', 'employer']);
    server.setClock(noon('2020-01-22'));
    await must(u.custodian2, 'subpoenas', s.id, 'respond', { items: [
      { item_id: s.items[0].id, outcome: 'not_held' },
      { item_id: s.items[1].id, outcome: 'produced', value: 'Acme Corp' },
    ] });
    subs.second = s;

    // The jurisdictions each see their own entry only.
    let r = await list(u.custodian2, person.id);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((e) => [e.subpoena_id, e.nature]),
      [[s.id, ['employer']]]);
    for (const c of [u.booking1, u.custodian1, u.rcounsel1]) {
      r = await list(c, person.id);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((e) => e.subpoena_id),
        [subs.first.id], c.role);
    }
    // The agency sees both, newest first.
    r = await list(u.counselA, person.id);
    assert.deepEqual(r.json.items.map((e) => e.subpoena_id),
      [s.id, subs.first.id]);
    assert.deepEqual(r.json.items.map((e) => e.disclosed_by.org_id),
      [w.org.J2.id, w.org.J1.id]);
  });

test('pages newest first; a bad cursor is 400', async () => {
  let r = await list(u.auditorA, person.id, '?limit=1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].subpoena_id, subs.second.id);
  assert.equal(typeof r.json.next_cursor, 'string');
  r = await list(u.auditorA, person.id,
    `?limit=1&cursor=${encodeURIComponent(r.json.next_cursor)}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((e) => e.subpoena_id), [subs.first.id]);
  assert.equal(r.json.next_cursor, null);

  assertProblem(await list(u.auditorA, person.id, '?cursor=nonsense'), 400,
    'validation_failed', 'cursor');
  assertProblem(await list(u.auditorA, person.id, '?limit=0'), 400,
    undefined, 'limit');
});

test('every read of the accounting is audited, refusals as not_found',
  async () => {
    let before0 = await auditOf(person.id);
    let r = await list(u.custodian1, person.id);
    assert.equal(r.status, 200, r.text);
    let added = (await auditOf(person.id)).filter(
      (a) => !before0.some((b) => b.seq === a.seq));
    assert.equal(added.length, 1, JSON.stringify(added));
    assert.equal(added[0].action, 'person.disclosures.read');
    assert.equal(added[0].outcome, 'ok');
    assert.equal(added[0].actor_id, u.custodian1.id);
    assert.equal(added[0].object_kind, 'person');
    assert.equal(added[0].detail, 'entries=1');

    before0 = await auditOf(person.id);
    r = await list(u.officerB, person.id);
    assertProblem(r, 404, 'not_found');
    added = (await auditOf(person.id)).filter(
      (a) => !before0.some((b) => b.seq === a.seq));
    assert.equal(added.length, 1, JSON.stringify(added));
    assert.equal(added[0].action, 'person.disclosures.read');
    assert.equal(added[0].outcome, 'not_found');
    assert.equal(added[0].actor_id, u.officerB.id);
  });

test('the accounting is append-only in the database', () => {
  const count = () => Number(server.sql(
    `SELECT count(*) FROM disclosures WHERE person_id = '${person.id}';`)
    .trim());
  assert.equal(count(), 2);
  assert.throws(() => server.sql(
    "UPDATE disclosures SET purpose = 'rewritten';"),
  /append-only/);
  assert.throws(() => server.sql('DELETE FROM disclosures;'), /append-only/);
  assert.equal(count(), 2);
  assert.equal(server.sql(
    "SELECT count(*) FROM disclosures WHERE purpose = 'rewritten';").trim(),
  '0');
});
