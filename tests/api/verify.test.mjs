// verify.test.mjs: the subpoena as a signed, verifiable PDF, end to end.
//
// Signing a subpoena makes its document (GET /api/v1/subpoenas/{id}/
// document.pdf), which the agency and, once served, the recipient
// jurisdiction can download, and no other jurisdiction (404, audited);
// before signing it is a preview marked as not valid (documents.test.mjs
// has the details), and one withdrawn before signing has none (409). The document carries a
// verification code; GET /verify/{code}, with no login, tells anyone who
// issued and signed it, when, and its state now (withdrawn after
// `withdraw`), with the office's public key and a signature check, and
// never the person. Unknown codes are 404, malformed ones 400, a forged
// code is unknown, and a signature tampered with in the database is
// reported invalid.
//
// The PDF is read the way a person reads it: with pdftotext (poppler).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from './harness.mjs';
import { buildWorld, assertProblem, must, noon, uploadDocument }
  from './world.mjs';

let server;
let w;
let u;
let person;
let sub; // signed, then served, then withdrawn
let draft;
let code; // as printed on the PDF

// Friday 2020-01-10, a working day.
before(async () => {
  // The address printed on documents comes from public_url (its trailing
  // slash is dropped).
  server = await startServer({ clock: noon('2020-01-10'),
    env: { COMPEL_PUBLIC_URL: 'https://compel.example.gov/' } });
  w = await buildWorld(server, { tag: 'verify' });
  u = w.user;
  const r = await u.officerA.post('/api/v1/people', {
    family_name: 'Quillfeather', given_names: 'Imogen',
    date_of_birth: '1990-05-17', identifiers: { a_number: 'A012345678' } });
  assert.equal(r.status, 201, r.text);
  person = r.json;
});

after(async () => { await server?.stop(); });

// The text of a PDF as pdftotext extracts it, whitespace runs made one
// space.
function pdfText(bytes) {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'],
    { input: bytes }).toString().replace(/\s+/g, ' ');
}

