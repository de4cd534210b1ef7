// crash.mjs: crashes lose nothing (issue 7). 64 clients do mixed writes
// against a real `compel serve` (people, detainers and their actions,
// subpoenas from draft through counsel review, signature, service with a
// proof-of-service upload, response or refusal, referral, and the
// enforcement case that follows); at a random moment the server gets
// SIGKILL; it is restarted on the same database; the clients cut off
// mid-request send the same request again; then everything is checked:
//
// - every acknowledged write (a 2xx answer received) is there exactly
//   once: each case's state, version and timeline are exactly the actions
//   its client saw acknowledged, in order; each creation replayed with its
//   Idempotency-Key answers the first answer again (Idempotent-Replayed)
//   and creates nothing; the database holds one row per logical creation;
// - nothing is partially applied: every case's version is its number of
//   timeline events, its state the last event's, and every event has
//   exactly one audit record and every change audit record its event (the
//   auditor's API per case, and the whole database read-only);
// - SQLite `PRAGMA integrity_check` is ok; `compel audit verify` is ok;
// - no canary (harness.mjs: passwords, session, CSRF and API tokens, a
//   TOTP seed, the names and addresses sent) is in any server's output,
//   any core file, or the audit trail. The 4th and 5th iteration of every
//   ten crash the server with SIGSEGV and SIGABRT instead of SIGKILL, so
//   that (under ASan) a sanitizer report is among the outputs checked.
//
// Creations carry an Idempotency-Key. Actions do not take one (docs/api.md:
// only POSTs that create honour it), so every action carries If-Match with
// the version the client last saw: a retried action either applies now
// (200) or was applied before the crash (412, and the case shows it once).
//
//   COMPEL_BIN=build/ci/compel node tests/soak/crash.mjs
//
// Environment: COMPEL_SOAK_ITERATIONS (default 5), COMPEL_SOAK_SEED (replay
// a run's choices: the seed is printed first), COMPEL_SOAK_CLIENTS
// (default 64), COMPEL_SOAK_MAX_KILL_MS (the kill falls uniformly in
// [200, this] ms after the load starts; default 2500), COMPEL_SOAK_THREADS
// (server threads, default 16), COMPEL_SOAK_DB_URL (a postgresql:// URL of
// an empty database, else SQLite in a temporary directory),
// COMPEL_SOAK_KEEP=1 (keep the temporary directory), COMPEL_SOAK_CORES=1
// (let the servers dump core, to check the cores). Exit status 0 when
// every check held, 1 with the violations listed otherwise.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BIN, ADMIN_EMAIL, PASSWORD, CANARIES, Client }
  from '../api/harness.mjs';
import { buildWorld, act, sendDocument } from '../api/world.mjs';

const env = process.env;
const ITERATIONS = intEnv('COMPEL_SOAK_ITERATIONS',
  env.COMPEL_SOAK_NEGATIVE ? 1 : 5);
const CLIENTS = intEnv('COMPEL_SOAK_CLIENTS', 64);
const MAX_KILL_MS = intEnv('COMPEL_SOAK_MAX_KILL_MS', 2500);
const THREADS = intEnv('COMPEL_SOAK_THREADS', 16);
const SEED = env.COMPEL_SOAK_SEED !== undefined
  ? Number(env.COMPEL_SOAK_SEED) >>> 0
  : (Math.random() * 2 ** 32) >>> 0;
// Audit actions on case objects that record reads, not changes: those
// whose last word is one of these (`subpoena.read`, `subpoena.response.read`).
const READS = new Set(['read', 'get', 'history', 'list', 'export', 'search',
  'document', 'manifest']);
const isRead = (verb) => READS.has(verb.split('.').at(-1));
// A negative control: spoil one thing on purpose after the first restart;
// the run then passes only if the checks catch it (see spoil()).
const NEGATIVE = env.COMPEL_SOAK_NEGATIVE || '';
const SPOILS = NEGATIVE === 'all'
  ? ['missing', 'duplicate', 'partial', 'leak'] : NEGATIVE ? [NEGATIVE] : [];
if (SPOILS.some((m) => !['missing', 'duplicate', 'partial', 'leak']
  .includes(m))) {
  console.error('crash.mjs: COMPEL_SOAK_NEGATIVE is missing, duplicate, ' +
    'partial, leak or all');
  process.exit(2);
}
// Let the servers dump core (off: the environment's limit, often 0).
const CORES = env.COMPEL_SOAK_CORES === '1';
const KINDS = { subpoenas: 'subpoena', detainers: 'detainer',
  enforcements: 'enforcement' };

function intEnv(name, dflt) {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    console.error(`crash.mjs: ${name} must be a whole number above 0`);
    process.exit(2);
  }
  return Number(v);
}

// mulberry32: a small seeded generator, so that a seed replays the same
// choices (kill moments, chain kinds, variants). The interleaving of 64
// clients is the machine's, not the seed's.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the server ----------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'compel-soak-'));
const keyFile = join(dir, 'compel.key');
const DB = env.COMPEL_SOAK_DB_URL || `sqlite:${join(dir, 'compel.db')}`;
const SQLITE = DB.startsWith('sqlite:');
if (!SQLITE && !/^postgres(ql)?:\/\//.test(DB)) {
  console.error('crash.mjs: COMPEL_SOAK_DB_URL must be a postgresql:// URL');
  process.exit(2);
}

