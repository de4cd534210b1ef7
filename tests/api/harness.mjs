// harness.mjs: what every API test needs: a real `compel serve` on a free
// loopback port with a fresh SQLite database, and clients that log in and
// speak the API over real HTTP (session cookie + X-CSRF-Token, or bearer).
//
// The compel binary comes from $COMPEL_BIN (ctest sets it). Each server
// gets its own temporary directory, removed by stop().
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.COMPEL_BIN || 'build/ci/compel';
export const ADMIN_EMAIL = 'admin@agency.test';
export const PASSWORD = 'correct horse battery staple';

// Start a server on a fresh database. `clock`: start the injectable clock
// at this many microseconds since the epoch (COMPEL_TEST_CLOCK_FILE).
export async function startServer({ clock = null, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'compel-api-'));
  const db = `sqlite:${join(dir, 'compel.db')}`;
  writeFileSync(join(dir, 'pw'), PASSWORD + '\n');
  execFileSync(BIN, ['init', '--db', db, '--admin-email', ADMIN_EMAIL,
    '--admin-password-file', join(dir, 'pw'), '--timezone', 'America/Denver'],
  { stdio: 'pipe' });
  const clockFile = join(dir, 'clock');
  const childEnv = { ...process.env, ...env };
  if (clock !== null) {
    writeFileSync(clockFile, String(clock));
    childEnv.COMPEL_TEST_CLOCK_FILE = clockFile;
  }
  const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0',
    '--log-level', 'warn', '--threads', '4'], { env: childEnv });
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
  const base = `http://127.0.0.1:${port}`;
  return {
    base, dir, db, child,
    stderr: () => stderr,
    setClock(us) { writeFileSync(clockFile, String(us)); },
    client() { return new Client(base); },
    async stop() {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.on('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
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
      const m = setCookie.match(/compel_session=([^;]*)/);
      if (m) this.cookie = m[1] ? `compel_session=${m[1]}` : null;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
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

// Read the whole SQLite database as text (for "nothing changed" checks):
// every table's rows, in a stable order. Uses the sqlite3 command-line tool.
export function dumpDatabase(server, { except = [] } = {}) {
  const path = server.db.replace(/^sqlite:/, '');
  const tables = execFileSync('sqlite3', [path,
    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"])
    .toString().trim().split('\n').filter((t) => t && !except.includes(t));
  return tables.map((t) => t + '\n' + execFileSync('sqlite3',
    [path, `SELECT * FROM "${t}" ORDER BY 1`]).toString()).join('\n');
}
