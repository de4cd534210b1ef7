// documents.test.mjs: case documents over real HTTP (docs/documents.md):
// upload and byte-identical download with the SHA-256 a client computes
// itself, the 25 MiB limit (declared and chunked), the type allow-list,
// filenames, kinds, scoping (another jurisdiction gets 404, audited),
// downloads audited exactly once, the documents the law requires (proof
// of service, court order, delegation instrument: 422 naming the rule and
// nothing changed), the production manifest, the PDF preview of a subpoena
// before signing, and a server killed in the middle of a large upload
// leaving no document and a sound database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startServer, dumpDatabase, BIN } from './harness.mjs';
import { buildWorld, noon, must, assertProblem, sendDocument,
  uploadDocument } from './world.mjs';

const MiB = 1024 * 1024;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
// Everything but the audit trail, sessions, and the documents' bytes (a
// 25 MiB row does not fit a dump): documents by id, kind, hash and size.
const dump = () => dumpDatabase(server,
  { except: ['audit', 'sessions', 'documents'] }) + '\ndocuments\n' +
  server.sql('SELECT id, case_id, kind, ' +
    (server.backend === 'sqlite' ? 'hex(sha256)' : "upper(encode(sha256, 'hex'))") +
    ', size FROM documents ORDER BY id');

let server;
let w;
let u;
const sub = {}; // subpoenas: served1 (to J1), signed (to J1), other (J2)

// A subpoena of agency A to `recipient`, submitted and signed.
async function signedSubpoena(recipient, purpose) {
  const r = await u.officerA.post('/api/v1/subpoenas', {
    recipient_org_id: recipient.id, purpose,
    items: [{ category: 'home_address' }, { category: 'employer' }],
  });
  assert.equal(r.status, 201, r.text);
  await must(u.officerA, 'subpoenas', r.json.id, 'submit');
  return must(u.signerA, 'subpoenas', r.json.id, 'sign');
}

// Serve subpoena `id` with proof document `proof` (or none).
const serve = (id, proof) => u.officerA.post(
  `/api/v1/subpoenas/${id}/actions/serve`, {
    served_at: '2020-01-13T15:00:00Z', method: 'personal',
    served_to: 'records unit', return_date: '2020-01-31',
    ...(proof ? { proof_of_service_document_id: proof } : {}),
  });

// POST `size` bytes to /api/v1/documents?<query> as `c` with node:http,
// declared (Content-Length) or chunked; resolves with the answer, which
// may come before the whole body was sent.
function rawPost(c, query, size, chunked) {
  const url = new URL(`${server.base}/api/v1/documents?${query}`);
  const headers = { Authorization: `Bearer ${c.bearer}`,
    'Content-Type': 'application/pdf',
    'Content-Disposition': 'attachment; filename="big.pdf"' };
  // Declared: ask before sending (Expect: 100-continue), as curl does for
  // a large body; the server refuses on the headers alone.
  if (chunked) headers['Transfer-Encoding'] = 'chunked';
  else Object.assign(headers, { 'Content-Length': size,
    Expect: '100-continue' });
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port,
      method: 'POST', path: url.pathname + url.search, headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', (e) => setTimeout(() => { if (!answered) reject(e); },
      1000));
    const chunk = Buffer.alloc(MiB, 0x41);
    const send = async () => {
      for (let sent = 0; sent < size && !answered && !req.destroyed;) {
        const n = Math.min(MiB, size - sent);
        const more = req.write(n === MiB ? chunk : chunk.subarray(0, n));
        sent += n;
        if (!more) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    };
    if (chunked) send().catch(() => {});
    else req.on('continue', () => { send().catch(() => {}); });
  });
}