function initDb() {
  writeFileSync(join(dir, 'pw'), PASSWORD + '\n');
  try {
    execFileSync(BIN, ['init', '--db', DB, '--key-file', keyFile,
      '--admin-email', ADMIN_EMAIL, '--admin-password-file',
      join(dir, 'pw'), '--timezone', 'America/Denver'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`compel init --db ${DB} failed (exit ${e.status}): ` +
      `${e.stderr}`.trim());
  }
}

// Start `compel serve` on the existing database; resolves once it listens
// and /readyz answers 200, with the time that took.
async function serve() {
  const t0 = performance.now();
  // The servers run in the temporary directory (where a core file would
  // land), so a relative COMPEL_BIN is resolved first. COMPEL_SOAK_CORES=1
  // lifts the core size limit first (the shell execs the server: same pid).
  const bin = BIN.includes('/') ? resolve(BIN) : BIN;
  const args = ['serve', '--db', DB, '--key-file', keyFile,
    '--listen', '127.0.0.1:0', '--log-level', 'warn', '--threads',
    String(THREADS), '--max-connections-per-ip', '512',
    '--max-connections', '1024'];
  const child = CORES
    ? spawn('/bin/sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', bin,
      ...args], { env: { ...env }, cwd: dir })
    : spawn(bin, args, { env: { ...env }, cwd: dir });
  let stderr = '';
  let out = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (d) => { out += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `compel serve did not start in 30 s: ${stderr}`)), 30000);
    child.stdout.on('data', () => {
      const m = out.match(/serving on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`compel serve exited (${code ?? sig}): ${stderr}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const r = await fetch(`${base}/readyz`);
  await r.text();
  if (r.status !== 200) throw new Error(`/readyz answered ${r.status}`);
  return { child, base, n: ++servers, stderr: () => stderr,
    stdout: () => out,
    readyMs: performance.now() - t0 };
}

let servers = 0; // how many `compel serve` were started

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

// Read-only SQL on the database: rows as arrays of strings (NULL is '').
function sql(query, { write = false } = {}) {
  const US = '\x1f';
  const RS = '\x1e';
  const out = SQLITE
    ? execFileSync('sqlite3', [...(write ? [] : ['-readonly']),
      '-separator', US, '-newline',
      RS, DB.slice('sqlite:'.length), query], { maxBuffer: 1 << 30 })
    : execFileSync('psql', [DB, '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-F',
      US, '-R', RS, '-c', query], { maxBuffer: 1 << 30 });
  return out.toString().replace(/\n$/, '').split(RS).filter((l) => l !== '')
    .map((l) => l.split(US));
}

// ---- the world -----------------------------------------------------------

let server;
let world;
const clients = []; // every Client, to point at the restarted server

// The shared world (tests/api/world.mjs) plus an office R whose subpoenas
// go to counsel review, for `approve`.
async function setUp() {
  initDb();
  server = await serve();
  const shim = { get base() { return server.base; },
    client() {
      const c = new Client(server.base);
      clients.push(c);
      return c;
    } };
  world = await buildWorld(shim, { tag: 'soak' });
  const admin = world.user.admin;
  const r = await admin.post('/api/v1/orgs', { kind: 'agency_office',
    name: 'Reviewed Field Office', state: 'CO', timezone: 'America/Denver',
    requires_counsel_review: true });
  expect(r.status === 201, `create office R: ${r.status} ${r.text}`);
  world.org.R = r.json;
  for (const [key, role, title] of [['officerR', 'officer'],
    ['signerR', 'signer', 'Field Office Director'],
    ['counselR', 'agency_counsel']]) {
    const email = `${key}@soak.test`;
    const u = await admin.post('/api/v1/users', { email, name: `User ${key}`,
      org_id: r.json.id, roles: [role], password: PASSWORD,
      ...(title ? { title } : {}) });
    expect(u.status === 201, `create ${key}: ${u.status} ${u.text}`);
    const c = shim.client();
    const l = await c.login(email);
    expect(l.status === 201, `login ${key}: ${l.status} ${l.text}`);
    const t = await c.post('/api/v1/tokens', { name: 'soak' });
    expect(t.status === 201, `token ${key}: ${t.status} ${t.text}`);
    Object.assign(c, { bearer: t.json.token, cookie: null, csrf: null,
      id: u.json.id, email, role });
    world.user[key] = c;
  }
  // Canaries (issue 7): a user with her own password and a pending TOTP
  // seed, logged in with a browser session. harness.mjs notes the
  // password, the session token, the CSRF token, the seed and its
  // otpauth URI as they pass; with the test password, the API tokens and
  // every name and address the clients send, none may appear in any
  // server's output, crashed or not, nor in the audit trail.
  const canaryPassword = `soak-secret-${SEED}-pw`;
  const cu = await admin.post('/api/v1/users', { email: 'canary@soak.test',
    name: 'Canary Keeper', org_id: world.org.A.id, roles: ['officer'],
    password: canaryPassword });
  expect(cu.status === 201, `create canary user: ${cu.status} ${cu.text}`);
  const cc = shim.client();
  const cl = await cc.login('canary@soak.test', canaryPassword);
  expect(cl.status === 201, `login canary: ${cl.status} ${cl.text}`);
  const seed = await cc.post('/api/v1/me/totp', {});
  expect(seed.status === 201 && seed.json.secret,
    `TOTP enrolment: ${seed.status} ${seed.text}`);
  for (const v of [canaryPassword, seed.json.secret])
    expect(CANARIES.has(v), 'harness.mjs did not note a canary');
  world.user.canary = cc;
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

// ---- chains of writes ----------------------------------------------------

// A chain is one client's walk through one case (and the person it names);
// its steps are computed from what the chain has seen acknowledged so far.
// Chains outlive an iteration: a case cut off mid-way goes on after the
// restart, so later iterations crash cases in every state.
let keySeq = 0;
const newKey = (w) => `soak-${SEED}-${w.n}-${++keySeq}`;
const today = () => new Date().toISOString().slice(0, 10);
const yesterday = () => new Date(Date.now() - 86400000).toISOString()
  .slice(0, 10);
const instant = () => new Date(Date.now() - 60000).toISOString()
  .replace(/\.\d+Z$/, 'Z');

function side(office) {
  const u = world.user;
  if (office === 'A') return { off: u.officerA, signer: u.signerA,
    counsel: u.counselA, j: '1' };
  if (office === 'B') return { off: u.officerB, signer: u.signerB,
    counsel: u.counselB, j: '2' };
  return { off: u.officerR, signer: u.signerR, counsel: u.counselR,
    j: pick(['1', '2']) };
}

// A produced item's value: a canary address or employer (personal data the
// server must keep out of its output; harness.mjs notes every `value`).
const valueFor = (item, w) => item.category === 'home_address'
  ? `${1000 + keySeq} Canary Lane, Apt ${w.n}, Denver CO 80203`
  : `Canary Employer ${w.n}-${keySeq} LLC`;

function newChain(w) {
  const office = pick(['A', 'B', 'R']);
  const s = side(office);
  const u = world.user;
  const j = s.j;
  const ch = { office, case: null, person: null, doc: null, steps: [],
    i: 0 };
  const booking = u[`booking${j}`];
  const recipient = pick([u[`custodian${j}`], u[`rcounsel${j}`]]);
  const doj = u[`doj${j}`];
  const create = (what, user, path, body, onAck) => ({ op: 'create', what,
    user, path, body, onAck });
  const action = (user, action, to, body = {}) => ({ op: 'action', user,
    action, to, body });
  const steps = ch.steps;

  if (rand() < 0.5 || office !== 'R') {
    steps.push(() => create('person', s.off, '/api/v1/people', {
      family_name: `Soakcanary${w.n}`, given_names: `Chain ${keySeq} Canary`,
      date_of_birth: '1990-05-17' }, (r) => { ch.person = r.json.id; }));
  }
  if (office !== 'R' && rand() < 0.3) {
    // A detainer: lodged, acknowledged, honoured or declined, released.
    ch.kind = 'detainers';
    steps.push(() => create('detainer', s.off, '/api/v1/detainers', {
      person_id: ch.person, facility_id: world.facility[`F${j}`].id,
      form: 'I-247A', basis: pick(['final_order', 'pending_proceedings']) },
    (r) => { ch.case = caseOf('detainers', r.json, 'create'); }));
    steps.push(() => action(booking, 'acknowledge', 'acknowledged'));
    if (rand() < 0.5)
      steps.push(() => action(booking, 'honor', 'honored'));
    else
      steps.push(() => action(booking, 'decline', 'declined',
        { reason: 'county policy' }));
    steps.push(() => action(booking, 'release', 'released',
      { released_at: instant(), notice_given: false }));
    return ch;
  }
  ch.kind = 'subpoenas';
  steps.push(() => create('subpoena', s.off, '/api/v1/subpoenas', {
    recipient_org_id: world.org[`J${j}`].id,
    ...(ch.person ? { person_id: ch.person } : {}),
    purpose: `soak chain of client ${w.n}`,
    items: [{ category: 'home_address' }, { category: 'employer' }] },
  (r) => { ch.case = caseOf('subpoenas', r.json, 'create'); }));
  steps.push(() => action(s.off, 'submit',
    office === 'R' ? 'in_review' : 'ready_to_sign'));
  if (office === 'R')
    steps.push(() => action(s.counsel, 'approve', 'ready_to_sign'));
  steps.push(() => action(s.signer, 'sign', 'signed'));
  steps.push(() => ({ op: 'upload', user: s.off,
    query: `case_id=${ch.case.id}&kind=proof_of_service`,
    content: Buffer.from(`%PDF-1.4\n% proof of service, ${newKey(w)}\n`),
    onAck: (r) => { ch.doc = r.json.id; } }));
  steps.push(() => action(s.off, 'serve', 'served', {
    served_at: instant(), method: 'personal', served_to: 'records unit',
    return_days: 14, proof_of_service_document_id: ch.doc }));
  const v = pick(['complied', 'refused', 'partial']);
  if (v === 'complied') {
    steps.push(() => action(recipient, 'respond', 'responded', {
      items: ch.case.json.items.map((i) => ({ item_id: i.id,
        outcome: 'produced', value: valueFor(i, w) })) }));
    steps.push(() => action(s.off, 'close', 'closed'));
    return ch;
  }
  if (v === 'refused')
    steps.push(() => action(recipient, 'refuse', 'responded',
      { reason: 'court order only' }));
  else
    steps.push(() => action(recipient, 'respond', 'responded', {
      items: ch.case.json.items.map((i, n) => (n === 0
        ? { item_id: i.id, outcome: 'produced', value: valueFor(i, w) }
        : { item_id: i.id, outcome: 'objected', ground: 'relevance' })) }));
  steps.push(() => action(s.counsel, 'refer', 'referred',
    { doj_org_id: world.org[`D${j}`].id }));
  // The enforcement case the referral created: read it, then act on it.
  steps.push(() => ({ op: 'read', user: doj,
    path: `/api/v1/enforcements/${ch.case.json.enforcement_id}`,
    onAck: (r) => { ch.case = caseOf('enforcements', r.json, 'create'); } }));
  if (rand() < 0.5) {
    steps.push(() => action(doj, 'file_petition', 'petition_filed', {
      court: 'U.S. District Court', district: 'Colorado',
      docket_number: `1:26-mc-${w.n}-${keySeq}`, filed_on: yesterday() }));
  }
  steps.push(() => action(doj, 'dismiss', 'dismissed'));
  steps.push(() => action(doj, 'close', 'closed'));
  return ch;
}

// What the clients saw acknowledged, per case: the key is kind/id.
const cases = new Map();
function caseOf(kind, json, firstAction) {
  const key = `${kind}/${json.id}`;
  let c = cases.get(key);
  if (!c) {
    c = { kind, id: json.id, actions: [firstAction], version: json.version,
      state: json.state, json };
    cases.set(key, c);
  }
  c.json = json;
  return c;
}

// A referral creates an enforcement case at version 1, state referred.
function referred(id) {
  cases.set(`enforcements/${id}`, { kind: 'enforcements', id,
    actions: ['create'], version: 1, state: 'referred', json: null });
  it.touched.add(`enforcements/${id}`);
}

// ---- one request, with its outcome ---------------------------------------

const phase = { killed: false, restarted: null };
let it = null; // the iteration's figures and records
const violations = [];
function violation(what) {
  violations.push(`iteration ${it?.n ?? '-'}: ${what}`);
}

// Send `spec` as its user. Returns the answer, or null when the connection
// was cut (the server died). A 5xx or 429 is not an acknowledgement: the
// same request (same key, same If-Match) goes again after a pause.
async function send(spec) {
  for (let attempt = 1; ; attempt++) {
    let r;
    try {
      if (spec.op === 'create')
        r = await spec.user.post(spec.path, spec.body,
          { 'Idempotency-Key': spec.key });
      else if (spec.op === 'upload')
        r = await sendDocument(spec.user, spec.query, spec.content,
          { headers: { 'Idempotency-Key': spec.key } });
      else if (spec.op === 'action')
        r = await act(spec.user, spec.kind, spec.id, spec.action, spec.body,
          { 'If-Match': `"${spec.ifVersion}"` });
      else r = await spec.user.get(spec.path);
    } catch (e) {
      if (phase.killed) return null;
      throw new Error(`a request failed while the server was up: ${e.cause
        ?.message ?? e.message} (${describe(spec)})`);
    }
    if (r.status >= 500 || r.status === 429) {
      it.transient++;
      if (attempt > 50) throw new Error(`${describe(spec)}: ${r.status} ` +
        `50 times: ${r.text}`);
      await sleep(Math.min(200, 10 * attempt));
      continue;
    }
    return r;
  }
}

const describe = (s) => s.op === 'action'
  ? `${s.action} on ${s.kind}/${s.id} at version ${s.ifVersion}`
  : s.op === 'read' ? `GET ${s.path}`
    : `${s.op} ${s.what ?? 'document'} key ${s.key}`;

// Take the chain's next step. Returns false when the server was killed
// under it (the step is then the client's `inDoubt`).
async function step(w) {
  const ch = w.chain;
  const spec = ch.steps[ch.i]();
  if (spec.op === 'create' || spec.op === 'upload') spec.key = newKey(w);
  if (spec.op === 'action')
    Object.assign(spec, { kind: ch.case.kind, id: ch.case.id,
      ifVersion: ch.case.version });
  const r = await send(spec);
  if (r === null) { w.inDoubt = spec; return false; }
  accept(w, spec, r, false);
  return true;
}

// Record an answer to `spec` (retried: sent again after the restart).
function accept(w, spec, r, retried) {
  const ch = w.chain;
  if (spec.op === 'read') {
    if (r.status !== 200)
      throw new Error(`${describe(spec)}: ${r.status} ${r.text}`);
    spec.onAck(r);
    ch.i++;
    return;
  }
  if (spec.op === 'action') {
    const c = ch.case;
    if (r.status === 200) {
      if (r.json.version !== spec.ifVersion + 1 || r.json.state !== spec.to)
        violation(`${describe(spec)} answered version ${r.json.version}, ` +
          `state ${r.json.state}; expected ${spec.ifVersion + 1}, ${spec.to}`);
      c.actions.push(spec.action);
      if (spec.action === 'refer') referred(r.json.enforcement_id);
      Object.assign(c, { version: r.json.version, state: r.json.state,
        json: r.json });
      if (retried) it.cutAppliedOnRetry++;
    } else if (r.status === 412 && retried) {
      // Applied before the crash: the answer was lost, the action was not.
      w.pending412 = spec;
      c.actions.push(spec.action);
      c.version = spec.ifVersion + 1;
      c.state = spec.to;
      it.cutFoundCommitted++;
    } else {
      throw new Error(`${describe(spec)}: ${r.status} ${r.text}`);
    }
    it.touched.add(`${c.kind}/${c.id}`);
    it.acked.actions++;
    ch.i++;
    return;
  }
  if (r.status !== 201)
    throw new Error(`${describe(spec)}: ${r.status} ${r.text}`);
  const replayed = r.headers.get('idempotent-replayed') === 'true';
  if (replayed && !retried)
    violation(`${describe(spec)}: a new key answered Idempotent-Replayed`);
  if (retried) {
    if (replayed) it.cutFoundCommitted++;
    else it.cutAppliedOnRetry++;
  }
  spec.onAck(r);
  const what = spec.what ?? 'document';
  it.creates.push({ spec, what, id: r.json.id, answer: r.json });
  totals.created[what]++;
  totals.ids[what].add(r.json.id);
  if (ch.case) it.touched.add(`${ch.case.kind}/${ch.case.id}`);
  it.acked.creates++;
  ch.i++;
}

async function runClient(w) {
  while (!phase.killed) {
    if (!w.chain || w.chain.i >= w.chain.steps.length) {
      if (w.chain) it.chainsDone++;
      w.chain = newChain(w);
    }
    if (!await step(w)) break;
  }
  await phase.restarted;
  if (!w.inDoubt) return;
  const spec = w.inDoubt;
  w.inDoubt = null;
  if (spec.op !== 'read') it.cut++; // a cut read is only read again
  const r = await send(spec);
  if (r === null) throw new Error(`${describe(spec)}: cut again after the ` +
    'restart');
  accept(w, spec, r, true);
  if (w.pending412) {
    // Show that the 412 means "applied once", not "lost".
    const p = w.pending412;
    w.pending412 = null;
    const g = await p.user.get(`/api/v1/${p.kind}/${p.id}`);
    if (g.status !== 200 || g.json.version !== p.ifVersion + 1 ||
      g.json.state !== p.to)
      violation(`${describe(p)} was cut off; the retry answered 412, but ` +
        `the case is at version ${g.json?.version}, state ${g.json?.state}`);
    else {
      w.chain.case.json = g.json;
      if (p.action === 'refer') referred(g.json.enforcement_id);
    }
  }
}

// ---- checks --------------------------------------------------------------

// Run `fn` over `items`, `n` at a time.
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) },
    async () => {
      while (next < items.length) await fn(items[next++]);
    }));
}

async function auditOf(id) {
  const out = [];
  let cursor = null;
  do {
    const r = await world.user.auditorA.get(`/api/v1/audit?object=${id}` +
      `&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (r.status !== 200)
      throw new Error(`audit of ${id}: ${r.status} ${r.text}`);
    out.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  return out;
}

const count = (xs) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1),
  new Map());
