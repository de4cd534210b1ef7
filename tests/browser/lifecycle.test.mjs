// lifecycle.test.mjs: a subpoena's whole life through the web UI in real
// chromium, each step by the role that owns it, each role logged in in
// its own browser context: the officer lodges a detainer (creating the
// person) and drafts a subpoena for that person (found by A-number) with
// three items, seeing the return date serving would give; agency counsel
// approves; the signer signs; the officer uploads a proof of service and
// serves (the return date and how it was counted shown); the custodian
// acknowledges and refuses; counsel refers; the DOJ attorney files the
// petition, issues the show-cause order, uploads the court's order and
// enters it; the jurisdiction does not comply; the DOJ attorney moves for
// and obtains civil contempt, and the enforcement page shows the accrued
// cents. Also: field errors from the API next to the field (an empty
// purpose, a serve with neither return_days nor return_date, a serve
// without a proof of service, an order without the order, an objection
// without a ground); a custodian of another jurisdiction cannot find the
// case (not listed; the deep link reads exactly like a missing id); and a
// custodian's item-by-item response with an objection and an attached
// file, whose production manifest lists the file with its SHA-256.
//
// The world (organizations, users with passwords) is made through the
// admin API; everything after that is done through the UI. The browser's
// clock is set to the server's test clock, so "served today" means the
// same day to both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startWeb, loginAs, shot, adminClient, PASSWORD } from './harness.mjs';

// Monday 13 January 2020, 11:00 in Denver (18:00 UTC): a working day.
let now = Date.parse('2020-01-13T18:00:00Z') * 1000;
let web;
const org = {};
const email = (key) => `${key}@life.test`;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

before(async () => {
  web = await startWeb({ clock: now });
  const admin = await adminClient(web.server);
  const mkOrg = async (key, body) => {
    const r = await admin.post('/api/v1/orgs', { state: 'CO', timezone: 'America/Denver', ...body });
    assert.equal(r.status, 201, r.text);
    org[key] = r.json;
  };
  await mkOrg('A', { kind: 'agency_office', name: 'Denver Field Office', requires_counsel_review: true });
  await mkOrg('J1', { kind: 'jurisdiction', name: 'Denver County' });
  await mkOrg('J2', { kind: 'jurisdiction', name: 'Cook County', state: 'IL', timezone: 'America/Chicago' });
  await mkOrg('D1', { kind: 'doj_office', name: 'USAO District of Colorado' });
  const f = await admin.post(`/api/v1/orgs/${org.J1.id}/facilities`, { name: 'Denver County Jail' });
  assert.equal(f.status, 201, f.text);
  const users = [['officer', 'A', 'officer'], ['signer', 'A', 'signer', 'Field Office Director'],
    ['counsel', 'A', 'agency_counsel'], ['custodian1', 'J1', 'custodian'], ['custodian2', 'J2', 'custodian'],
    ['doj', 'D1', 'doj_attorney']];
  for (const [key, o, role, title] of users) {
    const r = await admin.post('/api/v1/users', { email: email(key), name: `User ${key}`,
      org_id: org[o].id, roles: [role], password: PASSWORD, ...(title ? { title } : {}) });
    assert.equal(r.status, 201, r.text);
  }
});

after(async () => {
  await web?.stop();
  assert.doesNotMatch(web?.server.stderr() || '', /Sanitizer|runtime error/);
});

// A page logged in as `key`, its browser clock at the server's.
async function as(key, { width = 1280, height = 900 } = {}) {
  const p = await web.newPage({ width, height });
  await p.context.clock.setFixedTime(new Date(now / 1000));
  await loginAs(p.page, email(key));
  return p;
}

// Move the server's clock (and so the next pages' clocks) to `iso`.
function setNow(iso) {
  now = Date.parse(iso) * 1000;
  web.server.setClock(now);
}

// Open case `path` and wait for its state badge to read `state`.
async function openCase(page, path, state) {
  await page.goto(path);
  await page.getByTestId('case-state').getByText(state, { exact: true }).waitFor();
}

// Take action `action` on the case page and wait for the state `after`.
async function act(page, action, after) {
  await page.getByTestId(`form-${action}-submit`).click();
  await page.getByTestId('case-state').getByText(after, { exact: true }).waitFor();
}

