// retention.test.mjs: legal holds over HTTP and the retention purge
// (`compel purge`) on the same database (docs/api.md "Legal holds",
// docs/operations.md "Retention and legal hold"; security.md T-AUD-11).
//
// Holds: agency counsel and DOJ attorneys place and release them on cases
// they see; every other role is refused (403), a case out of scope or
// missing answers 404, a second hold or a release without one 409, an
// empty reason 400; each change is audited and on the case's timeline;
// GET shows who, when and why.
//
// The purge, with the injectable clock: records are made at chosen ages
// before the purge's moment AS_OF (two years after now, so that the
// records `compel init` made are old too) and `compel purge` runs with
// its clock at AS_OF, one year for audit records and closed cases: an
// audit record 364 days old stays and one 366 days old goes; a closed
// subpoena whose disclosure is 4 years 364 days old stays with its
// disclosure (the life of the record), one 5 years 1 day old goes with
// it; open cases stay; a held case keeps everything; each run appends one
// audit record with its counts, and the trail still verifies. A dry run
// changes nothing.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, startServer, dumpDatabase } from './harness.mjs';
import { buildWorld, buildCases, must, noon, assertProblem,
  uploadDocument } from './world.mjs';

const DAY = 86400n * 1000000n;

// Microseconds of a Date; a Date `years` calendar years and `days` days
// before `d`.
const us = (d) => BigInt(d.getTime()) * 1000n;
function before_(d, years, days) {
  const x = new Date(d.getTime());
  x.setUTCFullYear(x.getUTCFullYear() - years);
  return new Date(x.getTime() - days * 86400000);
}
const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// The purge's moment: two years from now, to the second.
const AS_OF = new Date(Math.floor(Date.now() / 1000) * 1000);
AS_OF.setUTCFullYear(AS_OF.getUTCFullYear() + 2);

