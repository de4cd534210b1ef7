// harness.mjs: what every API test needs: a real `compel serve` on a free
// loopback port with a fresh SQLite database, and clients that log in and
// speak the API over real HTTP (session cookie + X-CSRF-Token, or bearer).
//
// The compel binary comes from $COMPEL_BIN (ctest sets it). Each server
// gets its own temporary directory, removed by stop().
//
// Backends: SQLite by default. With COMPEL_TEST_BACKEND=postgresql the
// servers run on PostgreSQL: each gets a new database in the cluster at
// $COMPEL_PG_URL (tests/pg/pgtest.sh starts one and sets it; ctest runs
// every API test that way too, as api-pg.<name>). Tests that look into the
// database do it through server.sql(), server.tables() and dumpDatabase(),
// which speak to either.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.COMPEL_BIN || 'build/ci/compel';
export const ADMIN_EMAIL = 'admin@agency.test';
export const PASSWORD = 'correct horse battery staple';
export const BACKEND = process.env.COMPEL_TEST_BACKEND || 'sqlite';

// Canaries (issue 7): every secret a test handles, and every personal
// value it sends, is noted here as it passes through a Client; no error
// body may carry one, and when a server stops neither its log nor its
// audit trail may. So every API test checks, whatever else it does, that
// passwords, session and API tokens, CSRF tokens, TOTP seeds, names and
// addresses stay where they belong.
export const CANARIES = new Map([[PASSWORD, 'the test password']]);
const PERSONAL_FIELDS = ['family_name', 'given_names', 'value', 'address',
  'fbi_number', 'a_number', 'aliases'];
const SECRET_FIELDS = ['password', 'current_password', 'new_password',
  'token', 'csrf_token', 'secret', 'otpauth_uri'];

function noteCanaries(obj, fields, what) {
  if (!obj || typeof obj !== 'object') return;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' && fields.includes(k) && v.length >= 8)
      CANARIES.set(v, `${what} ${k}`);
    else if (Array.isArray(v) && fields.includes(k))
      v.filter((x) => typeof x === 'string' && x.length >= 8)
        .forEach((x) => CANARIES.set(x, `${what} ${k}`));
    else if (v && typeof v === 'object')
      noteCanaries(v, fields, what);
  }
}

// The canaries `text` carries, as "what (value)" strings.
export function canariesIn(text) {
  const found = [];
  for (const [v, what] of CANARIES)
    if (text.includes(v)) found.push(`${what} (${v.slice(0, 12)}...)`);
  return found;
}
if (!['sqlite', 'postgresql'].includes(BACKEND))
  throw new Error(`COMPEL_TEST_BACKEND: ${BACKEND} is neither sqlite nor postgresql`);

// psql with the cluster's URL (or a database's): the rows of `sql` (one
// or more statements, each one's rows printed), one a line, columns
// separated by '|', like the sqlite3 command-line tool.
function psql(url, sql) {
  return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
    '-d', url, '-f', '-'], { input: sql, stdio: ['pipe', 'pipe', 'pipe'] })
    .toString();
}

// A new, empty database for one server: its URL.
export function newDatabase() {
  const cluster = process.env.COMPEL_PG_URL;
  if (!cluster)
    throw new Error('COMPEL_TEST_BACKEND=postgresql needs COMPEL_PG_URL ' +
      '(run the test under tests/pg/pgtest.sh run)');
  const name = `t_${randomBytes(6).toString('hex')}`;
  psql(cluster, `CREATE DATABASE ${name}`);
  const u = new URL(cluster);
  u.pathname = `/${name}`;
  return u.toString();
}

// Run SQL on a server's database; its output as text (see psql above).
export function runSql(db, sql) {
  if (db.startsWith('sqlite:'))
    return execFileSync('sqlite3', [db.slice('sqlite:'.length)],
      { input: sql }).toString();
  return psql(db, sql);
}

