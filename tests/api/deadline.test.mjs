// deadline.test.mjs: GET /api/v1/deadline over real HTTP: the published-
// calendar cases of the domain tests (tests/unit/test_deadline.c), the
// three hour clocks, and a 400 naming every bad parameter.
//
// Expected dates are reasoned from the published federal holiday calendar
// (5 U.S.C. 6103, OPM's holiday tables), never taken from the code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient } from './harness.mjs';

let server;
let client;

before(async () => {
  server = await startServer();
  client = await adminClient(server);
});

after(async () => { await server.stop(); });

const deadline = (query) => client.get(`/api/v1/deadline?${query}`);

function assertBad(r, field) {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.code, 'validation_failed', r.text);
  assert.equal(r.json.field, field, r.text);
}

test('14 days after Monday 13 January 2020 is Monday 27 January', async () => {
  // Martin Luther King Jr. Day 2020 was Monday 20 January (3rd Monday of
  // January), inside the period, where FRCP 6(a)(1) counts it anyway;
  // 27 January 2020 was an ordinary Monday.
  const r = await deadline('from=2020-01-13&days=14&rule=frcp6-days'
    + '&direction=after&calendar=federal');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.due, '2020-01-27');
  assert.equal(r.json.rule, 'frcp6-days');
  assert.equal(r.json.calendar, 'federal');
  assert.equal(typeof r.json.calendar_version, 'number');
  assert.ok(Array.isArray(r.json.explain));
  assert.ok(r.json.explain.includes('trigger: Monday 2020-01-13'), r.text);
  assert.ok(r.json.explain.includes('due: Monday 2020-01-27'), r.text);
  // rule, direction and calendar default to frcp6-days, after, federal.
  const d = await deadline('from=2020-01-13&days=14');
  assert.equal(d.json.due, '2020-01-27');
  assert.equal(d.json.rule, 'frcp6-days');
});

test('a period ending on Friday 3 July 2020 runs to Monday 6 July',
  async () => {
    // 14 days after Friday 19 June 2020 is Friday 3 July 2020: Independence
    // Day observed, since 4 July 2020 was a Saturday (5 U.S.C. 6103(b));
    // Saturday 4 and Sunday 5 follow, so the period runs to Monday 6 July.
    const r = await deadline('from=2020-06-19&days=14&rule=frcp6-days');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.due, '2020-07-06');
    assert.ok(r.json.explain.some((l) => l.includes('Independence Day')),
      r.text);
  });

test('counting backward stops before the observed holiday', async () => {
  // 14 days before Friday 17 July 2020 is Friday 3 July (Independence Day
  // observed); FRCP 6(a)(5) moves back to Thursday 2 July 2020.
  const r = await deadline('from=2020-07-17&days=14&direction=before');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.due, '2020-07-02');
});

test('business days skip weekends and Martin Luther King Jr. Day',
  async () => {
    // From Monday 13 January 2020, ten business days: 14, 15, 16, 17 (4),
    // not 18-19 (weekend) nor Monday 20 (MLK Day, 3rd Monday of January),
    // 21, 22, 23, 24 (8), not 25-26, 27 (9), 28 (10): Tuesday 28 January.
    const r = await deadline('from=2020-01-13&days=10&rule=business-days');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.due, '2020-01-28');
  });

test('the three hour clocks from Friday 17 January 2020 15:00 in Denver',
  async () => {
    const from = 'from=2020-01-17T15:00:00&tz=America/Denver&hours=48';
    // 48 elapsed hours: Sunday 19 January 2020 15:00, MST (UTC-7).
    let r = await deadline(`${from}&rule=48h-clock`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.due, '2020-01-19T15:00:00-07:00');
    assert.equal(r.json.rule, '48h-clock');
    // FRCP 6(a)(2): ends Sunday 19, a weekend day; Monday 20 is MLK Day;
    // so the same time on Tuesday 21 January.
    r = await deadline(`${from}&rule=frcp6-hours`);
    assert.equal(r.json.due, '2020-01-21T15:00:00-07:00');
    // 8 CFR 287.7(d): hours on Saturday 18, Sunday 19 and Monday 20 (MLK
    // Day) do not count: 9 h Friday, 24 h Tuesday 21, 15 h Wednesday 22.
    r = await deadline(`${from}&rule=48h-excluding-weekends-holidays`);
    assert.equal(r.json.due, '2020-01-22T15:00:00-07:00');
    // The same trigger as an RFC 3339 instant: 15:00 MST is 22:00 UTC.
    r = await deadline('from=2020-01-17T22:00:00Z&tz=America/Denver'
      + '&hours=48&rule=48h-clock');
    assert.equal(r.json.due, '2020-01-19T15:00:00-07:00');
  });