async function getPdf(c, id) {
  const res = await fetch(`${server.base}/api/v1/subpoenas/${id}/document.pdf`,
    { headers: { Authorization: `Bearer ${c.bearer}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes,
    json: res.headers.get('content-type')?.includes('json')
      ? JSON.parse(bytes.toString()) : null,
    text: bytes.toString() };
}

// GET /verify/{code} with no credentials at all.
async function verify(c, accept = 'application/json') {
  const res = await fetch(`${server.base}/verify/${c}`,
    { headers: { Accept: accept } });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = null; }
  return { status: res.status, headers: res.headers, text, json };
}

async function auditOf(id) {
  const r = await u.auditorA.get(`/api/v1/audit?object=${id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((e) => e.action === 'subpoena.document.read');
}

test('before signing the document is a preview; withdrawn unsigned, none (409)', async () => {
  let r = await u.officerA.post('/api/v1/subpoenas', {
    recipient_org_id: w.org.J1.id, purpose: 'a draft',
    items: [{ category: 'phone' }] });
  assert.equal(r.status, 201, r.text);
  draft = r.json;
  r = await getPdf(u.officerA, draft.id);
  assert.equal(r.status, 200, r.text);
  assert.match(pdfText(r.bytes), /DRAFT — NOT SIGNED, NOT VALID/);
  assert.doesNotMatch(pdfText(r.bytes), /Verification code/);
  await must(u.officerA, 'subpoenas', draft.id, 'submit');
  r = await getPdf(u.officerA, draft.id); // ready to sign, not signed
  assert.equal(r.status, 200, r.text);
  assert.match(pdfText(r.bytes), /DRAFT — NOT SIGNED, NOT VALID/);
  await must(u.signerA, 'subpoenas', draft.id, 'withdraw',
    { reason: 'not needed' });
  r = await getPdf(u.officerA, draft.id);
  assertProblem(r, 409, 'state_conflict');
  assert.match(r.json.detail, /never signed/);
});

test('signing makes a PDF the agency can download', async () => {
  let r = await u.officerA.post('/api/v1/subpoenas', {
    recipient_org_id: w.org.J1.id, person_id: person.id,
    purpose: 'records of Quillfeather after her release',
    items: [{ category: 'home_address',
      description: 'Last known home address' },
    { category: 'employer' },
    { category: 'bond_record', description: 'Bond posted on release' }] });
  assert.equal(r.status, 201, r.text);
  sub = r.json;
  await must(u.officerA, 'subpoenas', sub.id, 'submit');
  await must(u.signerA, 'subpoenas', sub.id, 'sign');

  r = await getPdf(u.officerA, sub.id);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
  const t = pdfText(r.bytes);
  assert.match(t, /SUBPOENA/);
  assert.match(t, /Department of Homeland Security/);
  assert.match(t, new RegExp(`Subpoena No\\.: ${sub.number}`));
  assert.match(t, /Issued by: Denver Field Office/);
  assert.match(t, /To: Denver County/);
  assert.match(t, /In the matter of: Quillfeather, Imogen/);
  assert.match(t, /8 U\.S\.C\. 1225\(d\)\(4\)\(A\); 8 CFR 287\.4/);
  assert.match(t, /1\. Home address: Last known home address/);
  assert.match(t, /2\. Employer/);
  assert.match(t, /3\. Bond record: Bond posted on release/);
  // Not served yet: the return date comes with service.
  assert.match(t, /Return on or before a date to be set on service to Denver Field Office/);
  assert.match(t, /User signerA Field Office Director/);
  assert.match(t, /Signed on January 10, 2020/);
  assert.doesNotMatch(t, /CERTIFICATE OF SERVICE/);
  const m = t.match(/Verification code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/);
  assert.ok(m, t);
  code = m[1];
  assert.match(t, new RegExp(`https://compel\\.example\\.gov/verify/ ?${code}`));
  // The same subpoena in the same state gives the same bytes.
  const again = await getPdf(u.officerA, sub.id);
  assert.deepEqual(again.bytes, r.bytes);
  // The download was audited, once each, without the name.
  const a = await auditOf(sub.id);
  assert.equal(a.filter((e) => e.outcome === 'ok').length, 2);
  assert.ok(a.every((e) => !/Quillfeather/.test(e.detail ?? '')));
  assert.match(a[0].detail, /subject_named=yes/);
});

test('the recipient downloads it once served; another jurisdiction never',
  async () => {
    // Before service the recipient does not see the subpoena at all.
    let r = await getPdf(u.custodian1, sub.id);
    assertProblem(r, 404, 'not_found');
    const proof = await uploadDocument(u.officerA, sub.id, 'proof_of_service');
    // Served Monday 2020-01-13 with a return date of Friday 2020-01-31.
    server.setClock(noon('2020-01-13'));
    await must(u.officerA, 'subpoenas', sub.id, 'serve', {
      served_at: '2020-01-13T15:00:00Z', method: 'personal',
      served_to: 'records unit', return_date: '2020-01-31',
      proof_of_service_document_id: proof });
    r = await getPdf(u.custodian1, sub.id);
    assert.equal(r.status, 200, r.text);
    const t = pdfText(r.bytes);
    assert.match(t, /Return on or before January 31, 2020 to Denver Field Office/);
    assert.match(t, /CERTIFICATE OF SERVICE/);
    assert.match(t, /served on January 13, 2020 by personal service on records unit/);
    assert.match(t, new RegExp(`Verification code: ${code}`));

    const before = (await auditOf(sub.id)).length;
    r = await getPdf(u.custodian2, sub.id);
    assertProblem(r, 404, 'not_found');
    // Exactly as if the id did not exist.
    const missing = await getPdf(u.custodian2, 'AAAAAAAAAAAAAAAAAAAAAA');
    assertProblem(missing, 404, 'not_found');
    assert.equal(missing.json.detail, r.json.detail);
    const a = await auditOf(sub.id);
    assert.equal(a.length, before + 1);
    assert.equal(a.at(-1).outcome, 'not_found');
    assert.equal(a.at(-1).actor_id, u.custodian2.id);
    // An admin sees no case data.
    r = await getPdf(w.admin, sub.id);
    assertProblem(r, 403, 'forbidden');
  });

test('/verify shows who issued and signed it, and no personal data',
  async () => {
    let r = await verify(code);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.issued, true);
    assert.equal(r.json.valid, true);
    assert.equal(r.json.signature_valid, true);
    assert.equal(r.json.code, code);
    assert.equal(r.json.subpoena_number, sub.number);
    assert.equal(r.json.issuing_office, 'Denver Field Office');
    assert.equal(r.json.recipient, 'Denver County');
    assert.deepEqual(r.json.signer,
      { name: 'User signerA', title: 'Field Office Director' });
    assert.equal(r.json.signed_at, '2020-01-10T18:00:00Z');
    assert.equal(r.json.state, 'served');
    assert.match(r.json.key_id, /^[0-9a-f]{16}$/);
    assert.equal(Buffer.from(r.json.public_key, 'base64').length, 32);
    assert.match(r.json.content_sha256, /^[0-9a-f]{64}$/);
    // Nothing about the person, the purpose or the items.
    for (const secret of ['Quillfeather', 'Imogen', person.id,
      'Last known home address', 'after her release', 'A012345678'])
      assert.ok(!r.text.includes(secret), `${secret} in ${r.text}`);

    // Case, dashes and look-alikes do not matter to a person typing it.
    r = await verify(code.replace(/-/g, '').toLowerCase());
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.code, code);

    // The page for people: HTML, escaped, with the security headers.
    r = await verify(code, 'text/html');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src/);
    assert.match(r.text, /<strong>Genuine\.<\/strong>/);
    assert.match(r.text, /Denver Field Office/);
    assert.match(r.text, /User signerA, Field Office Director/);
    assert.ok(!r.text.includes('Quillfeather'));
  });

test('after withdraw, /verify and the PDF say withdrawn', async () => {
  await must(u.signerA, 'subpoenas', sub.id, 'withdraw',
    { reason: 'issued in error' });
  let r = await verify(code);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'withdrawn');
  assert.equal(r.json.valid, true); // genuine, but no longer in force
  r = await verify(code, 'text/html');
  assert.match(r.text, /withdrawn/);
  assert.match(r.text, /no longer in force/);
  const pdf = await getPdf(u.officerA, sub.id);
  assert.equal(pdf.status, 200);
  assert.match(pdfText(pdf.bytes), /WITHDRAWN: this subpoena is no longer in force/);
});