// Run `compel purge` on `server`'s database with its clock at AS_OF.
function purge(server, args = []) {
  const clock = join(server.dir, 'purge-clock');
  writeFileSync(clock, String(us(AS_OF)));
  const out = execFileSync(BIN, ['purge', '--db', server.db,
    '--audit-years', '1', '--case-years', '1', ...args],
  { env: { ...process.env, COMPEL_TEST_CLOCK_FILE: clock },
    stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const m = out.match(/^(?:purged|would purge): (.*)$/m);
  assert.ok(m, out);
  return Object.fromEntries(m[1].split(' ').map((kv) => {
    const [k, v] = kv.split('=');
    return [k, Number(v)];
  }));
}

const count = (server, sql) => Number(server.sql(sql).trim());

describe('legal holds', () => {
  let server;
  let w;
  let u;
  let cases;

  before(async () => {
    server = await startServer({ clock: noon('2020-01-13') });
    w = await buildWorld(server, { tag: 'holds' });
    u = w.user;
    cases = await buildCases(w, 'A');
  });
  after(async () => { await server.stop(); });

  const hold = (c, id, body = { reason: 'litigation hold, case 20-cv-1' }) =>
    c.post(`/api/v1/cases/${id}/hold`, body);
  const release = (c, id, body = { reason: 'litigation settled' }) =>
    c.req('DELETE', `/api/v1/cases/${id}/hold`, body);

  test('only agency counsel and DOJ attorneys place holds', async () => {
    const id = cases.closedSub.id;
    for (const c of [u.officerA, u.signerA, u.auditorA, w.admin,
      u.custodian1, u.booking1, u.rcounsel1])
      assertProblem(await hold(c, id), 403, 'forbidden');
    // Counsel of another office does not see the case: 404, audited.
    assertProblem(await hold(u.counselB, id), 404, 'not_found');
    assertProblem(await hold(u.counselA, 'AAAAAAAAAAAAAAAAAAAAAA'), 404,
      'not_found');
    assertProblem(await hold(u.counselA, id, { reason: '  ' }), 400,
      'validation_failed', 'reason');
    assertProblem(await hold(u.counselA, id, {}), 400, 'validation_failed',
      'reason');
    assert.equal(count(server, 'SELECT count(*) FROM case_holds;'), 0);
  });

  test('a hold is placed, shown, audited, and released once', async () => {
    const id = cases.closedSub.id;
    let r = await hold(u.counselA, id);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.hold.case_id, id);
    assert.equal(r.json.hold.case_kind, 'subpoena');
    assert.deepEqual(r.json.hold.placed_by,
      { user_id: u.counselA.id, role: 'agency_counsel' });
    assert.equal(r.json.hold.placed_at, '2020-01-13T18:00:00Z');
    assert.equal(r.json.hold.reason, 'litigation hold, case 20-cv-1');
    assert.equal(r.json.hold.released_at, null);
    assert.equal(r.json.history.length, 1);
    assertProblem(await hold(u.counselA, id), 409, 'state_conflict', 'hold');

    // Every role that sees the case reads the hold; the admin does not.
    for (const c of [u.officerA, u.auditorA, u.custodian1]) {
      r = await c.get(`/api/v1/cases/${id}/hold`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.hold.reason, 'litigation hold, case 20-cv-1');
    }
    assertProblem(await w.admin.get(`/api/v1/cases/${id}/hold`), 403);
    assertProblem(await u.officerB.get(`/api/v1/cases/${id}/hold`), 404);

    // On the audit trail (without the reason) and the timeline.
    const a = await u.auditorA.get(
      `/api/v1/audit?object=${id}&limit=500`);
    assert.equal(a.status, 200, a.text);
    const rec = a.json.items.filter((x) => x.action === 'case.hold');
    // The hold, and the attempt of counsel who does not see the case.
    assert.equal(rec.length, 2, JSON.stringify(rec));
    assert.deepEqual(rec.map((x) => [x.outcome, x.actor_id, x.role]),
      [['not_found', u.counselB.id, 'agency_counsel'],
        ['ok', u.counselA.id, 'agency_counsel']]);
    assert.equal(rec[1].object_kind, 'subpoena');
    assert.doesNotMatch(JSON.stringify(rec), /20-cv-1/);
    let h = await u.officerA.get(`/api/v1/subpoenas/${id}/history`);
    assert.ok(h.json.items.some((e) => e.action === 'hold'), h.text);

    // Release: once.
    server.setClock(noon('2020-01-14'));
    r = await release(u.counselA, id);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.hold, null);
    assert.equal(r.json.history[0].released_at, '2020-01-14T18:00:00Z');
    assert.equal(r.json.history[0].release_reason, 'litigation settled');
    assertProblem(await release(u.counselA, id), 409, 'state_conflict',
      'hold');
    h = await u.officerA.get(`/api/v1/subpoenas/${id}/history`);
    assert.ok(h.json.items.some((e) => e.action === 'release'), h.text);
    const b = await u.auditorA.get(`/api/v1/audit?object=${id}&limit=500`);
    assert.equal(b.json.items.filter((x) => x.action === 'case.release' &&
      x.outcome === 'ok').length, 1);
    // Refusals are audited too.
    const refused = await u.auditorA.get(
      '/api/v1/audit?object=AAAAAAAAAAAAAAAAAAAAAA&limit=50');
    assert.ok(refused.json.items.some((x) => x.action === 'case.hold' &&
      x.outcome === 'not_found'), refused.text);
  });

  test('a DOJ attorney holds the enforcement case referred to them',
    async () => {
      const r = await hold(u.doj1, cases.enf.id);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.hold.case_kind, 'enforcement');
      assert.equal(r.json.hold.placed_by.role, 'doj_attorney');
      assertProblem(await hold(u.doj2, cases.refSub.id), 404, 'not_found');
    });

  test('the purge keeps every record of a held case', async () => {
    // Held: the detainer, and (through its enforcement case) refSub.
    let r = await hold(u.counselA, cases.detainer.id);
    assert.equal(r.status, 201, r.text);
    const docs = (id) => count(server,
      `SELECT count(*) FROM documents WHERE case_id = '${id}';`);
    const events = (id) => count(server,
      `SELECT count(*) FROM events WHERE case_id = '${id}';`);
    const before = {
      det: events(cases.detainer.id), refSub: events(cases.refSub.id),
      refDocs: docs(cases.refSub.id), enf: events(cases.enf.id),
    };
    assert.ok(before.refDocs >= 1);

    // A dry run changes nothing, and says what would go.
    const dump = dumpDatabase(server);
    const dry = purge(server, ['--dry-run']);
    assert.equal(dumpDatabase(server), dump);
    assert.equal(dry.subpoenas, 1); // closedSub (its hold was released)

    const n = purge(server);
    assert.deepEqual(n, dry);
    // closedSub went with its documents and timeline.
    assertProblem(await u.officerA.get(
      `/api/v1/subpoenas/${cases.closedSub.id}`), 404);
    assert.equal(docs(cases.closedSub.id), 0);
    assert.equal(events(cases.closedSub.id), 0);
    // The held cases and everything of theirs stayed.
    for (const [kind, id] of [['detainers', cases.detainer.id],
      ['subpoenas', cases.refSub.id], ['enforcements', cases.enf.id]]) {
      r = await u.auditorA.get(`/api/v1/${kind}/${id}`);
      assert.equal(r.status, 200, `${kind}: ${r.text}`);
    }
    assert.equal(events(cases.detainer.id), before.det);
    assert.equal(events(cases.refSub.id), before.refSub);
    assert.equal(docs(cases.refSub.id), before.refDocs);
    assert.equal(events(cases.enf.id), before.enf);
    // The draft is open: never purged.
    r = await u.officerA.get(`/api/v1/subpoenas/${cases.draftSub.id}`);
    assert.equal(r.status, 200, r.text);
    // Records naming a held case stop the audit purge there: the
    // detainer's lodging (one of the first records) is still on file.
    assert.ok(count(server, `SELECT count(*) FROM audit WHERE object_id = '${
      cases.detainer.id}';`) >= 1);
    // The database refuses to delete a held case, and anything of the
    // append-only tables outside a purge.
    assert.throws(() => server.sql(
      `DELETE FROM detainers WHERE id = '${cases.detainer.id}';`),
    /legal hold/);
    assert.throws(() => server.sql(
      `DELETE FROM documents WHERE case_id = '${cases.refSub.id}';`),
    /legal hold/);
    assert.throws(() => server.sql('DELETE FROM audit;'), /append-only/);
    assert.throws(() => server.sql(
      `DELETE FROM events WHERE case_id = '${cases.draftSub.id}';`),
    /append-only/);
    const v = await u.auditorA.get('/api/v1/audit/verify');
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.ok, true, v.text);
  });
});

