// reminders.test.mjs: reminders end to end, over real SMTP and HTTP on
// loopback: `compel serve` runs its scheduler every second
// (jobs_interval 1) against an SMTP sink and two webhook receivers, and
// the test moves the injectable clock instead of waiting days.
//
// A subpoena served on Monday 2 March 2026 with a return date of Monday 9
// March 2026 (2026-01-01 was a Thursday, so 1 March was a Sunday and 2
// March a Monday; US daylight saving time began on Sunday 8 March 2026,
// the second Sunday of March, which moves noon in Denver from 18:00 to
// 17:00 UTC, so 18:00 UTC is the same calendar day in Denver either way):
//   - on 2 March it is 7 days out: the "7 days" reminder goes at once;
//   - on Friday 6 March it is 3 days out: the "3 days" reminder;
//   - on Tuesday 10 March it is overdue: the "overdue" reminder.
// Each goes to the recipient jurisdiction's custodian and recipient
// counsel and to the drafting officer, never to anyone else, and never
// twice. Webhooks are signed; one that keeps failing is retried with
// backoff and dead-lettered, visible to admins, and retried by one.
// The receivers listen on loopback, so this server runs with
// webhook_private_networks = 1; a server without it refuses webhooks to
// non-public addresses (the last test; deliveries: unit.test_webhook).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, dumpDatabase } from './harness.mjs';
import { buildWorld, must, assertProblem, uploadDocument }
  from './world.mjs';
import { startSmtpSink, startWebhookReceiver } from './sinks.mjs';

const at = (iso) => Date.parse(iso) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Poll `fn` until it returns a truthy value (or fail after `ms`).
async function waitFor(fn, what, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const FAMILY = 'Quetzalcoatlova';
let server, smtp, good, bad, w, sub, goodHook, badHook;

before(async () => {
  smtp = await startSmtpSink();
  good = await startWebhookReceiver({ status: 200 });
  bad = await startWebhookReceiver({ status: 500 });
  server = await startServer({
    clock: at('2026-03-02T18:00:00Z'),
    env: {
      COMPEL_SMTP_URL: smtp.url,
      COMPEL_SMTP_FROM: 'reminders@compel.test',
      COMPEL_JOBS_INTERVAL: '1',
      COMPEL_WEBHOOK_MAX_ATTEMPTS: '3',
      COMPEL_PUBLIC_URL: 'https://compel.example.gov',
      COMPEL_WEBHOOK_PRIVATE_NETWORKS: '1',
    },
  });
  w = await buildWorld(server, { tag: 'reminders' });
});

after(async () => {
  await server?.stop();
  await smtp?.close();
  await good?.close();
  await bad?.close();
});

const emailsTo = (addr) => smtp.messages.filter((m) => m.to.includes(addr));

test('admins register webhooks; the secret is shown once', async () => {
  const { admin } = w.user;
  let r = await admin.post('/api/v1/webhooks', { url: good.url,
    org_id: w.org.J1.id, events: ['reminder.due', 'reminder.overdue'] });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.secret, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(r.json.events, ['reminder.due', 'reminder.overdue']);
  goodHook = r.json;
  good.setSecret(r.json.secret);
  r = await admin.post('/api/v1/webhooks', { url: bad.url,
    org_id: w.org.A.id, events: ['reminder.due'] });
  assert.equal(r.status, 201, r.text);
  badHook = r.json;
  bad.setSecret(r.json.secret);

  r = await admin.get('/api/v1/webhooks');
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 2);
  for (const h of r.json.items) assert.equal(h.secret, undefined);

  assertProblem(await admin.post('/api/v1/webhooks', { url: 'ftp://x.test/',
    org_id: w.org.J1.id, events: ['reminder.due'] }), 400,
  'validation_failed', 'url');
  assertProblem(await admin.post('/api/v1/webhooks', { url: good.url,
    org_id: w.org.J1.id, events: ['reminder.sent'] }), 400,
  'validation_failed', 'events[0]');
  assertProblem(await admin.post('/api/v1/webhooks', { url: good.url,
    org_id: w.org.J1.id, events: ['reminder.due'], secret: 'x' }), 400,
  'forbidden_field', 'secret');
  assertProblem(await w.user.officerA.post('/api/v1/webhooks', { url: good.url,
    org_id: w.org.J1.id, events: ['reminder.due'] }), 403, 'forbidden');

  // A third one, deleted at once: it receives nothing.
  r = await admin.post('/api/v1/webhooks', { url: good.url + '/deleted',
    org_id: w.org.J1.id, events: ['reminder.due'] });
  assert.equal(r.status, 201);
  assert.equal((await admin.del(`/api/v1/webhooks/${r.json.id}`)).status, 204);
  assertProblem(await admin.del(`/api/v1/webhooks/${r.json.id}`), 404,
    'not_found');
});

