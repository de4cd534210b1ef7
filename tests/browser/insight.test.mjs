// insight.test.mjs: people, jurisdictions and reports through the web UI in
// real chromium. A small world with known outcomes is built through the
// API (tests/api/world.mjs); then, through the UI: a person search finds
// the person; the person page shows no personal data until "Reveal", and
// only the reveal appends an audit record of a read (checked by an
// auditor through the API); the jurisdiction page shows the policy
// history and the very numbers of the API's report, with "small sample"
// said in words; the reports page's table matches the API, sorts, shows
// the publishable export, and its CSV download is the API's CSV byte for
// byte; a custodian sees only their own jurisdiction; bad input gets its
// error next to the field. Screenshots at 1280 px and 360 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startWeb, loginAs, shot } from './harness.mjs';
import { buildWorld, buildCases, must, noon, uploadDocument } from '../api/world.mjs';

// Monday 13 January 2020, 11:00 in Denver: buildCases' working day.
const JAN = Date.parse('2020-01-13T18:00:00Z') * 1000;
let web;
let w;
let person;
let casesA;
const FAMILY = 'Okafor';
const GIVEN = 'Adaeze Ngozi';

// Serve a new subpoena of `side`'s office on its jurisdiction (two items)
// served at `servedAt` with `returnDate`; answer it with `outcomes`
// (one per item; null: leave it open). Returns the subpoena.
async function servedSubpoena(side, servedAt, returnDate, outcomes) {
  const j = side === 'A' ? '1' : '2';
  const off = w.user[`officer${side}`];
  let r = await off.post('/api/v1/subpoenas', { recipient_org_id: w.org[`J${j}`].id,
    purpose: 'Locate the subject', items: [{ category: 'home_address' }, { category: 'employer' }] });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  await must(off, 'subpoenas', id, 'submit');
  await must(w.user[`signer${side}`], 'subpoenas', id, 'sign');
  const proof = await uploadDocument(off, id, 'proof_of_service');
  const s = await must(off, 'subpoenas', id, 'serve', { served_at: servedAt, method: 'personal',
    served_to: 'records unit', return_date: returnDate, proof_of_service_document_id: proof });
  if (!outcomes) return s;
  return must(w.user[`custodian${j}`], 'subpoenas', id, 'respond', { items: s.items.map((it, i) => ({
    item_id: it.id, ...outcomes[i] })) });
}

before(async () => {
  web = await startWeb({ clock: JAN });
  w = await buildWorld(web.server, { tag: 'insight' });
  for (const [from, detainers, subpoenas, summary] of [
    ['2019-06-01', 'decline', 'court_order_only', 'Detainers are declined; records only on a court order.'],
    ['2020-01-01', 'criteria', 'review', 'Detainers honored for serious charges; subpoenas reviewed by counsel.']]) {
    const r = await w.admin.post(`/api/v1/orgs/${w.org.J1.id}/policies`, { effective_from: from, detainers,
      release_notification: detainers === 'criteria', subpoenas, citation: `Denver Rev. Mun. Code 28-250 (${from})`, summary });
    assert.equal(r.status, 201, r.text);
  }
  casesA = await buildCases(w, 'A', { names: { family: FAMILY, given: GIVEN } });
  person = casesA.person;
  await buildCases(w, 'B');
  // February: one more answer for Denver County (in full) and one left
  // open past its return date; three more for Cook County, which then
  // has 5 answered subpoenas: no longer a small sample.
  web.server.setClock(noon('2020-02-12'));
  const produced = { outcome: 'produced', value: 'on file' };
  await servedSubpoena('A', '2020-02-03T16:00:00Z', '2020-02-24', [produced, produced]);
  await servedSubpoena('A', '2020-02-10T16:00:00Z', '2020-02-11', null);
  await servedSubpoena('B', '2020-02-03T16:00:00Z', '2020-02-24', [produced, produced]);
  await servedSubpoena('B', '2020-02-03T16:00:00Z', '2020-02-24', [produced, { outcome: 'not_held' }]);
  await servedSubpoena('B', '2020-02-04T16:00:00Z', '2020-02-24',
    [{ outcome: 'objected', ground: 'tenth_amendment' }, { outcome: 'not_held' }]);
});

after(async () => {
  await web?.stop();
  assert.doesNotMatch(web?.server.stderr() || '', /Sanitizer|runtime error/);
});

