// badinput.test.mjs: bad input on every JSON-body route of the published
// route table (GET /api/v1/openapi.json; for the action routes, every
// action's body from x-compel-action-bodies), sent by a user the route
// allows: malformed JSON, a wrong type for each documented field, an
// unknown field, a field clients may not set (id, version, state,
// created_at), duplicate keys, nesting deeper than 32, a body over 1 MiB
// (announced by Content-Length, and sent chunked), a wrong Content-Type,
// and an impossible date (2021-02-29: 2021 was not a leap year) wherever a
// date is expected. Every one answers 4xx with the documented code naming
// the field, and afterwards the database is exactly as before (the audit
// trail, sessions and idempotency keys aside).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Readable } from 'node:stream';
import { startServer, dumpDatabase, ADMIN_EMAIL } from './harness.mjs';
import { buildWorld, buildCases, sessionClient, noon } from './world.mjs';

const MISSING = 'AAAAAAAAAAAAAAAAAAAAAA';
const METHODS = ['post', 'put', 'patch', 'delete'];
const MIB = 1024 * 1024;

let server;
let w;
let cases;
let doc;
let ops; // { method, path, url, action, schema, client }
const sessions = {};
const dump = () => dumpDatabase(server,
  { except: ['audit', 'sessions', 'idempotency_keys'] });

// Resolve a local $ref of the OpenAPI document.
function deref(s) {
  while (s && s.$ref) {
    const parts = s.$ref.replace(/^#\//, '').split('/');
    s = parts.reduce((o, k) => o[k], doc);
  }
  return s ?? {};
}

const isDate = (s) => deref(s).format === 'date';

// A value of `schema` that passes the type checks.
function sample(schema) {
  const s = deref(schema);
  if (s.enum) return s.enum[0];
  if (s.examples) return s.examples[0];
  if (s.pattern === '^[A-Z]{2}$') return 'CO';
  if (s.format === 'date') return '2020-01-13';
  if (s.format === 'date-time') return '2020-01-13T15:00:00Z';
  switch (s.type) {
  case 'integer': case 'number':
    return Math.max(s.minimum ?? 1, 1);
  case 'boolean': return false;
  case 'array': return Array(s.minItems ?? 1).fill(sample(s.items));
  case 'object': return base(s);
  default: return s.pattern ? MISSING : 'x';
  }
}

// Fields that make a body valid beyond its types (cross-field rules), by
// schema name: the wrong-type probes must fail on the field they break.
const EXTRA = {
  ServeBody: { return_days: 14 },
  EnterOrderBody: { result: 'enforced_in_part', compliance_days: 14,
    items_kept: [MISSING] },
  HoldInContemptBody: { kind: 'civil', per_day_cents: 100 },
};

// A body with every required field of `schema` present.
function base(schema) {
  const s = deref(schema);
  const out = {};
  for (const k of s.required ?? []) out[k] = sample(s.properties?.[k]);
  for (const alt of (s.oneOf ?? []).slice(0, 1))
    for (const k of alt.required ?? [])
      if (!(k in out)) out[k] = sample(s.properties?.[k]);
  const name = schema?.$ref?.split('/').pop();
  return { ...out, ...(EXTRA[name] ?? {}) };
}

// A value of the wrong JSON type for `schema`.
function wrongType(schema) {
  const s = deref(schema);
  const t = s.type ?? (s.enum ? 'string' : 'object');
  return { string: 12345, integer: 'twelve', number: 'twelve', boolean: 'yes',
    array: 'not an array', object: 'not an object' }[t] ?? 12345;
}

function pathFor(p) {
  const id = {
    '/api/v1/orgs/{id}/facilities': w.org.A.id,
    '/api/v1/orgs/{id}/policies': w.org.J1.id,
    '/api/v1/users/{id}': w.user.officerB.id,
    '/api/v1/users/{id}/unlock': w.user.officerB.id,
    '/api/v1/calendars/{id}/closures': null,
    '/api/v1/subpoenas/{id}': cases.draftSub.id,
    '/api/v1/detainers/{id}/actions/{action}': cases.detainer.id,
    '/api/v1/subpoenas/{id}/actions/{action}': cases.draftSub.id,
    '/api/v1/enforcements/{id}/actions/{action}': cases.enf.id,
    '/api/v1/tokens/{id}': MISSING,
  }[p];
  return id === undefined ? p : p.replace('{id}', id);
}

before(async () => {
  server = await startServer({ clock: noon('2020-01-13') });
  w = await buildWorld(server, { tag: 'badinput' });
  cases = await buildCases(w, 'A');
  doc = (await server.client().get('/api/v1/openapi.json')).json;
  assert.ok(doc?.paths, 'the OpenAPI document');
  const cal = await w.admin.get('/api/v1/calendars');
  const calendarId = cal.json.items[0].id;
  const byRole = { officer: 'officerA', signer: 'signerA',
    agency_counsel: 'counselA', auditor: 'auditorA', booking: 'booking1',
    custodian: 'custodian1', recipient_counsel: 'rcounsel1',
    doj_attorney: 'doj1' };
  const clientFor = async (role) => {
    if (!sessions[role]) {
      sessions[role] = role === undefined ? server.client()
        : await sessionClient(server,
          role === 'admin' ? ADMIN_EMAIL : w.user[byRole[role]].email);
    }
    return sessions[role];
  };
  ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const o = item[m];
      if (!o || o['x-compel-planned']) continue;
      const schema = o.requestBody?.content?.['application/json']?.schema;
      // A raw upload that may itself be a JSON file (a document) is not
      // a JSON-body route: it takes the bytes as they are.
      if (!schema || schema.contentMediaType) continue;
      const roles = o['x-compel-roles'] ?? [];
      const client = await clientFor(roles[0]);
      let url = pathFor(path).replace('{id}', calendarId);
      const headers = m === 'patch' ? { 'If-Match': '"1"' } : {};
      const bodies = o['x-compel-action-bodies'];
      if (bodies) {
        for (const [action, s] of Object.entries(bodies))
          ops.push({ method: m.toUpperCase(), path, action, schema: s,
            url: url.replace('{action}', action), client, headers });
      } else {
        ops.push({ method: m.toUpperCase(), path, schema, url, client,
          headers });
      }
    }
  }
});