// The audit entries about object `id` (read by the auditor).
async function auditOf(id) {
  const r = await u.auditorA.get(`/api/v1/audit?object=${id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

before(async () => {
  server = await startServer({ clock: noon('2020-01-14') });
  w = await buildWorld(server, { tag: 'docs' });
  u = w.user;
  sub.served1 = await signedSubpoena(w.org.J1, 'documents: served to J1');
  sub.signed = await signedSubpoena(w.org.J1, 'documents: signed only');
  sub.other = await signedSubpoena(w.org.J2, 'documents: served to J2');
  for (const s of [sub.served1, sub.other]) {
    const proof = await uploadDocument(u.officerA, s.id, 'proof_of_service');
    const r = await serve(s.id, proof);
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => { await server?.stop(); });

test('upload then download gives the same bytes, hash and headers',
  async () => {
    const bytes = randomBytes(300 * 1024);
    // A name outside ASCII travels as RFC 8187 filename*.
    const name = 'Notice – Müller.pdf';
    const r = await sendDocument(u.officerA,
      `case_id=${sub.served1.id}&kind=correspondence`, bytes, {
        disposition: "attachment; filename=\"notice.pdf\"; filename*=UTF-8''" +
        encodeURIComponent(name) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.sha256, sha256(bytes));
    assert.equal(r.json.size, bytes.length);
    assert.equal(r.json.filename, name);
    assert.equal(r.json.kind, 'correspondence');
    assert.equal(r.json.case_id, sub.served1.id);
    assert.equal(r.headers.get('location'), `/api/v1/documents/${r.json.id}`);

    const d = await fetch(`${server.base}/api/v1/documents/${r.json.id}`,
      { headers: { Authorization: `Bearer ${u.officerA.bearer}` } });
    assert.equal(d.status, 200);
    const got = Buffer.from(await d.arrayBuffer());
    assert.ok(got.equals(bytes), 'the download is byte-identical');
    assert.equal(sha256(got), r.json.sha256);
    assert.equal(d.headers.get('content-type'), 'application/pdf');
    assert.equal(d.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(d.headers.get('cache-control'), 'no-store');
    assert.equal(d.headers.get('etag'), `"${sha256(bytes)}"`);
    const disp = d.headers.get('content-disposition');
    assert.match(disp, /^attachment; filename="[^"]*"; filename\*=UTF-8''/);
    assert.equal(decodeURIComponent(disp.split("UTF-8''")[1]), name);

    // The served jurisdiction sees the subpoena, so the document too.
    const j = await u.custodian1.get(`/api/v1/documents/${r.json.id}`);
    assert.equal(j.status, 200);

    // Exactly one audit record per download, none naming the file.
    const trail = await auditOf(r.json.id);
    const reads = trail.filter((a) => a.action === 'document.read');
    assert.equal(reads.length, 2, JSON.stringify(trail));
    assert.ok(reads.every((a) => a.outcome === 'ok'));
    const created = trail.filter((a) => a.action === 'document.create');
    assert.equal(created.length, 1);
    assert.ok(!JSON.stringify(trail).includes('Notice'));
    assert.ok(!JSON.stringify(trail).includes('M%C3%BCller'));
  });

test('a case lists its documents, and its JSON carries them', async () => {
  const id = await uploadDocument(u.officerA, sub.signed.id, 'other',
    { type: 'text/plain; charset=utf-8', filename: 'memo.txt',
      content: 'a memo\n' });
  const l = await u.officerA.get(`/api/v1/documents?case_id=${sub.signed.id}`);
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.items.map((d) => d.id), [id]);
  assert.equal(l.json.items[0].content_type, 'text/plain');
  assert.equal(l.json.items[0].sha256, sha256('a memo\n'));
  const s = await u.officerA.get(`/api/v1/subpoenas/${sub.signed.id}`);
  assert.deepEqual(s.json.documents.map((d) => d.id), [id]);
  assert.equal(s.json.documents[0].filename, 'memo.txt');
  // Not served yet: the jurisdiction does not see it, nor its documents.
  assertProblem(await u.custodian1.get(
    `/api/v1/documents?case_id=${sub.signed.id}`), 404, 'not_found');
  assertProblem(await u.custodian1.get(`/api/v1/documents/${id}`), 404,
    'not_found');
});

test('an Idempotency-Key replays an upload; the same bytes sent elsewhere are refused',
  async () => {
    const key = { 'Idempotency-Key': 'upload-memo-1' };
    const q = `case_id=${sub.served1.id}&kind=other`;
    const opts = { type: 'text/plain; charset=utf-8', filename: 'memo.txt',
      headers: key };
    const n0 = server.sql('SELECT count(*) FROM documents');
    const first = await sendDocument(u.officerA, q, 'a memo\n', opts);
    assert.equal(first.status, 201, first.text);
    const again = await sendDocument(u.officerA, q, 'a memo\n', opts);
    assert.equal(again.status, 201, again.text);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    // The key with the same bytes but another case, kind, file name or
    // type is another request: refused, not answered with the first.
    for (const [query, o] of [
      [`case_id=${sub.signed.id}&kind=other`, opts],
      [`case_id=${sub.served1.id}&kind=proof_of_service`, opts],
      [q, { ...opts, filename: 'other.txt' }],
      [q, { ...opts, type: 'text/csv' }],
    ]) {
      assertProblem(await sendDocument(u.officerA, query, 'a memo\n', o),
        422, 'idempotency_conflict');
    }
    assert.equal(Number(server.sql('SELECT count(*) FROM documents')),
      Number(n0) + 1);
  });

test('bodies over 25 MiB are refused with 413, declared or chunked',
  async () => {
    const count = () => server.sql('SELECT count(*) FROM documents').trim();
    const n0 = count();
    // Declared: the answer comes before the body is read.
    let r = await rawPost(u.officerA, `case_id=${sub.served1.id}&kind=other`,
      25 * MiB + 1, false);
    assert.equal(r.status, 413, r.text);
    assert.equal(JSON.parse(r.text).code, 'payload_too_large');
    // Chunked: no Content-Length, the server counts the bytes as they come.
    r = await rawPost(u.officerA, `case_id=${sub.served1.id}&kind=other`,
      25 * MiB + 100 * 1024, true);
    assert.equal(r.status, 413, r.text);
    assert.equal(JSON.parse(r.text).code, 'payload_too_large');
    assert.equal(count(), n0);
    r = await sendDocument(u.officerA, `case_id=${sub.served1.id}&kind=other`,
      Buffer.alloc(25 * MiB, 0x42), { filename: 'exactly-25MiB.pdf' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.size, 25 * MiB);
  });

test('type, filename, kind, case and body are checked', async () => {
  const q = `case_id=${sub.served1.id}&kind=other`;
  const before1 = dump();
  assertProblem(await sendDocument(u.officerA, q, 'x', { type: 'text/html' }),
    415, 'unsupported_media_type');
  assertProblem(await sendDocument(u.officerA, q, 'x',
    { type: 'application/x-msdownload' }), 415, 'unsupported_media_type');
  assertProblem(await sendDocument(u.officerA, q, 'x', { disposition: null }),
    400, 'validation_failed', 'filename');
  assertProblem(await sendDocument(u.officerA, q, 'x',
    { disposition: 'attachment' }), 400, 'validation_failed', 'filename');
  for (const bad of ['../etc/passwd', 'a\\b.pdf', '', 'x'.repeat(256)])
    assertProblem(await sendDocument(u.officerA, q, 'x', { filename: bad }),
      400, 'validation_failed', 'filename');
  // A control character, and bytes that are not UTF-8.
  assertProblem(await sendDocument(u.officerA, q, 'x', { disposition:
    "attachment; filename*=UTF-8''a%01b.pdf" }), 400, 'validation_failed',
  'filename');
  assertProblem(await sendDocument(u.officerA, q, 'x', { disposition:
    "attachment; filename*=UTF-8''a%FFb.pdf" }), 400, 'validation_failed',
  'filename');
  assertProblem(await sendDocument(u.officerA,
    `case_id=${sub.served1.id}&kind=selfie`, 'x'), 400, 'validation_failed',
  'kind');
  assertProblem(await sendDocument(u.officerA, 'kind=other', 'x'), 400,
    'validation_failed', 'case_id');
  assertProblem(await sendDocument(u.officerA, q, ''), 400,
    'validation_failed', 'body');
  // A court order belongs to an enforcement case, not a subpoena.
  assertProblem(await sendDocument(u.officerA,
    `case_id=${sub.served1.id}&kind=court_order`, 'x'), 400,
  'validation_failed', 'kind');
  // Only the issuing office files a proof of service.
  assertProblem(await sendDocument(u.custodian1,
    `case_id=${sub.served1.id}&kind=proof_of_service`, 'x'), 403,
  'forbidden');
  // An auditor sees every case but adds to none.
  assertProblem(await sendDocument(u.auditorA, q, 'x'), 403, 'forbidden');
  assert.equal(dump(), before1);
});

test('a case of another jurisdiction is not found, and that is audited',
  async () => {
    const before1 = server.sql('SELECT count(*) FROM documents');
    assertProblem(await sendDocument(u.custodian2,
      `case_id=${sub.served1.id}&kind=production`, 'x'), 404, 'not_found');
    // The same answer as an id that names no case at all.
    const none = await sendDocument(u.custodian2,
      'case_id=AAAAAAAAAAAAAAAAAAAAAA&kind=production', 'x');
    assertProblem(none, 404, 'not_found');
    assert.equal(server.sql('SELECT count(*) FROM documents'), before1);
    const trail = await auditOf(sub.served1.id);
    assert.ok(trail.some((a) => a.action === 'document.create' &&
      a.outcome === 'not_found' && a.actor_id === u.custodian2.id),
    JSON.stringify(trail));
    // A download of a J1 document by J2: 404, audited.
    const id = await uploadDocument(u.custodian1, sub.served1.id,
      'correspondence');
    assertProblem(await u.custodian2.get(`/api/v1/documents/${id}`), 404,
      'not_found');
    const t2 = await auditOf(id);
    assert.deepEqual(t2.filter((a) => a.action === 'document.read')
      .map((a) => [a.outcome, a.actor_id]), [['not_found', u.custodian2.id]]);
  });

test('serving needs a proof of service of that very subpoena', async () => {
  const s = await signedSubpoena(w.org.J1, 'documents: proof rules');
  const mine = await uploadDocument(u.officerA, s.id, 'proof_of_service');
  const theirs = await uploadDocument(u.officerA, sub.signed.id,
    'proof_of_service');
  const notProof = await uploadDocument(u.officerA, s.id, 'correspondence');
  const before1 = dump();
  assertProblem(await serve(s.id), 422, 'guard_failed',
    'proof_of_service_required');
  assertProblem(await serve(s.id, theirs), 422, 'guard_failed',
    'proof_of_service_required');
  assertProblem(await serve(s.id, notProof), 422, 'guard_failed',
    'proof_of_service_required');
  assertProblem(await serve(s.id, 'AAAAAAAAAAAAAAAAAAAAAA'), 422,
    'guard_failed', 'proof_of_service_required');
  // Refusals are audited, nothing else changes.
  assert.equal(dump(), before1);
  const refused = (await auditOf(s.id)).filter((a) =>
    a.action === 'subpoena.serve' && a.outcome === 'denied');
  assert.equal(refused.length, 4);
  const r = await serve(s.id, mine);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'served');
  assert.ok(r.json.documents.some((d) => d.id === mine &&
    d.kind === 'proof_of_service'));
  const h = await u.officerA.get(`/api/v1/subpoenas/${s.id}/history`);
  const ev = h.json.items.find((e) => e.action === 'serve');
  assert.equal(ev.details.proof_of_service_document_id, mine);
});

test('the manifest lists exactly the produced files with their hashes',
  async () => {
    const s = sub.served1;
    const items = (await u.custodian1.get(`/api/v1/subpoenas/${s.id}`))
      .json.items;
    const a = Buffer.from('home address record\n');
    const b = randomBytes(4096);
    // One minute apart, so the manifest's order (upload time) is known.
    server.setClock(noon('2020-01-14') + 60e6);
    const ra = await sendDocument(u.custodian1,
      `case_id=${s.id}&kind=production&item_ids=${items[0].id}`, a,
      { type: 'text/csv', filename: 'address.csv' });
    assert.equal(ra.status, 201, ra.text);
    server.setClock(noon('2020-01-14') + 120e6);
    const rb = await sendDocument(u.rcounsel1,
      `case_id=${s.id}&kind=production`, b, { filename: 'employer.pdf' });
    assert.equal(rb.status, 201, rb.text);
    assertProblem(await sendDocument(u.custodian1,
      `case_id=${s.id}&kind=production&item_ids=AAAAAAAAAAAAAAAAAAAAAA`, a,
      { type: 'text/csv' }), 400, 'validation_failed', 'item_ids');

    for (const c of [u.officerA, u.custodian1, u.auditorA]) {
      const m = await c.get(`/api/v1/subpoenas/${s.id}/manifest`);
      assert.equal(m.status, 200, m.text);
      assert.equal(m.json.subpoena_id, s.id);
      assert.equal(m.json.number, s.number);
      assert.ok(m.json.generated_at);
      assert.deepEqual(m.json.files.map((f) => [f.id, f.filename, f.size,
        f.sha256, f.content_type, f.uploaded_by]), [
        [ra.json.id, 'address.csv', a.length, sha256(a), 'text/csv',
          u.custodian1.id],
        [rb.json.id, 'employer.pdf', b.length, sha256(b), 'application/pdf',
          u.rcounsel1.id]]);
      assert.deepEqual(m.json.files[0].item_ids, [items[0].id]);
      assert.deepEqual(m.json.files[1].item_ids, []);
      // manifest_sha256: SHA-256 of "<sha256> <size> <id>\n" per file.
      const canon = m.json.files.map((f) => `${f.sha256} ${f.size} ${f.id}\n`)
        .join('');
      assert.equal(m.json.manifest_sha256, sha256(canon));
    }
    assertProblem(await u.custodian2.get(`/api/v1/subpoenas/${s.id}/manifest`),
      404, 'not_found');
    // A subpoena with no production has an empty manifest.
    const e = await u.officerA.get(`/api/v1/subpoenas/${sub.signed.id}/manifest`);
    assert.deepEqual(e.json.files, []);
    assert.equal(e.json.manifest_sha256, sha256(''));
  });

test('entering a court order needs the order on file', async () => {
  const s = sub.other;
  await must(u.custodian2, 'subpoenas', s.id, 'refuse',
    { reason: 'court order only' });
  const ref = await must(u.counselA, 'subpoenas', s.id, 'refer',
    { doj_org_id: w.org.D2.id });
  const id = ref.enforcement_id;
  await must(u.doj2, 'enforcements', id, 'file_petition', { court:
    'N.D. Ill.', district: 'Northern District of Illinois',
  docket_number: '1:20-mc-00042', filed_on: '2020-01-14' });
  const order = { result: 'enforced', entered_on: '2020-01-14',
    compliance_days: 14 };
  const petition = await uploadDocument(u.doj2, id, 'petition');
  // The DOJ office of another district sees nothing of the case.
  assertProblem(await sendDocument(u.doj1,
    `case_id=${id}&kind=court_order`, 'x'), 404, 'not_found');
  const before1 = dump();
  const act = (body) => u.doj2.post(
    `/api/v1/enforcements/${id}/actions/enter_order`, body);
  assertProblem(await act(order), 422, 'guard_failed', 'court_order_required');
  assertProblem(await act({ ...order, order_document_id: petition }), 422,
    'guard_failed', 'court_order_required');
  assert.equal(dump(), before1);
  const doc = await uploadDocument(u.doj2, id, 'court_order');
  const r = await act({ ...order, order_document_id: doc });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'order_entered');
  // Both were uploaded at the same (test clock) instant: compare as sets.
  assert.deepEqual(r.json.documents.map((d) => d.kind).sort(),
    ['court_order', 'petition']);
  const h = await u.doj2.get(`/api/v1/enforcements/${id}/history`);
  assert.equal(h.json.items.find((e) => e.action === 'enter_order')
    .details.order_document_id, doc);
});

test('a delegation needs its instrument, filed by an admin', async () => {
  const admin = u.admin;
  const body = { user_id: u.signerB.id, authority: 'Delegation No. 7',
    effective_from: '2020-01-01' };
  const before1 = dump();
  assertProblem(await admin.post('/api/v1/delegations', body), 422,
    'guard_failed', 'delegation_document_required');
  assert.equal(dump(), before1);
  assertProblem(await sendDocument(u.officerA, 'kind=delegation', 'x'), 403,
    'forbidden');
  assertProblem(await sendDocument(admin,
    `kind=delegation&case_id=${sub.served1.id}`, 'x'), 400,
  'validation_failed', 'case_id');
  // A case document is not an instrument of delegation.
  const notOne = await uploadDocument(u.officerA, sub.signed.id, 'other');
  assertProblem(await admin.post('/api/v1/delegations',
    { ...body, document_id: notOne }), 422, 'guard_failed',
  'delegation_document_required');
  const doc = await uploadDocument(admin, null, 'delegation');
  const r = await admin.post('/api/v1/delegations',
    { ...body, document_id: doc });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.document_id, doc);
  // Admins and auditors read the instrument; case roles do not.
  assert.equal((await admin.get(`/api/v1/documents/${doc}`)).status, 200);
  assert.equal((await u.auditorA.get(`/api/v1/documents/${doc}`)).status,
    200);
  assertProblem(await u.officerA.get(`/api/v1/documents/${doc}`), 404,
    'not_found');
  const l = await admin.get('/api/v1/documents?kind=delegation');
  assert.deepEqual(l.json.items.map((d) => d.id), [doc]);
});

// The text of a PDF as pdftotext (poppler) extracts it, whitespace runs
// made one space, and its page count.
function pdfText(bytes) {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'],
    { input: bytes }).toString().replace(/\s+/g, ' ');
}
const pdfPages = (bytes) => Number(execFileSync('pdfinfo', ['-'],
  { input: bytes }).toString().match(/^Pages:\s+(\d+)/m)[1]);

async function getPdf(c, id) {
  const res = await fetch(`${server.base}/api/v1/subpoenas/${id}/document.pdf`,
    { headers: { Authorization: `Bearer ${c.bearer}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json = null;
  if (res.headers.get('content-type')?.includes('json'))
    json = JSON.parse(bytes.toString());
  return { status: res.status, headers: res.headers, bytes, json,
    text: bytes.toString() };
}

test('before signing, the PDF is a preview marked on every page, without a code',
  async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ category: 'other',
      description: `Record ${i + 1}, described at some length so the list` +
        ' runs over more than one page' }));
    let r = await u.officerA.post('/api/v1/subpoenas', {
      recipient_org_id: w.org.J1.id, purpose: 'documents: a preview',
      items });
    assert.equal(r.status, 201, r.text);
    const draft = r.json;
    for (const step of [null, 'submit']) {
      if (step) await must(u.officerA, 'subpoenas', draft.id, step);
      r = await getPdf(u.officerA, draft.id);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('content-type'), 'application/pdf');
      assert.equal(r.headers.get('content-disposition'),
        `inline; filename="${draft.number}-preview.pdf"`);
      const t = pdfText(r.bytes);
      const pages = pdfPages(r.bytes);
      assert.ok(pages >= 2, `${pages} pages`);
      // The marking on every page; the items as they stand; no signature
      // and no verification code.
      assert.equal(t.split('DRAFT — NOT SIGNED, NOT VALID').length - 1, pages);
      assert.match(t, new RegExp(`Subpoena No\\.: ${draft.number}`));
      assert.match(t, /To: Denver County/);
      assert.match(t, /50\. Other records: Record 50,/);
      assert.match(t, /Not signed\. This is a preview of a draft/);
      assert.doesNotMatch(t, /Verification code|\/verify\/|Signed on/);
    }
    // A PATCH of the draft shows in the next preview.
    r = await u.officerA.post('/api/v1/subpoenas', {
      recipient_org_id: w.org.J1.id, purpose: 'documents: preview edit',
      items: [{ category: 'phone' }] });
    const d2 = r.json;
    assert.match(pdfText((await getPdf(u.officerA, d2.id)).bytes),
      /To: Denver County/);
    r = await u.officerA.patch(`/api/v1/subpoenas/${d2.id}`,
      { recipient_org_id: w.org.J2.id }, { 'If-Match': `"${d2.version}"` });
    assert.equal(r.status, 200, r.text);
    const t2 = pdfText((await getPdf(u.officerA, d2.id)).bytes);
    assert.match(t2, /To: Cook County/);
    assert.match(t2, /1\. Telephone numbers/);
    // The download is audited like the issued document's.
    const a = (await auditOf(draft.id))
      .filter((e) => e.action === 'subpoena.document.read');
    assert.equal(a.length, 2);
    assert.ok(a.every((e) => e.outcome === 'ok' &&
      /^pages=\d+ subject_named=no$/.test(e.detail)));
    // Signed, the document is the issued one: no marking, a code.
    await must(u.signerA, 'subpoenas', draft.id, 'sign');
    const t = pdfText((await getPdf(u.officerA, draft.id)).bytes);
    assert.doesNotMatch(t, /NOT VALID|preview/);
    assert.match(t, /Verification code: [0-9A-Z]{4}-/);
    // The recipient sees no draft, so no preview either (404, as missing).
    assertProblem(await getPdf(u.custodian2, d2.id), 404, 'not_found');
  });

