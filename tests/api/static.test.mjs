// static.test.mjs: the web UI's files served at / (src/http/static.c),
// from a web root made here: the files, the single-page app's fallback to
// index.html, caching (ETag, 304, immutable hashed assets), gzip, and the
// paths that must never be served (dotfiles, "..", symbolic links) or
// must stay the API's (404 problem+json under /api/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer } from './harness.mjs';

const INDEX = '<!doctype html><title>t</title><script type="module" src="/assets/app-ab12.js"></script>';
const JS = 'console.log("app");\n'.repeat(50);
let root;
let server;

// One raw request (no decompression, no URL normalization).
function raw(method, path, headers = {}) {
  const u = new URL(server.base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'compel-webroot-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets/app-ab12.js'), JS);
  writeFileSync(join(root, 'assets/app-ab12.js.gz'), gzipSync(JS));
  writeFileSync(join(root, 'assets/.hidden.js'), 'secret');
  writeFileSync(join(root, '.env'), 'SECRET=1');
  writeFileSync(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  symlinkSync('/etc/hostname', join(root, 'outside.txt'));
  symlinkSync(join(root, 'index.html'), join(root, 'inside.html'));
  server = await startServer({ env: { COMPEL_WEB_ROOT: root } });
});

after(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
  assert.doesNotMatch(server.stderr(), /Sanitizer|runtime error/);
});

test('/ is index.html, never cached stale, with the security headers', async () => {
  const r = await raw('GET', '/');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), INDEX);
  assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(r.headers['cache-control'], 'no-cache');
  assert.match(r.headers.etag, /^"[^"]+"$/);
  assert.equal(r.headers['content-security-policy'], "default-src 'self'; frame-ancestors 'none'");
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
});

test('a deep link of the app answers index.html', async () => {
  for (const path of ['/subpoenas', '/subpoenas/abcDEF123', '/login?next=%2F', '/a/b/c/']) {
    const r = await raw('GET', path);
    assert.equal(r.status, 200, path);
    assert.equal(r.body.toString(), INDEX, path);
  }
});

test('a hashed asset is cached for a year; If-None-Match answers 304', async () => {
  const r = await raw('GET', '/assets/app-ab12.js');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), JS);
  assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  const again = await raw('GET', '/assets/app-ab12.js', { 'If-None-Match': r.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, r.headers.etag);
  const png = await raw('GET', '/logo.png');
  assert.equal(png.headers['content-type'], 'image/png');
});

test('a client that takes gzip gets the .gz sibling', async () => {
  const r = await raw('GET', '/assets/app-ab12.js', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.deepEqual(r.body, gzipSync(JS));
  const plain = await raw('GET', '/assets/app-ab12.js');
  assert.notEqual(plain.headers.etag, r.headers.etag);
});

test('HEAD answers the headers without the body', async () => {
  const r = await raw('HEAD', '/');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
});

test('dotfiles, "..", symbolic links and missing files are not found', async () => {
  for (const path of ['/.env', '/assets/.hidden.js', '/assets/%2e%2e/.env',
    '/%2e%2e/%2e%2e/etc/hostname', '/assets/..%2f.env', '/outside.txt',
    '/inside.html', '/missing.js', '/assets/app-0000.js']) {
    const r = await raw('GET', path);
    assert.equal(r.status, 404, path);
    assert.match(r.headers['content-type'], /application\/problem\+json/, path);
    assert.doesNotMatch(r.body.toString(), /SECRET|secret/, path);
  }
});

test('the API, /verify and the health checks keep their own answers', async () => {
  const api = await raw('GET', '/api/v1/no-such-thing');
  assert.equal(api.status, 404);
  assert.match(api.headers['content-type'], /application\/problem\+json/);
  const verify = await raw('GET', '/verify');
  assert.equal(verify.status, 404);
  assert.match(verify.headers['content-type'], /application\/problem\+json/);
  const health = await raw('GET', '/healthz');
  assert.equal(health.status, 200);
  const post = await raw('POST', '/subpoenas');
  assert.equal(post.status, 404);
  assert.match(post.headers['content-type'], /application\/problem\+json/);
});

test('without a built UI, the pages answer 503 saying to run make web; the API works', async () => {
  const bare = await startServer({ env: { COMPEL_WEB_ROOT: join(root, 'no-such-dir') } });
  try {
    const r = await fetch(bare.base + '/subpoenas');
    assert.equal(r.status, 503);
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.match(await r.text(), /make web/);
    const js = await fetch(bare.base + '/assets/app.js');
    assert.equal(js.status, 404);
    const ready = await fetch(bare.base + '/healthz');
    assert.equal(ready.status, 200);
  } finally {
    await bare.stop();
  }
});
