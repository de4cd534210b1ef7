// imports.test.mjs: bulk import over HTTP (POST /api/v1/imports/{kind})
// and CSV answers of case lists (Accept: text/csv), end to end: an admin
// imports jurisdictions, facilities, people and detainers; importing the
// same file again creates nothing; a file with bad rows answers 422 with
// every bad row (line, column, reason) and changes nothing; a non-admin is
// refused; a filtered list exported as CSV has exactly the matching rows;
// export -> import -> export gives the same bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, dumpDatabase, PASSWORD } from './harness.mjs';

let server;
let admin;
let office;
let officer;

const csv = { 'Content-Type': 'text/csv' };

const jurisdictions = [
  'name,state,timezone',
  'Washington County,OR,America/Los_Angeles',
  'Washington County,UT,America/Denver',
  'Denver County,CO,America/Denver',
].join('\r\n') + '\r\n';

const facilities = [
  'jurisdiction,jurisdiction_state,name',
  'Washington County,OR,Washington County Jail',
  'Denver County,CO,Downtown Detention Center',
].join('\n') + '\n';

const people = [
  'external_ref,family_name,given_names,date_of_birth,a_number,aliases',
  'P-1,Doe,Jane,1980-02-29,A-012-345-678,Jane D; J. Doe',
  'P-2,Roe,"Richard ""Dick""",,,',
].join('\n') + '\n';

// 2024-01-02T10:00:00-07:00 is 17:00Z; acknowledged two hours later.
const detainers = [
  'external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,' +
    'state,lodged_at,acknowledged_at,decided_at,outcome_source,decline_reason',
  'D-1,P-1,Washington County,OR,Washington County Jail,final_order,lodged,' +
    '2024-03-05T14:30:00Z,,,,',
  'D-2,P-2,Denver County,CO,Downtown Detention Center,statements,declined,' +
    '2024-01-02T10:00:00-07:00,2024-01-02T19:00:00Z,2024-01-03T09:00:00Z,' +
    'reported,"policy, sanctuary"',
].join('\n') + '\n';

before(async () => {
  server = await startServer();
  admin = await adminClient(server);
  const me = await admin.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  office = me.json.org_id ?? me.json.org?.id;
  assert.ok(office, me.text);
  const u = await admin.post('/api/v1/users', {
    email: 'officer@imports.test', name: 'Officer', org_id: office,
    roles: ['officer'], password: PASSWORD,
  });
  assert.equal(u.status, 201, u.text);
  officer = server.client();
  const l = await officer.login('officer@imports.test');
  assert.equal(l.status, 201, l.text);
});

after(async () => { await server?.stop(); });

test('an admin imports the four kinds; a second import creates nothing', async () => {
  const steps = [
    ['jurisdictions', jurisdictions, 3],
    ['facilities', facilities, 2],
    [`people?office=${office}`, people, 2],
    [`detainers?office=${office}`, detainers, 2],
  ];
  for (const [path, body, n] of steps) {
    const r = await admin.post(`/api/v1/imports/${path}`, body, csv);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, n, path);
    assert.equal(r.json.unchanged, 0, path);
  }
  for (const [path, body, n] of steps) {
    const r = await admin.post(`/api/v1/imports/${path}`, body, csv);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, 0, path);
    assert.equal(r.json.unchanged, n, path);
  }
  const list = await officer.get('/api/v1/detainers');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.items.length, 2);
  const declined = list.json.items.find((d) => d.state === 'declined');
  assert.equal(declined.decline_reason, 'policy, sanctuary');
  assert.equal(declined.outcome_source, 'reported');
});

test('a file with three bad rows answers 422 listing each; nothing changes', async () => {
  const bad = [
    'external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,' +
      'state,lodged_at',
    'D-10,P-1,Washington County,OR,Washington County Jail,final_order,lodged,' +
      '2024-03-05T14:30:00Z',
    'D-11,P-1,Washington County,OR,Washington County Jail,hunch,lodged,' +
      '2024-03-05T14:30:00Z',
    'D-12,P-404,Washington County,OR,Washington County Jail,final_order,' +
      'lodged,2024-03-05T14:30:00Z',
    'D-13,P-1,Washington County,OR,Washington County Jail,final_order,' +
      'lodged,March 5',
  ].join('\n') + '\n';
  const before = dumpDatabase(server, { except: ['audit', 'sessions'] });
  const r = await admin.post(`/api/v1/imports/detainers?office=${office}`,
    bad, csv);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.code, 'validation_failed');
  assert.equal(r.json.error_count, 3);
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.column]),
    [[3, 'basis'], [4, 'person_ref'], [5, 'lodged_at']]);
  for (const e of r.json.errors) assert.ok(e.reason.length > 0);
  assert.equal(dumpDatabase(server, { except: ['audit', 'sessions'] }),
    before);
});

test('an unknown column is named; a non-admin and a non-CSV body are refused', async () => {
  const r = await admin.post('/api/v1/imports/jurisdictions',
    'name,state,timezone,county_seat\nX,CO,America/Denver,Y\n', csv);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.errors[0].line, 1);
  assert.equal(r.json.errors[0].column, 'county_seat');
  const f = await officer.post('/api/v1/imports/jurisdictions',
    jurisdictions, csv);
  assert.equal(f.status, 403, f.text);
  const j = await admin.post('/api/v1/imports/jurisdictions', { name: 'x' });
  assert.equal(j.status, 415, j.text);
});

test('a filtered list as CSV has only the matching rows', async () => {
  const r = await officer.get('/api/v1/detainers?state=declined',
    { Accept: 'text/csv' });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const lines = r.text.trim().split('\r\n');
  assert.equal(lines.length, 2, r.text);
  assert.match(lines[0], /^number,external_ref,person_ref,/);
  assert.match(lines[1], /,D-2,P-2,Denver County,CO,/);
  assert.match(lines[1], /,declined,2024-01-02T17:00:00Z,/);
});

test('export -> import -> export gives the same bytes', async () => {
  const first = await officer.get('/api/v1/detainers', { Accept: 'text/csv' });
  assert.equal(first.status, 200, first.text);
  const imp = await admin.post(`/api/v1/imports/detainers?office=${office}`,
    first.text, csv);
  assert.equal(imp.status, 200, imp.text);
  assert.equal(imp.json.created, 0);
  assert.equal(imp.json.unchanged, 2);
  const second = await officer.get('/api/v1/detainers', { Accept: 'text/csv' });
  assert.equal(second.text, first.text);
});
