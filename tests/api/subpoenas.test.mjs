// subpoenas.test.mjs: administrative subpoenas over HTTP, end to end:
// drafting (Idempotency-Key, bad bodies, PATCH with If-Match), review
// routing, signing (separation of duties, 8 CFR 287.4(a) titles, a
// recorded delegation), service with a return date computed under FRCP
// 6(a)(1) on the federal calendar, scoping (another jurisdiction sees
// nothing; the recipient sees nothing before service), extension, the
// response item by item with its derived disposition and audited values,
// refusal, overdue in the recipient's time zone, referral to DOJ, and two
// concurrent signatures of which exactly one wins.
//
// Expected dates come from the published 2020 calendar, reasoned out in
// the comments where they are used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, dumpDatabase, PASSWORD } from './harness.mjs';
import { uploadDocument } from './world.mjs';

// An instant in microseconds since the epoch.
const at = (iso) => Date.parse(iso) * 1000;

let server;
let admin;
const org = {};
const user = {};
const sub = {}; // the subpoenas the tests share, by name

async function mkOrg(kind, name, state, timezone, extra = {}) {
  const r = await admin.post('/api/v1/orgs',
    { kind, name, state, timezone, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// A user acting with an API token: the tests move the clock by days, past
// a session's idle limit.
async function mkUser(key, orgId, roles, title) {
  const email = `${key}@subpoenas.test`;
  const body = { email, name: key, org_id: orgId, roles, password: PASSWORD };
  if (title) body.title = title;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  const c = server.client();
  const l = await c.login(email);
  assert.equal(l.status, 201, l.text);
  const t = await c.post('/api/v1/tokens', { name: 'tests' });
  assert.equal(t.status, 201, t.text);
  c.bearer = t.json.token;
  c.cookie = null;
  c.csrf = null;
  c.id = r.json.id;
  user[key] = c;
  return c;
}

function assertProblem(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') || '', /application\/problem\+json/);
  assert.equal(r.json.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.field, field, r.text);
}

// Everything but the audit trail and sessions (a refused request may be
// audited, and every request touches its session or token).
const dump = () => dumpDatabase(server,
  { except: ['audit', 'sessions', 'api_tokens', 'rate_limits'] });

// The proof of service of each signed subpoena: the signer files it
// right after signing (docs/documents.md), and `serve` names it unless
// the test's body names another.
const proofs = {};

async function act(c, id, action, body, headers) {
  if (action === 'serve' && body && !('proof_of_service_document_id' in body)
    && proofs[id])
    body = { ...body, proof_of_service_document_id: proofs[id] };
  const r = await c.post(`/api/v1/subpoenas/${id}/actions/${action}`, body,
    headers);
  if (action === 'sign' && r.status === 200)
    proofs[id] = await uploadDocument(c, id, 'proof_of_service');
  return r;
}

async function draft(c, purpose, items, recipient = org.j1) {
  const r = await c.post('/api/v1/subpoenas', {
    recipient_org_id: recipient.id, purpose, items,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  // Friday 10 January 2020, 09:00 in Denver (16:00 UTC).
  server = await startServer({ clock: at('2020-01-10T16:00:00Z') });
  admin = await adminClient(server);
  org.agency = await mkOrg('agency_office', 'Denver Field Office', 'CO',
    'America/Denver');
  org.reviewed = await mkOrg('agency_office', 'Reviewed Office', 'CO',
    'America/Denver', { requires_counsel_review: true });
  org.j1 = await mkOrg('jurisdiction', 'Denver County', 'CO',
    'America/Denver');
  org.j2 = await mkOrg('jurisdiction', 'Cook County', 'IL',
    'America/Chicago');
  org.doj = await mkOrg('doj_office', 'USAO District of Colorado', 'CO',
    'America/Denver');
  await mkUser('officer', org.agency.id, ['officer']);
  await mkUser('fod', org.agency.id, ['officer', 'signer'],
    'Field Office Director');
  await mkUser('afod', org.agency.id, ['signer'],
    'Assistant Field Office Director');
  await mkUser('counsel', org.agency.id, ['agency_counsel']);
  await mkUser('rofficer', org.reviewed.id, ['officer']);
  await mkUser('custodian1', org.j1.id, ['custodian']);
  await mkUser('rcounsel1', org.j1.id, ['recipient_counsel']);
  await mkUser('custodian2', org.j2.id, ['custodian']);
  await mkUser('doj', org.doj.id, ['doj_attorney']);
  await mkUser('auditor', org.agency.id, ['auditor']);
});

// The audit records of `actor` about subpoena `id` with `action`.
async function audited(actor, id, action) {
  const r = await user.auditor.get(
    `/api/v1/audit?actor=${actor.id}&object=${id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((a) => a.action === action);
}

// DEBUG_STDERR=1 prints the server's log after the run.
after(async () => {
  if (process.env.DEBUG_STDERR) console.error(server?.stderr());
  await server?.stop();
});

test('an officer drafts a subpoena; the same Idempotency-Key creates one',
  async () => {
    const body = {
      recipient_org_id: org.j1.id,
      purpose: 'locate a person released despite a detainer',
      items: [{ category: 'home_address' }, { category: 'employer' },
        { category: 'other', description: 'jail visitor log' }],
    };
    const key = { 'Idempotency-Key': 'draft-1' };
    const r = await user.fod.post('/api/v1/subpoenas', body, key);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'draft');
    assert.match(r.json.number, /^SUB-2020-\d{6}$/);
    assert.equal(r.json.agency_org_id, org.agency.id);
    assert.equal(r.json.recipient_org_id, org.j1.id);
    assert.equal(r.json.drafted_by, user.fod.id);
    assert.equal(r.json.version, 1);
    assert.equal(r.headers.get('etag'), '"1"');
    assert.deepEqual(r.json.items.map((i) => i.category),
      ['home_address', 'employer', 'other']);
    assert.equal(r.json.items[2].description, 'jail visitor log');
    assert.equal(r.json.overdue, false);
    assert.ok(r.json.allowed_actions.includes('submit'));
    sub.main = r.json;

    const again = await user.fod.post('/api/v1/subpoenas', body, key);
    assert.equal(again.status, 201, again.text);
    assert.equal(again.json.id, r.json.id);
    // The first answer again, headers included.
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('etag'), r.headers.get('etag'));
    assert.equal(again.headers.get('location'), r.headers.get('location'));
    const other = await user.fod.post('/api/v1/subpoenas',
      { ...body, purpose: 'something else' }, key);
    assertProblem(other, 422, 'idempotency_conflict');
    const list = await user.fod.get('/api/v1/subpoenas?state=draft');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.items.filter((s) => s.purpose === body.purpose)
      .length, 1);
  });

test('eight concurrent requests with one Idempotency-Key create one subpoena',
  async () => {
    // The key is looked up inside the creating transaction, which the
    // server's writer runs one after another: the first creates, the
    // seven others answer its answer again (none is refused).
    const body = {
      recipient_org_id: org.j1.id,
      purpose: 'a burst of retries from a flaky network',
      items: [{ category: 'phone' }],
    };
    const key = { 'Idempotency-Key': 'draft-burst-1' };
    const rs = await Promise.all(Array.from({ length: 8 },
      () => user.fod.post('/api/v1/subpoenas', body, key)));
    for (const r of rs) assert.equal(r.status, 201, r.text);
    assert.equal(new Set(rs.map((r) => r.json.id)).size, 1);
    assert.equal(rs.filter((r) =>
      r.headers.get('idempotent-replayed') === 'true').length, 7);
    const list = await user.fod.get('/api/v1/subpoenas?state=draft');
    assert.equal(list.json.items.filter((x) => x.purpose === body.purpose)
      .length, 1);
  });

test('bad bodies answer 400 naming the field and change nothing',
  async () => {
    const before = dump();
    const good = {
      recipient_org_id: org.j1.id, purpose: 'records',
      items: [{ category: 'phone' }],
    };
    const cases = [
      [{ ...good, purpose: undefined }, 'validation_failed', 'purpose'],
      [{ ...good, items: [{ category: 'shoe_size' }] }, 'validation_failed',
        'items[0].category'],
      [{ ...good, items: [{ category: 'phone' }, { category: 'other' }] },
        'validation_failed', 'items[1].description'],
      [{ ...good, items: [] }, 'validation_failed', 'items'],
      [{ ...good, items: Array(51).fill({ category: 'phone' }) },
        'validation_failed', 'items'],
      [{ ...good, recipient_org_id: org.agency.id }, 'validation_failed',
        'recipient_org_id'],
      [{ ...good, recipient_org_id: 'AAAAAAAAAAAAAAAAAAAAAA' },
        'validation_failed', 'recipient_org_id'],
      [{ ...good, state: 'served' }, 'forbidden_field', 'state'],
      [{ ...good, number: 'SUB-2020-000001' }, 'forbidden_field', 'number'],
      [{ ...good, colour: 'red' }, 'unknown_field', 'colour'],
    ];
    for (const [body, code, field] of cases) {
      const r = await user.officer.post('/api/v1/subpoenas', body);
      assertProblem(r, 400, code, field);
    }
    assert.equal(dump(), before);
  });

test('PATCH edits a draft with If-Match only (428, 412, 400, 409)',
  async () => {
    const s = await draft(user.officer, 'first wording',
      [{ category: 'phone' }, { category: 'vehicle' }]);
    const path = `/api/v1/subpoenas/${s.id}`;
    assertProblem(await user.officer.patch(path, { purpose: 'x' }), 428,
      'precondition_required');
    assertProblem(await user.officer.patch(path, { purpose: 'x' },
      { 'If-Match': '"7"' }), 412, 'precondition_failed');
    assertProblem(await user.officer.patch(path, { state: 'signed' },
      { 'If-Match': '"1"' }), 400, 'forbidden_field', 'state');
    assertProblem(await user.officer.patch(path, { signed_by: user.fod.id },
      { 'If-Match': '"1"' }), 400, 'forbidden_field', 'signed_by');
    let r = await user.officer.patch(path, { purpose: 'second wording' },
      { 'If-Match': '"1"' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.purpose, 'second wording');
    assert.equal(r.json.version, 2);
    assert.equal(r.headers.get('etag'), '"2"');
    // `items` replaces every item: new ids, positions from 1, in order;
    // a bad one is refused by its path and changes nothing.
    const oldIds = r.json.items.map((it) => it.id);
    assertProblem(await user.officer.patch(path, { items: [
      { category: 'employer' }, { category: 'nickname' }] },
    { 'If-Match': '"2"' }), 400, 'validation_failed', 'items[1].category');
    assertProblem(await user.officer.patch(path, { items: [] },
      { 'If-Match': '"2"' }), 400, 'validation_failed', 'items');
    r = await user.officer.patch(path, { items: [
      { category: 'employer', description: 'current employer' },
      { category: 'home_address' }, { category: 'release_date' }] },
    { 'If-Match': '"2"' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.version, 3);
    assert.deepEqual(r.json.items.map((it) => [it.position, it.category, it.description ?? null]),
      [[1, 'employer', 'current employer'], [2, 'home_address', null], [3, 'release_date', null]]);
    assert.ok(r.json.items.every((it) => !oldIds.includes(it.id)), 'new item ids');
    const hist = await user.officer.get(`${path}/history`);
    const edits = hist.json.items.filter((e) => e.action === 'edit');
    assert.deepEqual(edits.at(-1).details.fields, ['items'], hist.text);
    r = await act(user.officer, s.id, 'submit', undefined, { 'If-Match': '"3"' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'ready_to_sign', 'this office has no review');
    assertProblem(await user.officer.patch(path, { purpose: 'third' },
      { 'If-Match': `"${r.json.version}"` }), 409, 'state_conflict');
    sub.overdue = r.json;
  });

test('an office that requires review routes submit to counsel', async () => {
  const s = await draft(user.rofficer, 'reviewed', [{ category: 'phone' }]);
  const r = await act(user.rofficer, s.id, 'submit');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'in_review');
});

test('signing: not the drafter, a listed title or a delegation', async () => {
  const id = sub.main.id;
  let r = await act(user.fod, id, 'submit');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'ready_to_sign');
  // Actions honor If-Match when it is sent.
  assertProblem(await act(user.afod, id, 'sign', undefined,
    { 'If-Match': '"1"' }), 412, 'precondition_failed');
  // An officer holds no signer role at all: 403.
  assertProblem(await act(user.officer, id, 'sign'), 403, 'forbidden');
  // The Field Office Director drafted this one: separation of duties.
  assertProblem(await act(user.fod, id, 'sign'), 422, 'guard_failed',
    'signer_is_drafter');
  // An Assistant Field Office Director is not listed in 8 CFR 287.4(a)(1).
  assertProblem(await act(user.afod, id, 'sign'), 422, 'guard_failed',
    'signer_not_authorized');
  const d = await admin.post('/api/v1/delegations', {
    user_id: user.afod.id, authority: 'Delegation Order 01-2020 (8 CFR 2.1)',
    effective_from: '2020-01-01',
    document_id: await uploadDocument(admin, null, 'delegation'),
  });
  assert.equal(d.status, 201, d.text);
  r = await act(user.afod, id, 'sign');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'signed');
  assert.equal(r.json.signed_by.id, user.afod.id);
  assert.equal(r.json.signed_by.title, 'Assistant Field Office Director');
  assert.equal(r.json.signed_at, '2020-01-10T16:00:00Z');
  // Someone else's draft: the Field Office Director signs it.
  r = await act(user.fod, sub.overdue.id, 'sign');
  assert.equal(r.status, 200, r.text);
});

test('two concurrent signatures: exactly one wins', async () => {
  const s = await draft(user.officer, 'race', [{ category: 'phone' }]);
  assert.equal((await act(user.officer, s.id, 'submit')).status, 200);
  const rs = await Promise.all([act(user.fod, s.id, 'sign'),
    act(user.afod, s.id, 'sign')]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409],
    rs.map((r) => r.text).join('\n'));
  const g = await user.officer.get(`/api/v1/subpoenas/${s.id}`);
  assert.equal(g.json.state, 'signed');
  assert.equal(g.json.version, 3);
});

test('the recipient cannot see a subpoena before it is served', async () => {
  for (const c of [user.custodian1, user.custodian2]) {
    assertProblem(await c.get(`/api/v1/subpoenas/${sub.main.id}`), 404,
      'not_found');
    const l = await c.get('/api/v1/subpoenas');
    assert.equal(l.status, 200, l.text);
    assert.ok(!l.json.items.some((s) => s.id === sub.main.id));
  }
});

test('service computes the return date under FRCP 6(a)(1)', async () => {
  // Monday 13 January 2020, 09:00 in Denver.
  server.setClock(at('2020-01-13T16:00:00Z'));
  const id = sub.main.id;
  const before = dump();
  assertProblem(await act(user.officer, id, 'serve', {
    served_at: '2020-01-13T15:00:00Z', method: 'personal', return_days: 14,
  }), 422, 'guard_failed', 'proof_of_service_required');
  assertProblem(await act(user.officer, id, 'serve', {
    served_at: '2020-01-13T15:00:00Z', method: 'personal',
    served_to: 'Records clerk', return_days: 14, return_date: '2020-01-31',
  }), 400, 'validation_failed', 'return_days');
  assertProblem(await act(user.officer, id, 'serve', {
    served_at: 'Monday', method: 'personal', served_to: 'Records clerk',
    return_days: 14,
  }), 400, 'validation_failed', 'served_at');
  assertProblem(await act(user.officer, id, 'serve', {
    served_at: '2020-01-13T15:00:00Z', method: 'pigeon',
    served_to: 'Records clerk', return_days: 14,
  }), 400, 'validation_failed', 'method');
  assert.equal(dump(), before);

  // Served Monday 13 January 2020 (08:00 in Denver). FRCP 6(a)(1):
  // exclude the day of service, count 14 days: Monday 27 January 2020, a
  // working day (Martin Luther King Jr. Day, the third Monday of January,
  // was the 20th), so the return date is 2020-01-27.
  const r = await act(user.officer, id, 'serve', {
    served_at: '2020-01-13T15:00:00Z', method: 'personal',
    served_to: 'Records clerk', return_days: 14,
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'served');
  assert.equal(r.json.served_at, '2020-01-13T15:00:00Z');
  assert.equal(r.json.method, 'personal');
  assert.equal(r.json.served_to, 'Records clerk');
  assert.equal(r.json.return_date, '2020-01-27');
  assert.equal(r.json.original_return_date, '2020-01-27');
  assert.equal(r.json.deadlines.return.due, '2020-01-27');
  assert.equal(r.json.deadlines.return.rule, 'frcp6-days');
  assert.ok(r.json.deadlines.return.explain.length > 0);
  assert.ok(r.json.deadlines.return.explain.join('\n').includes('2020-01-27'));
  assert.deepEqual(r.json.return_date_explain, r.json.deadlines.return.explain);
  assert.equal(r.headers.get('etag'), `"${r.json.version}"`);
  sub.main = r.json;

  // Seven days from the same service end on Monday 20 January 2020,
  // Martin Luther King Jr. Day (3rd Monday of January 2020), a legal
  // holiday: FRCP 6(a)(1)(C) runs on to Tuesday 2020-01-21.
  const o = await act(user.officer, sub.overdue.id, 'serve', {
    served_at: '2020-01-13T15:00:00Z', method: 'certified_mail',
    served_to: 'County Attorney', return_days: 7,
  });
  assert.equal(o.status, 200, o.text);
  assert.equal(o.json.return_date, '2020-01-21');
  sub.overdue = o.json;
});

test('another jurisdiction never sees it; the recipient does once served',
  async () => {
    const id = sub.main.id;
    const c2 = user.custodian2;
    const before = dump();
    assertProblem(await c2.get(`/api/v1/subpoenas/${id}`), 404, 'not_found');
    assertProblem(await c2.get(`/api/v1/subpoenas/${id}/history`), 404,
      'not_found');
    assertProblem(await act(c2, id, 'acknowledge'), 404, 'not_found');
    assertProblem(await act(c2, id, 'refuse', { reason: 'no' }), 404,
      'not_found');
    const l = await c2.get('/api/v1/subpoenas');
    assert.ok(!l.json.items.some((s) => s.id === id));
    assert.equal(dump(), before);
    // The attempts are audited, as for a missing id: this read and the
    // one before service.
    const reads = await audited(c2, id, 'subpoena.read');
    assert.deepEqual(reads.map((a) => a.outcome), ['not_found', 'not_found']);
    const acts = await audited(c2, id, 'subpoena.refuse');
    assert.deepEqual(acts.map((a) => a.outcome), ['not_found']);

    const g = await user.custodian1.get(`/api/v1/subpoenas/${id}`);
    assert.equal(g.status, 200, g.text);
    assert.ok(g.json.allowed_actions.includes('respond'));
    assert.ok(!g.json.allowed_actions.includes('extend'));
    const l1 = await user.custodian1.get('/api/v1/subpoenas?state=served');
    assert.ok(l1.json.items.some((s) => s.id === id));
    const a = await act(user.custodian1, id, 'acknowledge');
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.state, 'served');
    assert.equal(a.json.acknowledged_at, '2020-01-13T16:00:00Z');
  });

test('an extension moves the return date and keeps the original',
  async () => {
    server.setClock(at('2020-01-20T16:00:00Z'));
    const id = sub.main.id;
    assertProblem(await act(user.officer, id, 'extend',
      { return_date: '2020-01-24', reason: 'more time' }), 400,
    'validation_failed', 'return_date');
    assertProblem(await act(user.officer, id, 'extend',
      { return_date: '2020-02-10' }), 400, 'validation_failed', 'reason');
    assertProblem(await act(user.custodian1, id, 'extend',
      { return_date: '2020-02-10', reason: 'x' }), 403, 'forbidden');
    const r = await act(user.officer, id, 'extend',
      { return_date: '2020-02-10', reason: 'records are archived offsite' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.return_date, '2020-02-10');
    assert.equal(r.json.original_return_date, '2020-01-27');
    assert.equal(r.json.extensions.length, 1);
    assert.equal(r.json.extensions[0].old_return_date, '2020-01-27');
    assert.equal(r.json.extensions[0].new_return_date, '2020-02-10');
    assert.equal(r.json.deadlines.return.due, '2020-02-10');
  });

test('a corrected service recomputes the return date and is audited',
  async () => {
    // Same clock as the extension above (Monday 20 January 2020).
    const id = sub.overdue.id;
    // Served on Wednesday 15 January instead: 7 days later is Wednesday
    // 22 January 2020, a working day.
    let r = await act(user.officer, id, 'serve', {
      served_at: '2020-01-15T16:00:00Z', method: 'certified_mail',
      served_to: 'County Attorney', return_days: 7,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.return_date, '2020-01-22');
    assert.equal(r.json.original_return_date, '2020-01-22');
    assert.equal(r.json.deadlines.return.due, '2020-01-22');
    const recs = await audited(user.officer, id, 'subpoena.serve');
    assert.match(recs[recs.length - 1].detail,
      /corrected_service return_date=2020-01-21->2020-01-22/);
    // And back to the true date: Monday 13 January gives the 21st again
    // (the 20th, Martin Luther King Jr. Day, is passed over).
    r = await act(user.officer, id, 'serve', {
      served_at: '2020-01-13T15:00:00Z', method: 'certified_mail',
      served_to: 'County Attorney', return_days: 7,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.return_date, '2020-01-21');
    sub.overdue = r.json;
    // Under an extension the first date may no longer be corrected.
    assertProblem(await act(user.officer, sub.main.id, 'serve', {
      served_at: '2020-01-14T15:00:00Z', method: 'personal',
      served_to: 'Records clerk', return_days: 14,
    }), 409, 'state_conflict', 'served_at');
  });

test('the response: every item once; a derived disposition', async () => {
  const id = sub.main.id;
  const [home, employer, other] = sub.main.items.map((i) => i.id);
  const before = dump();
  const bad = [
    [{ items: [{ item_id: home, outcome: 'produced', value: '1 Elm St' },
      { item_id: employer, outcome: 'not_held' }] },
    'items[2].item_id'],
    [{ items: [{ item_id: home, outcome: 'produced', value: '1 Elm St' },
      { item_id: home, outcome: 'not_held' },
      { item_id: other, outcome: 'not_held' }] }, 'items[1].item_id'],
    [{ items: [{ item_id: 'AAAAAAAAAAAAAAAAAAAAAA', outcome: 'not_held' },
      { item_id: employer, outcome: 'not_held' },
      { item_id: other, outcome: 'not_held' }] }, 'items[0].item_id'],
    [{ items: [{ item_id: home, outcome: 'produced', value: '1 Elm St' },
      { item_id: employer, outcome: 'objected' },
      { item_id: other, outcome: 'not_held' }] }, 'items[1].ground'],
    [{ items: [{ item_id: home, outcome: 'not_held', value: '1 Elm St' },
      { item_id: employer, outcome: 'not_held' },
      { item_id: other, outcome: 'not_held' }] }, 'items[0].value'],
    [{ items: [{ item_id: home, outcome: 'found' }] }, 'items[0].outcome'],
  ];
  for (const [body, field] of bad) {
    assertProblem(await act(user.custodian1, id, 'respond', body), 400,
      'validation_failed', field);
  }
  assert.equal(dump(), before);

  const r = await act(user.rcounsel1, id, 'respond', {
    items: [
      { item_id: home, outcome: 'produced', value: '1 Elm St, Denver' },
      { item_id: employer, outcome: 'objected', ground: 'tenth_amendment' },
      { item_id: other, outcome: 'not_held' },
    ],
    note: 'produced under protest',
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'responded');
  // Produced one, objected to one: partially complied.
  assert.equal(r.json.disposition, 'partially_complied');
  assert.equal(r.json.responded_at, '2020-01-20T16:00:00Z');
  assert.deepEqual(r.json.items.map((i) => i.outcome),
    ['produced', 'objected', 'not_held']);
  assert.equal(r.json.items[1].ground, 'tenth_amendment');
  assert.equal(r.json.overdue, false);

  // The values are personal data: the recipient and the agency read them.
  for (const c of [user.custodian1, user.officer]) {
    const g = await c.get(`/api/v1/subpoenas/${id}`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.items[0].value, '1 Elm St, Denver');
    assert.equal(g.json.items[1].value, null);
  }
  // Each read of the values is one audit record; the response itself is
  // one more, of its own action.
  assert.equal((await audited(user.custodian1, id,
    'subpoena.response.read')).length, 1);
  assert.equal((await audited(user.officer, id,
    'subpoena.response.read')).length, 1);
  assert.equal((await audited(user.rcounsel1, id, 'subpoena.respond'))
    .length, 1);
  // Nothing personal is stored in clear, audit and timeline included.
  assert.ok(!dumpDatabase(server).includes('1 Elm St'));
  // A response cannot be given twice.
  assertProblem(await act(user.custodian1, id, 'refuse', { reason: 'x' }),
    409, 'state_conflict');
});

test('referral opens an enforcement case with the only DOJ office',
  async () => {
    const id = sub.main.id;
    assertProblem(await act(user.officer, id, 'refer'), 403, 'forbidden');
    assertProblem(await user.doj.get(`/api/v1/subpoenas/${id}`), 404,
      'not_found');
    const r = await act(user.counsel, id, 'refer');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'referred');
    assert.match(r.json.enforcement_id, /^[A-Za-z0-9_-]{22}$/);
    // The DOJ office it was referred to now sees the subpoena.
    const g = await user.doj.get(`/api/v1/subpoenas/${id}`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.enforcement_id, r.json.enforcement_id);
    const h = await user.counsel.get(`/api/v1/subpoenas/${id}/history`);
    assert.equal(h.status, 200, h.text);
    assert.deepEqual(h.json.items.map((e) => e.action),
      ['create', 'submit', 'sign', 'serve', 'acknowledge', 'extend',
        'respond', 'refer']);
  });

test('a refusal is a response with the disposition refused', async () => {
  // Return date given explicitly: stored as given.
  server.setClock(at('2020-01-20T17:00:00Z'));
  const s = await draft(user.officer, 'refusal', [{ category: 'phone' }]);
  assert.equal((await act(user.officer, s.id, 'submit')).status, 200);
  assert.equal((await act(user.fod, s.id, 'sign')).status, 200);
  const before = dump();
  assertProblem(await act(user.officer, s.id, 'serve', {
    served_at: '2020-01-20T15:00:00Z', method: 'email',
    served_to: 'records@county.test', return_date: '2020-01-20',
  }), 400, 'validation_failed', 'return_date');
  assert.equal(dump(), before);
  let r = await act(user.officer, s.id, 'serve', {
    served_at: '2020-01-20T15:00:00Z', method: 'email',
    served_to: 'records@county.test', return_date: '2020-01-31',
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.return_date, '2020-01-31');
  assert.equal(r.json.deadlines.return.due, '2020-01-31');
  assertProblem(await act(user.custodian1, s.id, 'refuse', {}), 400,
    'validation_failed', 'reason');
  r = await act(user.custodian1, s.id, 'refuse',
    { reason: 'county policy: court order only' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'responded');
  assert.equal(r.json.disposition, 'refused');
  assert.ok(r.json.allowed_actions.length === 0);
});

test('overdue is judged in the recipient\'s time zone', async () => {
  const id = sub.overdue.id;
  // 06:30 UTC on Wednesday 22 January is still Tuesday 21 January, 23:30,
  // in Denver: the return date itself is not overdue.
  server.setClock(at('2020-01-22T06:30:00Z'));
  let g = await user.officer.get(`/api/v1/subpoenas/${id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.overdue, false);
  let l = await user.officer.get('/api/v1/subpoenas?overdue=true');
  assert.ok(!l.json.items.some((s) => s.id === id));
  assertProblem(await act(user.counsel, id, 'refer'), 422, 'guard_failed',
    'not_overdue_or_deficient');
  // 01:00 on Wednesday 22 January in Denver: a day past the return date.
  server.setClock(at('2020-01-22T08:00:00Z'));
  g = await user.officer.get(`/api/v1/subpoenas/${id}`);
  assert.equal(g.json.overdue, true);
  assert.ok(g.json.allowed_actions.includes('refer') === false,
    'an officer does not refer');
  l = await user.officer.get('/api/v1/subpoenas?overdue=true');
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.items.map((s) => s.id), [id]);
  assert.equal(l.json.items[0].overdue, true);
  g = await user.counsel.get(`/api/v1/subpoenas/${id}`);
  assert.ok(g.json.allowed_actions.includes('refer'));
});

test('lists page with an opaque cursor and reject a bad one', async () => {
  const l1 = await user.officer.get('/api/v1/subpoenas?limit=2');
  assert.equal(l1.status, 200, l1.text);
  assert.equal(l1.json.items.length, 2);
  assert.ok(l1.json.next_cursor);
  const l2 = await user.officer.get(
    `/api/v1/subpoenas?limit=2&cursor=${encodeURIComponent(l1.json.next_cursor)}`);
  assert.equal(l2.status, 200, l2.text);
  const ids = new Set([...l1.json.items, ...l2.json.items].map((s) => s.id));
  assert.equal(ids.size, l1.json.items.length + l2.json.items.length);
  assertProblem(await user.officer.get('/api/v1/subpoenas?cursor=nope'), 400,
    'validation_failed', 'cursor');
  assertProblem(await user.officer.get('/api/v1/subpoenas?state=lost'), 400,
    'validation_failed', 'state');
  assertProblem(await act(user.officer, sub.main.id, 'teleport'), 400,
    'validation_failed', 'action');
});
