// world.mjs: the world the cross-cutting API tests share, built through
// the admin API only: agency office A (America/Denver) with an officer, a
// signer titled "Field Office Director", agency counsel and an auditor;
// agency office B with an officer (and, for B's own cases, a signer and
// counsel); jurisdictions J1 and J2, each with a facility and a booking
// officer, a records custodian and recipient counsel; DOJ offices D1 and D2,
// each with a DOJ attorney. Every user holds exactly one role.
//
// The clients act with API tokens (Authorization: Bearer), not sessions:
// the tests move the injectable clock by days, past a session's idle
// limit. `sessionClient` logs a user in with a session when a test needs
// one (cookie + CSRF).
//
// It also holds the small helpers the files share: problem assertions,
// case actions, and `buildCases` which walks one chain (person, detainer,
// subpoenas, an enforcement case) for one side of the world.
import assert from 'node:assert/strict';
import { adminClient, PASSWORD } from './harness.mjs';

// An instant in microseconds since the epoch.
export const at = (iso) => Date.parse(iso) * 1000;

// Noon in Denver during daylight saving time (18:00 UTC), 11:00 in
// winter: unambiguously `date` in every US zone.
export const noon = (date) => Date.parse(`${date}T18:00:00Z`) * 1000;

export const ROLES = ['officer', 'signer', 'agency_counsel', 'auditor',
  'admin', 'booking', 'custodian', 'recipient_counsel', 'doj_attorney'];

// Turn a logged-in client into a token client (its session is dropped).
async function useToken(c) {
  const t = await c.post('/api/v1/tokens', { name: 'tests' });
  assert.equal(t.status, 201, t.text);
  c.bearer = t.json.token;
  c.cookie = null;
  c.csrf = null;
  return c;
}