const sameCounts = (a, b) => a.size === b.size &&
  [...a].every(([k, v]) => b.get(k) === v);

// Through the API: every case touched in this iteration stands exactly as
// its client saw it acknowledged, and its timeline and audit records agree.
async function checkCases() {
  await pool([...it.touched], 8, async (key) => {
    const c = cases.get(key);
    const kind = KINDS[c.kind];
    const g = await world.user.auditorA.get(`/api/v1/${c.kind}/${c.id}`);
    if (g.status !== 200) {
      it.missing++;
      violation(`${key}: GET answered ${g.status}`);
      return;
    }
    if (g.json.version !== c.version || g.json.state !== c.state) {
      if (g.json.version < c.version) it.missing++;
      else it.partial++;
      violation(`${key}: version ${g.json.version}, state ${g.json.state}; ` +
        `acknowledged: version ${c.version}, state ${c.state}`);
    }
    const h = await world.user.auditorA.get(
      `/api/v1/${c.kind}/${c.id}/history`);
    if (h.status !== 200) throw new Error(`${key} history: ${h.status}`);
    const events = h.json.items.map((e) => e.action);
    if (!isDeepStrictEqual(events, c.actions)) {
      if (events.length < c.actions.length) it.missing++;
      else it.partial++;
      violation(`${key}: timeline [${events}], acknowledged [${c.actions}]`);
    }
    if (events.length !== g.json.version) {
      it.partial++;
      violation(`${key}: ${events.length} events at version ${g.json.version}`);
    }
    const audited = (await auditOf(c.id)).filter((a) => a.outcome === 'ok' &&
      a.object_kind === kind && !isRead(a.action.slice(kind.length + 1)))
      .map((a) => a.action.slice(kind.length + 1));
    // An enforcement case's creation is audited as the subpoena's `refer`.
    const expected = c.kind === 'enforcements'
      ? events.filter((a) => a !== 'create') : events;
    const ea = count(expected);
    const aa = count(audited);
    if (!sameCounts(ea, aa)) {
      for (const [a, n] of aa) if (n > (ea.get(a) ?? 0)) it.dupAudit++;
      it.partial++;
      violation(`${key}: events [${expected}] but audit records ` +
        `[${audited}]`);
    }
  });
}

