// enforcements.test.mjs: court enforcement cases over HTTP, end to end:
// a subpoena referred by agency counsel becomes an enforcement case, which
// the DOJ attorney takes from petition to order, contempt, purge and close,
// with the court deadlines (FRCP 6(a)(1) day counting on the federal
// calendar), the derived `noncompliant`, civil-contempt accrual, scoping
// (the respondent sees its case; another jurisdiction and another DOJ
// office do not), wrong roles (403), wrong states (409), failed guards
// (422 naming the rule), bad bodies (400 naming the field, nothing
// changed) and two concurrent actions (exactly one wins).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, dumpDatabase, PASSWORD } from './harness.mjs';
import { uploadDocument } from './world.mjs';

// Noon in Denver (18:00 UTC during daylight saving time) on `date`, in
// microseconds: every "today" below is unambiguous in every US zone.
const noon = (date) => Date.parse(`${date}T18:00:00Z`) * 1000;

let server;
let admin;
const org = {};
const user = {};

async function mkOrg(kind, name, state = 'CO', timezone = 'America/Denver') {
  const r = await admin.post('/api/v1/orgs', { kind, name, state, timezone });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function mkUser(key, orgId, roles, title) {
  const email = `${key}@example.test`;
  const body = { email, name: key, org_id: orgId, roles, password: PASSWORD };
  if (title) body.title = title;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  const c = server.client();
  const l = await c.login(email);
  assert.equal(l.status, 201, l.text);
  // The tests move the clock by days, past a session's idle limit: act
  // with an API token (Authorization: Bearer) instead of the session.
  const t = await c.post('/api/v1/tokens', { name: 'tests' });
  assert.equal(t.status, 201, t.text);
  c.bearer = t.json.token;
  c.cookie = null;
  c.csrf = null;
  user[key] = c;
  return c;
}

// A served subpoena to jurisdiction `recipient` answered deficiently
// (partially complied, or refused) and referred to DOJ office `doj`:
// returns { subpoena, enforcement } as the API shows them.
async function referredCase({ recipient = org.j1, doj = org.doj1,
  custodian = user.custodian1, refuse = false } = {}) {
  const off = user.officer;
  let r = await off.post('/api/v1/subpoenas', {
    recipient_org_id: recipient.id,
    purpose: 'records of a person released despite a detainer',
    items: [{ category: 'home_address' }, { category: 'employer' },
      { category: 'phone' }],
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  r = await off.post(`/api/v1/subpoenas/${id}/actions/submit`);
  assert.equal(r.status, 200, r.text);
  r = await user.signer.post(`/api/v1/subpoenas/${id}/actions/sign`);
  assert.equal(r.status, 200, r.text);
  r = await off.post(`/api/v1/subpoenas/${id}/actions/serve`, {
    served_at: '2020-01-13T17:00:00Z', method: 'personal',
    served_to: 'records unit', return_days: 14,
    proof_of_service_document_id: await uploadDocument(off, id,
      'proof_of_service'),
  });
  assert.equal(r.status, 200, r.text);
  const items = r.json.items;
  if (refuse) {
    r = await custodian.post(`/api/v1/subpoenas/${id}/actions/refuse`,
      { reason: 'county policy' });
  } else {
    r = await custodian.post(`/api/v1/subpoenas/${id}/actions/respond`, {
      items: [
        { item_id: items[0].id, outcome: 'produced', value: '1 Main St' },
        { item_id: items[1].id, outcome: 'objected', ground: 'relevance' },
        { item_id: items[2].id, outcome: 'objected', ground: 'tenth_amendment' },
      ],
    });
  }
  assert.equal(r.status, 200, r.text);
  r = await user.acounsel.post(`/api/v1/subpoenas/${id}/actions/refer`,
    { doj_org_id: doj.id });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.enforcement_id, 'a referred subpoena names its case');
  // The court's order, on file before any order is entered (the agency
  // files it; docs/documents.md).
  orders[r.json.enforcement_id] = await uploadDocument(user.acounsel,
    r.json.enforcement_id, 'court_order');
  const e = await user.doj1.get(`/api/v1/enforcements/${r.json.enforcement_id}`);
  return { subpoena: r.json, items, enforcement: e.json };
}

// The court_order document of each case (referredCase uploads it);
// enter_order names it unless the test's body names another.
const orders = {};

const act = (c, id, action, body, headers) =>
  c.post(`/api/v1/enforcements/${id}/actions/${action}`,
    action === 'enter_order' && body && !('order_document_id' in body)
      ? { ...body, order_document_id: orders[id] } : body, headers);

// Everything but the audit trail and sessions (a refused request is
// audited, and every request touches its session).
const dump = () => dumpDatabase(server, { except: ['audit', 'sessions'] });

before(async () => {
  server = await startServer({ clock: noon('2020-01-13') });
  admin = await adminClient(server);
  const t = await admin.post('/api/v1/tokens', { name: 'tests' });
  assert.equal(t.status, 201, t.text);
  Object.assign(admin, { bearer: t.json.token, cookie: null, csrf: null });
  org.agency = await mkOrg('agency_office', 'Denver Field Office');
  org.j1 = await mkOrg('jurisdiction', 'Denver County');
  org.j2 = await mkOrg('jurisdiction', 'Boulder County');
  org.doj1 = await mkOrg('doj_office', 'USAO District of Colorado');
  org.doj2 = await mkOrg('doj_office', 'USAO District of Utah', 'UT',
    'America/Denver');
  await mkUser('officer', org.agency.id, ['officer']);
  await mkUser('signer', org.agency.id, ['signer'], 'Field Office Director');
  await mkUser('acounsel', org.agency.id, ['agency_counsel']);
  await mkUser('custodian1', org.j1.id, ['custodian']);
  await mkUser('rcounsel1', org.j1.id, ['recipient_counsel']);
  await mkUser('rcounsel2', org.j2.id, ['recipient_counsel']);
  await mkUser('doj1', org.doj1.id, ['doj_attorney']);
  await mkUser('doj2', org.doj2.id, ['doj_attorney']);
  await mkUser('auditor', org.agency.id, ['auditor']);
});

after(async () => { await server?.stop(); });

test('the full path: petition, show cause, order in part, contempt, purge, close', async () => {
  server.setClock(noon('2020-01-21'));
  const { enforcement: e0, items } = await referredCase();
  const id = e0.id;
  assert.equal(e0.state, 'referred');
  assert.match(e0.number, /^ENF-\d{4}-\d+$/);
  assert.equal(e0.respondent_org_id, org.j1.id);
  assert.equal(e0.doj_org_id, org.doj1.id);
  assert.equal(e0.contempt, null);
  assert.equal(e0.noncompliant, false);
  assert.ok(e0.allowed_actions.includes('file_petition'));

  // Scoping: the respondent's counsel sees it; another jurisdiction and
  // another DOJ office get the same 404 as a missing id.
  let r = await user.rcounsel1.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.allowed_actions, []);
  const missing = await user.rcounsel2.get('/api/v1/enforcements/AAAAAAAAAAAAAAAAAAAAAA');
  r = await user.rcounsel2.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 'not_found');
  assert.equal(r.json.detail, missing.json.detail);
  r = await user.doj2.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.status, 404);
  r = await act(user.doj2, id, 'file_petition', { court: 'x', district: 'x',
    docket_number: 'x', filed_on: '2020-01-21' });
  assert.equal(r.status, 404);
  r = await user.rcounsel2.get('/api/v1/enforcements');
  assert.equal(r.status, 200);
  assert.ok(!r.json.items.some((x) => x.id === id));
  r = await user.doj2.get('/api/v1/enforcements');
  assert.ok(!r.json.items.some((x) => x.id === id));
  r = await user.doj1.get('/api/v1/enforcements?state=referred');
  assert.ok(r.json.items.some((x) => x.id === id));

  // Wrong roles: 403; wrong state: 409.
  r = await act(user.rcounsel1, id, 'file_petition', { court: 'x',
    district: 'x', docket_number: 'x', filed_on: '2020-01-21' });
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'forbidden');
  r = await act(user.doj1, id, 'purge', { purged_on: '2020-01-21' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'state_conflict');
  r = await act(user.acounsel, id, 'close');
  assert.equal(r.status, 409);

  // Bad bodies: 400 naming the field, nothing changed.
  const beforeDump = dump();
  r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', filed_on: '2020-02-03' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'docket_number');
  r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00011',
    filed_on: '2020-02-30' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'filed_on');
  r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00011',
    filed_on: '2020-02-03', judge: 'X' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'judge');
  r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00011',
    filed_on: '2020-02-03', state: 'closed' });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'forbidden_field');
  assert.equal(r.json.field, 'state');
  r = await act(user.doj1, id, 'no_such_action');
  assert.equal(r.status, 400);
  assert.equal(dump(), beforeDump);

  // Petition, with a stale If-Match refused first.
  server.setClock(noon('2020-02-03'));
  const petition = { court: 'U.S. District Court for the District of Colorado',
    district: 'Colorado', docket_number: '1:20-mc-00011', filed_on: '2020-02-03' };
  r = await act(user.doj1, id, 'file_petition', petition, { 'If-Match': '"99"' });
  assert.equal(r.status, 412);
  r = await act(user.doj1, id, 'file_petition', petition,
    { 'If-Match': `"${e0.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'petition_filed');
  assert.equal(r.json.docket_number, '1:20-mc-00011');
  assert.equal(r.json.version, e0.version + 1);
  assert.equal(r.headers.get('etag'), `"${e0.version + 1}"`);

  // Order to show cause: the court's dates become fixed deadlines.
  r = await act(user.doj1, id, 'issue_show_cause',
    { hearing_on: '2020-03-02', response_due: '2020-02-24' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'show_cause_issued');
  assert.equal(r.json.deadlines.show_cause_response.due, '2020-02-24');
  assert.equal(r.json.deadlines.show_cause_hearing.due, '2020-03-02');
  assert.equal(r.json.deadlines.show_cause_hearing.rule, 'fixed');

  // The order, enforced in part on Monday 4 May 2020, 14 days to comply.
  server.setClock(noon('2020-05-04'));
  const before2 = dump();
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced_in_part',
    entered_on: '2020-05-04', compliance_days: 14 });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'items_kept');
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced_in_part',
    entered_on: '2020-05-04', compliance_days: 14,
    items_kept: ['AAAAAAAAAAAAAAAAAAAAAA'] });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'items_kept');
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced',
    entered_on: '2020-05-04' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'compliance_days');
  assert.equal(dump(), before2);
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced_in_part',
    entered_on: '2020-05-04', compliance_days: 14,
    items_kept: [items[0].id, items[1].id] });
  assert.equal(r.status, 200, r.text);
  let e = r.json;
  assert.equal(e.state, 'order_entered');
  assert.equal(e.result, 'enforced_in_part');
  assert.deepEqual(e.items_kept, [items[0].id, items[1].id]);
  // 4 May 2020 + 14 days = Monday 18 May 2020, a working day (Memorial
  // Day 2020 was Monday 25 May): compliance and objection both fall then.
  assert.equal(e.compliance_due, '2020-05-18');
  assert.equal(e.deadlines.compliance.due, '2020-05-18');
  assert.equal(e.deadlines.compliance.rule, 'frcp6-days');
  assert.equal(e.deadlines.objection.due, '2020-05-18');
  assert.match(e.deadlines.objection.trigger, /served the day it was entered/);
  // 4 May 2020 + 60 days: 27 days to 31 May, 30 more to 30 June (57), 3
  // more: Friday 3 July 2020. Independence Day 2020 fell on a Saturday,
  // so the federal holiday was observed on Friday 3 July (5 U.S.C. 6103);
  // Saturday 4 and Sunday 5 July follow, so the period runs to Monday
  // 6 July 2020 (FRCP 6(a)(1)(C)).
  assert.equal(e.deadlines.appeal.due, '2020-07-06');
  assert.ok(e.deadlines.appeal.explain.length > 0);
  assert.equal(e.noncompliant, false);

  // The order is counsel's to comply with: it is in recipient counsel's
  // queue with its compliance date, not in the custodian's.
  let q = await user.rcounsel1.get('/api/v1/queue');
  assert.equal(q.status, 200, q.text);
  const task = q.json.items.find((i) => i.id === id);
  assert.ok(task, JSON.stringify(q.json.items));
  assert.equal(task.task, 'comply');
  assert.equal(task.due, '2020-05-18');
  q = await user.custodian1.get('/api/v1/queue');
  assert.equal(q.status, 200, q.text);
  assert.ok(!q.json.items.some((i) => i.id === id && i.task === 'comply'));

  // (An amended order is tested on its own below.)
  r = await act(user.doj1, id, 'issue_show_cause',
    { hearing_on: '2020-06-02', response_due: '2020-05-24' });
  assert.equal(r.status, 409);

  // On the compliance date itself the respondent is still on time.
  server.setClock(noon('2020-05-18'));
  r = await user.doj1.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.json.noncompliant, false);
  r = await act(user.doj1, id, 'move_contempt');
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'guard_failed');
  assert.equal(r.json.field, 'not_noncompliant');

  // The day after: noncompliant; the respondent's counsel sees it too.
  server.setClock(noon('2020-05-19'));
  r = await user.rcounsel1.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.noncompliant, true);
  r = await act(user.rcounsel1, id, 'move_contempt');
  assert.equal(r.status, 403);
  r = await act(user.doj1, id, 'move_contempt', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'contempt_motion');

  // Civil contempt: $1,000 a day from Monday 1 June 2020.
  server.setClock(noon('2020-05-29'));
  r = await act(user.doj1, id, 'hold_in_contempt', { kind: 'civil',
    per_day_cents: 100000, fixed_cents: 5000, starts_on: '2020-06-01' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'fixed_cents');
  r = await act(user.doj1, id, 'hold_in_contempt', { kind: 'civil',
    starts_on: '2020-06-01' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'per_day_cents');
  r = await act(user.doj1, id, 'hold_in_contempt', { kind: 'civil',
    per_day_cents: 100000, starts_on: '2020-06-01' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'in_contempt');
  assert.deepEqual(r.json.contempt, { kind: 'civil', per_day_cents: 100000,
    fixed_cents: null, starts_on: '2020-06-01', purged_on: null });
  assert.equal(r.json.accrued_cents, 0, 'nothing accrues before the start');

  // On Sunday 7 June 2020 seven days have been charged: 1 to 7 June
  // (today counts until a purge is recorded).
  server.setClock(noon('2020-06-07'));
  r = await user.doj1.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.json.accrued_cents, 7 * 100000);

  // Purge on Monday 8 June 2020: the purge day is not charged, so the
  // sanction stays at 7 days and stops accruing.
  server.setClock(noon('2020-06-08'));
  r = await act(user.doj1, id, 'purge', { purged_on: '2020-05-31' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'purged_on');
  r = await act(user.doj1, id, 'purge', { purged_on: '2020-06-08' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'purged');
  assert.equal(r.json.accrued_cents, 7 * 100000);
  server.setClock(noon('2020-06-30'));
  r = await user.doj1.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.json.accrued_cents, 7 * 100000);

  r = await act(user.acounsel, id, 'close');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'closed');
  assert.deepEqual(r.json.allowed_actions, []);

  r = await user.doj1.get(`/api/v1/enforcements/${id}/history`);
  assert.equal(r.status, 200);
  // The timeline, oldest first: the case's creation by the referral
  // (when recorded), then every court event in order.
  assert.deepEqual(r.json.items.map((x) => x.action)
    .filter((a) => a !== 'create'), ['file_petition',
    'issue_show_cause', 'enter_order', 'move_contempt', 'hold_in_contempt',
    'purge', 'close']);
  r = await user.rcounsel2.get(`/api/v1/enforcements/${id}/history`);
  assert.equal(r.status, 404);

  // The audit trail: each action once, and the out-of-scope attempts of
  // the other jurisdiction and the other DOJ office, as not_found.
  r = await user.auditor.get(`/api/v1/audit?object=${id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  const trail = r.json.items;
  const count = (action, outcome) => trail.filter((a) => a.action === action
    && a.outcome === outcome).length;
  assert.equal(count('enforcement.enter_order', 'ok'), 1);
  assert.equal(count('enforcement.purge', 'ok'), 1);
  assert.equal(count('enforcement.close', 'ok'), 1);
  const outsiders = new Set([user.rcounsel2.user.id, user.doj2.user.id]);
  const seen = trail.filter((a) => outsiders.has(a.actor_id));
  assert.ok(seen.length >= 4, JSON.stringify(seen));
  assert.ok(seen.every((a) => a.outcome === 'not_found'));
  const order = trail.find((a) => a.action === 'enforcement.enter_order'
    && a.outcome === 'ok');
  assert.match(order.detail, /appeal=2020-07-06/);
});

test('a denied order: objection and appeal deadlines, nothing to comply with', async () => {
  server.setClock(noon('2020-01-21'));
  const { enforcement: e0 } = await referredCase({ refuse: true });
  const id = e0.id;
  server.setClock(noon('2020-05-04'));
  let r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00012', filed_on: '2020-02-03' });
  assert.equal(r.status, 200, r.text);
  r = await act(user.doj1, id, 'enter_order', { result: 'denied',
    entered_on: '2020-05-04', compliance_days: 14 });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'compliance_days');
  r = await act(user.doj1, id, 'enter_order', { result: 'denied',
    entered_on: '2020-05-04' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.result, 'denied');
  assert.equal(r.json.compliance_due, null);
  assert.equal(r.json.deadlines.compliance, undefined);
  assert.equal(r.json.deadlines.objection.due, '2020-05-18');
  assert.equal(r.json.deadlines.appeal.due, '2020-07-06');
  server.setClock(noon('2020-06-01'));
  r = await user.doj1.get(`/api/v1/enforcements/${id}`);
  assert.equal(r.json.noncompliant, false);
  r = await act(user.rcounsel1, id, 'comply');
  assert.equal(r.status, 422);
  assert.equal(r.json.field, 'order_not_enforced');
  r = await act(user.doj1, id, 'close');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'closed');
});