after(async () => {
  if (process.env.DEBUG_STDERR) console.error(server?.stderr());
  await server?.stop();
});

// Send `text` raw as a JSON body (or with `type`).
const raw = (op, text, type = 'application/json') => op.client.req(
  op.method, op.url, text, { ...op.headers, 'Content-Type': type });

const label = (op) => `${op.method} ${op.path}${op.action
  ? ` (${op.action})` : ''}`;

// Collect what differs instead of stopping at the first difference.
function checker() {
  const bad = [];
  return {
    bad,
    expect(op, what, r, status, codes, field) {
      const ok = r.status === status
        && (codes === null || codes.includes(r.json?.code))
        && (field === undefined || r.json?.field === field);
      if (!ok) bad.push(`${label(op)}: ${what}: expected ${status} ` +
        `${codes ?? ''} ${field ?? ''}, got ${r.status} ${r.text.slice(0, 160)}`);
    },
    done() { assert.deepEqual(bad, []); },
  };
}

let before0;

test('the route table has JSON-body routes to try', () => {
  before0 = dump();
  assert.ok(ops.length >= 25, `${ops.length} operations`);
  assert.ok(ops.some((o) => o.action === 'serve'));
});

test('malformed JSON, duplicate keys, nesting depth 33, wrong Content-Type',
  async () => {
    const c = checker();
    for (const op of ops) {
      const b = base(op.schema);
      c.expect(op, 'malformed', await raw(op, '{"purpose": '), 400,
        ['malformed_json']);
      const k = Object.keys(b)[0] ?? 'dup';
      const v = JSON.stringify(b[k] ?? 1);
      const rest = JSON.stringify(b).slice(1);
      c.expect(op, 'duplicate key', await raw(op,
        `{${JSON.stringify(k)}: ${v}, ${rest.length > 1 ? rest.replace(/}$/, ',') : ''}` +
        `${JSON.stringify(k)}: ${v}}`), 400, null);
      // 33 levels: the object and 32 arrays inside it.
      c.expect(op, 'depth 33', await raw(op,
        `{"x": ${'['.repeat(32)}${']'.repeat(32)}}`), 400, null);
      c.expect(op, 'text/plain', await raw(op, JSON.stringify(b),
        'text/plain'), 415, null);
    }
    c.done();
  });