test('unknown, malformed and forged codes', async () => {
  // A well-formed code nobody was given.
  let r = await verify('0000-0000-0000-0000');
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.issued, false);
  assert.equal(r.json.valid, false);
  assert.equal(r.json.signer, null);
  assert.equal(r.json.state, null);
  r = await verify('0000-0000-0000-0000', 'text/html');
  assert.equal(r.status, 404);
  assert.match(r.text, /Unknown code/);

  // Malformed: 400 naming the code.
  for (const bad of ['abc', 'UUUU-UUUU-UUUU-UUUU', '0000-0000-0000-00000',
    '%3Cscript%3E']) {
    r = await verify(bad);
    assertProblem(r, 400, 'validation_failed', 'code');
  }

  // A forger who alters one character of a real code gets nothing.
  const last = code.at(-1) === 'Z' ? 'Y' : 'Z';
  r = await verify(code.slice(0, -1) + last);
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.issued, false);
});

test('a signature altered in the database is reported invalid', async () => {
  // Someone with write access to the database changes the signed title.
  server.sql(`DROP TRIGGER subpoena_signatures_never_edited${
    server.backend === 'sqlite' ? '' : ' ON subpoena_signatures'};
    UPDATE subpoena_signatures
       SET content = replace(content, 'signer_title=Field Office Director',
                             'signer_title=Director General')
     WHERE subpoena_id = '${sub.id}';`);
  let r = await verify(code);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.issued, true);
  assert.equal(r.json.signature_valid, false);
  assert.equal(r.json.valid, false);
  r = await verify(code, 'text/html');
  assert.match(r.text, /Signature invalid/);
});