test('a served subpoena is reminded 7 days out, to the right people, once',
  async () => {
    const u = w.user;
    let r = await u.officerA.post('/api/v1/people', { family_name: FAMILY,
      given_names: 'Ana', date_of_birth: '1991-02-03' });
    assert.equal(r.status, 201, r.text);
    r = await u.officerA.post('/api/v1/subpoenas', {
      recipient_org_id: w.org.J1.id, person_id: r.json.id,
      purpose: 'records of release', items: [{ category: 'home_address' }] });
    assert.equal(r.status, 201, r.text);
    sub = r.json;
    await must(u.officerA, 'subpoenas', sub.id, 'submit');
    await must(u.signerA, 'subpoenas', sub.id, 'sign');
    const proof = await uploadDocument(u.officerA, sub.id, 'proof_of_service');
    sub = await must(u.officerA, 'subpoenas', sub.id, 'serve', {
      served_at: '2026-03-02T17:30:00Z', method: 'personal',
      served_to: 'records unit', return_date: '2026-03-09',
      proof_of_service_document_id: proof });

    const want = ['custodian1', 'rcounsel1', 'officerA'];
    await waitFor(() => want.every((k) => emailsTo(u[k].email).length === 1)
      && good.deliveries.length >= 1, 'the 7-day reminders');
    await sleep(3000); // three more ticks: nothing is sent twice
    for (const k of want) {
      const m = emailsTo(u[k].email);
      assert.equal(m.length, 1, `${k}: ${m.length} emails`);
      assert.equal(m[0].subject,
        `compel: ${sub.number} return date 2026-03-09 (in 7 days)`);
      assert.equal(m[0].from, 'reminders@compel.test');
      assert.match(m[0].body, /Deadline: return date/);
      assert.match(m[0].body, new RegExp(
        `Link: https://compel.example.gov/api/v1/subpoenas/${sub.id}`));
      assert.ok(!m[0].data.includes(FAMILY), 'no personal data in email');
      assert.ok(!m[0].data.includes('Ana'), 'no personal data in email');
    }
    for (const k of ['signerA', 'counselA', 'custodian2', 'rcounsel2',
      'booking1', 'doj1', 'auditorA']) {
      assert.equal(emailsTo(u[k].email).length, 0, `${k} got mail`);
    }
    assert.equal(smtp.messages.length, 3);

    assert.equal(good.deliveries.length, 1);
    const d = good.deliveries[0];
    assert.equal(d.method, 'POST');
    assert.ok(d.verified, 'the signature checks with the secret');
    assert.equal(d.headers['compel-delivery'], d.json.id);
    assert.equal(d.json.type, 'reminder.due');
    assert.equal(d.json.data.number, sub.number);
    assert.equal(d.json.data.case_id, sub.id);
    assert.equal(d.json.data.deadline_kind, 'return');
    assert.equal(d.json.data.due, '2026-03-09');
    assert.equal(d.json.data.days_left, 7);
    assert.ok(!d.body.includes(FAMILY), 'no personal data in webhook');
    // The failing receiver of agency A was tried once so far.
    assert.equal(bad.deliveries.length, 1);
    assert.ok(bad.deliveries[0].verified);
  });