test('a wrong type for each documented field, naming it', async () => {
  const c = checker();
  for (const op of ops) {
    const s = deref(op.schema);
    for (const [k, ps] of Object.entries(s.properties ?? {})) {
      const body = { ...base(op.schema), [k]: wrongType(ps) };
      c.expect(op, `wrong type ${k}`, await op.client.req(op.method, op.url,
        body, op.headers), 400, null, k);
    }
  }
  c.done();
});

test('unknown and forbidden fields are refused by name', async () => {
  const c = checker();
  for (const op of ops) {
    const s = deref(op.schema);
    const b = base(op.schema);
    c.expect(op, 'unknown field', await op.client.req(op.method, op.url,
      { ...b, shoe_size: 44 }, op.headers), 400, ['unknown_field'],
    'shoe_size');
    for (const f of ['id', 'version', 'state', 'created_at']) {
      if (s.properties && f in s.properties) continue; // a real field here
      c.expect(op, `forbidden ${f}`, await op.client.req(op.method, op.url,
        { ...b, [f]: f === 'version' ? 7 : 'x' }, op.headers), 400,
      ['forbidden_field', 'unknown_field'], f);
    }
  }
  c.done();
});

test('an impossible date is refused naming the field', async () => {
  const c = checker();
  let n = 0;
  for (const op of ops) {
    const s = deref(op.schema);
    for (const [k, ps] of Object.entries(s.properties ?? {})) {
      if (!isDate(ps)) continue;
      n++;
      c.expect(op, `date ${k}`, await op.client.req(op.method, op.url,
        { ...base(op.schema), [k]: '2021-02-29' }, op.headers), 400, null, k);
    }
  }
  assert.ok(n >= 8, `${n} date fields`);
  c.done();
});

// Send `size` bytes of a JSON body with node's http module: with
// Content-Length, or as a stream (Transfer-Encoding: chunked).
function bigRequest(op, size, chunked) {
  const c = op.client;
  const head = '{"x": "';
  const tail = '"}';
  const fill = size - head.length - tail.length;
  const headers = { ...op.headers, 'Content-Type': 'application/json' };
  if (c.cookie) headers.Cookie = c.cookie;
  if (c.csrf) headers['X-CSRF-Token'] = c.csrf;
  if (!chunked) headers['Content-Length'] = String(size);
  const url = new URL(c.base + op.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ method: op.method, host: url.hostname,
      port: url.port, path: url.pathname, headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => { req.destroy(); resolve({ status: res.statusCode, text,
        json: (() => { try { return JSON.parse(text); } catch { return null; } })() }); });
    });
    // The server may answer and close before the whole body is sent.
    req.on('error', (e) => (e.code === 'EPIPE' || e.code === 'ECONNRESET'
      ? resolve({ status: 0, text: e.code, json: null }) : reject(e)));
    const chunk = 'a'.repeat(64 * 1024);
    let left = fill;
    const body = Readable.from((function* gen() {
      yield head;
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        yield chunk.slice(0, n);
      }
      yield tail;
    })());
    // Announced: let the server answer the headers before the body flows.
    if (chunked) body.pipe(req);
    else {
      req.flushHeaders();
      setTimeout(() => body.pipe(req), 300);
    }
  });
}

test('a body over 1 MiB: 413, announced or chunked', async () => {
  const c = checker();
  const seen = new Set();
  for (const op of ops) {
    if (seen.has(op.path)) continue; // one action per route suffices
    seen.add(op.path);
    const r1 = await bigRequest(op, MIB + 1, false);
    c.expect(op, 'Content-Length > 1 MiB', r1, 413, null);
    const r2 = await bigRequest(op, MIB + 1, true);
    c.expect(op, 'chunked > 1 MiB', r2, 413, null);
  }
  c.done();
});

test('nothing changed', () => {
  assert.equal(dump(), before0);
});
