// reports.test.mjs: GET /api/v1/reports/jurisdictions on a fixed data set
// built through the API with the test clock, against numbers computed by
// hand below (docs/reports.md has the definitions).
//
// The data set. Denver County (J1, America/Denver; MST is UTC-7 in
// January) receives seven subpoenas S1..S7, each asking for two items,
// all served on 2020-01-06 at 15:00Z (08:00 in Denver) except S6, served
// then and corrected to 2020-01-08:
//   S1 return 2020-01-21, answered 2020-01-16: both items produced
//      -> complied, 10 days, on time against both dates
//   S2 return 2020-01-21, extended to 2020-02-04, answered 2020-01-28:
//      one produced, one objected -> partially_complied, 22 days, late
//      against the original date, on time against the extended one
//   S3 return 2020-01-21, answered 2020-01-16: both not_held
//      -> no_records, 10 days, on time
//   S4 return 2020-01-21, refused 2020-01-28 -> refused, 22 days, late;
//      referred 2020-01-29
//   S5 return 2020-01-21, answered 2020-02-03: objected + withheld
//      -> objected, 28 days, late
//   S6 corrected service 2020-01-08, return 2020-02-20: never answered,
//      open, overdue on 2020-03-02 (the clock at the end)
//   S7 return 2020-03-31: never answered, open, not overdue
// So for all time: served 7, resolved 5 (not a small sample), one of each
// disposition; days 10, 10, 22, 22, 28 -> median 22 (the middle of
// five); on time original 2 (S1, S3) -> 0.4; extended 3 (S1, S2, S3)
// -> 0.6; items requested 5 x 2 = 10, produced 2 (S1) + 1 (S2) = 3 -> 0.3;
// open 2, overdue 1, referred 1.
// Detainers at Denver County Jail: D1 lodged 2020-01-06 and honored the
// same day, D2 lodged 2020-01-06 and declined 2020-01-07, D3 lodged and
// never decided; all reported by the jail's booking officer:
// lodged 3, honored 1 (reported 1), declined 1 (reported 1).
// Cook County (J2, America/Chicago; CST is UTC-6) receives S8, served
// 2020-01-06 15:00Z (09:00 in Chicago) and answered 2020-01-10 05:30Z,
// which is still 2020-01-09 23:30 in Chicago: 3 days (4 if counted in
// UTC), complied; one resolved -> small_sample.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { at, buildWorld, must, uploadDocument, assertProblem }
  from './world.mjs';

let server;
let w;
const sub = {};

async function served(side, key, { returnDate, servedAt =
  '2020-01-06T15:00:00Z' }) {
  const u = w.user;
  const off = u[`officer${side}`];
  const j = side === 'A' ? 'J1' : 'J2';
  const r = await off.post('/api/v1/subpoenas', {
    recipient_org_id: w.org[j].id, purpose: `report test ${key}`,
    items: [{ category: 'home_address' }, { category: 'employer' }] });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  await must(off, 'subpoenas', id, 'submit');
  await must(u[`signer${side}`], 'subpoenas', id, 'sign');
  const proof = await uploadDocument(off, id, 'proof_of_service');
  sub[key] = await must(off, 'subpoenas', id, 'serve', {
    served_at: servedAt, method: 'personal', served_to: 'records unit',
    return_date: returnDate, proof_of_service_document_id: proof });
  return sub[key];
}

async function respond(c, key, outcomes) {
  const s = sub[key];
  sub[key] = await must(c, 'subpoenas', s.id, 'respond', {
    items: s.items.map((it, i) => ({ item_id: it.id, ...outcomes[i] })) });
}

const report = (c, query = '', headers) =>
  c.get(`/api/v1/reports/jurisdictions${query}`, headers);

const row = (doc, name) => doc.jurisdictions.find((j) => j.name === name);