// Every creation acknowledged in this iteration, replayed with its key,
// answers the first answer again and creates nothing; what it created is
// there (a document with its bytes).
async function checkReplays() {
  const before = rowCounts();
  await pool(it.creates, 8, async ({ spec, what, id, answer }) => {
    let r;
    if (spec.op === 'upload')
      r = await sendDocument(spec.user, spec.query, spec.content,
        { headers: { 'Idempotency-Key': spec.key } });
    else r = await spec.user.post(spec.path, spec.body,
      { 'Idempotency-Key': spec.key });
    if (r.status !== 201 || r.headers.get('idempotent-replayed') !== 'true' ||
      !isDeepStrictEqual(r.json, answer)) {
      it.replayBad++;
      violation(`replay of ${describe(spec)}: ${r.status} replayed=` +
        `${r.headers.get('idempotent-replayed')} ${r.text.slice(0, 200)}`);
    }
    const path = what === 'person' ? `/api/v1/people/${id}`
      : what === 'document' ? `/api/v1/documents/${id}`
        : `/api/v1/${what}s/${id}`;
    const g = await spec.user.get(path);
    const okBody = what === 'document'
      ? g.text === spec.content.toString() : g.json?.id === id;
    if (g.status !== 200 || !okBody) {
      it.missing++;
      violation(`${what} ${id} (key ${spec.key}): GET ${g.status}`);
    }
  });
  const after = rowCounts();
  if (!isDeepStrictEqual(before, after))
    violation(`replays created rows: ${JSON.stringify(before)} -> ` +
      `${JSON.stringify(after)}`);
}

