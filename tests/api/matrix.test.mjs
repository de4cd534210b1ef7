// matrix.test.mjs: the permission matrix, walked exhaustively from the
// route table as the server publishes it (GET /api/v1/openapi.json, whose
// x-compel-roles equal the route table): for every operation that is
// neither public nor x-compel-planned, and for every one of the nine
// roles (a user holding only that role, in an organization of the kind
// that role belongs to), one plausible request against a resource of the
// caller's own side of the world and, for the scoped resources (people,
// detainers, subpoenas, enforcement cases, their actions and histories),
// one against the other side's.
//
// Expected: 403 `forbidden` when the role is not listed; otherwise never
// 401/403/5xx; the caller's own case reads answer 200 and its actions
// (on cases left in a final state) 409 `state_conflict`; the other side's
// case answers 404 `not_found` with a body that names none of it (id,
// number, the person's names, the purpose), except for the auditor, who
// reads everything. Scoped lists never carry the other side's ids. A new
// route in the table is covered automatically (a route this file does not
// know how to address fails the test, naming it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_EMAIL } from './harness.mjs';
import { buildWorld, buildCases, sessionClient, noon, ROLES }
  from './world.mjs';

const MISSING = 'AAAAAAAAAAAAAAAAAAAAAA';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let server;
let w;
let mine; // side A: agency A, J1, D1
let theirs; // side B: agency B, J2, D2
let ops;
let calendarId;

// The user who holds only `role`, on side A, logged in with a session (an
// API token may not make tokens, so a token would not show the route's
// own answer).
const sessions = {};
const caller = (role) => sessions[role];
const callerKey = (role) => ({
  officer: 'officerA', signer: 'signerA', agency_counsel: 'counselA',
  auditor: 'auditorA', admin: 'admin', booking: 'booking1',
  custodian: 'custodian1', recipient_counsel: 'rcounsel1',
  doj_attorney: 'doj1',
}[role]);

// Whether `role` sees its own side's case of `kind` (perm.h): an admin
// sees no case, a DOJ office no detainer.
const seesOwn = (role, kind) => role !== 'admin'
  && !(role === 'doj_attorney' && kind === 'detainers');

// The action each role may take by the machines (DESIGN.md's table), with
// a valid body; on a case in a final state it must answer 409. Roles the
// route does not list get `fallback`.
const ACTIONS = {
  detainers: { officer: ['cancel', { reason: 'lodged in error' }],
    booking: ['decline', { reason: 'county policy' }],
    fallback: ['acknowledge', {}] },
  subpoenas: { officer: ['close', {}],
    signer: ['withdraw', { reason: 'no longer needed' }],
    agency_counsel: ['withdraw', { reason: 'no longer needed' }],
    custodian: ['refuse', { reason: 'court order only' }],
    recipient_counsel: ['refuse', { reason: 'court order only' }],
    fallback: ['close', {}] },
  enforcements: { agency_counsel: ['close', {}],
    recipient_counsel: ['comply', {}], doj_attorney: ['dismiss', {}],
    fallback: ['close', {}] },
};

// What identifies a side's cases in an answer.
function secrets(side) {
  return [side.person.id, side.person.family_name, side.person.given_names,
    side.detainer.id, side.detainer.number, side.closedSub.id,
    side.closedSub.number, side.refSub.id, side.refSub.number,
    side.refSub.purpose, side.enf.id, side.enf.number, side.draftSub.id,
    side.draftSub.number].filter(Boolean);
}