// The audit entries naming `id`, read by an auditor through the API.
async function auditOf(id) {
  const r = await w.user.auditorA.get(`/api/v1/audit?object=${encodeURIComponent(id)}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

async function report(client, params = '') {
  const r = await client.get(`/api/v1/reports/jurisdictions${params}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// How the UI writes a value; written here independently of the UI code.
function shown(kind, v, none = '—') {
  if (v === null || v === undefined) return none;
  if (kind === 'rate') return `${Math.round(v * 1000) / 10}%`;
  if (kind === 'days') return v === 1 ? '1 day' : `${v} days`;
  return String(v);
}
const get = (o, path) => path.split('.').reduce((a, k) => a?.[k], o);
const kindOf = (path) => (/rate$/.test(path) ? 'rate' : /median/.test(path) ? 'days' : 'count');

test('people: search, no personal data before Reveal, the reveal audited, field errors', async () => {
  const { page, assertClean } = await web.newPage({ width: 1280 });
  await loginAs(page, w.user.officerA.email);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
  // The hint says the match is exact.
  await page.getByText('Partial names do not match').waitFor();
  await page.getByTestId('people-search').getByLabel('A-number').fill('A-012-345-678');
  await page.getByTestId('people-search-submit').click();
  const results = page.getByTestId('people-results');
  await results.waitFor();
  assert.equal(await results.getByTestId('row').count(), 1);
  assert.match(await results.textContent(), new RegExp(`${FAMILY}, ${GIVEN}`));
  await shot(page, 'people-1280');

  // Bad input: a malformed A-number on "New person" is named next to its field.
  const create = page.getByTestId('person-new');
  await create.getByLabel('Family name').fill('Tester');
  await create.getByLabel('Given names').fill('Bad Input');
  await create.getByLabel('A-number').fill('B123');
  await page.getByTestId('person-new-submit').click();
  const err = page.getByTestId('error-identifiers.a_number');
  await err.waitFor();
  assert.match(await err.textContent(), /A followed by 8 or 9 digits/);
  assert.equal(await create.getByLabel('A-number').getAttribute('aria-invalid'), 'true');

  // The person page: nothing personal until the reveal.
  await results.getByRole('link', { name: `${FAMILY}, ${GIVEN}` }).click();
  await page.waitForURL(new RegExp(`/people/${person.id}$`));
  await page.getByRole('heading', { name: 'Person record', level: 1 }).waitFor();
  await page.getByTestId('person-subpoenas').waitFor();
  const before = await page.locator('main').textContent();
  assert.doesNotMatch(before, new RegExp(`${FAMILY}|Adaeze|A012345678|1990`));
  assert.match(before, /recorded in the audit log/);
  // The cases naming the person are listed (summaries, not personal data).
  for (const n of [casesA.closedSub.number, casesA.refSub.number, casesA.detainer.number])
    await page.getByRole('link', { name: n }).waitFor();
  await shot(page, 'person-hidden-1280');
  let entries = await auditOf(person.id);
  assert.ok(entries.length > 0, 'the person\'s creation is audited');
  assert.deepEqual(entries.filter((e) => e.action === 'person.read'), [],
    'no read of the person before the reveal');

  await page.getByRole('button', { name: 'Reveal personal data' }).click();
  const data = page.getByTestId('person-data');
  await data.waitFor();
  const revealed = await data.textContent();
  assert.match(revealed, new RegExp(FAMILY));
  assert.match(revealed, /Adaeze Ngozi/);
  assert.match(revealed, /A012345678/);
  await shot(page, 'person-revealed-1280');
  entries = await auditOf(person.id);
  const reads = entries.filter((e) => e.action === 'person.read');
  assert.equal(reads.length, 1, JSON.stringify(entries));
  assert.equal(reads[0].actor_id, w.user.officerA.id);
  assert.equal(reads[0].outcome, 'ok');
  assert.equal(reads[0].object_kind, 'person');

  // Hide, and leaving the page, both drop the data; coming back shows none.
  await page.getByRole('button', { name: 'Hide personal data' }).click();
  assert.equal(await data.count(), 0);
  await page.getByRole('button', { name: 'Reveal personal data' }).click();
  await data.waitFor();
  await page.getByRole('link', { name: 'People', exact: true }).first().click();
  await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'Person record', level: 1 }).waitFor();
  await page.getByTestId('person-subpoenas').waitFor();
  assert.doesNotMatch(await page.locator('main').textContent(), new RegExp(FAMILY));
  assert.equal((await auditOf(person.id)).filter((e) => e.action === 'person.read').length, 2,
    'each reveal is one audited read');
  assertClean();
  await page.context().close();
});

