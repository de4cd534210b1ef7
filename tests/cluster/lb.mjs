// lb.mjs: several `compel serve` on one PostgreSQL database, behind a real
// nginx as the load balancer, all on loopback; for tests/cluster/.
//
// The PostgreSQL cluster comes from tests/pg/pgtest.sh run (COMPEL_PG_URL,
// COMPEL_PG_DIR). nginx is Debian's (scripts/deps), started with a
// configuration written here: round robin over the servers, the client
// address passed on in X-Forwarded-For (each server trusts it from
// 127.0.0.1 only: trusted_proxy), a request retried on the next server
// only when the connection to one fails before anything was sent
// (proxy_next_upstream error, never for a POST that may have run).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync,
  readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { BIN, ADMIN_EMAIL, PASSWORD, Client, newDatabase, spawnServe,
  runSql } from '../api/harness.mjs';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => {
  try { execFileSync(p, ['-v'], { stdio: 'ignore' }); return true; } catch {
    return false;
  }
});

// A TCP port on 127.0.0.1 that nothing listens on now.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Start `n` servers on a new database and nginx in front of them.
export async function startCluster({ n = 3 } = {}) {
  if (!NGINX) throw new Error('nginx is missing (scripts/deps installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'compel-lb-'));
  chmodSync(dir, 0o755);
  const db = newDatabase();
  const key = join(dir, 'compel.key');
  writeFileSync(join(dir, 'pw'), PASSWORD + '\n');
  execFileSync(BIN, ['init', '--db', db, '--key-file', key, '--admin-email',
    ADMIN_EMAIL, '--admin-password-file', join(dir, 'pw'), '--timezone',
    'America/Denver'], { stdio: 'pipe' });
  const args = ['--db', db, '--key-file', key, '--threads', '8',
    '--trusted-proxy', '127.0.0.1'];
  const servers = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    servers.push(await startOne(args, port));
  }
  const lbPort = await freePort();
  const ng = join(dir, 'nginx');
  mkdirSync(join(ng, 'logs'), { recursive: true });
  const upstream = servers.map((s) =>
    `    server 127.0.0.1:${s.port} max_fails=1 fail_timeout=1s;`).join('\n');
  writeFileSync(join(ng, 'nginx.conf'), `daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${ng}/nginx.pid;
error_log ${ng}/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${ng}/body;
    proxy_temp_path ${ng}/proxy;
    fastcgi_temp_path ${ng}/fastcgi;
    uwsgi_temp_path ${ng}/uwsgi;
    scgi_temp_path ${ng}/scgi;
    client_max_body_size 26m;
    upstream compel {
${upstream}
        keepalive 32;
        # Below compel's idle timeout (30 s): nginx never reuses a
        # connection the server is closing.
        keepalive_timeout 20s;
    }
    server {
        listen 127.0.0.1:${lbPort};
        location / {
            proxy_pass http://compel;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_next_upstream error;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }
    }
}
`);
  const nginx = spawn(NGINX, ['-p', ng, '-c', join(ng, 'nginx.conf')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let nginxErr = '';
  nginx.stderr.on('data', (d) => { nginxErr += d; });
  const base = `http://127.0.0.1:${lbPort}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch { /* not yet */ }
    if (i > 100 || nginx.exitCode !== null)
      throw new Error(`nginx did not start: ${nginxErr}`);
    await sleep(100);
  }
  return {
    base, db, dir, servers,
    sql: (q) => runSql(db, q),
    client: () => new Client(base),
    // A client of one server, bypassing the balancer.
    clientOf: (i) => new Client(servers[i].base),
    // SIGKILL server i; restart(i) starts it again on the same port.
    kill: async (i) => {
      const s = servers[i];
      const done = new Promise((r) => s.child.on('exit', r));
      s.child.kill('SIGKILL');
      await done;
    },
    restart: async (i) => {
      servers[i] = await startOne(args, servers[i].port);
    },
    nginxLog: () => {
      try { return readFileSync(join(ng, 'logs', 'error.log'), 'utf8'); } catch {
        return '';
      }
    },
    // What the servers logged (warnings and errors), for a failure's message.
    logs: () => servers.map((s, i) => `server ${i}:\n${s.stderr()}`).join('\n'),
    async stop() {
      for (const s of servers) {
        if (s.child.exitCode === null && s.child.signalCode === null) {
          const done = new Promise((r) => s.child.on('exit', r));
          s.child.kill('SIGTERM');
          await done;
        }
      }
      if (nginx.exitCode === null && nginx.signalCode === null) {
        const done = new Promise((r) => nginx.on('exit', r));
        nginx.kill('SIGQUIT');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startOne(args, port) {
  // The later --listen wins over spawnServe's own.
  const s = await spawnServe([...args, '--listen', `127.0.0.1:${port}`]);
  return { ...s, base: `http://127.0.0.1:${s.port}` };
}

// The PostgreSQL server under the test: stop it and start it again.
export function postgresDown() {
  execFileSync('bash', [pgtest(), 'down', process.env.COMPEL_PG_DIR]);
}
export function postgresUp() {
  execFileSync('bash', [pgtest(), 'up', process.env.COMPEL_PG_DIR]);
}
function pgtest() {
  return new URL('../pg/pgtest.sh', import.meta.url).pathname;
}