before(async () => {
  server = await startServer({ clock: at('2020-01-06T18:00:00Z') });
  w = await buildWorld(server, { tag: 'reports' });
  const u = w.user;

  // detainers at Denver County Jail, 2020-01-06 (11:00 in Denver)
  const p = await u.officerA.post('/api/v1/people', {
    family_name: 'Reportperson', given_names: 'Ann',
    date_of_birth: '1990-05-17' });
  assert.equal(p.status, 201, p.text);
  const det = [];
  for (let i = 0; i < 3; i++) {
    const r = await u.officerA.post('/api/v1/detainers', {
      person_id: p.json.id, facility_id: w.facility.F1.id, form: 'I-247A',
      basis: 'final_order' });
    assert.equal(r.status, 201, r.text);
    det.push(r.json);
  }
  await must(u.booking1, 'detainers', det[0].id, 'acknowledge');
  await must(u.booking1, 'detainers', det[0].id, 'honor');

  for (const k of ['S1', 'S2', 'S3', 'S4', 'S5', 'S6'])
    await served('A', k, { returnDate: k === 'S6' ? '2020-02-20'
      : '2020-01-21' });
  await served('A', 'S7', { returnDate: '2020-03-31' });
  await served('B', 'S8', { returnDate: '2020-01-31' });
});

after(async () => { await server?.stop(); });

test('a service correction moves the served day', async () => {
  const c = w.user.auditorA;
  let r = await report(c, '?from=2020-01-06&to=2020-01-06');
  assert.equal(r.status, 200, r.text);
  assert.equal(row(r.json, 'Denver County').subpoenas.served, 7);

  // 2020-01-07: D2 declined; S6's service corrected to 2020-01-08
  server.setClock(at('2020-01-08T18:00:00Z'));
  const proof = await uploadDocument(w.user.officerA, sub.S6.id,
    'proof_of_service');
  sub.S6 = await must(w.user.officerA, 'subpoenas', sub.S6.id, 'serve', {
    served_at: '2020-01-08T15:00:00Z', method: 'personal',
    served_to: 'records unit', return_date: '2020-02-20',
    proof_of_service_document_id: proof });
  r = await report(c, '?from=2020-01-06&to=2020-01-06');
  assert.equal(row(r.json, 'Denver County').subpoenas.served, 6);
  r = await report(c, '?from=2020-01-08&to=2020-01-08');
  assert.equal(row(r.json, 'Denver County').subpoenas.served, 1);
});

test('the fixed data set, all time', async () => {
  const u = w.user;
  // D2 lodged 2020-01-06, declined 2020-01-08 (the clock now)
  const list = await u.booking1.get('/api/v1/detainers?state=lodged');
  assert.equal(list.status, 200, list.text);
  const open = list.json.items.map((d) => d.id);
  assert.equal(open.length, 2);
  await must(u.booking1, 'detainers', open[0], 'acknowledge');
  await must(u.booking1, 'detainers', open[0], 'decline',
    { reason: 'county policy' });

  // Cook County answers S8 at 23:30 on 2020-01-09 in Chicago
  server.setClock(at('2020-01-10T05:30:00Z'));
  await respond(u.custodian2, 'S8', [{ outcome: 'produced', value: 'x' },
    { outcome: 'produced', value: 'y' }]);

  server.setClock(at('2020-01-16T18:00:00Z'));
  await respond(u.custodian1, 'S1', [{ outcome: 'produced', value: 'a' },
    { outcome: 'produced', value: 'b' }]);
  await respond(u.custodian1, 'S3', [{ outcome: 'not_held' },
    { outcome: 'not_held' }]);
  await must(u.officerA, 'subpoenas', sub.S2.id, 'extend',
    { return_date: '2020-02-04', reason: 'asked for time' });

  server.setClock(at('2020-01-28T18:00:00Z'));
  await respond(u.custodian1, 'S2', [{ outcome: 'produced', value: 'c' },
    { outcome: 'objected', ground: 'relevance' }]);
  await must(u.custodian1, 'subpoenas', sub.S4.id, 'refuse',
    { reason: 'court order only' });

  server.setClock(at('2020-01-29T18:00:00Z'));
  await must(u.counselA, 'subpoenas', sub.S4.id, 'refer',
    { doj_org_id: w.org.D1.id });

  server.setClock(at('2020-02-03T18:00:00Z'));
  await respond(u.custodian1, 'S5', [
    { outcome: 'objected', ground: 'tenth_amendment' },
    { outcome: 'withheld', ground: 'privilege' }]);

  server.setClock(at('2020-03-02T18:00:00Z'));
  const r = await report(u.officerA);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.from, null);
  assert.equal(r.json.to, null);
  assert.deepEqual(r.json.jurisdictions.map((j) => j.name),
    ['Cook County', 'Denver County']); // sorted by name
  const d = row(r.json, 'Denver County');
  assert.equal(d.org_id, w.org.J1.id);
  assert.equal(d.state, 'CO');
  assert.deepEqual(d.detainers, { lodged: 3,
    honored: { total: 1, reported: 1, observed: 0, inferred: 0 },
    declined: { total: 1, reported: 1, observed: 0, inferred: 0 } });
  assert.deepEqual(d.subpoenas, {
    served: 7, resolved: 5, complied: 1, partially_complied: 1,
    no_records: 1, objected: 1, refused: 1, open: 2, overdue: 1,
    referred: 1, on_time_original: 2, on_time_extended: 3,
    on_time_original_rate: 0.4, on_time_extended_rate: 0.6,
    median_days_to_response: 22, items_requested: 10, items_produced: 3,
    item_production_rate: 0.3 });
  assert.equal(d.small_sample, false);
  // rates in their short form, as the CSV and docs/reports.md write them
  // (not the 17 digits of a double: 0.40000000000000002)
  assert.match(r.text, /"on_time_original_rate":0\.4,"on_time_extended_rate":0\.6,/);
  assert.match(r.text, /"item_production_rate":0\.3[,}]/);
  const k = row(r.json, 'Cook County');
  assert.equal(k.subpoenas.resolved, 1);
  assert.equal(k.subpoenas.complied, 1);
  assert.equal(k.subpoenas.median_days_to_response, 3);
  assert.equal(k.subpoenas.item_production_rate, 1);
  assert.equal(k.small_sample, true);
});