test('a server killed mid-upload leaves no document and a sound database',
  async () => {
    const count = () => server.sql('SELECT count(*) FROM documents').trim();
    const n0 = count();
    const size = 20 * MiB;
    const url = new URL(`${server.base}/api/v1/documents?case_id=` +
      `${sub.served1.id}&kind=other`);
    const req = request({ host: url.hostname, port: url.port, method: 'POST',
      path: url.pathname + url.search, headers: {
        Authorization: `Bearer ${u.officerA.bearer}`,
        'Content-Type': 'application/pdf',
        'Content-Disposition': 'attachment; filename="half.pdf"',
        'Content-Length': size } });
    req.on('error', () => {});
    // Half the body, then the server dies.
    await new Promise((r) => req.write(Buffer.alloc(size / 2, 0x43), r));
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise((r) => server.child.on('exit', r));
    server.child.kill('SIGKILL');
    await exited;
    req.destroy();
    assert.equal(count(), n0);
    // SQLite's own check of its file (PostgreSQL's WAL replay is its own).
    if (server.backend === 'sqlite')
      assert.equal(server.sql('PRAGMA integrity_check').trim(), 'ok');
    assert.equal(server.sql(
      "SELECT count(*) FROM documents WHERE filename = 'half.pdf'").trim(), '0');
    // The server starts again on the same database and serves its files,
    // on the same test clock (on the real one, the daily job would find
    // the world's users idle since 2020 and disable them as inactive).
    const child = spawn(BIN, ['serve', '--db', server.db, '--listen',
      '127.0.0.1:0', '--log-level', 'warn', ...server.keyArgs],
    { env: server.env });
    // The harness's stop() waits for the first child, which is gone: end
    // this one and remove the directory instead.
    server.stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const done = new Promise((r) => child.on('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(server.dir, { recursive: true, force: true });
    };
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/serving on http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}`)));
    });
    const l = await fetch(`http://127.0.0.1:${port}/api/v1/documents?` +
      `case_id=${sub.served1.id}`, { headers:
      { Authorization: `Bearer ${u.officerA.bearer}` } });
    assert.equal(l.status, 200);
    assert.ok(!(await l.json()).items.some((d) => d.filename === 'half.pdf'));
  });
