// sinks.mjs: what the reminder tests listen with on loopback: a minimal
// SMTP server that records every message it accepts (220 / 250 / 354 /
// 221, enough for libcurl), and an HTTP receiver that records every
// webhook delivery, checks its Compel-Signature with the secret it was
// given, and answers the status the test chooses.
import net from 'node:net';
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

// Start an SMTP sink on 127.0.0.1. Returns { url, messages, close() };
// each message is { from, to: [...], data, subject, headers, body }.
export async function startSmtpSink() {
  const messages = [];
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.setEncoding('utf8');
    let buf = '';
    let inData = false;
    let cur = { from: null, to: [] };
    const reply = (line) => sock.write(line + '\r\n');
    reply('220 sink.test ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk;
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = buf.slice(0, end + 2).replace(/^\.\./gm, '.');
          buf = buf.slice(end + 5);
          inData = false;
          messages.push(parseMessage(cur, raw));
          cur = { from: null, to: [] };
          reply('250 2.0.0 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { reply('250-sink.test'); reply('250 8BITMIME'); }
        else if (verb === 'HELO') reply('250 sink.test');
        else if (verb === 'MAIL') {
          cur.from = (line.match(/<([^>]*)>/) || [])[1];
          reply('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          cur.to.push((line.match(/<([^>]*)>/) || [])[1]);
          reply('250 2.1.5 ok');
        } else if (verb === 'DATA') { inData = true; reply('354 go ahead'); }
        else if (verb === 'QUIT') { reply('221 bye'); sock.end(); return; }
        else if (verb === 'RSET' || verb === 'NOOP') reply('250 ok');
        else reply('502 5.5.2 not implemented');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function parseMessage(env, raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { from: env.from, to: env.to, data: raw, headers,
    subject: headers.subject, body };
}

// Start a webhook receiver on 127.0.0.1 answering `status` (changeable
// with setStatus). `secret()` gives the secret signatures are checked
// with (set it with setSecret once the webhook exists). Each delivery is
// { headers, body, json, verified, status }.
export async function startWebhookReceiver({ status = 200 } = {}) {
  const deliveries = [];
  let answer = status;
  let secret = null;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      let json = null;
      try { json = JSON.parse(body); } catch { json = null; }
      deliveries.push({ headers: req.headers, body, json, method: req.method,
        verified: verify(secret, req.headers['compel-signature'], body),
        status: answer });
      res.writeHead(answer, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/hooks/compel`,
    deliveries,
    setStatus(s) { answer = s; },
    setSecret(s) { secret = s; },
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

// Check "t=<unix>,v1=<hex>" against HMAC-SHA256(secret, t + "." + body).
export function verify(secret, header, body) {
  if (!secret || !header) return false;
  const m = header.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  const got = Buffer.from(m[2], 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
