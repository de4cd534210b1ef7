// abuse.mjs: HTTP abuse on loopback, bounded in time (issue 7). Raw
// sockets (node:net) against a real `compel serve`; every case below is
// answered or refused as docs/operations.md ("HTTP abuse") says, and the
// server answers a legitimate client throughout:
//
// 1. Slow headers: N connections (default 2,000, spread over 40 loopback
//    addresses) each trickle one header byte a second for a while, then go
//    silent. Checked: the server holds all N at once (its descriptors);
//    none is closed while it trickles (libmicrohttpd's connection_timeout
//    is an idle timeout: each byte restarts it); each is closed, with no
//    answer, connection_timeout after its last byte; a legitimate client
//    (another address, a new connection per request) gets GET /healthz
//    answered with p99 < 1 s all along.
// 2. One by one: headers over the 8 KiB per-connection memory (431), a
//    100 KiB URI (414), two Content-Length headers, Transfer-Encoding with
//    a Content-Length, and an unknown transfer coding (each 400 naming the
//    header, closed: refused before any body is read, so a request hidden
//    behind one is never served); a chunked body alone is read as usual.
// 3. Connection limits: past max_connections_per_ip from one address the
//    server closes each new connection at once, unanswered, while other
//    addresses are served; past max_connections (every slot held by a
//    trickling client) a new client waits in the listen backlog, unanswered,
//    until slots free up, and is answered then.
//
//   COMPEL_BIN=build/h-abuse/compel node tests/abuse/abuse.mjs
//
// Environment: COMPEL_ABUSE_FULL=1 (the soak: trickle 120 s instead of
// 9 s), COMPEL_ABUSE_CONNECTIONS (N), COMPEL_ABUSE_TRICKLE_S (seconds of
// trickling). Exit status 0 when every check held, 1 with the violations
// listed otherwise; the figures are printed either way.
import net from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { startServer } from '../api/harness.mjs';

const FULL = process.env.COMPEL_ABUSE_FULL === '1';
const TIMEOUT_S = 3; // connection_timeout of the servers started here
const TRICKLE_S = Number(process.env.COMPEL_ABUSE_TRICKLE_S ||
  (FULL ? 120 : 9));
const PER_IP = 64; // max_connections_per_ip of the first server
const P99_LIMIT_MS = 1000;
// How late after connection_timeout a close may come: libmicrohttpd checks
// timeouts once a second or so, and the machine is shared (ASan, 2 cores).
const CLOSE_SLACK_MS = 2500;

const failures = [];
function check(ok, what) {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The soft limit on open files of a process ('self' or a pid).
function fdLimit(pid = 'self') {
  const m = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .match(/Max open files\s+(\d+|unlimited)/);
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

// Node raises its own soft limit to the hard one and the server inherits
// it; each side needs a descriptor per connection plus some spare.
let N = Number(process.env.COMPEL_ABUSE_CONNECTIONS || 2000);
{
  const limit = fdLimit();
  if (limit < N + 200) {
    N = Math.max(100, limit - 200);
    console.log(`note: open-file limit ${limit}: ${N} slow connections ` +
      'instead of 2000 (raise it with ulimit -n)');
  }
}

// How many sockets a process holds (its listening socket included).
function socketCount(pid) {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1)];
}

// Send `data` on a new connection and read until the server closes it or
// `waitMs` passes (then we close). What came back, split into responses.
function exchange(port, data, { localAddress = '127.0.0.2', waitMs = 10000 } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const chunks = [];
    let err = null;
    let byClient = false;
    const s = net.connect({ port, host: '127.0.0.1', localAddress },
      () => s.write(data));
    const timer = setTimeout(() => { byClient = true; s.destroy(); }, waitMs);
    s.on('data', (d) => chunks.push(d));
    s.on('error', (e) => { err = e.code; });
    s.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)]
        .map((m) => Number(m[1]));
      resolve({ ms: performance.now() - t0, text, statuses, err,
        closedByServer: !byClient });
    });
  });
}

const HEALTHZ = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