// The problem+json answer `status`/`code` (and `field` when given).
export function assertProblem(r, status, code, field) {
  assert.equal(r.status, status, `${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') || '',
    /application\/problem\+json/);
  if (code !== undefined) assert.equal(r.json?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json?.field, field, r.text);
}

// POST an action on a case: kind is detainers, subpoenas or enforcements.
export const act = (c, kind, id, action, body, headers) =>
  c.post(`/api/v1/${kind}/${id}/actions/${action}`, body, headers);

// Take an action that must succeed; returns the case as it now stands.
export async function must(c, kind, id, action, body, headers) {
  const r = await act(c, kind, id, action, body, headers);
  assert.equal(r.status, 200, `${kind} ${action}: ${r.status} ${r.text}`);
  return r.json;
}

// Build the world on `server`. `tag` makes the e-mail addresses unique
// per file (only for readability of the logs). Returns
// { admin, org, facility, user } where user maps a key to a client with
// `.id`, `.email`, `.role` and `.org`.
export async function buildWorld(server, { tag = 'world' } = {}) {
  const admin = await adminClient(server);
  await useToken(admin);
  const me = await admin.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  admin.id = me.json.id ?? me.json.user?.id;
  admin.role = 'admin';
  const org = {};
  const facility = {};
  const user = { admin };

  async function mkOrg(key, kind, name, state = 'CO',
    timezone = 'America/Denver') {
    const r = await admin.post('/api/v1/orgs',
      { kind, name, state, timezone });
    assert.equal(r.status, 201, r.text);
    org[key] = r.json;
  }
  async function mkFacility(key, orgKey, name) {
    const r = await admin.post(`/api/v1/orgs/${org[orgKey].id}/facilities`,
      { name, timezone: org[orgKey].timezone });
    assert.equal(r.status, 201, r.text);
    facility[key] = r.json;
  }
  async function mkUser(key, orgKey, role, title) {
    const email = `${key}@${tag}.test`;
    const body = { email, name: `User ${key}`, org_id: org[orgKey].id,
      roles: [role], password: PASSWORD };
    if (title) body.title = title;
    const r = await admin.post('/api/v1/users', body);
    assert.equal(r.status, 201, r.text);
    const c = server.client();
    const l = await c.login(email);
    assert.equal(l.status, 201, l.text);
    await useToken(c);
    Object.assign(c, { id: r.json.id, email, role, org: org[orgKey] });
    user[key] = c;
  }

  await mkOrg('A', 'agency_office', 'Denver Field Office');
  await mkOrg('B', 'agency_office', 'Salt Lake City Field Office', 'UT');
  await mkOrg('J1', 'jurisdiction', 'Denver County');
  await mkOrg('J2', 'jurisdiction', 'Cook County', 'IL', 'America/Chicago');
  await mkOrg('D1', 'doj_office', 'USAO District of Colorado');
  await mkOrg('D2', 'doj_office', 'USAO District of Utah', 'UT');
  await mkFacility('F1', 'J1', 'Denver County Jail');
  await mkFacility('F2', 'J2', 'Cook County Jail');

  await mkUser('officerA', 'A', 'officer');
  await mkUser('signerA', 'A', 'signer', 'Field Office Director');
  await mkUser('counselA', 'A', 'agency_counsel');
  await mkUser('auditorA', 'A', 'auditor');
  await mkUser('officerB', 'B', 'officer');
  await mkUser('signerB', 'B', 'signer', 'Field Office Director');
  await mkUser('counselB', 'B', 'agency_counsel');
  for (const j of ['1', '2']) {
    await mkUser(`booking${j}`, `J${j}`, 'booking');
    await mkUser(`custodian${j}`, `J${j}`, 'custodian');
    await mkUser(`rcounsel${j}`, `J${j}`, 'recipient_counsel');
    await mkUser(`doj${j}`, `D${j}`, 'doj_attorney');
  }
  return { admin, org, facility, user };
}

// Log `c`'s user in again with a session (cookie + CSRF token).
export async function sessionClient(server, email) {
  const c = server.client();
  const l = await c.login(email);
  assert.equal(l.status, 201, l.text);
  return c;
}

// One side of the world ('A': agency A, J1, F1, D1; 'B': agency B, J2,
// F2, D2), every case left where no further action is possible except
// reads: a person; a detainer lodged, acknowledged, declined, released; a
// subpoena served and answered fully then closed (`closedSub`); a
// subpoena refused and referred, whose enforcement case is dismissed and
// closed (`refSub`, `enf`); a draft (`draftSub`). Run with the clock on a
// working day in 2020 (the return dates are given explicitly).
export async function buildCases(w, side, { names = {} } = {}) {
  const u = w.user;
  const j = side === 'A' ? '1' : '2';
  const off = u[`officer${side}`];
  const signer = u[`signer${side}`];
  const counsel = u[`counsel${side}`];
  const booking = u[`booking${j}`];
  const custodian = u[`custodian${j}`];
  const doj = u[`doj${j}`];
  const recipient = w.org[`J${j}`];
  const out = {};

  let r = await off.post('/api/v1/people', {
    family_name: names.family ?? `Family${side}`,
    given_names: names.given ?? `Given${side}`,
    date_of_birth: '1990-05-17',
    identifiers: { a_number: names.a_number ?? (side === 'A'
      ? 'A012345678' : 'A087654321') },
  });
  assert.equal(r.status, 201, r.text);
  out.person = r.json;

  r = await off.post('/api/v1/detainers', { person_id: out.person.id,
    facility_id: w.facility[`F${j}`].id, form: 'I-247A',
    basis: 'final_order' });
  assert.equal(r.status, 201, r.text);
  const det = r.json;
  await must(booking, 'detainers', det.id, 'acknowledge');
  await must(booking, 'detainers', det.id, 'decline',
    { reason: 'county policy' });
  out.detainer = await must(booking, 'detainers', det.id, 'release',
    { released_at: '2020-01-13T20:00:00Z', notice_given: false });

  async function served(purpose) {
    let s = await off.post('/api/v1/subpoenas', { recipient_org_id:
      recipient.id, person_id: out.person.id, purpose,
    items: [{ category: 'home_address' }, { category: 'employer' }] });
    assert.equal(s.status, 201, s.text);
    const id = s.json.id;
    await must(off, 'subpoenas', id, 'submit');
    await must(signer, 'subpoenas', id, 'sign');
    const proof = await uploadDocument(off, id, 'proof_of_service');
    s = await must(off, 'subpoenas', id, 'serve', {
      served_at: '2020-01-13T15:00:00Z', method: 'personal',
      served_to: 'records unit', return_date: '2020-01-31',
      proof_of_service_document_id: proof });
    return s;
  }

  let s = await served(`records answered in full (${side})`);
  await must(custodian, 'subpoenas', s.id, 'respond', { items: s.items.map(
    (i) => ({ item_id: i.id, outcome: 'not_held' })) });
  out.closedSub = await must(off, 'subpoenas', s.id, 'close');

  s = await served(`records refused (${side})`);
  await must(custodian, 'subpoenas', s.id, 'refuse',
    { reason: 'court order only' });
  out.refSub = await must(counsel, 'subpoenas', s.id, 'refer',
    { doj_org_id: w.org[`D${j}`].id });
  const e = out.refSub.enforcement_id;
  await must(doj, 'enforcements', e, 'dismiss');
  out.enf = await must(doj, 'enforcements', e, 'close');

  r = await off.post('/api/v1/subpoenas', { recipient_org_id: recipient.id,
    purpose: `a draft (${side})`, items: [{ category: 'phone' }] });
  assert.equal(r.status, 201, r.text);
  out.draftSub = r.json;
  return out;
}

// Send a document as `c` (POST /api/v1/documents?<query>) with `content`
// (a Buffer or string) as the raw body. Returns { status, headers, json,
// text } like Client.req.
export async function sendDocument(c, query, content, { type =
  'application/pdf', filename = 'document.pdf', disposition, headers = {} }
= {}) {
  const h = { 'Content-Type': type, ...headers };
  if (disposition !== null)
    h['Content-Disposition'] = disposition ??
      `attachment; filename="${filename}"`;
  if (c.cookie) h.Cookie = c.cookie;
  if (c.bearer) h.Authorization = `Bearer ${c.bearer}`;
  if (c.csrf) h['X-CSRF-Token'] = c.csrf;
  const res = await fetch(`${c.base}/api/v1/documents?${query}`,
    { method: 'POST', headers: h, body: content });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, headers: res.headers, json, text };
}

// Upload a small document of `kind` to case `caseId` (no case when null:
// a delegation instrument) as `c`; returns its id.
export async function uploadDocument(c, caseId, kind, opts = {}) {
  const query = caseId ? `case_id=${caseId}&kind=${kind}` : `kind=${kind}`;
  const r = await sendDocument(c, query, opts.content ??
    Buffer.from(`%PDF-1.4\n% ${kind} of ${caseId ?? 'no case'}\n`), opts);
  assert.equal(r.status, 201, `upload ${kind}: ${r.status} ${r.text}`);
  return r.json.id;
}