function rowCounts() {
  const [row] = sql('SELECT (SELECT count(*) FROM people), ' +
    '(SELECT count(*) FROM detainers), (SELECT count(*) FROM subpoenas), ' +
    '(SELECT count(*) FROM documents), (SELECT count(*) FROM enforcements)');
  const [person, detainer, subpoena, document, enforcement] = row.map(Number);
  return { person, detainer, subpoena, document, enforcement };
}

// The whole database, read-only: rows per creation, versions and states
// against timelines, timelines against audit records, both ways.
function checkDatabase() {
  const rows = rowCounts();
  for (const what of ['person', 'detainer', 'subpoena', 'document']) {
    const want = totals.baseline[what] + totals.created[what];
    if (rows[what] !== want) {
      if (rows[what] > want) it.dupCreate += rows[what] - want;
      else it.missing += want - rows[what];
      violation(`${rows[what]} ${what} rows; ${want} acknowledged creations`);
    }
  }
  const events = new Map(); // kind/id -> [[seq, action, details]]
  for (const [k, id, seq, action, details] of sql('SELECT case_kind, ' +
    'case_id, seq, action, details FROM events ORDER BY case_kind, case_id, ' +
    'seq')) {
    const key = `${k}/${id}`;
    if (!events.has(key)) events.set(key, []);
    events.get(key).push([Number(seq), action,
      details ? JSON.parse(details) : {}]);
  }
  const changes = new Map(); // object_kind/object_id/action -> n
  const docAudits = new Map();
  const personAudits = new Map();
  for (const [k, id, action] of sql("SELECT object_kind, object_id, action " +
    "FROM audit WHERE outcome = 'ok' AND object_kind IN ('subpoena', " +
    "'detainer', 'enforcement', 'document', 'person')")) {
    const verb = action.slice(k.length + 1);
    if (k === 'document' && verb === 'create')
      docAudits.set(id, (docAudits.get(id) ?? 0) + 1);
    else if (k === 'person' && verb === 'create')
      personAudits.set(id, (personAudits.get(id) ?? 0) + 1);
    else if (k !== 'document' && k !== 'person' && !isRead(verb)) {
      const key = `${k}/${id}/${verb}`;
      changes.set(key, (changes.get(key) ?? 0) + 1);
    }
  }
  const referred = new Map(); // enforcement id -> subpoena id
  const seen = new Set();
  for (const [key, evs] of events) {
    const [k, id] = key.split('/');
    evs.forEach(([seq, action, d], n) => {
      if (seq !== n + 1) {
        it.partial++;
        violation(`${key}: event ${n + 1} has seq ${seq}`);
      }
      if (action === 'refer') referred.set(d.enforcement_id, id);
      if (k === 'enforcement' && action === 'create') return;
      const ak = `${k}/${id}/${action}`;
      if (seen.has(ak)) return;
      seen.add(ak);
      const want = evs.filter((e) => e[1] === action).length;
      const got = changes.get(ak) ?? 0;
      if (got !== want) {
        if (got > want) it.dupAudit += got - want;
        else it.partial++;
        violation(`${key}: ${want} '${action}' events, ${got} audit records`);
      }
    });
  }
  for (const [ak, n] of changes) {
    if (!seen.has(ak)) {
      it.partial++;
      violation(`audit records '${ak}' (${n}) without an event`);
    }
  }
  const tables = { detainer: 'detainers', subpoena: 'subpoenas',
    enforcement: 'enforcements' };
  for (const [k, table] of Object.entries(tables)) {
    for (const [id, version, state] of sql(`SELECT id, version, state FROM ${
      table}`)) {
      const key = `${k}/${id}`;
      const evs = events.get(key) ?? [];
      const last = evs.at(-1);
      const lastState = !last ? null : last[1] !== 'create' ? last[2].to
        : { subpoena: 'draft', detainer: 'lodged',
          enforcement: 'referred' }[k];
      if (Number(version) !== evs.length || state !== lastState) {
        it.partial++;
        violation(`${key}: version ${version}, state ${state}; ` +
          `${evs.length} events, the last to ${lastState}`);
      }
      if (k === 'enforcement' && !referred.has(id)) {
        it.partial++;
        violation(`${key} exists without a subpoena referral naming it`);
      }
    }
  }
  for (const [id, sub] of referred) {
    if (!events.has(`enforcement/${id}`)) {
      it.partial++;
      violation(`subpoena/${sub} was referred to enforcement/${id}, ` +
        'which has no timeline');
    }
  }
  const checkCreates = (table, audits, what) => {
    const ids = sql(`SELECT id FROM ${table}`).map((r) => r[0]);
    for (const id of ids) {
      const n = audits.get(id) ?? 0;
      if (n !== 1) {
        if (n > 1) it.dupAudit += n - 1;
        else it.partial++;
        violation(`${what} ${id}: ${n} '${what}.create' audit records`);
      }
    }
    const have = new Set(ids);
    for (const id of audits.keys()) {
      if (!have.has(id)) {
        it.partial++;
        violation(`'${what}.create' audited for ${id}, which does not exist`);
      }
    }
  };
  checkCreates('documents', docAudits, 'document');
  checkCreates('people', personAudits, 'person');

  // Every case, person and document any client saw acknowledged, in any
  // iteration, stands as acknowledged: rows, versions, states, timelines.
  for (const [what, table] of [['person', 'people'], ['document',
    'documents'], ['detainer', 'detainers'], ['subpoena', 'subpoenas']]) {
    const have = new Set(sql(`SELECT id FROM ${table}`).map((r) => r[0]));
    for (const id of totals.ids[what]) {
      if (!have.has(id)) {
        it.missing++;
        violation(`acknowledged ${what} ${id} is not in the database`);
      }
    }
  }
  const rowsOf = new Map();
  for (const table of ['detainers', 'subpoenas', 'enforcements'])
    for (const [id, version, state] of sql(`SELECT id, version, state ` +
      `FROM ${table}`)) rowsOf.set(`${table}/${id}`, [Number(version), state]);
  for (const [key, c] of cases) {
    const row = rowsOf.get(key);
    const evs = (events.get(`${KINDS[c.kind]}/${c.id}`) ?? []).map((e) => e[1]);
    if (!row || row[0] !== c.version || row[1] !== c.state ||
      !isDeepStrictEqual(evs, c.actions)) {
      if (!row || row[0] < c.version || evs.length < c.actions.length)
        it.missing++;
      else it.partial++;
      violation(`${key} in the database: ${row ? `version ${row[0]}, ` +
        `state ${row[1]}` : 'no row'}, events [${evs}]; acknowledged: ` +
        `version ${c.version}, state ${c.state}, [${c.actions}]`);
    }
  }

  if (SQLITE) {
    it.integrity = sql('PRAGMA integrity_check').map((r) => r[0]).join('; ');
    if (it.integrity !== 'ok') violation(`integrity_check: ${it.integrity}`);
  } else {
    it.integrity = 'n/a (PostgreSQL)';
  }
}