test('an amended order moves its deadlines, and the change is audited', async () => {
  server.setClock(noon('2020-01-21'));
  const { enforcement: e0 } = await referredCase();
  const id = e0.id;
  server.setClock(noon('2020-05-11'));
  let r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00013', filed_on: '2020-02-03' });
  assert.equal(r.status, 200, r.text);
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced',
    entered_on: '2020-05-04', compliance_days: 14 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.deadlines.compliance.due, '2020-05-18');
  assert.ok(r.json.allowed_actions.includes('enter_order'),
    'an entered order may be amended');
  // The court amends its order on Monday 11 May 2020: 14 days later is
  // Monday 25 May 2020, Memorial Day (last Monday of May), so compliance
  // rolls to Tuesday 26 May; the objection period (14 days) likewise; the
  // appeal period (60 days) ends Friday 10 July 2020.
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced',
    entered_on: '2020-05-11', compliance_days: 14 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.entered_on, '2020-05-11');
  assert.equal(r.json.deadlines.compliance.due, '2020-05-26');
  assert.equal(r.json.deadlines.objection.due, '2020-05-26');
  assert.equal(r.json.deadlines.appeal.due, '2020-07-10');
  assert.ok(r.json.deadlines.compliance.explain.some((l) => /Memorial Day/.test(l)),
    r.json.deadlines.compliance.explain.join('\n'));
  const a = await user.auditor.get(`/api/v1/audit?object=${id}`);
  assert.equal(a.status, 200, a.text);
  const amended = a.json.items.filter((x) => x.action === 'enforcement.enter_order');
  assert.equal(amended.length, 2);
  assert.match(amended[1].detail, /amended_from=2020-05-04/);
  assert.match(amended[1].detail, /compliance=2020-05-26/);
});