test('a range counts each fact on its day, both ends included', async () => {
  const c = w.user.doj1;
  // 2020-01-07..2020-01-31: served S6 (01-08); resolved S1, S3 (01-16),
  // S2, S4 (01-28); S5 (02-03) is out. Days 10, 10, 22, 22: the lower
  // of the middle two is 10. Four resolved: a small sample.
  let r = await report(c, '?from=2020-01-07&to=2020-01-31');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.from, '2020-01-07');
  assert.equal(r.json.to, '2020-01-31');
  let d = row(r.json, 'Denver County');
  assert.equal(d.subpoenas.served, 1);
  assert.equal(d.subpoenas.resolved, 4);
  assert.equal(d.subpoenas.median_days_to_response, 10);
  assert.equal(d.subpoenas.refused, 1);
  assert.equal(d.subpoenas.objected, 0);
  assert.equal(d.subpoenas.referred, 1);
  assert.equal(d.small_sample, true);
  assert.equal(d.detainers.lodged, 0);
  assert.equal(d.detainers.declined.total, 1); // decided 01-08
  // one day, both ends that day: S1 and S3
  r = await report(c, '?from=2020-01-16&to=2020-01-16');
  d = row(r.json, 'Denver County');
  assert.equal(d.subpoenas.resolved, 2);
  assert.equal(d.subpoenas.served, 0);
  // the day before and after: nothing resolved
  r = await report(c, '?from=2020-01-15&to=2020-01-15');
  assert.equal(row(r.json, 'Denver County').subpoenas.resolved, 0);
  r = await report(c, '?from=2020-01-17&to=2020-01-27');
  assert.equal(row(r.json, 'Denver County').subpoenas.resolved, 0);
  // the whole of 2020 (a year period) equals all time here
  r = await report(c, '?from=2020-01-01&to=2020-12-31');
  assert.equal(row(r.json, 'Denver County').subpoenas.resolved, 5);
  assert.equal(row(r.json, 'Denver County').subpoenas.served, 7);
});

test('bad dates are refused naming the field', async () => {
  const c = w.user.officerA;
  assertProblem(await report(c, '?from=2020-02-30'), 400,
    'validation_failed', 'from');
  assertProblem(await report(c, '?to=yesterday'), 400, 'validation_failed',
    'to');
  assertProblem(await report(c, '?from=2020-02-01&to=2020-01-31'), 400,
    'validation_failed', 'from');
  assertProblem(await report(c, '?public=yes'), 400, 'validation_failed',
    'public');
});