describe('retention ages (T-AUD-11)', () => {
  let server;
  let w;
  let u;
  let person;
  const subs = {};
  const T = {
    y5d1: before_(AS_OF, 5, 1),
    y4d364: before_(AS_OF, 4, 364),
    d366: before_(AS_OF, 0, 366),
    d364: before_(AS_OF, 0, 364),
  };

  // A subpoena about `person` served, answered with one item produced
  // (a disclosure) and closed, all within an hour after `t`.
  async function disclosedAt(t, purpose) {
    const t0 = us(t);
    server.setClock(t0);
    let s = await u.officerA.post('/api/v1/subpoenas', {
      recipient_org_id: w.org.J1.id, person_id: person.id, purpose,
      items: [{ category: 'employer' }] });
    assert.equal(s.status, 201, s.text);
    const id = s.json.id;
    await must(u.officerA, 'subpoenas', id, 'submit');
    await must(u.signerA, 'subpoenas', id, 'sign');
    const proof = await uploadDocument(u.officerA, id, 'proof_of_service');
    const ret = new Date(t.getTime() + 30 * 86400000);
    s = await must(u.officerA, 'subpoenas', id, 'serve', {
      served_at: iso(t), method: 'personal', served_to: 'records unit',
      return_date: ret.toISOString().slice(0, 10),
      proof_of_service_document_id: proof });
    server.setClock(t0 + 3600n * 1000000n);
    await must(u.custodian1, 'subpoenas', id, 'respond', { items: [
      { item_id: s.items[0].id, outcome: 'produced', value: 'Acme' }] });
    return must(u.officerA, 'subpoenas', id, 'close');
  }

  // One audit record of its own at `t`: the auditor reads the person.
  async function auditAt(t) {
    server.setClock(us(t));
    const r = await u.auditorA.get(`/api/v1/people/${person.id}`);
    assert.equal(r.status, 200, r.text);
  }

  before(async () => {
    server = await startServer({ clock: noon('2020-01-13') });
    w = await buildWorld(server, { tag: 'ages' });
    u = w.user;
    const cases = await buildCases(w, 'A');
    person = cases.person;
    subs.old = await disclosedAt(T.y5d1, 'disclosed 5 years 1 day ago');
    subs.young = await disclosedAt(T.y4d364,
      'disclosed 4 years 364 days ago');
    await auditAt(T.d366);
    await auditAt(T.d364);
  });
  after(async () => { await server.stop(); });

  test('exactly the aged-out records go, and the purge is audited',
    async () => {
      const atOf = (t) => count(server,
        `SELECT count(*) FROM audit WHERE at = ${us(t)};`);
      assert.equal(atOf(T.d366), 1);
      assert.equal(atOf(T.d364), 1);
      assert.equal(count(server, 'SELECT count(*) FROM disclosures;'), 2);

      const n = purge(server);
      // The old subpoena, and buildCases' closed subpoena and
      // enforcement pair and released detainer (2020).
      assert.equal(n.subpoenas, 3, JSON.stringify(n));
      assert.equal(n.enforcements, 1);
      assert.equal(n.detainers, 1);
      assert.equal(n.disclosures, 1);
      assert.ok(n.audit > 0);

      // Audit: 366 days gone, 364 days kept.
      assert.equal(atOf(T.d366), 0);
      assert.equal(atOf(T.d364), 1);
      // Disclosures: 5 y 1 d gone with its subpoena; 4 y 364 d kept, and
      // the subpoena it came from (the life of the record).
      const d = await u.officerA.get(
        `/api/v1/people/${person.id}/disclosures`);
      assert.equal(d.status, 200, d.text);
      assert.deepEqual(d.json.items.map((e) => e.subpoena_id),
        [subs.young.id]);
      assertProblem(await u.officerA.get(`/api/v1/subpoenas/${subs.old.id}`),
        404);
      const y = await u.officerA.get(`/api/v1/subpoenas/${subs.young.id}`);
      assert.equal(y.status, 200, y.text);
      // The person is never purged.
      assert.equal((await u.officerA.get(`/api/v1/people/${person.id}`))
        .status, 200);

      // One audit record of the run, with its counts.
      const rec = server.sql("SELECT detail FROM audit WHERE action = " +
        "'retention.purge';").trim().split('\n').filter(Boolean);
      assert.equal(rec.length, 1);
      assert.match(rec[0], new RegExp(`audit=${n.audit} detainers=1 ` +
        'subpoenas=3 enforcements=1 .*disclosures=1 '));
      // The trail verifies from the horizon, on the server and the CLI.
      const v = await u.auditorA.get('/api/v1/audit/verify');
      assert.equal(v.json.ok, true, v.text);
      const out = execFileSync(BIN, ['audit', 'verify', '--db', server.db])
        .toString();
      assert.match(out, /^ok: \d+ entries verified$/m);

      // A second run at the same moment finds nothing more.
      const again = purge(server);
      assert.deepEqual([again.subpoenas, again.detainers, again.audit,
        again.disclosures], [0, 0, 0, 0]);
      assert.equal(count(server, "SELECT count(*) FROM audit WHERE " +
        "action = 'retention.purge';"), 2);
    });
});