test('criminal contempt is a fixed amount', async () => {
  server.setClock(noon('2020-01-21'));
  const { enforcement: e0 } = await referredCase({ refuse: true });
  const id = e0.id;
  server.setClock(noon('2020-05-04'));
  let r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00013', filed_on: '2020-02-03' });
  assert.equal(r.status, 200, r.text);
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced',
    entered_on: '2020-05-04', compliance_due: '2020-05-11' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.compliance_due, '2020-05-11');
  assert.equal(r.json.deadlines.compliance.rule, 'fixed');
  server.setClock(noon('2020-05-12'));
  r = await act(user.doj1, id, 'move_contempt');
  assert.equal(r.status, 200, r.text);
  r = await act(user.doj1, id, 'hold_in_contempt', { kind: 'criminal',
    per_day_cents: 100, fixed_cents: 500000, starts_on: '2020-05-12' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'per_day_cents');
  r = await act(user.doj1, id, 'hold_in_contempt', { kind: 'criminal',
    fixed_cents: 500000, starts_on: '2020-05-12' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.contempt.fixed_cents, 500000);
  assert.equal(r.json.accrued_cents, null);
  r = await act(user.doj1, id, 'settle');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'settled');
});

test('the respondent complies; agency counsel closes', async () => {
  server.setClock(noon('2020-01-21'));
  const { enforcement: e0 } = await referredCase({ refuse: true });
  const id = e0.id;
  server.setClock(noon('2020-05-04'));
  let r = await act(user.doj1, id, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00014', filed_on: '2020-02-03' });
  assert.equal(r.status, 200, r.text);
  r = await act(user.doj1, id, 'enter_order', { result: 'enforced',
    entered_on: '2020-05-04', compliance_days: 14 });
  assert.equal(r.status, 200, r.text);
  r = await user.rcounsel1.get(`/api/v1/enforcements/${id}`);
  assert.deepEqual(r.json.allowed_actions, ['comply']);
  r = await act(user.acounsel, id, 'close');
  assert.equal(r.status, 422, 'an enforced order is not closed before compliance');
  assert.equal(r.json.field, 'order_not_denied');
  server.setClock(noon('2020-05-15'));
  r = await user.rcounsel1.get(`/api/v1/enforcements/${id}`);
  const etag = r.headers.get('etag');
  assert.equal(etag, `"${r.json.version}"`);
  r = await act(user.rcounsel1, id, 'comply', {}, { 'If-Match': etag });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'complied');
  assert.equal(r.json.noncompliant, false);
  r = await act(user.acounsel, id, 'close');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'closed');
  assert.ok(r.json.closed_at);
});