// The request for (op, role, side): { path, body, headers, scoped, read }
// or a string naming why the route cannot be addressed.
function plan(op, role, side) {
  const s = side === 'own' ? mine : theirs;
  const p = op.path;
  let m;
  const out = { method: op.method, body: undefined, headers: {},
    scoped: false, read: op.method === 'GET', kind: null };
  if (op.method === 'POST' || op.method === 'PATCH') out.body = {};
  if ((m = p.match(/^\/api\/v1\/(detainers|subpoenas|enforcements)\/\{id\}(.*)$/))) {
    const kind = m[1];
    const rest = m[2];
    out.scoped = true;
    out.kind = kind;
    let c;
    if (kind === 'detainers') c = s.detainer;
    else if (kind === 'enforcements') c = s.enf;
    else if (rest.startsWith('/actions')) c = s.closedSub;
    else if (op.method === 'PATCH') c = side === 'own' ? s.closedSub : s.draftSub;
    else c = s.refSub;
    out.case = c;
    if (rest === '/actions/{action}') {
      const [action, body] = ACTIONS[kind][role] ?? ACTIONS[kind].fallback;
      out.machineRole = role in ACTIONS[kind];
      out.path = `/api/v1/${kind}/${c.id}/actions/${action}`;
      out.body = body;
      out.action = true;
    } else if (rest === '' || rest === '/history' || rest === '/manifest'
      || rest === '/document.pdf') {
      out.path = `/api/v1/${kind}/${c.id}${rest}`;
      if (op.method === 'PATCH') {
        out.body = { purpose: 'reworded' };
        out.headers = { 'If-Match': `"${c.version}"` };
        out.action = true;
      }
    } else {
      return `unknown case route ${p}`;
    }
    return out;
  }
  if (p === '/api/v1/documents/{id}') {
    // A document is scoped like its case: the proof of service of the
    // referred subpoena.
    const c = s.refSub;
    out.scoped = true;
    out.kind = 'subpoenas';
    out.case = c;
    out.path = `/api/v1/documents/${c.documents[0].id}`;
    return out;
  }
  if (p === '/api/v1/cases/{id}/hold') {
    // A legal hold is scoped like its case: the referred subpoena.
    out.scoped = true;
    out.kind = 'subpoenas';
    out.case = s.refSub;
    out.path = `/api/v1/cases/${s.refSub.id}/hold`;
    if (op.method !== 'GET') out.body = { reason: 'litigation expected' };
    return out;
  }
  if (p === '/api/v1/people/{id}' || p === '/api/v1/people/{id}/disclosures') {
    out.scoped = true;
    out.kind = 'people';
    out.case = s.person;
    out.path = p.replace('{id}', s.person.id);
    return out;
  }
  if (side === 'other') return null; // not scoped by organization
  const ids = {
    '/api/v1/orgs/{id}': w.org.A.id,
    '/api/v1/orgs/{id}/facilities': w.org.A.id,
    '/api/v1/orgs/{id}/policies': w.org.A.id,
    '/api/v1/users/{id}': w.user.officerB.id,
    '/api/v1/users/{id}/unlock': w.user.officerB.id,
    '/api/v1/users/{id}/totp/reset': w.user.officerB.id,
    '/api/v1/tokens/{id}': MISSING,
    '/api/v1/webhooks/{id}': MISSING,
    '/api/v1/jobs/{id}/retry': MISSING,
    '/api/v1/calendars/{id}': calendarId,
    '/api/v1/calendars/{id}/closures': calendarId,
    '/api/v1/calendars/{id}/holidays': calendarId,
  };
  if (p === '/api/v1/imports/{kind}') {
    out.path = '/api/v1/imports/jurisdictions';
  } else if (p.includes('{')) {
    if (!(p in ids)) return `no way to address ${p}`;
    out.path = p.replace('{id}', ids[p]);
  } else {
    out.path = p;
  }
  if (op.method === 'PATCH') out.headers = { 'If-Match': '"999"' };
  return out;
}

before(async () => {
  server = await startServer({ clock: noon('2020-01-13') });
  w = await buildWorld(server, { tag: 'matrix' });
  mine = await buildCases(w, 'A', { names: { family: 'Oyelaran',
    given: 'Adebayo', a_number: 'A023456789' } });
  theirs = await buildCases(w, 'B', { names: { family: 'Vasquez-Thornbury',
    given: 'Marisol', a_number: 'A098765432' } });
  const r = await w.admin.get('/api/v1/calendars');
  assert.equal(r.status, 200, r.text);
  calendarId = r.json.items[0].id;
  for (const role of ROLES) {
    const u = w.user[callerKey(role)];
    sessions[role] = await sessionClient(server, u.email ?? ADMIN_EMAIL);
  }
  const doc = await server.client().get('/api/v1/openapi.json');
  assert.equal(doc.status, 200, doc.text);
  ops = [];
  for (const [path, item] of Object.entries(doc.json.paths)) {
    for (const m of METHODS) {
      const o = item[m];
      if (!o || o['x-compel-planned']) continue;
      const roles = o['x-compel-roles'] ?? [];
      if (roles.length === 0) continue; // public
      ops.push({ method: m.toUpperCase(), path, roles });
    }
  }
});