test('who sees which rows', async () => {
  const u = w.user;
  // a jurisdiction's users see their own row only
  let r = await report(u.custodian2);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.jurisdictions.map((j) => j.name), ['Cook County']);
  r = await report(u.booking1);
  assert.deepEqual(r.json.jurisdictions.map((j) => j.name),
    ['Denver County']);
  // agency, auditor and DOJ see both
  for (const k of ['signerA', 'counselA', 'auditorA', 'doj2', 'officerB']) {
    r = await report(u[k]);
    assert.equal(r.status, 200, `${k}: ${r.text}`);
    assert.equal(r.json.jurisdictions.length, 2, k);
  }
  // admins see no case data
  assertProblem(await report(u.admin), 403, 'forbidden');
});

// Parse RFC 4180 text (quoted fields, doubled quotes, CRLF).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { f += '"'; i++; }
      else if (ch === '"') q = false;
      else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(f); f = ''; }
    else if (ch === '\r') { /* CRLF */ }
    else if (ch === '\n') { row.push(f); rows.push(row); row = []; f = ''; }
    else f += ch;
  }
  return rows;
}

function flatten(o, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(o)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object') flatten(v, name, out);
    else out[name] = v;
  }
  return out;
}

test('CSV has the JSON fields as dotted columns', async () => {
  const c = w.user.auditorA;
  const j = await report(c);
  const r = await report(c, '', { Accept: 'text/csv' });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.ok(r.text.endsWith('\r\n'));
  const rows = parseCsv(r.text);
  assert.equal(rows.length, 3); // header + two jurisdictions
  const header = rows[0];
  assert.ok(header.includes('subpoenas.median_days_to_response'));
  assert.ok(header.includes('detainers.honored.reported'));
  for (let i = 0; i < 2; i++) {
    const want = flatten(j.json.jurisdictions[i]);
    assert.deepEqual(header, Object.keys(want));
    header.forEach((h, n) => {
      const v = want[h];
      const text = v === null ? '' : String(v);
      assert.equal(rows[i + 1][n], text, h);
    });
  }
});

test('the public export shows no count below 5 and no ids', async () => {
  const r = await report(w.user.signerA, '?public=true');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.public, true);
  const text = JSON.stringify(r.json);
  for (const id of [w.org.J1.id, w.org.J2.id, sub.S1.id, sub.S4.id])
    assert.ok(!text.includes(id), 'an id is in the public export');
  for (const j of r.json.jurisdictions) {
    assert.deepEqual(Object.keys(j).sort(), ['detainers', 'enforcements',
      'name', 'small_sample', 'state', 'subpoenas', 'suppressed']);
    for (const [k, v] of Object.entries(flatten(j))) {
      if (typeof v === 'number' && Number.isInteger(v) && !k.endsWith('rate')
          && k !== 'subpoenas.median_days_to_response')
        assert.ok(v >= 5, `${j.name} ${k} = ${v}`);
    }
  }
  // Denver County: served 7 and resolved 5 are shown; each disposition
  // (1 each) is not; the median of five (22) is shown; on time 2 of 5
  // is not, nor its rate (it would give the count back)
  const d = row(r.json, 'Denver County');
  assert.equal(d.subpoenas.served, 7);
  assert.equal(d.subpoenas.resolved, 5);
  assert.equal(d.subpoenas.complied, null);
  assert.equal(d.subpoenas.median_days_to_response, 22);
  assert.equal(d.subpoenas.on_time_original, null);
  assert.equal(d.subpoenas.on_time_original_rate, null);
  assert.equal(d.suppressed, true);
  // Cook County is a small sample: no median, no rate
  const k = row(r.json, 'Cook County');
  assert.equal(k.subpoenas.median_days_to_response, null);
  assert.equal(k.subpoenas.item_production_rate, null);
  // the CSV of the public export has no org_id column
  const csv = await report(w.user.signerA, '?public=true',
    { Accept: 'text/csv' });
  assert.ok(!parseCsv(csv.text)[0].includes('org_id'));
});
