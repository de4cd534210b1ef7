// lifecycle.test.mjs: one story from detainer to purge, over HTTP, each
// step taken by the role that owns it in the right organization, checking
// the state, the caller's allowed_actions and the timeline at each step:
// a person; a detainer lodged at J1's jail, acknowledged, declined under
// the county's policy, released; a subpoena drafted, signed, served on
// Monday 13 January 2020 with 14 days, acknowledged, extended, answered in
// part (one item produced, one objected to on Tenth Amendment grounds),
// referred to DOJ office D1; the petition, an order to show cause, an
// order enforced in part with 14 days to comply, noncompliance past the
// compliance date (the injectable clock moves), a contempt motion, civil
// contempt per day, the accrued sanction, purge and close. At the end the
// audit chain verifies.
//
// Expected dates come from the published 2020 calendar, reasoned out where
// they are used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { buildWorld, must, noon, uploadDocument } from './world.mjs';

let server;
let w;
let u;
const story = {};

const history = async (c, kind, id) => {
  const r = await c.get(`/api/v1/${kind}/${id}/history`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((e) => e.action);
};
const get = async (c, kind, id) => {
  const r = await c.get(`/api/v1/${kind}/${id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), `"${r.json.version}"`);
  return r.json;
};
const sorted = (a) => [...a].sort();

before(async () => {
  // Monday 13 January 2020, 11:00 in Denver.
  server = await startServer({ clock: noon('2020-01-13') });
  w = await buildWorld(server, { tag: 'lifecycle' });
  u = w.user;
  const r = await w.admin.post(`/api/v1/orgs/${w.org.J1.id}/policies`, {
    effective_from: '2019-06-01', detainers: 'decline',
    release_notification: false, subpoenas: 'court_order_only',
    citation: 'Colo. Rev. Stat. 24-76.6-102',
    summary: 'No holds on civil detainers without a judicial warrant.' });
  assert.equal(r.status, 201, r.text);
});

after(async () => {
  if (process.env.DEBUG_STDERR) console.error(server?.stderr());
  await server?.stop();
});

test('the detainer: lodged, acknowledged, declined under policy, released',
  async () => {
    let r = await u.officerA.post('/api/v1/people', {
      family_name: 'Abernathy-Quiroga', given_names: 'Lucia',
      date_of_birth: '1988-03-09', identifiers: { a_number: 'A204567891' } });
    assert.equal(r.status, 201, r.text);
    story.person = r.json;

    r = await u.officerA.post('/api/v1/detainers', {
      person_id: story.person.id, facility_id: w.facility.F1.id,
      form: 'I-247A', basis: 'final_order' });
    assert.equal(r.status, 201, r.text);
    let d = r.json;
    assert.equal(d.state, 'lodged');
    assert.equal(d.agency_org_id, w.org.A.id);
    assert.deepEqual(sorted(d.allowed_actions), ['cancel', 'transfer']);
    d = await get(u.booking1, 'detainers', d.id);
    assert.ok(d.allowed_actions.includes('acknowledge'));

    d = await must(u.booking1, 'detainers', d.id, 'acknowledge');
    assert.equal(d.state, 'acknowledged');
    assert.ok(d.allowed_actions.includes('decline'));
    assert.ok(d.allowed_actions.includes('honor'));

    d = await must(u.booking1, 'detainers', d.id, 'decline',
      { reason: 'County policy: no civil holds' });
    assert.equal(d.state, 'declined');
    assert.equal(d.outcome_source, 'reported');
    // The policy in force on 13 January 2020 is version 1 (from mid-2019).
    assert.equal(d.policy.version_no, 1);
    assert.equal(d.policy.detainers, 'decline');
    assert.ok(d.allowed_actions.includes('release'));

    d = await must(u.booking1, 'detainers', d.id, 'release',
      { released_at: '2020-01-13T17:30:00Z', notice_given: false });
    assert.equal(d.state, 'released');
    assert.deepEqual(d.allowed_actions, []);
    d = await get(u.officerA, 'detainers', d.id);
    assert.deepEqual(d.allowed_actions, []);
    assert.deepEqual(await history(u.officerA, 'detainers', d.id),
      ['create', 'acknowledge', 'decline', 'release']);
    story.detainer = d;
  });

test('the subpoena: drafted, signed, served, acknowledged, extended, ' +
  'answered in part, referred', async () => {
  let r = await u.officerA.post('/api/v1/subpoenas', {
    recipient_org_id: w.org.J1.id, person_id: story.person.id,
    detainer_id: story.detainer.id,
    purpose: 'locate a person released despite a detainer',
    items: [{ category: 'home_address' }, { category: 'employer' }] });
  assert.equal(r.status, 201, r.text);
  let s = r.json;
  const id = s.id;
  assert.equal(s.state, 'draft');
  assert.ok(s.allowed_actions.includes('submit'));
  // The recipient does not see a draft.
  assert.equal((await u.custodian1.get(`/api/v1/subpoenas/${id}`)).status,
    404);

  s = await must(u.officerA, 'subpoenas', id, 'submit');
  assert.equal(s.state, 'ready_to_sign', 'office A requires no review');
  assert.ok(!s.allowed_actions.includes('sign'), 'an officer does not sign');
  s = await get(u.signerA, 'subpoenas', id);
  assert.ok(s.allowed_actions.includes('sign'));
  s = await must(u.signerA, 'subpoenas', id, 'sign');
  assert.equal(s.state, 'signed');
  assert.equal(s.signed_by.id, u.signerA.id);
  assert.equal(s.signed_by.title, 'Field Office Director');
  assert.ok(s.allowed_actions.includes('serve'));

  // Served Monday 13 January 2020. FRCP 6(a)(1): exclude the day of
  // service and count 14 days: Monday 27 January 2020, a working day
  // (Martin Luther King Jr. Day 2020, the third Monday of January, was
  // the 20th), so the return date is 2020-01-27.
  s = await must(u.officerA, 'subpoenas', id, 'serve', {
    served_at: '2020-01-13T15:00:00Z', method: 'personal',
    served_to: 'Records clerk', return_days: 14,
    proof_of_service_document_id: await uploadDocument(u.officerA, id,
      'proof_of_service') });
  assert.equal(s.state, 'served');
  assert.equal(s.return_date, '2020-01-27');
  assert.equal(s.deadlines.return.due, '2020-01-27');
  assert.ok(s.allowed_actions.includes('extend'));

  s = await get(u.custodian1, 'subpoenas', id);
  assert.ok(s.allowed_actions.includes('respond'));
  s = await must(u.custodian1, 'subpoenas', id, 'acknowledge');
  assert.equal(s.state, 'served');

  // Extended on Monday 20 January to Monday 10 February 2020 (no federal
  // holiday: Washington's Birthday 2020 was 17 February).
  server.setClock(noon('2020-01-20'));
  s = await must(u.officerA, 'subpoenas', id, 'extend',
    { return_date: '2020-02-10', reason: 'records archived offsite' });
  assert.equal(s.return_date, '2020-02-10');
  assert.equal(s.original_return_date, '2020-01-27');

  const [home, employer] = s.items.map((i) => i.id);
  s = await must(u.rcounsel1, 'subpoenas', id, 'respond', { items: [
    { item_id: home, outcome: 'produced', value: '1 Elm St, Denver' },
    { item_id: employer, outcome: 'objected', ground: 'tenth_amendment' },
  ] });
  assert.equal(s.state, 'responded');
  assert.equal(s.disposition, 'partially_complied');
  assert.deepEqual(s.items.map((i) => i.outcome), ['produced', 'objected']);
  assert.equal(s.items[1].ground, 'tenth_amendment');
  s = await get(u.counselA, 'subpoenas', id);
  assert.ok(s.allowed_actions.includes('refer'));

  s = await must(u.counselA, 'subpoenas', id, 'refer',
    { doj_org_id: w.org.D1.id });
  assert.equal(s.state, 'referred');
  assert.match(s.enforcement_id, /^[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(await history(u.officerA, 'subpoenas', id),
    ['create', 'submit', 'sign', 'serve', 'acknowledge', 'extend',
      'respond', 'refer']);
  story.subpoena = s;
  story.items = { home, employer };
});

test('enforcement: petition, show cause, order in part, noncompliance, ' +
  'contempt, purge, close', async () => {
  const id = story.subpoena.enforcement_id;
  const doj = u.doj1;
  let e = await get(doj, 'enforcements', id);
  assert.equal(e.state, 'referred');
  assert.equal(e.doj_org_id, w.org.D1.id);
  assert.equal(e.respondent_org_id, w.org.J1.id);
  assert.ok(e.allowed_actions.includes('file_petition'));
  assert.deepEqual((await get(u.rcounsel1, 'enforcements', id))
    .allowed_actions, []);

  server.setClock(noon('2020-02-03'));
  e = await must(doj, 'enforcements', id, 'file_petition', {
    court: 'U.S. District Court for the District of Colorado',
    district: 'Colorado', docket_number: '1:20-mc-00011',
    filed_on: '2020-02-03' });
  assert.equal(e.state, 'petition_filed');
  assert.ok(e.allowed_actions.includes('issue_show_cause'));
  assert.ok(e.allowed_actions.includes('enter_order'));

  e = await must(doj, 'enforcements', id, 'issue_show_cause',
    { hearing_on: '2020-03-02', response_due: '2020-02-24' });
  assert.equal(e.state, 'show_cause_issued');
  assert.equal(e.deadlines.show_cause_hearing.due, '2020-03-02');

  // The order of Monday 4 May 2020 enforces the subpoena in part (the
  // employer only), 14 days to comply: Monday 18 May 2020, a working day
  // (Memorial Day 2020 was Monday 25 May).
  server.setClock(noon('2020-05-04'));
  e = await must(doj, 'enforcements', id, 'enter_order', {
    result: 'enforced_in_part', entered_on: '2020-05-04',
    compliance_days: 14, items_kept: [story.items.employer],
    order_document_id: await uploadDocument(doj, id, 'court_order') });
  assert.equal(e.state, 'order_entered');
  assert.equal(e.result, 'enforced_in_part');
  assert.deepEqual(e.items_kept, [story.items.employer]);
  assert.equal(e.compliance_due, '2020-05-18');
  assert.equal(e.deadlines.compliance.due, '2020-05-18');
  assert.equal(e.noncompliant, false);
  assert.deepEqual((await get(u.rcounsel1, 'enforcements', id))
    .allowed_actions, ['comply']);

  // On the compliance date itself, still on time; the day after (Tuesday
  // 19 May 2020), noncompliant.
  server.setClock(noon('2020-05-18'));
  e = await get(doj, 'enforcements', id);
  assert.equal(e.noncompliant, false);
  assert.ok(!e.allowed_actions.includes('move_contempt'));
  server.setClock(noon('2020-05-19'));
  e = await get(doj, 'enforcements', id);
  assert.equal(e.noncompliant, true);
  assert.ok(e.allowed_actions.includes('move_contempt'));

  e = await must(doj, 'enforcements', id, 'move_contempt');
  assert.equal(e.state, 'contempt_motion');
  assert.ok(e.allowed_actions.includes('hold_in_contempt'));

  // Civil contempt: $500 a day from Monday 1 June 2020.
  server.setClock(noon('2020-05-29'));
  e = await must(doj, 'enforcements', id, 'hold_in_contempt',
    { kind: 'civil', per_day_cents: 50000, starts_on: '2020-06-01' });
  assert.equal(e.state, 'in_contempt');
  assert.equal(e.contempt.kind, 'civil');
  assert.equal(e.accrued_cents, 0, 'nothing accrues before 1 June');

  // Friday 5 June 2020: 1, 2, 3, 4 and 5 June are charged (today counts
  // until a purge is recorded): 5 x $500.
  server.setClock(noon('2020-06-05'));
  e = await get(doj, 'enforcements', id);
  assert.equal(e.accrued_cents, 5 * 50000);
  assert.ok(e.allowed_actions.includes('purge'));

  // Purged on Monday 8 June 2020: 1 to 7 June charged, the purge day not.
  server.setClock(noon('2020-06-08'));
  e = await must(doj, 'enforcements', id, 'purge', { purged_on: '2020-06-08' });
  assert.equal(e.state, 'purged');
  assert.equal(e.accrued_cents, 7 * 50000);
  server.setClock(noon('2020-06-30'));
  e = await get(doj, 'enforcements', id);
  assert.equal(e.accrued_cents, 7 * 50000, 'a purged sanction stops');
  assert.ok(e.allowed_actions.includes('close'));

  e = await must(u.counselA, 'enforcements', id, 'close');
  assert.equal(e.state, 'closed');
  assert.deepEqual(e.allowed_actions, []);
  assert.deepEqual((await history(doj, 'enforcements', id))
    .filter((a) => a !== 'create'), ['file_petition', 'issue_show_cause',
    'enter_order', 'move_contempt', 'hold_in_contempt', 'purge', 'close']);

  // With its enforcement case closed, the subpoena is closed too.
  let s = await get(u.officerA, 'subpoenas', story.subpoena.id);
  assert.ok(s.allowed_actions.includes('close'));
  s = await must(u.officerA, 'subpoenas', s.id, 'close');
  assert.equal(s.state, 'closed');
  assert.deepEqual(s.allowed_actions, []);
  assert.equal((await history(u.officerA, 'subpoenas', s.id)).at(-1),
    'close');
});

test('the audit chain verifies at the end', async () => {
  const r = await u.auditorA.get('/api/v1/audit/verify');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ok, true, r.text);
  assert.equal(r.json.first_bad_seq, null);
  assert.ok(r.json.checked > 50, r.text);
  // Every step above was audited once, by the user who took it.
  const t = await u.auditorA.get(
    `/api/v1/audit?object=${story.subpoena.enforcement_id}&limit=500`);
  assert.equal(t.status, 200, t.text);
  const ok = t.json.items.filter((a) => a.outcome === 'ok'
    && a.action.startsWith('enforcement.') && !a.action.endsWith('.read'));
  assert.deepEqual(ok.map((a) => a.action).filter((a) =>
    a !== 'enforcement.create'), ['enforcement.file_petition',
    'enforcement.issue_show_cause', 'enforcement.enter_order',
    'enforcement.move_contempt', 'enforcement.hold_in_contempt',
    'enforcement.purge', 'enforcement.close']);
  assert.ok(ok.filter((a) => a.action !== 'enforcement.close')
    .every((a) => a.actor_id === u.doj1.id));
});