test('two concurrent actions: exactly one wins', async () => {
  server.setClock(noon('2020-01-21'));
  const { enforcement: e0 } = await referredCase({ refuse: true });
  const body = (n) => ({ court: 'D. Colo.', district: 'Colorado',
    docket_number: `1:20-mc-0002${n}`, filed_on: '2020-01-21' });
  // Three attempts at the same transition: after the first, the case is
  // no longer `referred`, so the others must fail (409), never apply twice.
  const rs = await Promise.all([1, 2, 3].map((n) =>
    act(user.doj1, e0.id, 'file_petition', body(n))));
  const codes = rs.map((r) => r.status).sort();
  assert.deepEqual(codes.filter((c) => c === 200).length, 1, codes.join());
  assert.ok(codes.every((c) => c === 200 || c === 409), codes.join());
  const r = await user.doj1.get(`/api/v1/enforcements/${e0.id}/history`);
  assert.equal(r.json.items.filter((x) => x.action === 'file_petition')
    .length, 1);
});

test('lists page with an opaque cursor and refuse a bad one', async () => {
  let r = await user.doj1.get('/api/v1/enforcements?limit=1');
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  assert.ok(r.json.next_cursor);
  const seen = new Set([r.json.items[0].id]);
  let cursor = r.json.next_cursor;
  while (cursor) {
    r = await user.doj1.get(`/api/v1/enforcements?limit=1&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(r.status, 200);
    for (const x of r.json.items) {
      assert.ok(!seen.has(x.id));
      seen.add(x.id);
    }
    cursor = r.json.next_cursor;
  }
  assert.ok(seen.size >= 4);
  r = await user.doj1.get('/api/v1/enforcements?cursor=garbage');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'cursor');
  r = await user.doj1.get('/api/v1/enforcements?state=bogus');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'state');
  r = await user.doj2.get('/api/v1/enforcements');
  assert.deepEqual(r.json.items, []);
  // An administrator sees no case data: the case routes are not theirs.
  r = await admin.get('/api/v1/enforcements');
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'forbidden');
});