// A legitimate client: GET /healthz on a new connection from 127.0.0.2,
// again and again; latencies kept per phase.
class Prober {
  constructor(port) {
    this.port = port;
    this.phase = 'start';
    this.samples = {};
    this.bad = [];
    this.running = true;
    this.done = this.loop();
  }

  async loop() {
    while (this.running) {
      const phase = this.phase;
      const r = await exchange(this.port, HEALTHZ, { waitMs: 10000 });
      (this.samples[phase] ||= []).push(r.ms);
      if (r.statuses[0] !== 200)
        this.bad.push(`${phase}: ${r.statuses[0] ?? r.err ?? 'no answer'}`);
      await sleep(20);
    }
  }

  async stop() { this.running = false; await this.done; }

  stats(phase) {
    const s = [...(this.samples[phase] || [])].sort((a, b) => a - b);
    return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99),
      max: s[s.length - 1] };
  }
}

const fmt = (x) => Number.isFinite(x) ? x.toFixed(1) : String(x);

// Slow clients: each sends a request line and then header bytes one at a
// time, every second, from `addresses` (round robin), never finishing the
// header. Resolves once every one is connected. With `accepted` (how many
// the server holds), opens them 100 at a time and waits for the server to
// accept each batch first: a client's connect succeeds once the kernel
// answers its SYN, and past the listen backlog (128) the kernel may drop
// the handshake's last step, leaving a client that believes it is
// connected and a server that never sees it.
async function openSlow(port, n, addresses, accepted = null) {
  const header = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' +
    'a'.repeat(4000);
  const conns = [];
  for (let i = 0; i < n; i++) {
    const c = { i, sent: 0, lastSent: 0, connected: false, closedAt: null,
      received: 0, err: null };
    c.sock = net.connect({ port, host: '127.0.0.1',
      localAddress: addresses[i % addresses.length] });
    c.ready = new Promise((resolve) => {
      c.sock.on('connect', () => {
        c.connected = true;
        c.sock.write(header[c.sent++]);
        c.lastSent = performance.now();
        resolve();
      });
      c.sock.on('close', resolve);
    });
    c.sock.on('data', (d) => { c.received += d.length; });
    c.sock.on('error', (e) => { c.err = e.code; });
    c.sock.on('close', () => { c.closedAt = performance.now(); });
    conns.push(c);
    if (i % 100 === 99 || i === n - 1) {
      await Promise.all(conns.slice(i - (i % 100)).map((x) => x.ready));
      const until = performance.now() + 10000;
      while (accepted && accepted() < i + 1 && performance.now() < until)
        await sleep(20);
    }
  }
  await Promise.all(conns.map((x) => x.ready));
  let k = 0;
  // One byte a second each, spread over ten slices of 100 ms.
  const timer = setInterval(() => {
    const slice = k++ % 10;
    for (const c of conns) {
      if (c.i % 10 !== slice || c.closedAt !== null || c.stopped) continue;
      c.sock.write(header[c.sent++ % header.length]);
      c.lastSent = performance.now();
    }
  }, 100);
  return {
    conns,
    stop() { clearInterval(timer); for (const c of conns) c.stopped = true; },
    destroy() { clearInterval(timer); for (const c of conns) c.sock.destroy(); },
  };
}

// Wait until every connection is closed or `ms` passes.
async function waitClosed(conns, ms) {
  const end = performance.now() + ms;
  while (performance.now() < end && conns.some((c) => c.closedAt === null))
    await sleep(100);
}

function serverLogClean(server, name) {
  const log = server.stderr();
  check(server.child.exitCode === null, `${name}: the server is still running`);
  check(!/AddressSanitizer|runtime error|LeakSanitizer|level=error/.test(log),
    `${name}: no sanitizer report or error in the server's log` +
    (/AddressSanitizer|runtime error|level=error/.test(log) ? `:\n${log}` : ''));
}