const file = (name, text, mimeType = 'application/pdf') =>
  ({ name, mimeType, buffer: Buffer.from(text) });

let subPath;
let subNumber;
let enfPath;

test('the officer lodges a detainer, creating the person, and drafts a subpoena', async () => {
  const { page, context, assertClean } = await as('officer');
  // A new detainer: the person is not on file yet, so create them.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New detainer' }).click();
  await page.getByRole('heading', { name: 'New detainer' }).waitFor();
  await page.getByTestId('find-a-number').fill('A012345678');
  await page.getByTestId('find-a-number').press('Enter');
  await page.getByText('Nobody found: create the person below.').waitFor();
  await page.getByText('Not found? Create a person').click();
  await page.getByTestId('new-family-name').fill('Quillfeather');
  await page.getByTestId('new-given-names').fill('Imogen');
  await page.getByTestId('new-date-of-birth').fill('1990-05-17');
  await page.getByTestId('new-a-number').fill('A012345678');
  await page.getByRole('button', { name: 'Create and choose' }).click();
  await page.getByTestId('person-chosen').getByText('Chosen: Quillfeather, Imogen').waitFor();
  await page.getByLabel('Facility').selectOption({ label: 'Denver County Jail (Denver County)' });
  await page.getByLabel('Basis').selectOption('final_order');
  await page.getByTestId('detainer-form-submit').click();
  await page.getByTestId('case-state').getByText('Lodged', { exact: true }).waitFor();
  const detNumber = await page.getByRole('heading', { level: 1 }).textContent();
  assert.match(detNumber, /^DET-2020-\d+$/);

  // A new subpoena for that person, found by A-number, and the detainer.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New subpoena' }).click();
  await page.getByRole('heading', { name: 'New subpoena' }).waitFor();
  await page.getByLabel('Recipient jurisdiction').selectOption({ label: 'Denver County (CO)' });
  // Serving on Monday 13 January 2020 with 14 days: Monday 27 January
  // (FRCP 6(a)(1)), explained on demand.
  const preview = page.getByTestId('return-preview');
  await page.waitForFunction(() => document.querySelector('[data-testid=return-preview]')?.dataset.due === '2020-01-27');
  assert.equal(await preview.textContent(), 'Mon, Jan 27, 2020');
  await page.getByTestId('preview-days').fill('30');
  await page.waitForFunction(() => document.querySelector('[data-testid=return-preview]')?.dataset.due === '2020-02-12');
  await page.getByText('How this date is counted').click();
  // Counted on the recipient's calendar, as `serve` counts it.
  await page.getByTestId('return-date-preview').getByText(/^rule: frcp6-days \(FRCP 6\(a\)\(1\)/).waitFor();
  await page.getByTestId('return-date-preview').getByText('Calendar: Denver County (FRCP 6(a)(1), 6(a)(5))').waitFor();
  await page.getByTestId('preview-days').fill('14');

  await page.getByTestId('find-a-number').fill('A-012-345-678');
  await page.getByTestId('person-picker').getByRole('button', { name: 'Find' }).click();
  await page.getByRole('button', { name: /^Choose Quillfeather, Imogen/ }).click();
  await page.getByTestId('person-chosen').getByText('Chosen: Quillfeather, Imogen').waitFor();
  await page.getByLabel('Detainer (optional)').selectOption({ label: `${detNumber} (lodged)` });

  // Three items (a fourth added and removed again), by keyboard-usable
  // buttons and selects.
  await page.getByTestId('field-items[0].category').selectOption('home_address');
  await page.getByTestId('field-items[0].description').fill('Last known home address');
  for (let i = 1; i <= 3; i++) await page.getByTestId('add-item').click();
  await page.getByTestId('field-items[1].category').selectOption('employer');
  await page.getByTestId('field-items[2].category').selectOption('bond_record');
  await page.getByTestId('field-items[3].category').selectOption('vehicle');
  await page.getByRole('button', { name: 'Remove item 4' }).click();
  assert.equal(await page.getByTestId('item-row').count(), 3);
  // The focus stays in the list after a removal.
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'items[2].category');

  // No purpose: the API's error appears under the purpose.
  await page.getByTestId('draft-form-submit').click();
  const err = page.getByTestId('error-purpose');
  await err.waitFor();
  assert.match(await err.textContent(), /purpose/);
  assert.equal(await page.getByTestId('field-purpose').getAttribute('aria-invalid'), 'true');
  await page.getByTestId('field-purpose').fill('Locate the subject for removal proceedings');
  await shot(page, 'new-subpoena');
  await page.getByTestId('draft-form-submit').click();
  await page.getByTestId('case-state').getByText('Draft', { exact: true }).waitFor();
  subPath = new URL(page.url()).pathname;
  subNumber = (await page.getByRole('heading', { level: 1 }).textContent()).trim();
  assert.match(subNumber, /^SUB-2020-\d+$/);
  const items = page.getByTestId('item');
  assert.equal(await items.count(), 3);
  assert.match(await items.nth(0).textContent(), /Home address.*Last known home address/);
  assert.match(await items.nth(2).textContent(), /Bond record/);
  // Before signing, the PDF is a preview.
  assert.match(await page.getByTestId('pdf-view').textContent(), /Preview.*not signed/);
  const pdf = await page.request.get(`/api/v1${subPath}/document.pdf`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await shot(page, 'case-draft');

  // Edit the draft: a new purpose, and the items: the bond record asked
  // for no more, a phone number asked for instead.
  await page.getByTestId('edit-draft').click();
  await page.getByRole('heading', { name: `Edit ${subNumber}` }).waitFor();
  assert.equal(await page.getByTestId('item-row').count(), 3);
  assert.equal(await page.getByTestId('field-items[0].description').inputValue(), 'Last known home address');
  await page.getByTestId('field-purpose').fill('Locate the subject for removal proceedings (edited)');
  await page.getByRole('button', { name: 'Remove item 3' }).click();
  await page.getByTestId('add-item').click();
  await page.getByTestId('field-items[2].category').selectOption('phone');
  await page.getByTestId('draft-form-submit').click();
  await page.getByTestId('fact-purpose').getByText('(edited)', { exact: false }).waitFor();
  assert.equal(await items.count(), 3);
  assert.match(await items.nth(0).textContent(), /Home address.*Last known home address/);
  assert.match(await items.nth(1).textContent(), /Employer/);
  assert.match(await items.nth(2).textContent(), /Telephone numbers/);

  // Someone else edits the draft while this page is open: the submit is
  // refused (412) with words saying to reload, and nothing changes.
  await page.evaluate(async (path) => {
    const csrf = sessionStorage.getItem('compel.csrf');
    const cur = await (await fetch(`/api/v1${path}`)).json();
    await fetch(`/api/v1${path}`, { method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'If-Match': `"${cur.version}"` },
      body: JSON.stringify({ purpose: 'Locate the subject for removal proceedings (edited twice)' }) });
  }, subPath);
  await page.getByTestId('form-submit-submit').click();
  const stale = page.getByTestId('action-submit').getByTestId('form-error');
  await stale.waitFor();
  assert.equal(await stale.textContent(),
    'Someone changed this since you opened it: reload the page to see it as it stands, then try again.');
  assert.equal(await page.getByTestId('case-state').textContent(), 'Draft');
  await page.reload();
  await page.getByTestId('fact-purpose').getByText('(edited twice)', { exact: false }).waitFor();

  await act(page, 'submit', 'In review');
  await shot(page, 'case-in-review');
  assertClean();
  await context.close();
});

