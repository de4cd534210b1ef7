// detainers.test.mjs: the detainer machine over HTTP, by the right roles in
// the right organizations: lodge, acknowledge, honor or decline (with the
// jurisdiction's policy version in force), the hold clock, release,
// transfer, cancel; scoping, wrong roles and states, bad bodies, If-Match
// and two concurrent actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, dumpDatabase, PASSWORD } from './harness.mjs';

// Monday 13 January 2020, 10:00 in Denver (17:00 UTC).
const T0 = Date.UTC(2020, 0, 13, 17, 0, 0) * 1000;

let server;
let admin;
let officer;
let auditor;
let bookingA;
let custodianA;
let bookingB;
let orgA;
let agency;
let facilityA;
let facilityB;
let person;

async function mkOrg(kind, name) {
  const r = await admin.post('/api/v1/orgs',
    { kind, name, state: 'CO', timezone: 'America/Denver' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function mkFacility(org, name) {
  const r = await admin.post(`/api/v1/orgs/${org.id}/facilities`,
    { name, timezone: 'America/Denver' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function mkUser(email, org, roles) {
  const r = await admin.post('/api/v1/users', { email,
    name: email.split('@')[0], org_id: org.id, roles, password: PASSWORD });
  assert.equal(r.status, 201, r.text);
  const c = server.client();
  const l = await c.login(email);
  assert.equal(l.status, 201, l.text);
  return c;
}

async function lodge(body = {}) {
  const r = await officer.post('/api/v1/detainers', {
    person_id: person.id, facility_id: facilityA.id, form: 'I-247A',
    basis: 'final_order', ...body,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const act = (c, d, action, body, headers) =>
  c.post(`/api/v1/detainers/${d.id}/actions/${action}`, body, headers);

// The database without the tables every request touches (sessions) or
// that a refusal may add to (audit).
const dump = () => dumpDatabase(server, { except: ['sessions', 'audit'] });

before(async () => {
  server = await startServer({ clock: T0 });
  admin = await adminClient(server);
  agency = await mkOrg('agency_office', 'Denver Field Office');
  orgA = await mkOrg('jurisdiction', 'Arapahoe County');
  const orgB = await mkOrg('jurisdiction', 'Boulder County');
  facilityA = await mkFacility(orgA, 'Arapahoe County Detention Facility');
  facilityB = await mkFacility(orgB, 'Boulder County Jail');
  // Version 1 declines detainers from mid-2019; version 2 takes effect
  // only in June 2020, after the declines below.
  let r = await admin.post(`/api/v1/orgs/${orgA.id}/policies`, {
    effective_from: '2019-06-01', detainers: 'decline',
    release_notification: false, subpoenas: 'court_order_only',
    citation: 'Colo. Rev. Stat. 24-76.6-102',
    summary: 'No holds on civil detainers without a judicial warrant.' });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/orgs/${orgA.id}/policies`, {
    effective_from: '2020-06-01', detainers: 'honor',
    release_notification: true, subpoenas: 'comply',
    citation: 'Resolution 2020-17', summary: 'Later policy.' });
  assert.equal(r.status, 201, r.text);
  officer = await mkUser('officer@agency.test', agency, ['officer']);
  auditor = await mkUser('auditor@agency.test', agency, ['auditor']);
  bookingA = await mkUser('booking@arapahoe.test', orgA, ['booking']);
  custodianA = await mkUser('records@arapahoe.test', orgA, ['custodian']);
  bookingB = await mkUser('booking@boulder.test', orgB, ['booking']);
  r = await officer.post('/api/v1/people', { family_name: 'Lindqvist',
    given_names: 'Tomas', identifiers: { a_number: 'A201234567' } });
  assert.equal(r.status, 201, r.text);
  person = r.json;
});

after(async () => { await server.stop(); });

test('lodge, acknowledge, decline under the policy in force, release',
  async () => {
    const d = await lodge();
    assert.equal(d.state, 'lodged');
    assert.match(d.number, /^DET-2020-\d{6}$/);
    assert.equal(d.version, 1);
    assert.equal(d.person_id, person.id);
    assert.equal(d.agency_org_id, agency.id);
    assert.deepEqual(d.facility, { id: facilityA.id,
      name: 'Arapahoe County Detention Facility', org_id: orgA.id,
      timezone: 'America/Denver' });
    // 8 CFR 287.7(d) is the default hold rule.
    assert.equal(d.hold_rule, '48h-excluding-weekends-holidays');
    assert.equal(d.outcome_source, null);
    assert.equal(d.policy, null);
    assert.equal(d.max_hold_until, null);
    assert.equal(d.over_detention, false);
    assert.deepEqual(d.allowed_actions.sort(), ['cancel', 'transfer']);

    // The jail sees it, with its own allowed actions.
    let r = await bookingA.get(`/api/v1/detainers/${d.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('etag'), '"1"');
    assert.deepEqual(r.json.allowed_actions.sort(),
      ['acknowledge', 'release', 'transfer']);

    r = await act(bookingA, d, 'acknowledge');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'acknowledged');
    assert.equal(r.json.version, 2);
    assert.equal(r.json.outcome_source, 'reported');
    assert.equal(r.headers.get('etag'), '"2"');

    r = await act(bookingA, d, 'decline',
      { reason: 'County policy: no civil holds' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'declined');
    assert.equal(r.json.decline_reason, 'County policy: no civil holds');
    assert.equal(r.json.policy.version_no, 1);
    assert.equal(r.json.policy.detainers, 'decline');
    assert.equal(r.json.policy.citation, 'Colo. Rev. Stat. 24-76.6-102');

    r = await act(bookingA, d, 'release',
      { released_at: '2020-01-13T16:30:00Z', notice_given: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'released');
    assert.equal(r.json.released_at, '2020-01-13T16:30:00Z');
    assert.equal(r.json.notice_given, false);
    assert.deepEqual(r.json.allowed_actions, []);

    r = await officer.get(`/api/v1/detainers/${d.id}/history`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((e) => e.action),
      ['create', 'acknowledge', 'decline', 'release']);
    assert.equal(r.json.items[1].role, 'booking');

    // Each action left one audit record on the detainer.
    r = await auditor.get(`/api/v1/audit?object=${d.id}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((a) => a.action).sort(),
      ['detainer.acknowledge', 'detainer.create', 'detainer.decline',
        'detainer.release']);
  });

test('the officer cancels; the jail may not', async () => {
  const d = await lodge();
  let r = await act(bookingA, d, 'cancel', { reason: 'wrong person' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.code, 'forbidden');
  r = await act(officer, d, 'cancel', { reason: 'lodged in error' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'cancelled');
  assert.equal(r.json.outcome_source, 'observed');
  // A cancelled detainer takes no more actions.
  r = await act(bookingA, d, 'acknowledge');
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'state_conflict');
});

test('another jurisdiction sees nothing: 404 and empty lists', async () => {
  const d = await lodge();
  let r = await bookingB.get(`/api/v1/detainers/${d.id}`);
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 'not_found');
  const missing = await bookingB.get('/api/v1/detainers/AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(missing.status, 404);
  assert.deepEqual(Object.keys(r.json).sort(), Object.keys(missing.json).sort());
  const before1 = dump();
  r = await act(bookingB, d, 'acknowledge');
  assert.equal(r.status, 404);
  r = await bookingB.get(`/api/v1/detainers/${d.id}/history`);
  assert.equal(r.status, 404);
  assert.equal(dump(), before1);
  r = await bookingB.get('/api/v1/detainers');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { items: [], next_cursor: null });
  // The jail of A lists it; the attempts of B are on the trail.
  r = await bookingA.get('/api/v1/detainers');
  assert.ok(r.json.items.some((x) => x.id === d.id));
  r = await auditor.get(`/api/v1/audit?object=${d.id}`);
  assert.equal(r.json.items.filter((a) => a.outcome === 'not_found').length, 3);
  // An unknown action is a bad request naming it, like the other cases.
  r = await bookingB.post(`/api/v1/detainers/${d.id}/actions/fly`);
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'action');
  // An administrator sees no case data: the case routes are not theirs.
  r = await admin.get('/api/v1/detainers');
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'forbidden');
});

test('wrong role 403, wrong state 409, stale If-Match 412', async () => {
  const d = await lodge();
  const before1 = dump();
  // A records custodian has no detainer route at all.
  let r = await act(custodianA, d, 'acknowledge');
  assert.equal(r.status, 403);
  // The officer may not acknowledge for the jail.
  r = await act(officer, d, 'acknowledge');
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'forbidden');
  // Honor needs an acknowledged detainer.
  r = await act(bookingA, d, 'honor');
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'state_conflict');
  r = await act(bookingA, d, 'acknowledge', undefined, { 'If-Match': '"7"' });
  assert.equal(r.status, 412);
  assert.equal(r.json.code, 'precondition_failed');
  // Only the officer may record an outcome as inferred.
  r = await act(bookingA, d, 'acknowledge', { outcome_source: 'inferred' });
  assert.equal(r.status, 403);
  assert.equal(r.json.field, 'outcome_source');
  // A subpoena's action is no detainer action: 400 naming it.
  r = await act(bookingA, d, 'approve');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'action');
  assert.equal(dump(), before1);
  r = await act(bookingA, d, 'acknowledge', undefined, { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
});

test('bad bodies answer 400 naming the field, nothing changed', async () => {
  const d = await lodge();
  assert.equal((await act(bookingA, d, 'acknowledge')).status, 200);
  const before1 = dump();
  const cases = [
    ['decline', {}, 'reason', 'validation_failed'],
    ['decline', { reason: 'x', note: 'y' }, 'note', 'unknown_field'],
    ['release', { released_at: 'yesterday', notice_given: true },
      'released_at', 'validation_failed'],
    ['release', { released_at: '2020-01-13T16:00:00Z' }, 'notice_given',
      'validation_failed'],
    ['release', { released_at: '2020-01-13T16:00:00Z', notice_given: 'no' },
      'notice_given', 'validation_failed'],
    ['honor', { state: 'honored' }, 'state', 'unknown_field'],
  ];
  for (const [action, body, field, code] of cases) {
    const r = await act(bookingA, d, action, body);
    assert.equal(r.status, 400, `${action} ${field}: ${r.text}`);
    assert.equal(r.json.code, code);
    assert.equal(r.json.field, field);
  }
  const creates = [
    [{ facility_id: facilityA.id, form: 'I-247A', basis: 'final_order' },
      'person_id', 'validation_failed'],
    [{ person_id: 'AAAAAAAAAAAAAAAAAAAAAA', facility_id: facilityA.id,
      form: 'I-247A', basis: 'final_order' }, 'person_id',
    'validation_failed'],
    [{ person_id: person.id, facility_id: 'AAAAAAAAAAAAAAAAAAAAAA',
      form: 'I-247A', basis: 'final_order' }, 'facility_id',
    'validation_failed'],
    [{ person_id: person.id, facility_id: facilityA.id, form: 'I-247X',
      basis: 'final_order' }, 'form', 'validation_failed'],
    [{ person_id: person.id, facility_id: facilityA.id, form: 'I-247A',
      basis: 'hunch' }, 'basis', 'validation_failed'],
    [{ person_id: person.id, facility_id: facilityA.id, form: 'I-247A',
      basis: 'final_order', state: 'honored' }, 'state', 'forbidden_field'],
  ];
  for (const [body, field, code] of creates) {
    const r = await officer.post('/api/v1/detainers', body);
    assert.equal(r.status, 400, `${field}: ${r.text}`);
    assert.equal(r.json.code, code);
    assert.equal(r.json.field, field);
  }
  assert.equal(dump(), before1);
  const r = await bookingA.post('/api/v1/detainers', {
    person_id: person.id, facility_id: facilityA.id, form: 'I-247A',
    basis: 'final_order' });
  assert.equal(r.status, 403);
});

test('two concurrent actions on one detainer: exactly one wins', async () => {
  for (let i = 0; i < 3; i++) {
    const d = await lodge();
    const rs = await Promise.all([
      act(bookingA, d, 'acknowledge'),
      act(bookingA, d, 'acknowledge'),
    ]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409],
      rs.map((r) => r.text).join('\n'));
    const loser = rs.find((r) => r.status === 409);
    assert.equal(loser.json.code, 'state_conflict');
    const g = await officer.get(`/api/v1/detainers/${d.id}`);
    const h = await officer.get(`/api/v1/detainers/${d.id}/history`);
    assert.equal(g.json.version, 2);
    assert.deepEqual(h.json.items.map((e) => e.action),
      ['create', 'acknowledge']);
  }
});

test('Idempotency-Key, filters and paging', async () => {
  const body = { person_id: person.id, facility_id: facilityB.id,
    form: 'I-247A', basis: 'biometric_match', hold_rule: '48h-clock' };
  const h = { 'Idempotency-Key': 'lodge-boulder-1' };
  const r1 = await officer.post('/api/v1/detainers', body, h);
  assert.equal(r1.status, 201, r1.text);
  const r2 = await officer.post('/api/v1/detainers', body, h);
  assert.equal(r2.status, 201);
  assert.equal(r2.json.id, r1.json.id);
  const r3 = await officer.post('/api/v1/detainers',
    { ...body, basis: 'statements' }, h);
  assert.equal(r3.status, 422);
  let r = await officer.get(`/api/v1/detainers?facility_id=${facilityB.id}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [r1.json.id]);
  assert.equal(r.json.items[0].hold_rule, '48h-clock');
  r = await officer.get(`/api/v1/detainers?number=${r1.json.number}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [r1.json.id], r.text);
  r = await officer.get('/api/v1/detainers?number=DET-1999-999999');
  assert.deepEqual(r.json.items, [], r.text);

  r = await officer.get('/api/v1/detainers?state=released,cancelled');
  assert.deepEqual([...new Set(r.json.items.map((x) => x.state))].sort(),
    ['cancelled', 'released']);
  r = await officer.get('/api/v1/detainers?state=pending');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'state');

  // Walk every page of two: no detainer twice, none missing.
  const all = (await officer.get('/api/v1/detainers?limit=500')).json.items;
  const seen = [];
  let cursor = null;
  do {
    const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    r = await officer.get(`/api/v1/detainers?limit=2${q}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items.map((x) => x.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all.map((x) => x.id));
  assert.equal(new Set(seen).size, seen.length);
  r = await officer.get('/api/v1/detainers?cursor=garbage');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'cursor');
});

// Last: it moves the clock ten days on.
test('honor, the hold clock over MLK Day, over-detention, transfer',
  async () => {
    const d = await lodge();
    assert.equal((await act(bookingA, d, 'acknowledge')).status, 200);
    let r = await act(bookingA, d, 'honor');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'honored');
    // Friday 17 January 2020 15:00 in Denver (MST, UTC-7) is 22:00 UTC.
    r = await act(bookingA, d, 'set_release_time',
      { otherwise_release_at: '2020-01-17T15:00:00-07:00' });
    assert.equal(r.status, 200, r.text);
    // 48 hours counted on working days only (8 CFR 287.7(d)): Friday
    // 15:00-24:00 is 9 hours; Saturday 18 and Sunday 19 are the weekend;
    // Monday 20 January 2020 was Martin Luther King Jr. Day (3rd Monday of
    // January 2020: the 6th, 13th, 20th); Tuesday 21 counts 24 hours (33);
    // the last 15 end Wednesday 22 January at 15:00 MST = 22:00 UTC.
    assert.equal(r.json.otherwise_release_at, '2020-01-17T22:00:00Z');
    assert.equal(r.json.max_hold_until, '2020-01-22T22:00:00Z');
    assert.equal(r.json.deadlines.hold_max.due, '2020-01-22T22:00:00Z');
    assert.equal(r.json.deadlines.hold_max.rule,
      '48h-excluding-weekends-holidays');
    assert.ok(r.json.deadlines.hold_max.explain.some(
      (l) => /Martin Luther King/.test(l)), r.json.deadlines.hold_max.explain);
    assert.equal(r.json.over_detention, false);

    // The clock starts once.
    r = await act(bookingA, d, 'set_release_time',
      { otherwise_release_at: '2020-01-18T15:00:00-07:00' });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.code, 'guard_failed');
    assert.equal(r.json.field, 'hold_clock_already_started');

    // Still held on Thursday 23 January, past the maximum. (Ten days on,
    // every session has expired: log in again.)
    server.setClock(Date.UTC(2020, 0, 23, 17, 0, 0) * 1000);
    assert.equal((await officer.login('officer@agency.test')).status, 201);
    r = await officer.get(`/api/v1/detainers/${d.id}`);
    assert.equal(r.json.over_detention, true);

    // The officer observes the transfer of custody.
    r = await act(officer, d, 'transfer',
      { transferred_at: '2020-01-23T16:00:00Z' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'transferred');
    assert.equal(r.json.outcome_source, 'observed');
    assert.equal(r.json.transferred_at, '2020-01-23T16:00:00Z');
    assert.equal(r.json.over_detention, false);
  });