// The names of a database's tables, sorted.
export function listTables(db) {
  const q = db.startsWith('sqlite:')
    ? "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
    : "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1";
  return runSql(db, q).trim().split('\n').filter(Boolean);
}

// Start `compel serve ARGS --listen 127.0.0.1:0 --log-level warn` and wait
// for it to say where it listens: { child, port, stderr() }.
export async function spawnServe(args, env = process.env) {
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0',
    '--log-level', 'warn', ...args], { env });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(
      `compel serve did not start: ${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`compel serve exited ${code}: ${stderr}`));
    });
  });
  // A server that dies on its own says why, in the test's output (a
  // sanitizer report, an abort): otherwise the test sees "fetch failed".
  child.on('exit', (code, signal) => {
    if (!child.stopping && (signal || code))
      process.stderr.write(`compel serve (port ${port}) exited ` +
        `${signal || code}; its log:\n${stderr}\n`);
  });
  return { child, port, stderr: () => stderr };
}

// Start a server on a fresh database. `clock`: start the injectable clock
// at this many microseconds since the epoch (COMPEL_TEST_CLOCK_FILE).
export async function startServer({ clock = null, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'compel-api-'));
  const db = BACKEND === 'postgresql' ? newDatabase()
    : `sqlite:${join(dir, 'compel.db')}`;
  writeFileSync(join(dir, 'pw'), PASSWORD + '\n');
  // The key file: beside an SQLite file by default; named for PostgreSQL.
  const keyArgs = BACKEND === 'postgresql'
    ? ['--key-file', join(dir, 'compel.key')] : [];
  execFileSync(BIN, ['init', '--db', db, '--admin-email', ADMIN_EMAIL,
    '--admin-password-file', join(dir, 'pw'), '--timezone', 'America/Denver',
    ...keyArgs], { stdio: 'pipe' });
  const clockFile = join(dir, 'clock');
  // Tests move the clock by months and years: the daily job must not
  // disable their users as inactive meanwhile (that job has its own test,
  // test_inactive_accounts_disabled in tests/store/test_auth.c).
  const childEnv = { ...process.env, COMPEL_DISABLE_INACTIVE_DAYS: '0', ...env };
  if (clock !== null) {
    writeFileSync(clockFile, String(clock));
    childEnv.COMPEL_TEST_CLOCK_FILE = clockFile;
  }
  const { child, port, stderr: logOf } = await spawnServe(
    ['--db', db, '--threads', '4', ...keyArgs], childEnv);
  const base = `http://127.0.0.1:${port}`;
  return {
    base, dir, db, child, backend: BACKEND, keyArgs,
    // The server's environment (its test clock among it), for a test that
    // starts it again on the same database.
    env: childEnv,
    stderr: logOf,
    sql: (q) => runSql(db, q),
    tables: () => listTables(db),
    // Written beside and renamed over, so that the server never reads a
    // file half written (an empty clock file is not a time).
    setClock(us) {
      writeFileSync(`${clockFile}.new`, String(us));
      renameSync(`${clockFile}.new`, clockFile);
    },
    client() { return new Client(base); },
    async stop() {
      // A server that died of a signal has exitCode null and signalCode
      // set: waiting for its exit then would wait for ever.
      if (child.exitCode === null && child.signalCode === null) {
        const done = new Promise((r) => child.on('exit', r));
        child.stopping = true;
        child.kill('SIGTERM');
        await done;
      }
      // The canaries: none in the server's log or its audit trail.
      let trail = '';
      try { trail = runSql(db, 'SELECT * FROM audit'); } catch { trail = ''; }
      rmSync(dir, { recursive: true, force: true });
      const inLog = canariesIn(logOf());
      const inTrail = canariesIn(trail);
      if (inLog.length || inTrail.length)
        throw new Error(`secrets or personal values leaked: log: ${
          inLog.join(', ') || 'none'}; audit trail: ${inTrail.join(', ') || 'none'}`);
    },
  };
}