test('counsel approves, the signer signs, the officer serves with a proof of service', async () => {
  let p = await as('counsel');
  await openCase(p.page, subPath, 'In review');
  await act(p.page, 'approve', 'Ready to sign');
  p.assertClean();
  await p.context.close();

  p = await as('signer');
  await openCase(p.page, subPath, 'Ready to sign');
  await shot(p.page, 'case-ready-to-sign');
  // The signer logged in 16 minutes ago (step_up_minutes is 15): signing
  // asks for the password again, in a dialog, then signs.
  setNow(new Date(now / 1000 + 16 * 60 * 1000).toISOString());
  await p.page.getByTestId('form-sign-submit').click();
  const dialog = p.page.getByRole('dialog', { name: 'Confirm it is you' });
  await dialog.waitFor();
  assert.equal(await p.page.getByTestId('case-state').textContent(), 'Ready to sign');
  await dialog.getByLabel('Password').fill('not the password at all');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.getByText('The password or code is wrong.').waitFor();
  assert.equal(await p.page.getByTestId('case-state').textContent(), 'Ready to sign');
  await shot(p.page, 'case-sign-step-up');
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await p.page.getByTestId('case-state').getByText('Signed', { exact: true }).waitFor();
  await dialog.waitFor({ state: 'detached' });
  assert.match(await p.page.getByTestId('pdf-view').textContent(), /as issued/);
  await shot(p.page, 'case-signed');
  p.assertClean();
  await p.context.close();

  const { page, context, assertClean } = await as('officer');
  await openCase(page, subPath, 'Signed');
  const serve = page.getByTestId('form-serve');
  await serve.getByLabel('Served at').fill('2020-01-13T09:00');
  await serve.getByLabel('Method of service').selectOption('personal');
  await serve.getByLabel('Served to (person or office)').fill('records unit');
  // Neither days nor a date: the error is under the days.
  await page.getByTestId('form-serve-submit').click();
  await serve.getByTestId('error-return_days').waitFor();
  assert.match(await serve.getByTestId('error-return_days').textContent(), /return_days|return_date/);
  // Days, but no proof of service on file: the page says which paper.
  await serve.getByLabel('Days to respond').fill('14');
  await page.getByTestId('form-serve-submit').click();
  const proofErr = serve.getByTestId('error-proof_of_service_document_id');
  await proofErr.waitFor();
  assert.match(await proofErr.textContent(), /proof of service/i);
  // Upload it where the form asks, then serve.
  await serve.getByTestId('upload-proof_of_service').setInputFiles(file('proof-of-service.pdf', '%PDF-1.4\n% proof\n'));
  await serve.getByTestId('upload-proof_of_service-submit').click();
  await serve.getByText('proof-of-service.pdf uploaded and chosen.').waitFor();
  await act(page, 'serve', 'Served');
  assert.equal(await page.getByTestId('fact-return_date').textContent(), 'Mon, Jan 27, 2020');
  await page.getByText('How the return date was counted').click();
  assert.match(await page.getByTestId('return-explain').textContent(), /2020-01-27|January 27|Jan 27/);
  assert.match(await page.getByTestId('documents').textContent(), /proof-of-service\.pdf.*Proof of service/);
  await shot(page, 'case-served');
  assertClean();
  await context.close();
});