// ---------------------------------------------------------------------------
// Phase 1 and 2: one server with room for the slow connections.
async function slowAndCases() {
  const server = await startServer({ env: {
    COMPEL_CONNECTION_TIMEOUT: String(TIMEOUT_S),
    COMPEL_MAX_CONNECTIONS: String(N + 200),
    COMPEL_MAX_CONNECTIONS_PER_IP: String(PER_IP),
  } });
  const port = Number(new URL(server.base).port);
  const serverLimit = fdLimit(server.child.pid);
  console.log(`server pid ${server.child.pid}, open-file limit ${serverLimit}`);
  check(serverLimit >= N + 100, `the server may open ${N} connections ` +
    `(open-file limit ${serverLimit})`);
  const prober = new Prober(port);
  try {
    // --- 1. slow headers
    console.log(`# ${N} slow connections, trickling ${TRICKLE_S} s, ` +
      `connection_timeout ${TIMEOUT_S} s`);
    const perIp = Math.floor(PER_IP * 0.75);
    const addresses = Array.from({ length: Math.ceil(N / perIp) },
      (_, k) => `127.0.3.${k + 1}`);
    const pid = server.child.pid;
    const socketsBefore = socketCount(pid);
    const held = () => socketCount(pid) - socketsBefore;
    prober.phase = 'opening';
    const t0 = performance.now();
    const slow = await openSlow(port, N, addresses, held);
    const connected = slow.conns.filter((c) => c.connected).length;
    console.log(`opened ${connected} in ${fmt(performance.now() - t0)} ms`);
    check(connected === N, `all ${N} slow connections connected (${connected})`);
    prober.phase = 'trickling';
    const trickleEnd = performance.now() + TRICKLE_S * 1000;
    // The server's sockets, while every slow client trickles (the
    // legitimate client's may be one of them).
    const fds = held();
    console.log(`server sockets: ${socketsBefore} before, ${fds} more while ` +
      'trickling');
    check(fds >= N, `the server holds all ${N} slow connections at once ` +
      `(${fds} more sockets)`);
    await sleep(Math.max(0, trickleEnd - performance.now()));
    const early = slow.conns.filter((c) => c.closedAt !== null);
    check(early.length === 0, `no slow connection closed while it trickled ` +
      `for ${TRICKLE_S} s > connection_timeout ${TIMEOUT_S} s (${early.length} ` +
      'closed): the timeout is idle time, nginx client_header_timeout caps it');
    slow.stop();
    prober.phase = 'closing';
    await waitClosed(slow.conns, TIMEOUT_S * 1000 + CLOSE_SLACK_MS + 5000);
    const open = slow.conns.filter((c) => c.closedAt === null);
    check(open.length === 0, `every slow connection closed by the server ` +
      `once silent (${open.length} still open)`);
    const delays = slow.conns.filter((c) => c.closedAt !== null)
      .map((c) => c.closedAt - c.lastSent).sort((a, b) => a - b);
    const lo = TIMEOUT_S * 1000 - 250;
    const hi = TIMEOUT_S * 1000 + CLOSE_SLACK_MS;
    const outside = delays.filter((d) => d < lo || d > hi).length;
    console.log(`closed after the last byte: min ${fmt(delays[0])} ms, ` +
      `median ${fmt(percentile(delays, 50))} ms, p99 ` +
      `${fmt(percentile(delays, 99))} ms, max ${fmt(delays[delays.length - 1])} ms`);
    check(outside === 0, `each closed ${lo}..${hi} ms after its last byte ` +
      `(${outside} outside)`);
    const answered = slow.conns.filter((c) => c.received > 0).length;
    check(answered === 0, `the slow connections were closed unanswered ` +
      `(${answered} got bytes)`);
    slow.destroy();
    for (const phase of ['opening', 'trickling', 'closing']) {
      const s = prober.stats(phase);
      console.log(`GET /healthz while ${phase}: n=${s.n} p50 ${fmt(s.p50)} ` +
        `ms, p99 ${fmt(s.p99)} ms, max ${fmt(s.max)} ms`);
    }
    const all = ['opening', 'trickling', 'closing']
      .flatMap((p) => prober.samples[p] || []).sort((a, b) => a - b);
    const p99 = percentile(all, 99);
    check(all.length >= 100 && p99 < P99_LIMIT_MS, `legitimate GET /healthz ` +
      `p99 ${fmt(p99)} ms < ${P99_LIMIT_MS} ms over ${all.length} requests ` +
      `during the slow connections (p50 ${fmt(percentile(all, 50))} ms, ` +
      `max ${fmt(all[all.length - 1])} ms)`);

    // --- 2. malformed and oversized requests, one by one
    prober.phase = 'cases';
    console.log('# oversized and ambiguous requests');
    let r = await exchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n` +
      `X-Big: ${'a'.repeat(7 * 1024)}\r\nConnection: close\r\n\r\n`);
    check(r.statuses[0] === 200, `a 7 KiB header is served (${r.statuses})`);
    r = await exchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n` +
      `X-Big: ${'a'.repeat(10 * 1024)}\r\nConnection: close\r\n\r\n`);
    check(r.statuses[0] === 431 && r.closedByServer,
      `a 10 KiB header: 431 and closed (${r.statuses})`);
    r = await exchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n` +
      Array.from({ length: 600 }, (_, k) => `X-H${k}: v\r\n`).join('') +
      'Connection: close\r\n\r\n');
    check(r.statuses[0] === 431 && r.closedByServer,
      `600 small headers (8.4 KiB): 431 and closed (${r.statuses})`);
    r = await exchange(port, `GET /healthz?q=${'a'.repeat(100 * 1024)} ` +
      'HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    check(r.statuses[0] === 414 && r.closedByServer,
      `a 100 KiB URI: 414 and closed (${r.statuses})`);

    // Bodies two readers could frame two ways (request smuggling, RFC 9112
    // 6.3) are refused before any body is read: 400 naming the header,
    // and the connection closed, so nothing behind them is served.
    const session = 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\n' +
      'Content-Type: application/json\r\n';
    const isRefused = (res, field) => res.statuses.length === 1 &&
      res.statuses[0] === 400 && res.closedByServer &&
      /"code":"validation_failed"/.test(res.text) &&
      res.text.includes(`"field":"${field}"`) && res.ms < 1000;
    r = await exchange(port, session + 'Content-Length: 2\r\n' +
      'Content-Length: 40\r\nConnection: close\r\n\r\n{}', { waitMs: 2000 });
    check(isRefused(r, 'Content-Length'),
      `two Content-Length headers (2, then 40): 400 naming Content-Length, ` +
      `closed (${r.statuses}, ${fmt(r.ms)} ms)`);

    // Transfer-Encoding: chunked with Content-Length: 4, and a request
    // hidden behind the empty chunked body: refused, the hidden one never
    // served.
    r = await exchange(port, session + 'Content-Length: 4\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + HEALTHZ, { waitMs: 3000 });
    check(isRefused(r, 'Transfer-Encoding'),
      `Transfer-Encoding: chunked with Content-Length: 400 naming ` +
      `Transfer-Encoding, closed, the request behind it not served ` +
      `(${r.statuses}, ${fmt(r.ms)} ms)`);

    // An unknown transfer coding: refused at once.
    r = await exchange(port, session + 'Transfer-Encoding: gzip\r\n' +
      'Connection: close\r\n\r\n{}', { waitMs: 3000 });
    check(isRefused(r, 'Transfer-Encoding'),
      `Transfer-Encoding: gzip: 400 naming Transfer-Encoding, closed ` +
      `(${r.statuses}, ${fmt(r.ms)} ms)`);

    // A chunked body alone is read as usual.
    r = await exchange(port, session + 'Transfer-Encoding: chunked\r\n' +
      'Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n', { waitMs: 3000 });
    check(r.statuses.length === 1 && r.statuses[0] === 400 &&
      /"code":"validation_failed"/.test(r.text) && !r.text.includes('"field":"Transfer-Encoding"'),
    `a chunked body "{}" is read and answered on its merits (${r.statuses})`);

    // --- 3a. per-address limit
    console.log(`# ${PER_IP + 36} connections from one address ` +
      `(max_connections_per_ip ${PER_IP})`);
    prober.phase = 'per-ip flood';
    const tFlood = performance.now();
    const flood = await openSlow(port, PER_IP + 36, ['127.0.4.1']);
    const closed = () => flood.conns.filter((c) => c.closedAt !== null);
    while (closed().length < 36 && performance.now() - tFlood < 5000)
      await sleep(50);
    await sleep(500); // and no more than 36
    const refused = closed();
    const latest = Math.max(...refused.map((c) => c.closedAt - tFlood));
    const unanswered = refused.filter((c) => c.received === 0).length;
    check(refused.length === 36 && unanswered === 36 &&
      latest < TIMEOUT_S * 1000 - 250,
    `past ${PER_IP} connections from one address each new one is closed ` +
      `at once, unanswered (${refused.length} closed, ${unanswered} ` +
      `unanswered, the last ${fmt(latest)} ms after the flood began)`);
    r = await exchange(port, HEALTHZ, { localAddress: '127.0.4.2' });
    check(r.statuses[0] === 200 && r.ms < 1000,
      `meanwhile another address is served (${r.statuses}, ${fmt(r.ms)} ms)`);
    flood.destroy();
    await prober.stop();
    const s = prober.stats('cases');
    const f = prober.stats('per-ip flood');
    console.log(`GET /healthz during the cases: n=${s.n} p99 ${fmt(s.p99)} ms; ` +
      `during the per-address flood: n=${f.n} p99 ${fmt(f.p99)} ms`);
    check(prober.bad.length === 0, `every legitimate GET /healthz answered 200 ` +
      `(${prober.bad.length} not: ${prober.bad.slice(0, 5).join(', ')})`);
    serverLogClean(server, 'first server');
  } finally {
    await prober.stop();
    await server.stop();
  }
}

