// people.test.mjs: people over HTTP: personal fields encrypted at rest,
// exact-match search through blind indexes, every read audited, and
// scoping (a jurisdiction sees a person only through a case naming them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startServer, adminClient, PASSWORD } from './harness.mjs';

// Monday 13 January 2020, 10:00 in Denver (17:00 UTC).
const T0 = Date.UTC(2020, 0, 13, 17, 0, 0) * 1000;

let server;
let admin;
let officer;
let auditor;
let bookingA;
let bookingB;
let facilityA;
let orgA;

async function mkOrg(kind, name) {
  const r = await admin.post('/api/v1/orgs',
    { kind, name, state: 'CO', timezone: 'America/Denver' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function mkUser(email, org, roles, title) {
  const body = { email, name: email.split('@')[0], org_id: org.id, roles,
    password: PASSWORD };
  if (title) body.title = title;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  const c = server.client();
  const l = await c.login(email);
  assert.equal(l.status, 201, l.text);
  return c;
}

// The audit records about one object, as an auditor reads them.
async function auditFor(id) {
  const r = await auditor.get(`/api/v1/audit?object=${encodeURIComponent(id)}`
    + '&limit=500');
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

async function auditByAction(action) {
  const r = await auditor.get('/api/v1/audit?limit=500');
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((a) => a.action === action);
}

before(async () => {
  server = await startServer({ clock: T0 });
  admin = await adminClient(server);
  const agency = await mkOrg('agency_office', 'Denver Field Office');
  orgA = await mkOrg('jurisdiction', 'Arapahoe County');
  const orgB = await mkOrg('jurisdiction', 'Boulder County');
  const f = await admin.post(`/api/v1/orgs/${orgA.id}/facilities`,
    { name: 'Arapahoe County Detention Facility',
      timezone: 'America/Denver' });
  assert.equal(f.status, 201, f.text);
  facilityA = f.json;
  officer = await mkUser('officer@agency.test', agency, ['officer']);
  auditor = await mkUser('auditor@agency.test', agency, ['auditor']);
  bookingA = await mkUser('booking@arapahoe.test', orgA, ['booking']);
  bookingB = await mkUser('booking@boulder.test', orgB, ['booking']);
});

after(async () => { await server.stop(); });

const PERSON = {
  family_name: 'Quillfeather',
  given_names: 'Marisol Anne',
  date_of_birth: '1988-04-02',
  identifiers: { a_number: 'A-123-456-789', fbi_number: 'FBI-77X2' },
  aliases: ['Marisol Quill'],
};

test('an officer creates a person and reads it back decrypted', async () => {
  const r = await officer.post('/api/v1/people', PERSON);
  assert.equal(r.status, 201, r.text);
  const p = r.json;
  assert.match(p.id, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(p.version, 1);
  assert.equal(p.family_name, 'Quillfeather');
  assert.equal(p.given_names, 'Marisol Anne');
  assert.equal(p.date_of_birth, '1988-04-02');
  // The A-number is kept normalized: dashes dropped.
  assert.deepEqual(p.identifiers,
    { a_number: 'A123456789', fbi_number: 'FBI-77X2' });
  assert.deepEqual(p.aliases, ['Marisol Quill']);
  assert.equal(p.created_at, '2020-01-13T17:00:00Z');

  const g = await officer.get(`/api/v1/people/${p.id}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json, p);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.equal(g.headers.get('cache-control'), 'no-store');

  // One create and one read on the trail, no value in any record.
  const recs = await auditFor(p.id);
  assert.equal(recs.filter((a) => a.action === 'person.create').length, 1);
  assert.equal(recs.filter((a) => a.action === 'person.read').length, 1);
  for (const a of recs)
    assert.ok(!JSON.stringify(a).includes('Quillfeather'));

  // Each further read adds exactly one record.
  assert.equal((await auditor.get(`/api/v1/people/${p.id}`)).status, 200);
  const after2 = await auditFor(p.id);
  assert.equal(after2.filter((a) => a.action === 'person.read').length, 2);
});

test('the database holds no plaintext personal value', async () => {
  // SQLite: the database file and its WAL, byte for byte. PostgreSQL: a
  // full dump of the database (pg_dump), every table's every value.
  const texts = [];
  if (server.backend === 'sqlite') {
    const path = server.db.replace(/^sqlite:/, '');
    for (const f of [path, `${path}-wal`])
      if (existsSync(f)) texts.push([f, readFileSync(f).toString('latin1')]);
  } else {
    texts.push(['pg_dump', execFileSync('pg_dump', ['-d', server.db])
      .toString()]);
  }
  assert.ok(texts.length > 0 && texts[0][1].length > 1000, 'the data is there');
  for (const [f, bytes] of texts) {
    assert.ok(!bytes.includes('Quillfeather'), `${f} holds the family name`);
    assert.ok(!bytes.includes('Marisol'), `${f} holds the given names`);
    assert.ok(!bytes.includes('FBI-77X2'), `${f} holds the FBI number`);
  }
});

test('exact search by each index, normalized', async () => {
  const other = await officer.post('/api/v1/people', {
    family_name: 'Van der Berg', given_names: 'Pieter',
    date_of_birth: '1975-11-30', identifiers: { a_number: 'A12345678' },
  });
  assert.equal(other.status, 201, other.text);
  // An 8-digit A-number is the 9-digit one with a leading zero.
  assert.equal(other.json.identifiers.a_number, 'A012345678');

  const names = async (q) => {
    const r = await officer.get(`/api/v1/people?${q}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.next_cursor, null);
    return r.json.items.map((p) => p.family_name).sort();
  };
  // Case and spacing of a name do not matter.
  assert.deepEqual(await names('family_name=quillfeather'), ['Quillfeather']);
  assert.deepEqual(await names('family_name=%20%20VAN%20%20DER%20berg%20'),
    ['Van der Berg']);
  // A-number with or without dashes, with or without the leading zero.
  assert.deepEqual(await names('a_number=A123456789'), ['Quillfeather']);
  assert.deepEqual(await names('a_number=A-123-456-789'), ['Quillfeather']);
  assert.deepEqual(await names('a_number=A-012-345-678'), ['Van der Berg']);
  assert.deepEqual(await names('date_of_birth=1975-11-30'), ['Van der Berg']);
  // Every given parameter must match.
  assert.deepEqual(await names('family_name=Quillfeather&date_of_birth=1988-04-02'),
    ['Quillfeather']);
  assert.deepEqual(await names('family_name=Quillfeather&date_of_birth=1975-11-30'),
    []);
  assert.deepEqual(await names('family_name=Quill'), []);

  // The search returns the decrypted fields.
  const full = await officer.get('/api/v1/people?a_number=A123456789');
  assert.equal(full.json.items[0].given_names, 'Marisol Anne');
});

test('each search is one audit record naming ids, not terms', async () => {
  const before1 = (await auditByAction('person.search')).length;
  const r = await officer.get('/api/v1/people?family_name=Quillfeather');
  assert.equal(r.status, 200);
  const recs = await auditByAction('person.search');
  assert.equal(recs.length, before1 + 1);
  const last = recs[recs.length - 1];
  assert.ok(last.detail.includes(r.json.items[0].id));
  assert.ok(last.detail.includes('family_name'));
  assert.ok(!last.detail.toLowerCase().includes('quillfeather'));
});

test('a search needs a valid parameter', async () => {
  let r = await officer.get('/api/v1/people');
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'validation_failed');
  r = await officer.get('/api/v1/people?a_number=B123');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'a_number');
  r = await officer.get('/api/v1/people?date_of_birth=1988-02-30');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'date_of_birth');
  // Jurisdiction staff may not search people.
  r = await bookingA.get('/api/v1/people?family_name=Quillfeather');
  assert.equal(r.status, 403);
});

test('bad bodies answer 400 naming the field', async () => {
  const cases = [
    [{ given_names: 'X' }, 'family_name', 'validation_failed'],
    [{ ...PERSON, id: 'x' }, 'id', 'forbidden_field'],
    [{ ...PERSON, nickname: 'x' }, 'nickname', 'unknown_field'],
    [{ ...PERSON, identifiers: { a_number: 'A12' } },
      'identifiers.a_number', 'validation_failed'],
    [{ ...PERSON, identifiers: { ssn: '1' } },
      'identifiers.ssn', 'unknown_field'],
    // The server's clock says 13 January 2020: the 14th is the future.
    [{ ...PERSON, date_of_birth: '2020-01-15' }, 'date_of_birth',
      'validation_failed'],
    [{ ...PERSON, aliases: ['ok', 7] }, 'aliases[1]', 'validation_failed'],
  ];
  for (const [body, field, code] of cases) {
    const r = await officer.post('/api/v1/people', body);
    assert.equal(r.status, 400, `${field}: ${r.text}`);
    assert.equal(r.json.code, code);
    assert.equal(r.json.field, field);
  }
  const r = await bookingA.post('/api/v1/people', PERSON);
  assert.equal(r.status, 403);
});

test('a jurisdiction sees a person only through a detainer at its facility',
  async () => {
    const p = (await officer.post('/api/v1/people', {
      family_name: 'Okonkwo', given_names: 'Ada', identifiers: {},
    })).json;
    // No case names this person yet: 404, like a missing id, audited.
    let r = await bookingA.get(`/api/v1/people/${p.id}`);
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 'not_found');
    const missing = await bookingA.get('/api/v1/people/AAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(r.json).sort(),
      Object.keys(missing.json).sort());
    let recs = await auditFor(p.id);
    assert.equal(recs.filter((a) => a.outcome === 'not_found').length, 1);

    const d = await officer.post('/api/v1/detainers', {
      person_id: p.id, facility_id: facilityA.id, form: 'I-247A',
      basis: 'final_order',
    });
    assert.equal(d.status, 201, d.text);
    r = await bookingA.get(`/api/v1/people/${p.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.family_name, 'Okonkwo');
    // Another jurisdiction still does not see them.
    r = await bookingB.get(`/api/v1/people/${p.id}`);
    assert.equal(r.status, 404);
    // Nor does an administrator, who sees no case data.
    r = await admin.get(`/api/v1/people/${p.id}`);
    assert.equal(r.status, 404);
    recs = await auditFor(p.id);
    assert.equal(recs.filter((a) => a.action === 'person.read'
      && a.outcome === 'ok').length, 1);
    assert.equal(recs.filter((a) => a.outcome === 'not_found').length, 3);
  });