test("another jurisdiction's custodian cannot find the case", async () => {
  const { page, context, assertClean } = await as('custodian2');
  await page.goto('/subpoenas');
  await page.getByTestId('case-list').getByRole('status').waitFor();
  await page.waitForFunction(() => /shown|No cases/.test(document.querySelector('.list-status')?.textContent || ''));
  assert.equal(await page.getByRole('link', { name: subNumber }).count(), 0);
  await page.goto(subPath);
  const msg = await page.getByTestId('case-not-found').textContent();
  await page.goto('/subpoenas/AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(await page.getByTestId('case-not-found').textContent(), msg);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Not found');
  assertClean();
  await context.close();
});

test('the custodian acknowledges and refuses; counsel refers the subpoena to DOJ', async () => {
  let p = await as('custodian1');
  await p.page.goto('/subpoenas');
  await p.page.getByRole('link', { name: subNumber }).click();
  await p.page.getByTestId('case-state').getByText('Served', { exact: true }).waitFor();
  await p.page.getByTestId('form-acknowledge-submit').click();
  await p.page.getByTestId('fact-acknowledged_at').waitFor();
  await p.page.getByTestId('form-refuse').getByLabel('Reason').fill('court order only');
  await p.page.getByTestId('form-refuse-submit').click();
  await p.page.getByTestId('fact-disposition').getByText('Refused').waitFor();
  await shot(p.page, 'case-refused');
  p.assertClean();
  await p.context.close();

  p = await as('counsel');
  await openCase(p.page, subPath, (await stateOf()).label);
  await p.page.getByTestId('form-refer').getByLabel('DOJ office').selectOption({ label: 'USAO District of Colorado (CO)' });
  await act(p.page, 'refer', 'Referred');
  await p.page.getByTestId('enforcement-link').click();
  await p.page.getByTestId('case-state').getByText('Referred', { exact: true }).waitFor();
  enfPath = new URL(p.page.url()).pathname;
  assert.match(enfPath, /^\/enforcements\//);
  // And back.
  await p.page.getByTestId('subpoena-link').click();
  await p.page.getByRole('heading', { name: subNumber }).waitFor();
  await shot(p.page, 'case-referred');
  p.assertClean();
  await p.context.close();
});

test('counsel places a legal hold on the subpoena and releases it; the officer sees it but may not change it', async () => {
  let p = await as('counsel');
  await openCase(p.page, subPath, 'Referred');
  await p.page.getByTestId('no-hold').waitFor();
  // A reason is required: the API's error shows next to the field.
  await p.page.getByTestId('hold-place-submit').click();
  const fieldError = p.page.getByTestId('hold-place').locator('.field-error:not([hidden])');
  await fieldError.waitFor();
  assert.notEqual((await fieldError.innerText()).trim(), '');
  await p.page.getByTestId('no-hold').waitFor();
  await p.page.getByTestId('hold-place').getByLabel('Reason').fill('Enforcement litigation pending, D. Colo.');
  await p.page.getByTestId('hold-place-submit').click();
  await p.page.getByTestId('hold-badge').waitFor();
  assert.match(await p.page.getByTestId('hold-in-force').innerText(),
    /On legal hold\. Placed .* by Agency counsel: Enforcement litigation pending, D\. Colo\. Nothing of this case is purged/);
  // What the API holds.
  const api = web.server.client();
  await api.login(email('counsel'));
  const id = subPath.split('/').pop();
  let r = await api.get(`/api/v1/cases/${id}/hold`);
  assert.equal(r.status, 200);
  assert.equal(r.json.hold.reason, 'Enforcement litigation pending, D. Colo.');
  assert.equal(r.json.hold.placed_by.role, 'agency_counsel');
  await shot(p.page, 'case-legal-hold');
  p.assertClean();
  await p.context.close();

  // The officer reads the hold, with no form to change it.
  p = await as('officer');
  await openCase(p.page, subPath, 'Referred');
  await p.page.getByTestId('hold-in-force').waitFor();
  assert.equal(await p.page.getByTestId('hold-release').count(), 0);
  assert.equal(await p.page.getByTestId('hold-place').count(), 0);
  p.assertClean();
  await p.context.close();

  p = await as('counsel');
  await openCase(p.page, subPath, 'Referred');
  await p.page.getByTestId('hold-release').getByLabel('Reason').fill('Litigation ended');
  await p.page.getByTestId('hold-release-submit').click();
  await p.page.getByTestId('no-hold').waitFor();
  assert.equal(await p.page.getByTestId('hold-badge').count(), 0);
  await p.page.getByTestId('hold-history').locator('summary').click();
  assert.match(await p.page.getByTestId('hold-history').innerText(),
    /Earlier holds \(1\)[\s\S]*D\. Colo\. Released .* by Agency counsel: Litigation ended\./);
  // The timeline has both.
  const timeline = await p.page.getByTestId('timeline').innerText();
  assert.match(timeline, /Hold/);
  assert.match(timeline, /Release/);
  r = await api.get(`/api/v1/cases/${id}/hold`);
  assert.equal(r.json.hold, null);
  assert.equal(r.json.history.length, 1);
  p.assertClean();
  await p.context.close();
});

// The subpoena's state as the officer's API session reads it (for a
// label to wait for).
async function stateOf() {
  const c = web.server.client();
  await c.login(email('officer'));
  const r = await c.get(`/api/v1${subPath}`);
  return { state: r.json.state, label: r.json.state.charAt(0).toUpperCase() + r.json.state.slice(1).replace(/_/g, ' ') };
}

test('DOJ files, the court orders, the jurisdiction does not comply: civil contempt accrues', async () => {
  let p = await as('doj');
  let page = p.page;
  await page.goto('/enforcements');
  await page.getByRole('link', { name: /^ENF-2020-/ }).first().click();
  await page.getByTestId('case-state').getByText('Referred', { exact: true }).waitFor();
  const petition = page.getByTestId('form-file_petition');
  await petition.getByLabel('Court').fill('U.S. District Court');
  await petition.getByLabel('District').fill('District of Colorado');
  await petition.getByLabel('Docket number').fill('1:20-mc-00012');
  await petition.getByLabel('Filed on').fill('2020-01-13');
  await act(page, 'file_petition', 'Petition filed');
  const show = page.getByTestId('form-issue_show_cause');
  await show.getByLabel('Hearing on').fill('2020-01-24');
  await show.getByLabel('Response due').fill('2020-01-21');
  await act(page, 'issue_show_cause', 'Show cause issued');
  await shot(page, 'enforcement-show-cause');
  const order = page.getByTestId('form-enter_order');
  await order.getByLabel('Result').selectOption('enforced');
  await order.getByLabel('Entered on').fill('2020-01-13');
  await order.getByLabel('Days to comply').fill('7');
  // Without the order on file, the page says the order is needed.
  await page.getByTestId('form-enter_order-submit').click();
  const orderErr = order.getByTestId('error-order_document_id');
  await orderErr.waitFor();
  assert.match(await orderErr.textContent(), /court's order/);
  await order.getByTestId('upload-court_order').setInputFiles(file('order.pdf', '%PDF-1.4\n% the order\n'));
  await order.getByTestId('upload-court_order-submit').click();
  await order.getByText('order.pdf uploaded and chosen.').waitFor();
  await act(page, 'enter_order', 'Order entered');
  await page.getByTestId('deadlines').getByText('Compliance').waitFor();
  await shot(page, 'enforcement-order');
  p.assertClean();
  await p.context.close();

  // Weeks pass without compliance.
  setNow('2020-02-03T18:00:00Z');
  p = await as('doj');
  page = p.page;
  await openCase(page, enfPath, 'Order entered');
  await page.getByText('Not complied').waitFor();
  await act(page, 'move_contempt', 'Contempt motion');
  const hold = page.getByTestId('form-hold_in_contempt');
  await hold.getByLabel('Kind').selectOption('civil');
  await hold.getByLabel('Per day, in cents (civil)').fill('50000');
  await hold.getByLabel('Starts on').fill('2020-02-03');
  await act(page, 'hold_in_contempt', 'In contempt');
  p.assertClean();
  await p.context.close();

  // Days later the fine has accrued; the page shows what the API says.
  setNow('2020-02-06T18:00:00Z');
  p = await as('doj');
  page = p.page;
  await openCase(page, enfPath, 'In contempt');
  const api = web.server.client();
  await api.login(email('doj'));
  const e = (await api.get(`/api/v1${enfPath}`)).json;
  assert.ok(e.accrued_cents >= 50000, `accrued ${e.accrued_cents}`);
  assert.equal(await page.getByTestId('accrued').textContent(),
    `${(e.accrued_cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' })} (${e.accrued_cents} cents)`);
  await shot(page, 'enforcement-contempt');
  p.assertClean();
  await p.context.close();
});

test("the custodian answers item by item with an objection and a file; the manifest lists it", async () => {
  // A served subpoena made through the API (the UI path is above).
  setNow('2020-02-10T18:00:00Z');
  const officer = web.server.client();
  await officer.login(email('officer'));
  const signer = web.server.client();
  await signer.login(email('signer'));
  const counsel = web.server.client();
  await counsel.login(email('counsel'));
  let r = await officer.post('/api/v1/subpoenas', { recipient_org_id: org.J1.id, purpose: 'records',
    items: [{ category: 'home_address' }, { category: 'employer' }, { category: 'phone' }] });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  for (const [c, a] of [[officer, 'submit'], [counsel, 'approve'], [signer, 'sign']]) {
    r = await c.post(`/api/v1/subpoenas/${id}/actions/${a}`, {});
    assert.equal(r.status, 200, r.text);
  }
  const proof = await fetch(`${web.base}/api/v1/documents?case_id=${id}&kind=proof_of_service`, { method: 'POST',
    headers: { Cookie: officer.cookie, 'X-CSRF-Token': officer.csrf, 'Content-Type': 'application/pdf',
      'Content-Disposition': 'attachment; filename="pos.pdf"' }, body: '%PDF-1.4\n' });
  assert.equal(proof.status, 201);
  r = await officer.post(`/api/v1/subpoenas/${id}/actions/serve`, { served_at: '2020-02-10T15:00:00Z',
    method: 'personal', served_to: 'records unit', return_days: 14,
    proof_of_service_document_id: (await proof.json()).id });
  assert.equal(r.status, 200, r.text);

  const { page, context, assertClean } = await as('custodian1', { width: 360, height: 740 });
  await page.goto(`/subpoenas/${id}`);
  await page.getByTestId('respond-link').click();
  await page.getByRole('heading', { name: /^Respond to SUB-/ }).waitFor();
  const items = page.getByTestId('respond-item');
  assert.equal(await items.count(), 3);
  await items.nth(0).getByLabel('Outcome').selectOption('produced');
  await items.nth(0).getByLabel('Value produced').fill('1200 Main Street, Denver');
  const csv = 'address\n1200 Main Street, Denver\n';
  await items.nth(0).getByLabel('Files produced for this item').setInputFiles(file('address.csv', csv, 'text/csv'));
  await items.nth(1).getByLabel('Outcome').selectOption('not_held');
  await items.nth(2).getByLabel('Outcome').selectOption('objected');
  // The value field is only there for a produced item.
  assert.equal(await items.nth(1).getByLabel('Value produced').isVisible(), false);
  // An objection without its ground: the error is under item 3's ground.
  await page.getByTestId('respond-form-submit').click();
  const groundErr = page.getByTestId('error-items[2].ground');
  await groundErr.waitFor();
  assert.match(await groundErr.textContent(), /ground/);
  await shot(page, 'respond-error-360');
  await items.nth(2).getByLabel('Ground').selectOption('relevance');
  await page.getByLabel('Note (optional)').fill('Phone records are not relevant to the stated purpose.');
  await page.getByTestId('respond-form-submit').click();
  await page.getByTestId('respond-done').waitFor();
  // The manifest: the one file (uploaded once, despite the retry) with
  // the hash a client computes itself.
  // The manifest loads after the response is acknowledged: wait for it.
  const files = page.getByTestId('manifest-file');
  await files.first().waitFor();
  assert.equal(await files.count(), 1);
  assert.match(await files.first().textContent(), new RegExp(`address\\.csv.*${csv.length} bytes.*${sha256(Buffer.from(csv))}`));
  await shot(page, 'respond-manifest-360');
  // The case page shows the outcomes and the manifest too.
  await page.goto(`/subpoenas/${id}`);
  await page.getByTestId('fact-disposition').waitFor();
  const rows = page.getByTestId('item');
  assert.match(await rows.nth(0).textContent(), /Produced/);
  assert.match(await rows.nth(1).textContent(), /Not held/);
  assert.match(await rows.nth(2).textContent(), /Objected.*Relevance/);
  assert.match(await page.getByTestId('manifest').textContent(), new RegExp(sha256(Buffer.from(csv))));
  await shot(page, 'case-responded-360');
  assertClean();
  await context.close();
});

test('booking starts the hold clock; once the hold limit passes, the detainer says the person is held past it', async () => {
  const admin = await adminClient(web.server);
  const r = await admin.post('/api/v1/users', { email: email('booking1'), name: 'User booking1',
    org_id: org.J1.id, roles: ['booking'], password: PASSWORD });
  assert.equal(r.status, 201, r.text);
  const { page, context, assertClean } = await as('booking1');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Detainers', exact: true }).click();
  await page.getByTestId('case-list').getByTestId('row').first().getByRole('link').click();
  await page.getByTestId('case-state').getByText('Lodged', { exact: true }).waitFor();
  assert.equal(await page.getByTestId('over-detention').count(), 0);
  await act(page, 'acknowledge', 'Acknowledged');
  await act(page, 'honor', 'Honored');
  // Would otherwise have been released now (the form takes local time).
  const local = await page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, now / 1000);
  await page.getByTestId('form-set_release_time').getByLabel('Would otherwise be released at').fill(local);
  await page.getByTestId('form-set_release_time-submit').click();
  await page.getByTestId('deadlines').getByText(/hold/i).first().waitFor();
  assert.equal(await page.getByTestId('over-detention').count(), 0, 'not yet past the limit');
  // Ten days later nobody has recorded a release (the session has long
  // expired: log in again).
  const detPath = new URL(page.url()).pathname;
  setNow(new Date(now / 1000 + 10 * 86400e3).toISOString());
  await context.clock.setFixedTime(new Date(now / 1000));
  await loginAs(page, email('booking1'));
  await openCase(page, detPath, 'Honored');
  await page.getByTestId('over-detention').getByText('Held past the hold limit').waitFor();
  await page.getByRole('alert').filter({ hasText: 'may be held on this detainer no longer' }).waitFor();
  await shot(page, 'detainer-over-detention');
  assertClean();
  await context.close();
});