test('jurisdiction page: policy history, the report\'s numbers, small sample, charts', async () => {
  const officer = w.user.officerA;
  const all = await report(officer);
  const j1 = all.jurisdictions.find((r) => r.org_id === w.org.J1.id);
  // The outcomes the data set was built to have.
  assert.equal(j1.detainers.lodged, 1);
  assert.equal(j1.detainers.declined.total, 1);
  assert.deepEqual([j1.subpoenas.served, j1.subpoenas.resolved, j1.subpoenas.complied,
    j1.subpoenas.no_records, j1.subpoenas.refused, j1.subpoenas.open, j1.subpoenas.overdue,
    j1.subpoenas.referred], [4, 3, 1, 1, 1, 1, 1, 1]);
  assert.equal(j1.small_sample, true);

  const { page, assertClean } = await web.newPage({ width: 1280 });
  await loginAs(page, officer.email);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jurisdictions' }).click();
  await page.getByTestId('jurisdiction-list').getByRole('link', { name: 'Denver County' }).click();
  await page.getByRole('heading', { name: 'Denver County, CO', level: 1 }).waitFor();

  // Policy history: both versions, newest first, the second in force.
  const pol = page.getByTestId('policy-history');
  const rows = pol.getByTestId('row');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).textContent(), /^2.*Wed, Jan 1, 2020.*In force.*Criteria.*Yes.*Review.*28-250 \(2020-01-01\)/);
  assert.match(await rows.nth(1).textContent(), /^1.*Jun 1, 2019.*Not in force.*Decline.*No.*Court order only.*records only on a court order/);
  await page.getByTestId('facilities').getByText('Denver County Jail').waitFor();

  // Every measure shown equals the API's report; the small sample is said.
  async function checkStats(row) {
    const stats = page.getByTestId('stat');
    const n = await stats.count();
    assert.ok(n >= 30, `${n} measures shown`);
    for (let i = 0; i < n; i++) {
      const key = await stats.nth(i).getAttribute('data-key');
      assert.equal(await stats.nth(i).textContent(), shown(kindOf(key), get(row, key)), key);
    }
  }
  await checkStats(j1);
  assert.match(await page.getByTestId('small-sample').textContent(), /Small sample: fewer than 5/);

  // Charts over the last 12 months: drawn, described, flagged in words.
  const times = page.getByTestId('chart-response-times');
  await times.waitFor();
  assert.match(await times.locator('svg[role="img"] > title').textContent(), /Median time to answer/);
  assert.equal(await times.locator('details tbody tr').count(), 12);
  const note = await times.locator('.chart-flags').textContent();
  assert.match(note, /Small sample.*Jan 2020, Feb 2020/);
  assert.equal(await page.getByTestId('chart-dispositions').locator('.chart-flag').count(), 2,
    'two months flagged "small sample" beside their bars');
  // The data table of the dispositions chart holds February's complied answer.
  const feb = page.getByTestId('chart-dispositions').locator('details tbody tr').last();
  assert.match(await feb.textContent(), /^Feb 2020/);
  assert.equal(await feb.locator('td[data-key="complied"]').textContent(), '1');
  await shot(page, 'jurisdiction-1280');

  // A range: February only, the numbers of the API for that range.
  await page.getByTestId('stats-range-form').getByLabel('From').fill('2020-02-01');
  await page.getByTestId('stats-range-form').getByLabel('To').fill('2020-02-29');
  await page.getByTestId('stats-range-form-submit').click();
  await page.getByTestId('stats-range').getByText('Sat, Feb 1, 2020 to Sat, Feb 29, 2020').waitFor();
  const febRep = await report(officer, '?from=2020-02-01&to=2020-02-29');
  await checkStats(febRep.jurisdictions.find((r) => r.org_id === w.org.J1.id));
  assert.match(page.url(), /\?from=2020-02-01&to=2020-02-29$/);
  assertClean();
  await page.context().close();

  // The same page at 360 px.
  const small = await web.newPage({ width: 360, height: 740 });
  await loginAs(small.page, officer.email);
  await small.page.goto(`/jurisdictions/${w.org.J1.id}`);
  await small.page.getByTestId('chart-compliance-rates').waitFor();
  const overflow = await small.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at 360 px`);
  await shot(small.page, 'jurisdiction-360');
  small.assertClean();
  await small.page.context().close();
});

test('reports page: the API\'s table, sorting, the publishable export, CSV download, errors', async () => {
  const officer = w.user.officerA;
  const rep = await report(officer);
  const { page, assertClean } = await web.newPage({ width: 1280 });
  await loginAs(page, officer.email);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
  const table = page.getByTestId('report-table');
  const rows = table.getByTestId('report-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), rep.jurisdictions.length);
  for (let i = 0; i < rep.jurisdictions.length; i++) {
    const want = rep.jurisdictions[i];
    const cells = rows.nth(i).locator('[data-key]');
    assert.equal(await cells.first().textContent(), want.name);
    for (let c = 2; c < await cells.count(); c++) {
      const key = await cells.nth(c).getAttribute('data-key');
      const text = await cells.nth(c).textContent();
      if (key === 'small_sample') assert.equal(text, want.small_sample ? 'small sample' : 'enough');
      else assert.equal(text, shown(kindOf(key), get(want, key)), `${want.name} ${key}`);
    }
  }
  // Cook County has 5 answers, Denver County 3: only Denver is a small sample.
  assert.match(await page.getByTestId('small-sample').textContent(), /1 of 2: Denver County\./);
  await page.getByTestId('chart-compliance').locator('svg[role="img"]').waitFor();
  assert.match(await page.getByTestId('chart-compliance').locator('.chart-flag').allTextContents().then((t) => t.join()),
    /small sample/);

  // Sorting by subpoenas served, as numbers: Denver (4) before Cook (5).
  assert.match(await rows.first().textContent(), /^Cook County/);
  await table.getByRole('button', { name: 'Subpoenas served' }).click();
  assert.equal(await table.locator('th[aria-sort="ascending"]').textContent(), 'Subpoenas served');
  assert.match(await rows.first().textContent(), /^Denver County/);
  await shot(page, 'reports-1280');

  // The CSV download is the API's CSV exactly.
  const csv = await officer.get('/api/v1/reports/jurisdictions', { Accept: 'text/csv' });
  assert.equal(csv.status, 200);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  assert.match(download.suggestedFilename(), /^jurisdictions-start-today\.csv$/);
  assert.equal(readFileSync(await download.path(), 'utf8'), csv.text);
  assert.match(csv.text, /^name,|,name,/m);

  // Bad input: from after to, said next to "From"; nothing else changes.
  const range = page.getByTestId('report-range');
  await range.getByLabel('From').fill('2020-03-01');
  await range.getByLabel('To').fill('2020-02-01');
  await page.getByTestId('report-range-submit').click();
  await page.getByTestId('error-from').getByText('is after to').waitFor();
  assert.equal(await range.getByLabel('From').getAttribute('aria-invalid'), 'true');
  assert.equal(await rows.count(), 2);

  // The publishable export: counts below 5 withheld, no links (no ids).
  await range.getByLabel('From').fill('');
  await range.getByLabel('To').fill('');
  await range.getByLabel(/Publishable export/).check();
  await page.getByTestId('report-range-submit').click();
  await table.getByRole('columnheader', { name: 'Withheld' }).waitFor();
  const pub = await report(officer, '?public=true');
  const cook = pub.jurisdictions.find((r) => r.name === 'Cook County');
  const denver = rows.filter({ hasText: 'Denver County' });
  assert.equal(await denver.locator('[data-key="subpoenas.served"]').textContent(), 'withheld');
  assert.equal(await rows.filter({ hasText: 'Cook County' }).locator('[data-key="subpoenas.served"]').textContent(),
    String(cook.subpoenas.served));
  assert.equal(await table.getByRole('link').count(), 0);
  assert.match(page.url(), /\/reports\?public=true$/);
  const pubCsv = await officer.get('/api/v1/reports/jurisdictions?public=true', { Accept: 'text/csv' });
  const [d2] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  assert.equal(readFileSync(await d2.path(), 'utf8'), pubCsv.text);
  await shot(page, 'reports-public-1280');
  assertClean();
  await page.context().close();
});

test('a custodian sees only their own jurisdiction in the reports', async () => {
  const { page, assertClean } = await web.newPage({ width: 1280 });
  await loginAs(page, w.user.custodian1.email);
  await page.goto('/reports');
  const rows = page.getByTestId('report-table').getByTestId('report-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /^Denver County/);
  // The people search is not theirs: the page says so instead of failing.
  await page.goto('/people');
  await page.getByText('Your role may not search people').waitFor();
  assertClean();
  await page.context().close();
});