after(async () => {
  if (process.env.DEBUG_STDERR) console.error(server?.stderr());
  await server?.stop();
});

test('the route table covers the case routes and every role', () => {
  const paths = new Set(ops.map((o) => `${o.method} ${o.path}`));
  for (const must of ['GET /api/v1/detainers/{id}',
    'POST /api/v1/subpoenas/{id}/actions/{action}',
    'POST /api/v1/enforcements/{id}/actions/{action}',
    'GET /api/v1/people/{id}', 'GET /api/v1/audit'])
    assert.ok(paths.has(must), `the OpenAPI document lacks ${must}`);
  for (const o of ops)
    for (const r of o.roles) assert.ok(ROLES.includes(r), `${o.path}: ${r}`);
});

test('every operation x every role x own and other organization',
  async () => {
    const rows = [];
    const bad = [];
    for (const op of ops) {
      for (const role of ROLES) {
        let c = caller(role);
        // Logging out ends the session: log out a session of its own.
        if (op.method === 'DELETE' && op.path === '/api/v1/session')
          c = await sessionClient(server, c.user.email);
        for (const side of ['own', 'other']) {
          const q = plan(op, role, side);
          if (q === null) continue;
          const label = `${op.method} ${op.path}`;
          if (typeof q === 'string') {
            bad.push([label, role, side, 'addressable', q]);
            continue;
          }
          const r = await c.req(q.method, q.path, q.body, q.headers);
          const allowed = op.roles.includes(role);
          let expect;
          let ok;
          if (!allowed) {
            expect = '403 forbidden';
            ok = r.status === 403 && r.json?.code === 'forbidden';
          } else if (q.scoped && side === 'other' && role !== 'auditor') {
            expect = '404 not_found, nothing of it';
            const leaks = secrets(theirs).filter((x) => r.text.includes(x));
            ok = r.status === 404 && r.json?.code === 'not_found'
              && leaks.length === 0;
          } else if (q.scoped && !seesOwn(role, q.kind)) {
            expect = '404 not_found';
            ok = r.status === 404 && r.json?.code === 'not_found';
          } else if (q.scoped && q.read) {
            expect = '200';
            ok = r.status === 200;
          } else if (q.scoped && q.action && q.machineRole === false) {
            expect = '403 forbidden (machine)';
            ok = r.status === 403 && r.json?.code === 'forbidden';
          } else if (q.scoped && q.action) {
            expect = '409 state_conflict';
            ok = r.status === 409 && r.json?.code === 'state_conflict';
          } else {
            expect = 'not 401/403/5xx';
            ok = r.status !== 401 && r.status !== 403 && r.status < 500;
          }
          const row = [label, role, side, expect,
            `${r.status} ${r.json?.code ?? ''}`.trim()];
          rows.push(row);
          if (!ok) bad.push(row);
          // Scoped lists never show the other side's cases.
          if (allowed && r.status === 200 && role !== 'auditor'
            && op.method === 'GET' && !op.path.includes('{')) {
            const leaks = secrets(theirs).filter((x) => r.text.includes(x));
            if (leaks.length)
              bad.push([label, role, side, 'no other-side data',
                `leaks ${leaks.join(',')}`]);
          }
        }
      }
    }
    const table = (rs) => rs.map((x) => x.map((v, i) =>
      String(v).padEnd([48, 18, 6, 30, 0][i])).join(' ')).join('\n');
    assert.ok(rows.length > 300, `only ${rows.length} calls`);
    assert.equal(bad.length, 0,
      `${bad.length} of ${rows.length} calls differ:\n` +
      `${table([['operation', 'role', 'side', 'expected', 'got'], ...bad])}`);
  });

test('a route with roles refuses a caller with no credentials', async () => {
  const anon = server.client();
  const out = [];
  for (const op of ops) {
    const q = plan(op, 'officer', 'own');
    if (typeof q !== 'object' || q === null) continue;
    const r = await anon.req(q.method, q.path, q.body, q.headers);
    if (r.status !== 401) out.push(`${op.method} ${op.path}: ${r.status}`);
  }
  assert.deepEqual(out, []);
});