async function checkAudit() {
  let out;
  try {
    out = execFileSync(BIN, ['audit', 'verify', '--db', DB, '--key-file',
      keyFile], { stdio: 'pipe' }).toString().trim();
  } catch (e) {
    out = `exit ${e.status}: ${e.stdout}${e.stderr}`.trim();
  }
  const m = out.match(/^ok: (\d+) entries verified/);
  it.verify = m ? `ok (${m[1]})` : out;
  if (!m) violation(`compel audit verify: ${out}`);
  const r = await world.user.auditorA.get('/api/v1/audit/verify');
  if (r.status !== 200 || r.json.ok !== true)
    violation(`GET /api/v1/audit/verify: ${r.status} ${r.text}`);
}

// ---- the run -------------------------------------------------------------

const totals = { created: { person: 0, detainer: 0, subpoena: 0,
  document: 0 }, ids: { person: new Set(), detainer: new Set(),
  subpoena: new Set(), document: new Set() }, baseline: null, sum: {} };
const SUM = ['acked', 'cut', 'cutFoundCommitted', 'cutAppliedOnRetry',
  'missing', 'partial', 'dupAudit', 'dupCreate', 'replayBad', 'transient',
  'chainsDone'];

async function iteration(n, workers) {
  const t0 = performance.now();
  it = { n, acked: { creates: 0, actions: 0 }, creates: [],
    touched: new Set(), cut: 0, cutFoundCommitted: 0, cutAppliedOnRetry: 0,
    missing: 0, partial: 0, dupAudit: 0, dupCreate: 0, replayBad: 0,
    transient: 0, chainsDone: 0, integrity: '', verify: '' };
  const killAt = 200 + Math.floor(rand() * Math.max(1, MAX_KILL_MS - 200));
  phase.killed = false;
  let restarted;
  phase.restarted = new Promise((r) => { restarted = r; });
  const running = workers.map((w) => runClient(w).catch((e) => {
    violation(`client ${w.n}: ${e.message}`);
  }));

  await sleep(killAt);
  const dead = server;
  const sig = crashSignal(n);
  phase.killed = true;
  dead.child.kill(sig);
  await exited(dead.child);
  it.crash = scanOutput(dead, sig);
  server = await serve();
  for (const c of clients) c.base = server.base;
  restarted();
  await Promise.all(running);
  const loadMs = performance.now() - t0;
  if (NEGATIVE && n === 1) await spoil();

  if (!violations.length) {
    await checkCases();
    await checkReplays();
    checkDatabase();
    await checkAudit();
  }
  const ackedN = it.acked.creates + it.acked.actions;
  console.log(`iteration ${n}/${ITERATIONS}: kill at ${killAt} ms, ` +
    `acknowledged ${ackedN} (${it.acked.creates} creations, ` +
    `${it.acked.actions} actions), cut off ${it.cut} (committed before the ` +
    `kill ${it.cutFoundCommitted}, applied on retry ` +
    `${it.cutAppliedOnRetry}), missing ${it.missing}, partial ` +
    `${it.partial}, duplicate audit ${it.dupAudit}, duplicate rows ` +
    `${it.dupCreate}, bad replays ${it.replayBad}, 5xx/429 retried ` +
    `${it.transient}, integrity ${it.integrity || '-'}, verify ` +
    `${it.verify || '-'}, ${it.crash}, restart to ready ` +
    `${Math.round(server.readyMs)} ` +
    `ms, wall ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
    `(load ${(loadMs / 1000).toFixed(1)} s)`);
  totals.sum.acked = (totals.sum.acked ?? 0) + ackedN;
  for (const k of SUM.slice(1))
    totals.sum[k] = (totals.sum[k] ?? 0) + it[k];
  totals.restartMs = [...(totals.restartMs ?? []), server.readyMs];
  totals.lastIntegrity = it.integrity;
  totals.lastVerify = it.verify;
}

// The negative controls. missing: record an action as acknowledged that
// was never sent. duplicate: create a person nobody records. partial: add
// a timeline event behind the server's back (no audit record, no version).
// leak: leave a core file holding a person's name the clients sent where
// the servers run (found when the last server stops).
async function spoil() {
  const subs = [...it.touched].filter((k) => k.startsWith('subpoenas/'));
  for (const mode of SPOILS) {
    const key = subs.shift();
    const c = cases.get(key);
    if (mode === 'missing') {
      c.actions.push('withdraw');
      c.version += 1;
      c.state = 'withdrawn';
    } else if (mode === 'duplicate') {
      const r = await world.user.officerA.post('/api/v1/people', {
        family_name: 'Unrecorded', given_names: 'Person' },
      { 'Idempotency-Key': `soak-${SEED}-unrecorded` });
      expect(r.status === 201, `negative control: ${r.status} ${r.text}`);
    } else if (mode === 'leak') {
      const name = [...CANARIES].find(([, what]) => /personal family_name/
        .test(what))[0];
      writeFileSync(join(dir, 'core.spoiled'), `\0\x7fELF\0${name}\0`);
    } else {
      const seq = c.actions.length + 1;
      sql(`INSERT INTO events (case_kind, case_id, seq, action, at) ` +
        `VALUES ('subpoena', '${c.id}', ${seq}, 'withdraw', 0)`,
      { write: true });
    }
    console.log(`negative control: spoiled (${mode}) ${mode === 'duplicate'
      ? 'people' : mode === 'leak' ? 'core.spoiled' : key}`);
  }
}

// How iteration n crashes the server: SIGKILL, except that the 4th and
// 5th of every ten crash it from inside, SIGSEGV then SIGABRT (under ASan,
// SIGSEGV makes the sanitizer print its report and stack traces, which
// must carry no canary either).
function crashSignal(n) {
  if (NEGATIVE) return 'SIGKILL';
  return { 4: 'SIGSEGV', 5: 'SIGABRT' }[n % 10] ?? 'SIGKILL';
}

// The canaries (harness.mjs's CANARIES, all at least 8 characters) in
// `text`, found through their first 8 characters: fast enough for the
// whole audit trail against thousands of names and addresses.
function canariesFound(text) {
  const byPrefix = new Map();
  for (const v of CANARIES.keys()) {
    const k = v.slice(0, 8);
    if (!byPrefix.has(k)) byPrefix.set(k, []);
    byPrefix.get(k).push(v);
  }
  const found = new Set();
  for (let i = 0; i + 8 <= text.length; i++) {
    const vs = byPrefix.get(text.slice(i, i + 8));
    if (vs) for (const v of vs) if (text.startsWith(v, i)) found.add(v);
  }
  return [...found].map((v) => `${CANARIES.get(v)} (${v.slice(0, 12)}...)`);
}

// A server that stopped (killed, crashed on purpose, or terminated): its
// standard output and error are kept in the directory (server-N.out, kept
// on failure); they must hold no sanitizer report but the one a
// deliberate SIGSEGV asks for, and no canary; nor may any core file left
// in the directory (the servers run there). Returns a summary.
const SEGV_REPORT = new RegExp('^.*(AddressSanitizer:DEADLYSIGNAL|' +
  'ERROR: AddressSanitizer: SEGV on unknown address|' +
  'SUMMARY: AddressSanitizer: SEGV|' +
  'AddressSanitizer can not provide additional info|' +
  'The signal is caused by).*$', 'gm');
const crashOutput = { servers: 0, bytes: 0, reports: 0, cores: 0,
  leaks: 0 };
function scanOutput(s, sig = 'SIGTERM') {
  const e = s.stderr();
  const text = `${s.stdout()}${e}`;
  writeFileSync(join(dir, `server-${s.n}.out`), text);
  crashOutput.servers++;
  crashOutput.bytes += text.length;
  const report = /AddressSanitizer/.test(e);
  if (report) crashOutput.reports++;
  const rest = sig === 'SIGSEGV' ? e.replace(SEGV_REPORT, '') : e;
  if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(rest))
    violation(`sanitizer report from compel serve (${sig}):\n` +
      `${e.slice(0, 4000)}`);
  const leaked = canariesFound(text);
  crashOutput.leaks += leaked.length;
  if (leaked.length)
    violation(`compel serve's output after ${sig} holds ${leaked.join(', ')}`);
  for (const f of readdirSync(dir).filter((x) => /^core/.test(x))) {
    crashOutput.cores++;
    const inCore = canariesInFile(join(dir, f));
    crashOutput.leaks += inCore.length;
    if (inCore.length)
      violation(`core file ${f} (after ${sig}) holds ${inCore.join(', ')}`);
    rmSync(join(dir, f));
  }
  const how = s.child.signalCode ?? `exit ${s.child.exitCode}`;
  return `${sig} (${how}, output ${text.length} bytes${report
    ? ', sanitizer report' : ''}, canaries ${leaked.length})`;
}

// The canaries in a file of any size (a core file is hundreds of MB):
// grep -F, which looks for all of them in one pass.
function canariesInFile(path) {
  const list = join(dir, 'canaries.list');
  writeFileSync(list, [...CANARIES.keys()].join('\n') + '\n');
  let out = '';
  try {
    out = execFileSync('grep', ['-a', '-o', '-F', '-f', list, path],
      { maxBuffer: 1 << 28 }).toString('latin1');
  } catch (e) {
    if (e.status !== 1) throw e; // 1: no match
  } finally {
    rmSync(list);
  }
  const found = new Set(out.split('\n').filter((l) => l !== ''));
  return canariesFound([...found].join('\n'));
}

// The audit trail against the canaries, once at the end.
function scanTrail() {
  const rows = sql('SELECT * FROM audit');
  const leaked = canariesFound(rows.map((r) => r.join(' ')).join('\n'));
  crashOutput.leaks += leaked.length;
  if (leaked.length)
    violation(`the audit trail holds ${leaked.join(', ')}`);
  return rows.length;
}

async function main() {
  const t0 = performance.now();
  console.log(`crash.mjs: seed ${SEED} (COMPEL_SOAK_SEED=${SEED} to ` +
    `replay), ${ITERATIONS} iterations, ${CLIENTS} clients, kill within ` +
    `${MAX_KILL_MS} ms, ${SQLITE ? 'SQLite' : 'PostgreSQL'}, ${BIN}`);
  await setUp();
  totals.baseline = rowCounts();
  console.log(`world built in ${((performance.now() - t0) / 1000)
    .toFixed(1)} s`);
  const workers = Array.from({ length: CLIENTS }, (_, n) => ({ n: n + 1,
    chain: null, inDoubt: null, pending412: null }));
  for (let n = 1; n <= ITERATIONS && !violations.length; n++)
    await iteration(n, workers);

  server.child.kill('SIGTERM');
  await exited(server.child);
  scanOutput(server);
  const trail = scanTrail();
  console.log(`canaries: ${CANARIES.size} values (passwords, session, CSRF ` +
    `and API tokens, a TOTP seed, names, addresses, employers) looked for ` +
    `in ${crashOutput.servers} servers' output (${crashOutput.bytes} bytes, ` +
    `${crashOutput.reports} sanitizer reports), ${crashOutput.cores} core ` +
    `files and the audit trail (${trail} records): found ` +
    `${crashOutput.leaks}`);
  if (server.child.exitCode !== 0)
    violation(`compel serve stopped with ${server.child.exitCode ??
      server.child.signalCode}: ${server.stderr().slice(0, 2000)}`);
  const s = totals.sum;
  const r = [...(totals.restartMs ?? [])].sort((a, b) => a - b);
  console.log(`total: ${ITERATIONS} iterations, seed ${SEED}, acknowledged ` +
    `writes ${s.acked ?? 0}, cut off ${s.cut ?? 0} (committed before the ` +
    `kill ${s.cutFoundCommitted ?? 0}, applied on retry ` +
    `${s.cutAppliedOnRetry ?? 0}), chains finished ${s.chainsDone ?? 0}, ` +
    `missing ${s.missing ?? 0}, partial ${s.partial ?? 0}, duplicate audit ` +
    `${s.dupAudit ?? 0}, duplicate rows ${s.dupCreate ?? 0}, bad replays ` +
    `${s.replayBad ?? 0}, 5xx/429 retried ${s.transient ?? 0}, integrity ` +
    `${totals.lastIntegrity ?? '-'}, verify ${totals.lastVerify ?? '-'}, ` +
    `restart to ready median ${Math.round(r[r.length >> 1] ?? 0)} ms max ` +
    `${Math.round(r.at(-1) ?? 0)} ms, wall ${((performance.now() - t0) /
      1000).toFixed(1)} s`);
  if (NEGATIVE) {
    const field = { missing: 'missing', duplicate: 'dupCreate',
      partial: 'partial', leak: 'leaked' };
    const got = { ...s, leaked: crashOutput.leaks };
    const missed = SPOILS.filter((m) => !(got[field[m]] > 0));
    if (missed.length) {
      console.error(`crash.mjs: FAILED: the negative control went ` +
        `unnoticed (${missed}; seed ${SEED}); the database is kept in ${dir}`);
      for (const v of violations) console.error(`  ${v}`);
      process.exit(1);
    }
    console.log(`negative control (${SPOILS}): caught, as it must be:`);
    for (const v of violations.slice(0, 8)) console.log(`  ${v}`);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  if (violations.length) {
    console.error(`crash.mjs: FAILED (seed ${SEED}); the database is kept ` +
      `in ${dir}:`);
    for (const v of violations.slice(0, 50)) console.error(`  ${v}`);
    if (violations.length > 50)
      console.error(`  ... and ${violations.length - 50} more`);
    process.exit(1);
  }
  if (!env.COMPEL_SOAK_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}

main().catch((e) => {
  console.error(`crash.mjs: FAILED (seed ${SEED}): ${e.stack ?? e}`);
  console.error(`crash.mjs: the database is kept in ${dir}`);
  for (const v of violations) console.error(`  ${v}`);
  try { server?.child.kill('SIGKILL'); } catch { /* already gone */ }
  process.exit(1);
});