// ---------------------------------------------------------------------------
// Phase 3b: every slot taken. A small server; its slots held by trickling
// clients from several addresses.
async function globalLimit() {
  const MAX = 32;
  const server = await startServer({ env: {
    COMPEL_CONNECTION_TIMEOUT: String(TIMEOUT_S),
    COMPEL_MAX_CONNECTIONS: String(MAX),
    COMPEL_MAX_CONNECTIONS_PER_IP: String(MAX),
  } });
  const port = Number(new URL(server.base).port);
  try {
    console.log(`# ${MAX + 8} trickling connections, max_connections ${MAX}`);
    const hold = await openSlow(port, MAX + 8,
      Array.from({ length: 8 }, (_, k) => `127.0.5.${k + 1}`));
    await sleep(1000);
    check(hold.conns.every((c) => c.closedAt === null),
      'connections past max_connections are not refused: they wait in the ' +
      'listen backlog');
    // A legitimate request now: not answered while the slots are held.
    const holdMs = 2 * TIMEOUT_S * 1000;
    const pending = exchange(port, HEALTHZ,
      { localAddress: '127.0.5.100', waitMs: holdMs + TIMEOUT_S * 1000 + 10000 });
    await sleep(holdMs);
    const tStop = performance.now();
    hold.stop();
    const r = await pending;
    const after = r.ms - holdMs;
    console.log(`GET /healthz with every slot held ${holdMs} ms, then ` +
      `answered ${fmt(after)} ms after the holders went silent`);
    check(r.statuses[0] === 200 && r.ms >= holdMs,
      `with every slot held by trickling clients a new request waits, ` +
      `unanswered, for as long as they trickle (${fmt(r.ms)} ms, ${r.statuses})`);
    check(after <= TIMEOUT_S * 1000 + CLOSE_SLACK_MS,
      `and is answered within connection_timeout of their going silent ` +
      `(${fmt(after)} ms)`);
    await waitClosed(hold.conns, TIMEOUT_S * 1000 + CLOSE_SLACK_MS + 5000 -
      (performance.now() - tStop));
    hold.destroy();
    const r2 = await exchange(port, HEALTHZ, { localAddress: '127.0.5.100' });
    check(r2.statuses[0] === 200 && r2.ms < 1000,
      `afterwards GET /healthz is answered at once (${fmt(r2.ms)} ms)`);
    serverLogClean(server, 'second server');
  } finally {
    await server.stop();
  }
}

const started = performance.now();
try {
  await slowAndCases();
  await globalLimit();
} catch (e) {
  failures.push(`error: ${e.stack || e}`);
  console.log(`FAIL error: ${e.stack || e}`);
}
console.log(`wall ${fmt((performance.now() - started) / 1000)} s`);
if (failures.length) {
  console.log(`\n${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('all checks held');