test('the feed token shows the deadline as an all-day event', async () => {
  const c = w.user.officerA;
  let r = await c.post('/api/v1/me/calendar-token', {});
  assert.equal(r.status, 201, r.text);
  const token = r.json.token;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(r.json.url,
    `https://compel.example.gov/api/v1/calendar.ics?token=${token}`);
  const anon = server.client();
  r = await anon.get(`/api/v1/calendar.ics?token=${token}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/calendar; charset=utf-8/);
  assert.ok(r.text.endsWith('\r\n'));
  for (const line of r.text.split('\r\n'))
    assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
  const lines = r.text.replace(/\r\n /g, '').split('\r\n');
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  assert.ok(lines.includes('VERSION:2.0'));
  const events = lines.filter((l) => l === 'BEGIN:VEVENT').length;
  assert.equal(events, 1);
  assert.ok(lines.includes(`SUMMARY:${sub.number} return date`));
  assert.ok(lines.includes('DTSTART;VALUE=DATE:20260309'));
  assert.ok(lines.includes('DTEND;VALUE=DATE:20260310'));
  assert.ok(lines.some((l) => /^UID:[A-Za-z0-9_-]{22}@compel$/.test(l)));
  assert.ok(!r.text.includes(FAMILY));

  // Another jurisdiction's custodian sees no events.
  r = await w.user.custodian2.post('/api/v1/me/calendar-token', {});
  assert.equal(r.status, 201);
  r = await anon.get(`/api/v1/calendar.ics?token=${r.json.token}`);
  assert.equal(r.status, 200);
  assert.ok(!r.text.includes('BEGIN:VEVENT'));

  // A new token replaces the old; revoking ends the feed.
  r = await c.post('/api/v1/me/calendar-token', {});
  assert.equal(r.status, 201);
  assertProblem(await anon.get(`/api/v1/calendar.ics?token=${token}`), 404,
    'not_found');
  const second = r.json.token;
  assert.equal((await anon.get(`/api/v1/calendar.ics?token=${second}`))
    .status, 200);
  assert.equal((await c.del('/api/v1/me/calendar-token')).status, 204);
  assertProblem(await anon.get(`/api/v1/calendar.ics?token=${second}`), 404,
    'not_found');
  assertProblem(await c.del('/api/v1/me/calendar-token'), 404, 'not_found');
  assertProblem(await anon.get('/api/v1/calendar.ics?token=nonsense'), 404,
    'not_found');
  assertProblem(await anon.get('/api/v1/calendar.ics'), 404, 'not_found');
});

test('3 days out and overdue: one more reminder each', async () => {
  const u = w.user;
  server.setClock(at('2026-03-06T18:00:00Z'));
  await waitFor(() => emailsTo(u.custodian1.email).length === 2
    && emailsTo(u.officerA.email).length === 2
    && emailsTo(u.rcounsel1.email).length === 2, 'the 3-day reminders');
  for (const k of ['custodian1', 'rcounsel1', 'officerA']) {
    assert.equal(emailsTo(u[k].email)[1].subject,
      `compel: ${sub.number} return date 2026-03-09 (in 3 days)`);
  }
  server.setClock(at('2026-03-10T18:00:00Z'));
  await waitFor(() => emailsTo(u.custodian1.email).length === 3
    && good.deliveries.some((d) => d.json.type === 'reminder.overdue'),
  'the overdue reminders');
  await sleep(2500);
  assert.equal(emailsTo(u.officerA.email).length, 3);
  assert.equal(emailsTo(u.custodian1.email)[2].subject,
    `compel: ${sub.number} return date 2026-03-09 (overdue)`);
  // One delivery per stage to the good receiver: 7 days, 3 days, overdue.
  const ids = good.deliveries.map((d) => d.headers['compel-delivery']);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(good.deliveries.map((d) => d.json.data.stage),
    ['7d', '3d', 'overdue']);
  assert.ok(good.deliveries.every((d) => d.verified));
});

test('a failing webhook is retried with backoff, then dead-lettered',
  async () => {
    const { admin } = w.user;
    // Backoff is 30 s, 60 s, ...: an hour later each job is due again.
    let dead;
    let t = at('2026-03-10T18:00:00Z');
    for (let i = 0; i < 8 && !dead; i++) {
      t += 3600 * 1e6;
      server.setClock(t);
      await sleep(1500);
      const r = await admin.get('/api/v1/jobs?state=dead');
      assert.equal(r.status, 200, r.text);
      dead = r.json.items.find((j) => j.data?.stage === '7d');
    }
    assert.ok(dead, 'the 7-day delivery to the failing webhook is dead');
    assert.equal(dead.kind, 'reminder.webhook');
    assert.equal(dead.state, 'dead');
    assert.equal(dead.attempts, 3);
    assert.match(dead.last_error, /status 500/);
    assert.equal(dead.data.webhook_id, badHook.id);
    assert.equal(dead.data.number, undefined); // ids and dates only
    // Every attempt carried the same delivery id.
    const tries = bad.deliveries.filter((d) => d.json.id === dead.id);
    assert.equal(tries.length, 3);

    assertProblem(await w.user.officerA.get('/api/v1/jobs?state=dead'), 403,
      'forbidden');
    assertProblem(await admin.get('/api/v1/jobs?state=zombie'), 400,
      'validation_failed', 'state');

    bad.setStatus(204);
    let r = await admin.post(`/api/v1/jobs/${dead.id}/retry`, {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'pending');
    assert.equal(r.json.attempts, 0);
    await waitFor(() => bad.deliveries.filter((d) => d.json.id === dead.id)
      .length === 4, 'the retried delivery');
    await waitFor(async () => {
      const j = await admin.get('/api/v1/jobs?state=done&limit=500');
      return j.json.items.some((x) => x.id === dead.id);
    }, 'the job done');
    assertProblem(await admin.post(`/api/v1/jobs/${dead.id}/retry`, {}), 409,
      'state_conflict');
    assertProblem(await admin.post(
      '/api/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA/retry', {}), 404, 'not_found');
  });

test('a case answered gets no more reminders', async () => {
  const u = w.user;
  const before = smtp.messages.length;
  const s = await u.custodian1.get(`/api/v1/subpoenas/${sub.id}`);
  await must(u.custodian1, 'subpoenas', sub.id, 'respond', { items:
    s.json.items.map((i) => ({ item_id: i.id, outcome: 'not_held' })) });
  server.setClock(at('2026-03-12T18:00:00Z'));
  await sleep(3000);
  assert.equal(smtp.messages.length, before);
});

test('without webhook_private_networks, webhooks to non-public addresses are refused when registered', async () => {
  const plain = await startServer({});
  try {
    const admin = await adminClient(plain);
    const orgs = await admin.get('/api/v1/orgs');
    assert.equal(orgs.status, 200, orgs.text);
    const orgId = orgs.json.items[0].id;
    const before = dumpDatabase(plain, { except: ['audit', 'sessions', 'rate_limits'] });
    for (const url of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data', 'http://192.168.0.10:8080/',
      'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[::1]:9/',
      'https://[fd00::1]/x', 'https://[::ffff:127.0.0.1]/x', 'http://[fe80::1]/']) {
      const r = await admin.post('/api/v1/webhooks', { url, org_id: orgId,
        events: ['reminder.due'] });
      assertProblem(r, 400, 'validation_failed', 'url');
      assert.match(r.json.detail, /not public.*webhook_private_networks = 1/, url);
    }
    assert.deepEqual(dumpDatabase(plain, { except: ['audit', 'sessions', 'rate_limits'] }), before);
    // Public addresses and names are taken: a name is checked on every
    // delivery, after it is resolved (unit.test_webhook).
    for (const url of ['https://203.0.114.5/hook', 'https://hooks.example.org/compel',
      'http://localhost:9/x']) {
      const r = await admin.post('/api/v1/webhooks', { url, org_id: orgId,
        events: ['reminder.due'] });
      assert.equal(r.status, 201, `${url}: ${r.text}`);
    }
  } finally {
    await plain.stop();
  }
});
