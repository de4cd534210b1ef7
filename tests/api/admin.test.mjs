// admin.test.mjs: the administration resources over real HTTP:
// organizations, facilities, jurisdiction policies, delegations of
// subpoena authority, calendars with closures and state holidays, and how
// a closure or a state holiday changes a deadline computed afterwards.
//
// Expected dates come from published calendars, reasoned out in comments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, dumpDatabase, PASSWORD,
} from './harness.mjs';
import { uploadDocument } from './world.mjs';

// The server's clock: Sunday 1 March 2020, 12:00 in Denver (19:00 UTC).
const NOW_US = Date.UTC(2020, 2, 1, 19, 0, 0) * 1000;

let server;
let admin; // the administrator made by `compel init`
let officer; // an officer of the agency office (no admin role)
let agencyId; // the agency office made by `compel init`
let jurisdiction; // created below; every test after that uses it
let chicagoId; // a second agency office
let signerId; // a signer of the first office, with a delegation

// A refused request changes nothing but the session's bookkeeping (last
// seen); a refusal for lack of a role is also audited (`audit`).
const snapshot = (except = ['sessions']) => dumpDatabase(server, { except });

before(async () => {
  server = await startServer({ clock: NOW_US });
  admin = await adminClient(server);
  agencyId = admin.user.org.id;
  const r = await admin.post('/api/v1/users', {
    email: 'officer@agency.test', name: 'Olive Officer', org_id: agencyId,
    roles: ['officer'], password: PASSWORD,
  });
  assert.equal(r.status, 201, r.text);
  officer = server.client();
  assert.equal((await officer.login('officer@agency.test')).status, 201);
});

after(async () => { await server.stop(); });

// Move the server's clock one second on, so creations are ordered.
let clock = NOW_US;
function tick() {
  clock += 1000000;
  server.setClock(clock);
}

// Assert a problem answer: status, code and the field it names.
function assertProblem(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  assert.equal(r.json.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.field, field, r.text);
}