test('a jurisdiction calendar is named by its id', async () => {
  const list = await client.get('/api/v1/calendars');
  const fed = list.json.items.find((c) => c.kind === 'federal');
  const r = await deadline(`from=2020-01-13&days=14&calendar=${fed.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.due, '2020-01-27');
  assert.equal(r.json.calendar_id, fed.id);
});

test("a jurisdiction's calendar: its own holidays count, and the explanation names it", async () => {
  const org = await client.post('/api/v1/orgs', { kind: 'jurisdiction',
    name: 'Alameda County', state: 'CA', timezone: 'America/Los_Angeles' });
  assert.equal(org.status, 201, org.text);
  const calId = org.json.calendar_id;
  // Cesar Chavez Day, 31 March, a California state holiday: Tuesday
  // 31 March 2020. 14 days after Tuesday 17 March 2020 is Tuesday
  // 31 March; on this calendar that day is closed, so the period rolls
  // over to Wednesday 1 April (FRCP 6(a)(1)(C)).
  const h = await client.post(`/api/v1/calendars/${calId}/holidays`, {
    kind: 'fixed', month: 3, day: 31, name: 'Cesar Chavez Day' });
  assert.equal(h.status, 201, h.text);
  const fed = await deadline('from=2020-03-17&days=14&calendar=federal');
  assert.equal(fed.json.due, '2020-03-31', fed.text);
  const r = await deadline(`from=2020-03-17&days=14&calendar=${calId}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.due, '2020-04-01', r.text);
  assert.equal(r.json.calendar, 'Alameda County', r.text);
  assert.ok(r.json.explain.includes(
    `calendar: Alameda County version ${r.json.calendar_version}`), r.text);
});

test('every bad parameter is a 400 naming it', async () => {
  const cases = [
    ['days=14', 'from'],
    ['from=2020-02-30&days=14', 'from'],
    ['from=13/01/2020&days=14', 'from'],
    ['from=2020-01-13', 'days'],
    ['from=2020-01-13&days=abc', 'days'],
    ['from=2020-01-13&days=-1', 'days'],
    ['from=2020-01-13&days=99999999', 'days'],
    ['from=2020-01-13&days=14&rule=frcp7-days', 'rule'],
    ['from=2020-01-13&days=14&rule=48h-clock', 'rule'],
    ['from=2020-01-13&days=14&direction=sideways', 'direction'],
    ['from=2020-01-13&days=14&calendar=no-such-calendar', 'calendar'],
    ['from=2020-01-13&days=14&tz=America/Denver', 'tz'],
    ['from=2020-01-17T15:00:00&hours=48&rule=48h-clock', 'tz'],
    ['from=2020-01-17T15:00:00&tz=Mars/Olympus_Mons&hours=48&rule=48h-clock',
      'tz'],
    ['from=2020-01-17T15:00:00&tz=../../etc/passwd&hours=48&rule=48h-clock',
      'tz'],
    ['from=2020-01-17T15:00:00&tz=America/Denver&hours=x&rule=48h-clock',
      'hours'],
    ['from=2020-01-17T15:00:00&tz=America/Denver&hours=48', 'rule'],
    ['from=2020-01-17T15:00:00&tz=America/Denver&hours=48&rule=frcp6-days',
      'rule'],
    ['from=2020-01-17&tz=America/Denver&hours=48&rule=48h-clock', 'from'],
    ['from=2020-01-17T15:00:00&tz=America/Denver&hours=48&rule=48h-clock'
      + '&direction=before', 'direction'],
  ];
  for (const [query, field] of cases) {
    assertBad(await deadline(query), field);
  }
});

test('only a logged-in user may ask', async () => {
  const anon = server.client();
  const r = await anon.get('/api/v1/deadline?from=2020-01-13&days=14');
  assert.equal(r.status, 401);
});