// One user agent: keeps its session cookie and CSRF token.
export class Client {
  constructor(base) {
    this.base = base;
    this.cookie = null;
    this.csrf = null;
    this.bearer = null;
    this.user = null;
  }

  async login(email, password = PASSWORD, totp = undefined) {
    const body = { email, password };
    if (totp !== undefined) body.totp = totp;
    const r = await this.req('POST', '/api/v1/session', body);
    if (r.status === 201) {
      this.csrf = r.json.csrf_token;
      this.user = r.json.user;
    }
    return r;
  }

  // Send a request; `body` is JSON unless it is a string (sent as is).
  async req(method, path, body = undefined, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (this.csrf && !['GET', 'HEAD'].includes(method) && !('X-CSRF-Token' in h))
      h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!('Content-Type' in h)) h['Content-Type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      // compel_session, or __Host-compel_session behind TLS (cookie_secure)
      const m = setCookie.match(/^((?:__Host-)?compel_session)=([^;]*)/);
      if (m) this.cookie = m[2] ? `${m[1]}=${m[2]}` : null;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (this.cookie) CANARIES.set(this.cookie.slice(this.cookie.indexOf('=') + 1),
      'a session token');
    if (typeof body === 'object' && body) {
      noteCanaries(body, SECRET_FIELDS, 'a request\'s');
      noteCanaries(body, PERSONAL_FIELDS, 'a request\'s personal');
    }
    if (res.status < 400) {
      noteCanaries(json, SECRET_FIELDS, 'an answer\'s');
    } else {
      const leaked = canariesIn(text);
      if (leaked.length)
        throw new Error(`${method} ${path} answered ${res.status} with ` +
          `${leaked.join(', ')} in its body: ${text.slice(0, 200)}`);
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  get(path, headers) { return this.req('GET', path, undefined, headers); }
  post(path, body = {}, headers) { return this.req('POST', path, body, headers); }
  patch(path, body, headers) { return this.req('PATCH', path, body, headers); }
  del(path, headers) { return this.req('DELETE', path, undefined, headers); }
}

// Log in as the administrator created by `compel init`.
export async function adminClient(server) {
  const c = server.client();
  const r = await c.login(ADMIN_EMAIL);
  if (r.status !== 201) throw new Error(`admin login: ${r.status} ${r.text}`);
  return c;
}

// Read the whole database as text (for "nothing changed" checks): every
// table's rows, in a stable order, through sqlite3 or psql.
// Bookkeeping that any authenticated request may write without changing
// what anyone sees, left out of the dumps: when an API token was last used
// (written at most once a minute, like a session's last_seen_at, which
// tests leave out with the sessions table). Every other column of these
// tables is read from the schema, so a column added later is compared.
const DUMP_OMIT = { api_tokens: ['last_used_at'] };

function dumpColumns(db, table) {
  const omit = DUMP_OMIT[table];
  if (!omit) return '*';
  const q = db.startsWith('sqlite:')
    ? `SELECT name FROM pragma_table_info('${table}') ORDER BY cid`
    : `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = '${table}'
        ORDER BY ordinal_position`;
  const all = runSql(db, q).trim().split('\n').map((c) => c.trim()).filter(Boolean);
  for (const c of omit)
    if (!all.includes(c))
      throw new Error(`dumpDatabase: ${table} has no column ${c} to leave out`);
  return all.filter((c) => !omit.includes(c)).map((c) => `"${c}"`).join(', ');
}

export function dumpDatabase(server, { except = [] } = {}) {
  const tables = listTables(server.db).filter((t) => !except.includes(t));
  // PostgreSQL's heap order moves with updates: sort by the whole row.
  // One run of the tool for every table: a dump is quick, so that a
  // client's kept-alive connection does not time out meanwhile.
  const order = server.db.startsWith('sqlite:') ? '1' : 'r::text';
  return runSql(server.db, tables.map((t) =>
    `SELECT '${t}'; SELECT ${dumpColumns(server.db, t)} FROM "${t}" AS r ORDER BY ${order};`).join('\n'));
}