test('organizations of each kind are created, listed and read', async () => {
  const j = await admin.post('/api/v1/orgs', {
    kind: 'jurisdiction', name: 'Denver County', state: 'CO',
    timezone: 'America/Denver',
  });
  assert.equal(j.status, 201, j.text);
  assert.equal(j.json.kind, 'jurisdiction');
  assert.equal(j.json.name, 'Denver County');
  assert.equal(j.json.state, 'CO');
  assert.equal(j.json.timezone, 'America/Denver');
  assert.equal(j.json.version, 1);
  assert.equal(j.json.created_at, '2020-03-01T19:00:00Z');
  assert.equal(j.headers.get('etag'), '"1"');
  // A jurisdiction gets its own calendar for the state's holidays.
  assert.equal(typeof j.json.calendar_id, 'string');
  jurisdiction = j.json;

  tick();
  const a = await admin.post('/api/v1/orgs', {
    kind: 'agency_office', name: 'Chicago Field Office', state: 'IL',
    timezone: 'America/Chicago', requires_counsel_review: true,
  });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.requires_counsel_review, true);
  chicagoId = a.json.id;
  assert.equal('calendar_id' in a.json, false);

  tick();
  const d = await admin.post('/api/v1/orgs', {
    kind: 'doj_office', name: 'U.S. Attorney, District of Colorado',
    state: 'CO', timezone: 'America/Denver',
  });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.kind, 'doj_office');

  const one = await officer.get(`/api/v1/orgs/${jurisdiction.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.json, jurisdiction);
  assert.equal(one.headers.get('etag'), '"1"');

  const all = await officer.get('/api/v1/orgs');
  assert.equal(all.status, 200);
  assert.equal(all.json.next_cursor, null);
  const names = all.json.items.map((o) => o.name);
  // Listed in creation order (the clock moved a second between them); the
  // office made by `compel init` is there too.
  assert.deepEqual(names.filter((n) => n !== 'Agency Field Office'), [
    'Denver County', 'Chicago Field Office',
    'U.S. Attorney, District of Colorado']);
  assert.ok(names.includes('Agency Field Office'));

  const juris = await officer.get('/api/v1/orgs?kind=jurisdiction');
  assert.deepEqual(juris.json.items.map((o) => o.id), [jurisdiction.id]);

  // Paging: two, then the other two, together the whole list.
  const p1 = await officer.get('/api/v1/orgs?limit=2');
  assert.equal(p1.json.items.length, 2);
  assert.equal(typeof p1.json.next_cursor, 'string');
  const p2 = await officer.get(
    `/api/v1/orgs?limit=2&cursor=${encodeURIComponent(p1.json.next_cursor)}`);
  assert.equal(p2.json.next_cursor, null);
  assert.deepEqual([...p1.json.items, ...p2.json.items].map((o) => o.id),
    all.json.items.map((o) => o.id));

  assertProblem(await officer.get('/api/v1/orgs?kind=county'), 400,
    'validation_failed', 'kind');
  assertProblem(await officer.get('/api/v1/orgs?cursor=not-a-cursor'), 400,
    'validation_failed', 'cursor');
  assertProblem(await officer.get('/api/v1/orgs?limit=0'), 400,
    'validation_failed', 'limit');
  assertProblem(await officer.get('/api/v1/orgs/AAAAAAAAAAAAAAAAAAAAAA'),
    404, 'not_found');
});

test('a bad organization gets a 400 naming the field and changes nothing',
  async () => {
    const good = {
      kind: 'jurisdiction', name: 'Adams County', state: 'CO',
      timezone: 'America/Denver',
    };
    const cases = [
      [{ ...good, kind: undefined }, 'validation_failed', 'kind'],
      [{ ...good, kind: 'county' }, 'validation_failed', 'kind'],
      [{ ...good, name: '' }, 'validation_failed', 'name'],
      [{ ...good, name: 7 }, 'validation_failed', 'name'],
      [{ ...good, state: 'Colorado' }, 'validation_failed', 'state'],
      [{ ...good, state: 'XX' }, 'validation_failed', 'state'],
      [{ ...good, timezone: 'Mars/Olympus_Mons' }, 'validation_failed',
        'timezone'],
      [{ ...good, timezone: '../../etc/passwd' }, 'validation_failed',
        'timezone'],
      [{ ...good, requires_counsel_review: true }, 'validation_failed',
        'requires_counsel_review'],
      [{ ...good, color: 'blue' }, 'unknown_field', 'color'],
      [{ ...good, id: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'forbidden_field', 'id'],
      [{ ...good, version: 3 }, 'forbidden_field', 'version'],
    ];
    const before = snapshot();
    for (const [body, code, field] of cases) {
      const r = await admin.post('/api/v1/orgs', body);
      assertProblem(r, 400, code, field);
    }
    assertProblem(await admin.post('/api/v1/orgs', '{"kind":'), 400,
      'malformed_json');
    assert.equal(snapshot(), before);
  });

test('the same organization twice is a 409', async () => {
  const r = await admin.post('/api/v1/orgs', {
    kind: 'jurisdiction', name: 'Denver County', state: 'CO',
    timezone: 'America/Denver',
  });
  assertProblem(r, 409, 'already_exists', 'name');
});

test('Idempotency-Key replays POST /orgs and refuses another body',
  async () => {
    const body = {
      kind: 'jurisdiction', name: 'Boulder County', state: 'CO',
      timezone: 'America/Denver',
    };
    const key = { 'Idempotency-Key': 'create-boulder-county-1' };
    const first = await admin.post('/api/v1/orgs', body, key);
    assert.equal(first.status, 201, first.text);
    const count = (await admin.get('/api/v1/orgs?limit=500')).json.items.length;
    const before = snapshot();
    const again = await admin.post('/api/v1/orgs', body, key);
    assert.equal(again.status, 201);
    assert.deepEqual(again.json, first.json);
    assert.equal(snapshot(), before);
    assert.equal((await admin.get('/api/v1/orgs?limit=500')).json.items.length,
      count);
    const other = await admin.post('/api/v1/orgs',
      { ...body, name: 'Larimer County' }, key);
    assertProblem(other, 422, 'idempotency_conflict');
    assert.equal(snapshot(), before);
  });

test('facilities belong to jurisdictions', async () => {
  const f1 = await admin.post(`/api/v1/orgs/${jurisdiction.id}/facilities`,
    { name: 'Denver County Jail' });
  assert.equal(f1.status, 201, f1.text);
  assert.equal(f1.json.org_id, jurisdiction.id);
  // Without a zone of its own it runs on its jurisdiction's.
  assert.equal(f1.json.timezone, 'America/Denver');
  tick();
  const f2 = await admin.post(`/api/v1/orgs/${jurisdiction.id}/facilities`,
    { name: 'Downtown Detention Center', timezone: 'America/Denver' });
  assert.equal(f2.status, 201, f2.text);

  const before = snapshot();
  assertProblem(await admin.post(`/api/v1/orgs/${agencyId}/facilities`,
    { name: 'Field Office Holding Room' }), 422, 'guard_failed',
  'facility_needs_jurisdiction');
  assertProblem(await admin.post(
    '/api/v1/orgs/AAAAAAAAAAAAAAAAAAAAAA/facilities', { name: 'Nowhere' }),
  404, 'not_found');
  assertProblem(await admin.post(`/api/v1/orgs/${jurisdiction.id}/facilities`,
    { name: 'Annex', timezone: 'America/Nowhere' }), 400,
  'validation_failed', 'timezone');
  assertProblem(await admin.post(`/api/v1/orgs/${jurisdiction.id}/facilities`,
    { name: 'Annex', org_id: agencyId }), 400, 'forbidden_field', 'org_id');
  assertProblem(await admin.post(`/api/v1/orgs/${jurisdiction.id}/facilities`,
    { name: 'Denver County Jail' }), 409, 'already_exists', 'name');
  assert.equal(snapshot(), before);

  const mine = await officer.get(
    `/api/v1/facilities?org_id=${jurisdiction.id}`);
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.json.items.map((f) => f.name),
    ['Denver County Jail', 'Downtown Detention Center']);
  const all = await officer.get('/api/v1/facilities');
  assert.deepEqual(all.json.items.map((f) => f.id), [f1.json.id, f2.json.id]);
  assertProblem(await officer.get('/api/v1/facilities?org_id=bad'), 400,
    'validation_failed', 'org_id');
});

test('policies form a history of versions and are never edited',
  async () => {
    const path = `/api/v1/orgs/${jurisdiction.id}/policies`;
    const v1 = await admin.post(path, {
      effective_from: '2019-06-01', detainers: 'decline',
      release_notification: false, subpoenas: 'court_order_only',
      citation: 'County Ordinance 1 (test data)',
      summary: 'No detainer holds without a judicial warrant.',
    });
    assert.equal(v1.status, 201, v1.text);
    assert.equal(v1.json.version_no, 1);
    // Today (1 March 2020) it is the only version, so it is in force.
    assert.equal(v1.json.in_force, true);
    tick();
    const v2 = await admin.post(path, {
      effective_from: '2020-01-15', detainers: 'criteria',
      release_notification: true, subpoenas: 'review',
      citation: 'County Ordinance 2 (test data)',
      summary: 'Release notification to ICE for listed offenses.',
    });
    assert.equal(v2.status, 201, v2.text);
    assert.equal(v2.json.version_no, 2);
    // A version that starts next year is recorded but not yet in force.
    tick();
    const v3 = await admin.post(path, {
      effective_from: '2021-01-01', detainers: 'decline',
      release_notification: false, subpoenas: 'court_order_only',
      citation: 'County Ordinance 3 (test data)', summary: 'Next year.',
    });
    assert.equal(v3.status, 201, v3.text);
    assert.equal(v3.json.in_force, false);

    const list = await officer.get(path);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.items.map((p) => p.version_no), [1, 2, 3]);
    assert.deepEqual(list.json.items.map((p) => p.in_force),
      [false, true, false]);
    assert.equal(list.json.in_force_id, v2.json.id);
    assert.equal(list.json.items[0].detainers, 'decline');
    assert.equal(list.json.items[1].release_notification, true);

    const before = snapshot();
    for (const method of ['PATCH', 'PUT', 'DELETE']) {
      const r = await admin.req(method, path, { detainers: 'honor' });
      assert.equal(r.status, 405, `${method}: ${r.text}`);
      assert.match(r.headers.get('allow'), /GET/);
    }
    const bad = [
      [{ effective_from: '2020-02-30' }, 'effective_from'],
      [{ detainers: 'sometimes' }, 'detainers'],
      [{ subpoenas: 'never' }, 'subpoenas'],
      [{ release_notification: 'yes' }, 'release_notification'],
      [{ citation: '' }, 'citation'],
    ];
    const good = {
      effective_from: '2020-06-01', detainers: 'honor',
      release_notification: true, subpoenas: 'comply',
      citation: 'x', summary: 'y',
    };
    for (const [change, field] of bad) {
      assertProblem(await admin.post(path, { ...good, ...change }), 400,
        'validation_failed', field);
    }
    assertProblem(await admin.post(path, { ...good, version_no: 9 }), 400,
      'forbidden_field', 'version_no');
    assertProblem(await admin.post(`/api/v1/orgs/${agencyId}/policies`, good),
      422, 'guard_failed', 'policy_needs_jurisdiction');
    assert.equal(snapshot(), before);
    assert.equal((await officer.get(path)).json.items.length, 3);
  });

test('delegations are recorded for signers only', async () => {
  const signer = await admin.post('/api/v1/users', {
    email: 'signer@agency.test', name: 'Sam Signer', org_id: agencyId,
    roles: ['signer'], title: 'Supervisory Detention and Deportation Officer',
    password: PASSWORD,
  });
  assert.equal(signer.status, 201, signer.text);
  signerId = signer.json.id;
  // The instrument of the delegation is on file first (docs/documents.md).
  const doc = await uploadDocument(admin, null, 'delegation');
  const r = await admin.post('/api/v1/delegations', {
    user_id: signer.json.id,
    authority: 'Delegation Order 7030.2 (8 CFR 2.1), Field Office Director',
    effective_from: '2020-01-01', effective_to: '2020-12-31',
    document_id: doc,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.user_id, signer.json.id);
  assert.equal(r.json.effective_to, '2020-12-31');
  assert.equal(r.json.document_id, doc);

  const list = await officer.get(
    `/api/v1/delegations?user_id=${signer.json.id}`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((d) => d.id), [r.json.id]);

  const before = snapshot();
  assertProblem(await admin.post('/api/v1/delegations', {
    user_id: officer.user.id, authority: 'Delegation Order 7030.2',
    effective_from: '2020-01-01',
  }), 422, 'guard_failed', 'delegate_must_be_signer');
  assertProblem(await admin.post('/api/v1/delegations', {
    user_id: signer.json.id, authority: 'Delegation Order 7030.2',
    effective_from: '2020-06-01', effective_to: '2020-05-31',
  }), 400, 'validation_failed', 'effective_to');
  assertProblem(await admin.post('/api/v1/delegations', {
    user_id: 'AAAAAAAAAAAAAAAAAAAAAA', authority: 'Delegation Order 7030.2',
    effective_from: '2020-01-01',
  }), 400, 'validation_failed', 'user_id');
  assertProblem(await admin.post('/api/v1/delegations', {
    user_id: signer.json.id, effective_from: '2020-01-01',
  }), 400, 'validation_failed', 'authority');
  assert.equal(snapshot(), before);
  assert.equal((await officer.get(
    `/api/v1/delegations?user_id=${signer.json.id}`)).json.items.length, 1);
  assertProblem(await officer.get('/api/v1/delegations'), 400,
    'validation_failed', 'user_id');
});

test('non-admins get 403 on every write and change nothing', async () => {
  const before = snapshot(['sessions', 'audit']);
  const writes = [
    ['/api/v1/orgs', { kind: 'jurisdiction', name: 'Weld County',
      state: 'CO', timezone: 'America/Denver' }],
    [`/api/v1/orgs/${jurisdiction.id}/facilities`, { name: 'Annex' }],
    [`/api/v1/orgs/${jurisdiction.id}/policies`, {
      effective_from: '2020-06-01', detainers: 'honor',
      release_notification: true, subpoenas: 'comply', citation: 'x',
      summary: 'y' }],
    ['/api/v1/delegations', { user_id: officer.user.id, authority: 'x',
      effective_from: '2020-01-01' }],
    ['/api/v1/calendars/federal/closures', { date: '2020-12-24',
      name: 'Christmas Eve', source: 'Executive Order 13960' }],
    [`/api/v1/calendars/${jurisdiction.calendar_id}/holidays`, {
      kind: 'fixed', month: 3, day: 31, name: 'Cesar Chavez Day' }],
  ];
  for (const [path, body] of writes) {
    assertProblem(await officer.post(path, body), 403, 'forbidden');
  }
  assert.equal(snapshot(['sessions', 'audit']), before);
  // Reading is open to every logged-in user.
  assert.equal((await officer.get('/api/v1/calendars')).status, 200);
  const anon = server.client();
  assert.equal((await anon.get('/api/v1/orgs')).status, 401);
});

test('a closure on the federal calendar moves a deadline', async () => {
  const cal0 = await officer.get('/api/v1/calendars/federal');
  assert.equal(cal0.status, 200);
  const v0 = cal0.json.version;
  // 14 days after Tuesday 10 December 2019 is Tuesday 24 December 2019,
  // a working day on the statutory calendar (5 U.S.C. 6103).
  const q = '/api/v1/deadline?from=2019-12-10&days=14&rule=frcp6-days'
    + '&calendar=federal';
  const d0 = await officer.get(q);
  assert.equal(d0.status, 200, d0.text);
  assert.equal(d0.json.due, '2019-12-24');

  // Executive Order 13900 (December 2019) closed executive departments
  // on Tuesday 24 December 2019; Wednesday 25 is Christmas Day, so the
  // period runs to Thursday 26 December 2019.
  const c = await admin.post('/api/v1/calendars/federal/closures', {
    date: '2019-12-24', name: 'Christmas Eve',
    source: 'Executive Order 13900',
  });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.calendar_version, v0 + 1);
  assert.equal(c.json.date, '2019-12-24');

  const cal1 = await officer.get('/api/v1/calendars/federal');
  assert.equal(cal1.json.version, v0 + 1);
  assert.equal(cal1.headers.get('etag'), `"${v0 + 1}"`);
  assert.deepEqual(cal1.json.closures.map((x) => [x.date, x.name, x.source,
    x.calendar_version]),
    [['2019-12-24', 'Christmas Eve', 'Executive Order 13900', v0 + 1]]);

  const d1 = await officer.get(q);
  assert.equal(d1.json.due, '2019-12-26');
  assert.ok(d1.json.calendar_version > d0.json.calendar_version);
  assert.ok(d1.json.explain.some((l) => l.includes('Executive Order 13900')),
    d1.text);

  const before = snapshot();
  assertProblem(await admin.post('/api/v1/calendars/federal/closures', {
    date: '2019-12-24', name: 'Again', source: 'x' }), 409,
  'already_exists', 'date');
  assertProblem(await admin.post('/api/v1/calendars/federal/closures', {
    date: '2019-12-32', name: 'Bad', source: 'x' }), 400,
  'validation_failed', 'date');
  assertProblem(await admin.post('/api/v1/calendars/federal/closures', {
    date: '2019-12-31', name: 'No source' }), 400, 'validation_failed',
  'source');
  assertProblem(await admin.post(
    '/api/v1/calendars/AAAAAAAAAAAAAAAAAAAAAA/closures',
    { date: '2019-12-31', name: 'x', source: 'x' }), 404, 'not_found');
  assert.equal(snapshot(), before);
});

test('a state holiday on a jurisdiction calendar moves its deadlines',
  async () => {
    const calPath = `/api/v1/calendars/${jurisdiction.calendar_id}`;
    const list = await officer.get('/api/v1/calendars');
    assert.ok(list.json.items.some((c) => c.id === jurisdiction.calendar_id
      && c.kind === 'state' && c.org_id === jurisdiction.id));
    assert.ok(list.json.items.some((c) => c.kind === 'federal'));

    // 14 days after Monday 21 September 2020 is Monday 5 October 2020,
    // a federal working day (Columbus Day 2020 was the 2nd Monday,
    // 12 October).
    const q = '/api/v1/deadline?from=2020-09-21&days=14&rule=frcp6-days'
      + `&calendar=${jurisdiction.calendar_id}`;
    const d0 = await officer.get(q);
    assert.equal(d0.status, 200, d0.text);
    assert.equal(d0.json.due, '2020-10-05');

    // Colorado's Frances Xavier Cabrini Day (C.R.S. 24-11-101(1), from
    // 2020) is the first Monday in October: 5 October 2020. Counted on the
    // county's calendar the period runs to Tuesday 6 October 2020.
    const h = await admin.post(`${calPath}/holidays`, {
      kind: 'nth_weekday', month: 10, weekday: 'monday', nth: 1,
      name: 'Frances Xavier Cabrini Day', source: 'C.R.S. 24-11-101(1)',
    });
    assert.equal(h.status, 201, h.text);
    assert.equal(h.json.kind, 'nth_weekday');
    assert.equal(h.json.weekday, 'monday');
    const d1 = await officer.get(q);
    assert.equal(d1.json.due, '2020-10-06');
    assert.ok(d1.json.calendar_version > d0.json.calendar_version);
    // The federal calendar is unchanged by a county's holiday.
    const fed = await officer.get(
      '/api/v1/deadline?from=2020-09-21&days=14&calendar=federal');
    assert.equal(fed.json.due, '2020-10-05');

    const year = await officer.get(`${calPath}?year=2020`);
    assert.equal(year.status, 200, year.text);
    assert.deepEqual(year.json.holidays.find((x) => x.date === '2020-10-05'),
      { date: '2020-10-05', name: 'Frances Xavier Cabrini Day' });
    // ... next to the federal ones: Independence Day 2020 was observed on
    // Friday 3 July (4 July was a Saturday).
    assert.ok(year.json.holidays.some((x) => x.date === '2020-07-03'));
    assert.equal(year.json.state_holidays.length, 1);

    const before = snapshot();
    const bad = [
      [{ kind: 'fixed', month: 3, name: 'No day' }, 'day'],
      [{ kind: 'fixed', month: 2, day: 30, name: 'February 30' }, 'day'],
      [{ kind: 'fixed', month: 13, day: 1, name: 'Month 13' }, 'month'],
      [{ kind: 'fixed', month: 3, day: 31, weekday: 'monday', name: 'x' },
        'weekday'],
      [{ kind: 'nth_weekday', month: 10, weekday: 'monday', nth: 6,
        name: 'x' }, 'nth'],
      [{ kind: 'last_weekday', month: 5, weekday: 'funday', name: 'x' },
        'weekday'],
      [{ kind: 'dated', name: 'No date' }, 'date'],
      [{ kind: 'weekly', name: 'x' }, 'kind'],
      [{ kind: 'dated', date: '2020-11-27' }, 'name'],
    ];
    for (const [body, field] of bad) {
      assertProblem(await admin.post(`${calPath}/holidays`, body), 400,
        'validation_failed', field);
    }
    assertProblem(await admin.post('/api/v1/calendars/federal/holidays', {
      kind: 'dated', date: '2020-11-27', name: 'Day after Thanksgiving' }),
    422, 'guard_failed', 'federal_holidays_are_statutory');
    assertProblem(await officer.get(`${calPath}?year=20x0`), 400,
      'validation_failed', 'year');
    assert.equal(snapshot(), before);
  });

test('writes and out-of-scope reads are on the audit trail', async () => {
  // An officer of another agency office may not see this office's
  // delegations: the answer is the one for an unknown user.
  const r = await admin.post('/api/v1/users', {
    email: 'officer@chicago.test', name: 'Carl Chicago', org_id: chicagoId,
    roles: ['officer'], password: PASSWORD,
  });
  assert.equal(r.status, 201, r.text);
  const other = server.client();
  assert.equal((await other.login('officer@chicago.test')).status, 201);
  const hidden = await other.get(`/api/v1/delegations?user_id=${signerId}`);
  const unknown = await other.get(
    '/api/v1/delegations?user_id=AAAAAAAAAAAAAAAAAAAAAA');
  assertProblem(hidden, 404, 'not_found', 'user_id');
  assert.deepEqual(hidden.json, unknown.json);

  const a = await admin.post('/api/v1/users', {
    email: 'auditor@agency.test', name: 'Ada Auditor', org_id: agencyId,
    roles: ['auditor'], password: PASSWORD,
  });
  assert.equal(a.status, 201, a.text);
  const auditor = server.client();
  assert.equal((await auditor.login('auditor@agency.test')).status, 201);
  const trail = async (object) => {
    const t = await auditor.get(`/api/v1/audit?object=${object}&limit=500`);
    assert.equal(t.status, 200, t.text);
    return t.json.items.map((e) => `${e.action}:${e.outcome}`);
  };
  assert.deepEqual(await trail(jurisdiction.id), ['org.create:ok']);
  assert.ok((await trail(jurisdiction.calendar_id))
    .includes('calendar.holiday.create:ok'));
  assert.ok((await trail(signerId)).includes('delegation.list:not_found'));
  // The auditor, like the officer, sees every user's delegations.
  const seen = await auditor.get(`/api/v1/delegations?user_id=${signerId}`);
  assert.equal(seen.status, 200, seen.text);
  assert.equal(seen.json.items.length, 1);
});
