// auditing.test.mjs: audit completeness over HTTP. Every write route and
// every read of personal data leaves exactly one audit record for its
// object (counted with GET /api/v1/audit?object=<id> as the auditor before
// and after each call); a refused out-of-scope read is audited as
// not_found; and neither the audit records nor the server's standard
// error ever carry a person's name, an A-number, a produced value, a
// password, a session token, an API token or a TOTP secret (canary values,
// searched for after the run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, PASSWORD } from './harness.mjs';
import { buildWorld, noon, uploadDocument } from './world.mjs';

const CANARY = {
  family: 'Zwiebelkanarie', given: 'Quetzalina', a_number: 'A091827364',
  value: '77 Kanarienweg', password: 'zw-secret-Xq9!vR2#',
};

let server;
let w;
let u;
const seen = []; // every secret the run handled
const st = {};

async function auditOf(id) {
  const r = await u.auditorA.get(
    `/api/v1/audit?object=${encodeURIComponent(id)}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

// Call `fn` (which answers a response) and check that exactly one audit
// record about `id` was added, with `action` and `outcome`. `id` may be a
// function of the response, for a created object.
async function once(action, id, fn, { outcome = 'ok', status } = {}) {
  const known = typeof id === 'string';
  const before0 = known ? await auditOf(id) : [];
  const r = await fn();
  if (status !== undefined) assert.equal(r.status, status, r.text);
  else assert.ok(r.status < 300, `${action}: ${r.status} ${r.text}`);
  const oid = known ? id : id(r);
  const after0 = await auditOf(oid);
  const added = after0.filter((a) => !before0.some((b) => b.seq === a.seq));
  assert.equal(added.length, 1, `${action} on ${oid}: ` +
    JSON.stringify(added.map((a) => [a.action, a.outcome])));
  assert.equal(added[0].action, action);
  assert.equal(added[0].outcome, outcome);
  return r;
}

before(async () => {
  server = await startServer({ clock: noon('2020-01-13') });
  w = await buildWorld(server, { tag: 'auditing' });
  u = w.user;
  seen.push(u.officerA.bearer, w.admin.bearer, u.custodian1.bearer);
});

after(async () => {
  if (process.env.DEBUG_STDERR) console.error(server?.stderr());
  await server?.stop();
});

test('administration writes are audited once each', async () => {
  const a = w.admin;
  let r = await once('org.create', (x) => x.json.id,
    () => a.post('/api/v1/orgs', { kind: 'jurisdiction', name: 'Adams County',
      state: 'CO', timezone: 'America/Denver' }));
  st.org = r.json;
  await once('facility.create', (x) => x.json.id,
    () => a.post(`/api/v1/orgs/${st.org.id}/facilities`,
      { name: 'Adams County Jail' }));
  await once('policy.create', (x) => x.json.id,
    () => a.post(`/api/v1/orgs/${st.org.id}/policies`, {
      effective_from: '2019-06-01', detainers: 'decline',
      release_notification: false, subpoenas: 'review',
      citation: 'Resolution 2019-4', summary: 'Civil detainers declined.' }));
  r = await once('user.create', (x) => x.json.id,
    () => a.post('/api/v1/users', { email: 'canary@auditing.test',
      name: 'Canary User', org_id: w.org.A.id, roles: ['signer'],
      title: 'Deputy Field Office Director', password: CANARY.password }));
  st.user = r.json;
  r = await a.get(`/api/v1/users/${st.user.id}`);
  await once('user.update', st.user.id, () => a.patch(
    `/api/v1/users/${st.user.id}`, { title: 'Acting Deputy' },
    { 'If-Match': r.headers.get('etag') }));
  await once('user.unlock', st.user.id,
    () => a.post(`/api/v1/users/${st.user.id}/unlock`));
  await once('delegation.create', (x) => x.json.id,
    async () => a.post('/api/v1/delegations', { user_id: st.user.id,
      authority: 'Delegation Order 02-2020 (8 CFR 2.1)',
      effective_from: '2020-01-01',
      document_id: await uploadDocument(a, null, 'delegation') }));
});

test('sessions, tokens, a second factor and a password change are ' +
  'audited without their secrets', async () => {
  const c = server.client();
  const l = await c.login('canary@auditing.test', CANARY.password);
  assert.equal(l.status, 201, l.text);
  seen.push(c.cookie.replace(/^compel_session=/, ''), c.csrf);
  const t = await once('token.create', (x) => x.json.id,
    () => c.post('/api/v1/tokens', { name: 'canary' }));
  seen.push(t.json.token);
  await once('token.revoke', t.json.id,
    () => c.del(`/api/v1/tokens/${t.json.id}`));
  const e = await c.post('/api/v1/me/totp', {});
  assert.equal(e.status, 201, e.text);
  seen.push(e.json.secret);
  const p = await c.post('/api/v1/me/password', { current_password:
    CANARY.password, new_password: `${CANARY.password}-2` });
  assert.ok(p.status < 300, p.text);
  seen.push(`${CANARY.password}-2`);
  const out = await c.del('/api/v1/session');
  assert.equal(out.status, 204, out.text);
  // Each of these is in the trail, by this user.
  const r = await u.auditorA.get(`/api/v1/audit?actor=${st.user.id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  const actions = r.json.items.map((x) => x.action);
  for (const x of ['session.login', 'token.create', 'token.revoke',
    'user.totp_enroll', 'user.password_change', 'session.logout'])
    assert.equal(actions.filter((y) => y === x).length, 1, `${x}: ${actions}`);
});

test('case writes and personal-data reads: one record each', async () => {
  const off = u.officerA;
  let r = await once('person.create', (x) => x.json.id,
    () => off.post('/api/v1/people', { family_name: CANARY.family,
      given_names: CANARY.given, date_of_birth: '1979-11-30',
      identifiers: { a_number: CANARY.a_number } }));
  const person = r.json;
  for (const c of [off, u.signerA, u.counselA])
    await once('person.read', person.id,
      () => c.get(`/api/v1/people/${person.id}`));
  r = await once('detainer.create', (x) => x.json.id,
    () => off.post('/api/v1/detainers', { person_id: person.id,
      facility_id: w.facility.F1.id, form: 'I-247A', basis: 'statements' }));
  const det = r.json.id;
  const dact = (c, a, body) => once(`detainer.${a}`, det,
    () => c.post(`/api/v1/detainers/${det}/actions/${a}`, body));
  await dact(u.booking1, 'acknowledge');
  await dact(u.booking1, 'decline', { reason: 'county policy' });
  await dact(u.booking1, 'release',
    { released_at: '2020-01-13T19:00:00Z', notice_given: false });
  // The jail that holds the detainer reads the person: audited.
  await once('person.read', person.id,
    () => u.booking1.get(`/api/v1/people/${person.id}`));

  r = await once('subpoena.create', (x) => x.json.id,
    () => off.post('/api/v1/subpoenas', { recipient_org_id: w.org.J1.id,
      person_id: person.id, purpose: 'records',
      items: [{ category: 'home_address' }, { category: 'phone' }] }));
  const sid = r.json.id;
  await once('subpoena.edit', sid, () => off.patch(`/api/v1/subpoenas/${sid}`,
    { purpose: 'records of the released person' }, { 'If-Match': '"1"' }));
  const sact = (c, a, body) => once(`subpoena.${a}`, sid,
    () => c.post(`/api/v1/subpoenas/${sid}/actions/${a}`, body));
  await sact(off, 'submit');
  await sact(u.signerA, 'sign');
  const proof = await uploadDocument(off, sid, 'proof_of_service');
  r = await sact(off, 'serve', { served_at: '2020-01-13T15:00:00Z',
    method: 'courier', served_to: 'records unit', return_days: 14,
    proof_of_service_document_id: proof });
  const [home, phone] = r.json.items.map((i) => i.id);
  await sact(u.custodian1, 'acknowledge');
  await sact(off, 'extend', { return_date: '2020-02-10', reason: 'asked' });
  await sact(u.custodian1, 'respond', { items: [
    { item_id: home, outcome: 'produced', value: CANARY.value },
    { item_id: phone, outcome: 'withheld', ground: 'privilege' }] });
  // Reading the produced values is a personal-data read, once per read.
  for (const c of [off, u.custodian1, u.counselA])
    await once('subpoena.response.read', sid,
      () => c.get(`/api/v1/subpoenas/${sid}`));
  r = await sact(u.counselA, 'refer', { doj_org_id: w.org.D1.id });
  const eid = r.json.enforcement_id;
  const eact = (c, a, body) => once(`enforcement.${a}`, eid,
    () => c.post(`/api/v1/enforcements/${eid}/actions/${a}`, body));
  await eact(u.doj1, 'file_petition', { court: 'D. Colo.',
    district: 'Colorado', docket_number: '1:20-mc-00031',
    filed_on: '2020-01-13' });
  await eact(u.doj1, 'settle');
  await eact(u.counselA, 'close');
  await sact(off, 'close');
  st.person = person;
  st.det = det;
  st.sid = sid;
});

test('out-of-scope reads answer 404 and are audited as not_found',
  async () => {
    const cases = [
      ['person.read', st.person.id, () => u.custodian2.get(
        `/api/v1/people/${st.person.id}`)],
      ['detainer.read', st.det, () => u.booking2.get(
        `/api/v1/detainers/${st.det}`)],
      ['subpoena.read', st.sid, () => u.custodian2.get(
        `/api/v1/subpoenas/${st.sid}`)],
      ['subpoena.read', st.sid, () => u.officerB.get(
        `/api/v1/subpoenas/${st.sid}`)],
    ];
    for (const [action, id, fn] of cases) {
      const r = await once(action, id, fn,
        { outcome: 'not_found', status: 404 });
      assert.equal(r.json.code, 'not_found');
    }
  });

test('no personal value or secret in the audit trail or the log', () => {
  const trail = server.sql('SELECT * FROM audit');
  const eventTables = server.tables().filter((t) => t.includes('event'));
  assert.ok(trail.length > 1000, 'the trail is there');
  assert.ok(eventTables.length > 0, 'the timelines are there');
  const log = server.stderr();
  const needles = [CANARY.family, CANARY.given, CANARY.a_number,
    CANARY.a_number.slice(1), CANARY.value, CANARY.password, PASSWORD,
    ...seen].filter(Boolean);
  for (const n of needles) {
    assert.ok(!trail.includes(n), `the audit trail carries ${n}`);
    assert.ok(!log.includes(n), `the server's log carries ${n}`);
  }
  // The case timelines do not either (details are ids and field names).
  for (const t of eventTables) {
    const rows = server.sql(`SELECT * FROM "${t}"`);
    for (const n of needles)
      assert.ok(!rows.includes(n), `table ${t} carries ${n}`);
  }
});

test('the chain verifies', async () => {
  const r = await u.auditorA.get('/api/v1/audit/verify');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ok, true, r.text);
});
