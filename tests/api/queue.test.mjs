// queue.test.mjs: GET /api/v1/queue, what each role should do next:
// signers sign, counsel refers overdue subpoenas, officers submit drafts
// and serve signed subpoenas, custodians respond (overdue first), booking
// acknowledges detainers at its facilities, DOJ files petitions; nothing
// from another organization ever shows; auditors and admins have nothing
// to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, PASSWORD } from './harness.mjs';
import { uploadDocument } from './world.mjs';

// Noon in Denver on `date` (18:00 UTC in winter is 11:00 MST; still the
// same calendar day in every US zone), in microseconds.
const noon = (date) => Date.parse(`${date}T18:00:00Z`) * 1000;

let server;
let admin;
const org = {};
const user = {};
const sp = {};
const det = {};

async function mkOrg(kind, name) {
  const r = await admin.post('/api/v1/orgs',
    { kind, name, state: 'CO', timezone: 'America/Denver' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// A user acting with an API token: the clock moves by days, past a
// session's idle limit.
async function mkUser(key, orgId, roles, title) {
  const email = `${key}@example.test`;
  const body = { email, name: key, org_id: orgId, roles, password: PASSWORD };
  if (title) body.title = title;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  const c = server.client();
  assert.equal((await c.login(email)).status, 201);
  const t = await c.post('/api/v1/tokens', { name: 'tests' });
  assert.equal(t.status, 201, t.text);
  Object.assign(c, { bearer: t.json.token, cookie: null, csrf: null });
  user[key] = c;
}

async function ok(p, status = 200) {
  const r = await p;
  assert.equal(r.status, status, r.text);
  return r.json;
}

// A subpoena to `recipient`, taken as far as `until` (draft,
// ready_to_sign, signed, served); served ones are served at `servedAt`
// with 14 days to answer.
async function subpoena(recipient, until, servedAt) {
  const s = await ok(user.officer.post('/api/v1/subpoenas', {
    recipient_org_id: recipient.id, purpose: 'records',
    items: [{ category: 'home_address' }, { category: 'employer' }],
  }), 201);
  const act = (c, a, b) => ok(c.post(`/api/v1/subpoenas/${s.id}/actions/${a}`, b));
  if (until === 'draft') return s;
  await act(user.officer, 'submit');
  if (until === 'ready_to_sign') return s;
  await act(user.signer, 'sign');
  if (until === 'signed') return s;
  return act(user.officer, 'serve', { served_at: servedAt,
    method: 'certified_mail', served_to: 'records unit', return_days: 14,
    proof_of_service_document_id: await uploadDocument(user.officer, s.id,
      'proof_of_service') });
}

async function queue(c) {
  const r = await c.get('/api/v1/queue');
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

const tasks = (items) => items.map((x) => `${x.task} ${x.number}`);
const find = (items, id, task) => items.find((x) => x.id === id && x.task === task);

before(async () => {
  server = await startServer({ clock: noon('2020-01-13') });
  admin = await adminClient(server);
  const t = await admin.post('/api/v1/tokens', { name: 'tests' });
  Object.assign(admin, { bearer: t.json.token, cookie: null, csrf: null });
  org.agency = await mkOrg('agency_office', 'Denver Field Office');
  org.j1 = await mkOrg('jurisdiction', 'Denver County');
  org.j2 = await mkOrg('jurisdiction', 'Boulder County');
  org.doj1 = await mkOrg('doj_office', 'USAO Colorado');
  org.doj2 = await mkOrg('doj_office', 'USAO Wyoming');
  await mkUser('officer', org.agency.id, ['officer']);
  await mkUser('signer', org.agency.id, ['signer'], 'Field Office Director');
  await mkUser('acounsel', org.agency.id, ['agency_counsel']);
  await mkUser('auditor', org.agency.id, ['auditor']);
  await mkUser('custodian1', org.j1.id, ['custodian']);
  await mkUser('booking1', org.j1.id, ['booking']);
  await mkUser('custodian2', org.j2.id, ['custodian']);
  await mkUser('booking2', org.j2.id, ['booking']);
  await mkUser('doj1', org.doj1.id, ['doj_attorney']);
  await mkUser('doj2', org.doj2.id, ['doj_attorney']);

  // Monday 13 January 2020: a draft, one ready to sign, one signed, and
  // one served on each jurisdiction (return date Monday 27 January 2020,
  // 14 days later; no holiday on that day).
  sp.draft = await subpoena(org.j1, 'draft');
  sp.toSign = await subpoena(org.j1, 'ready_to_sign');
  sp.signed = await subpoena(org.j1, 'signed');
  sp.servedJ1 = await subpoena(org.j1, 'served', '2020-01-13T17:00:00Z');
  sp.servedJ2 = await subpoena(org.j2, 'served', '2020-01-13T17:00:00Z');
  assert.equal(sp.servedJ1.return_date, '2020-01-27');

  // A detainer lodged at a facility of each jurisdiction.
  const person = await ok(user.officer.post('/api/v1/people',
    { family_name: 'Doe', given_names: 'J' }), 201);
  for (const [k, o] of [['j1', org.j1], ['j2', org.j2]]) {
    const f = await ok(admin.post(`/api/v1/orgs/${o.id}/facilities`,
      { name: `${o.name} jail` }), 201);
    det[k] = await ok(user.officer.post('/api/v1/detainers', {
      person_id: person.id, facility_id: f.id, form: 'I-247A',
      basis: 'final_order' }), 201);
  }

  // Tuesday 21 January 2020: another one served on Denver County, due
  // Tuesday 4 February 2020 (14 days).
  server.setClock(noon('2020-01-21'));
  sp.later = await subpoena(org.j1, 'served', '2020-01-21T17:00:00Z');
  assert.equal(sp.later.return_date, '2020-02-04');

  // Tuesday 28 January 2020: the first two are a day overdue.
  server.setClock(noon('2020-01-28'));
});

after(async () => { await server?.stop(); });

test('officers: drafts to submit and signed subpoenas to serve', async () => {
  const items = await queue(user.officer);
  assert.ok(find(items, sp.draft.id, 'submit'), tasks(items).join('; '));
  assert.ok(find(items, sp.signed.id, 'serve'));
  assert.ok(!find(items, sp.toSign.id, 'sign'), 'signing is not the officer\'s');
  for (const x of items) assert.ok(['subpoena', 'detainer'].includes(x.kind));
});

test('signers: subpoenas ready to sign', async () => {
  const items = await queue(user.signer);
  const s = find(items, sp.toSign.id, 'sign');
  assert.ok(s, tasks(items).join('; '));
  assert.equal(s.kind, 'subpoena');
  assert.equal(s.state, 'ready_to_sign');
  assert.equal(s.number, sp.toSign.number);
  assert.ok(!find(items, sp.draft.id, 'submit'));
});

test('agency counsel: overdue subpoenas to refer, first', async () => {
  const items = await queue(user.acounsel);
  const a = find(items, sp.servedJ1.id, 'refer');
  const b = find(items, sp.servedJ2.id, 'refer');
  assert.ok(a && b, tasks(items).join('; '));
  assert.equal(a.overdue, true);
  assert.equal(a.due, '2020-01-27');
  assert.equal(items[0].overdue, true);
  assert.ok(!find(items, sp.later.id, 'refer'), 'not overdue yet');
});

test('custodians: responses due, overdue first, only their own', async () => {
  const items = await queue(user.custodian1);
  assert.deepEqual(items.map((x) => [x.id, x.task, x.due, x.overdue]), [
    [sp.servedJ1.id, 'respond', '2020-01-27', true],
    [sp.later.id, 'respond', '2020-02-04', false],
  ]);
  const other = await queue(user.custodian2);
  assert.deepEqual(other.map((x) => [x.id, x.task, x.overdue]),
    [[sp.servedJ2.id, 'respond', true]]);
});

test('booking: detainers lodged at their own facilities', async () => {
  // Booking sees its detainers, plus (like every role) the deadlines of
  // the cases its jurisdiction sees that fall within the week: the
  // return date of 4 February 2020 is 7 days after 28 January.
  const b1 = await queue(user.booking1);
  assert.deepEqual(b1.filter((x) => x.kind === 'detainer')
    .map((x) => [x.id, x.task]), [[det.j1.id, 'acknowledge']]);
  const dl = find(b1, sp.later.id, 'deadline:return');
  assert.ok(dl, tasks(b1).join('; '));
  assert.equal(dl.due, '2020-02-04');
  assert.ok(Array.isArray(dl.explain) && dl.explain.length > 0);
  // The case's number and state come with the deadline.
  assert.equal(dl.number, sp.later.number);
  assert.equal(dl.state, 'served');
  const mine = new Set([det.j1.id, sp.later.id, sp.servedJ1.id]);
  assert.ok(b1.every((x) => mine.has(x.id)), tasks(b1).join('; '));
  const b2 = await queue(user.booking2);
  assert.deepEqual(b2.map((x) => [x.kind, x.id, x.task]),
    [['detainer', det.j2.id, 'acknowledge']]);
});

test('auditors and admins act on nothing', async () => {
  assert.deepEqual(await queue(user.auditor), []);
  assert.deepEqual(await queue(admin), []);
});

test('DOJ: a referred case to petition, only in the office it went to', async () => {
  const r = await ok(user.acounsel.post(
    `/api/v1/subpoenas/${sp.servedJ1.id}/actions/refer`, { doj_org_id: org.doj1.id }));
  const items = await queue(user.doj1);
  const e = find(items, r.enforcement_id, 'file_petition');
  assert.ok(e, tasks(items).join('; '));
  assert.equal(e.kind, 'enforcement');
  assert.equal(e.state, 'referred');
  assert.deepEqual(await queue(user.doj2), []);
  // The referred subpoena left the custodian's queue.
  const c1 = await queue(user.custodian1);
  assert.deepEqual(c1.map((x) => x.id), [sp.later.id]);
});
