// a11y.test.mjs: the web UI is accessible, checked in real chromium.
//
// A small world is built through the API (agency A, jurisdictions J1/J2,
// a DOJ office, one user per role; tests/api/world.mjs' buildCases and a
// few more cases, in several states). Then, logged in as the role that
// uses each page:
//
// - every main page (login, home, the three case lists, case pages in
//   several states with their action forms, new subpoena, edit, new
//   detainer, respond, people, a person hidden and revealed,
//   jurisdictions, a jurisdiction, reports, every admin page, audit with
//   results, account) is checked by axe-core (web/package.json pins it;
//   it is never part of the shipped bundle) for the WCAG 2.0 and 2.1 A
//   and AA rules, at 1920x1080 and at 360x800; every violation is listed
//   with its rule, help text and the nodes it names. At 360 px the
//   document must not scroll sideways;
// - keyboard: on a case page and on the new subpoena page, Tab from the
//   top stops first on "Skip to content", reaches every enabled visible
//   button, link, input, select and textarea of the main content, and
//   each stop shows a focus indicator (an outline of 2 px or more, or a
//   box shadow); a new subpoena is filled in and created with the
//   keyboard alone;
// - the case lists: a search by case number finds exactly that case, the
//   filters are kept in the address, and a reload keeps them.
//
// The CSP (default-src 'self') blocks an injected <script> tag, so axe's
// source is evaluated through the DevTools protocol (page.evaluate),
// which the CSP does not govern.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startWeb, loginAs, shot, adminClient, ADMIN_EMAIL, PASSWORD } from './harness.mjs';
import { buildCases, must, sessionClient, uploadDocument } from '../api/world.mjs';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// WCAG 2.0 and 2.1, levels A and AA; and axe's best practices, which
// hold the heading order, one <h1>, landmarks and unique landmark names.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const WIDE = { width: 1920, height: 1080 };
const NARROW = { width: 360, height: 800 };

// Monday 13 January 2020, 11:00 in Denver: buildCases' working day.
const JAN = Date.parse('2020-01-13T18:00:00Z') * 1000;
let web;
let w;
let cases;
const extra = {};

// A subpoena of agency A on J1 with two items, taken as far as `upTo`:
// 'ready_to_sign', 'served', or 'referred' (refused, then referred).
async function subpoena(upTo) {
  const { officerA: off, signerA, counselA, custodian1 } = w.user;
  let r = await off.post('/api/v1/subpoenas', { recipient_org_id: w.org.J1.id,
    person_id: cases.person.id, purpose: `Locate the subject (${upTo})`,
    items: [{ category: 'home_address' }, { category: 'employer', description: 'Current employer' }] });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  let s = await must(off, 'subpoenas', id, 'submit');
  if (upTo === 'ready_to_sign') return s;
  await must(signerA, 'subpoenas', id, 'sign');
  const proof = await uploadDocument(off, id, 'proof_of_service');
  s = await must(off, 'subpoenas', id, 'serve', { served_at: '2020-01-13T15:00:00Z', method: 'personal',
    served_to: 'records unit', return_date: '2020-01-31', proof_of_service_document_id: proof });
  if (upTo === 'served') return s;
  await must(custodian1, 'subpoenas', id, 'refuse', { reason: 'court order only' });
  return must(counselA, 'subpoenas', id, 'refer', { doj_org_id: w.org.D1.id });
}

// The part of tests/api/world.mjs' world these pages need (fewer users:
// each costs a password hash): agency office A, jurisdictions J1 (with
// facility F1) and J2, DOJ office D1, and one user per role.
async function miniWorld(server) {
  const admin = await adminClient(server);
  const org = {};
  const facility = {};
  const user = { admin };
  for (const [key, kind, name, state, timezone] of [
    ['A', 'agency_office', 'Denver Field Office', 'CO', 'America/Denver'],
    ['J1', 'jurisdiction', 'Denver County', 'CO', 'America/Denver'],
    ['J2', 'jurisdiction', 'Cook County', 'IL', 'America/Chicago'],
    ['D1', 'doj_office', 'USAO District of Colorado', 'CO', 'America/Denver']]) {
    const r = await admin.post('/api/v1/orgs', { kind, name, state, timezone });
    assert.equal(r.status, 201, r.text);
    org[key] = r.json;
  }
  const f = await admin.post(`/api/v1/orgs/${org.J1.id}/facilities`, { name: 'Denver County Jail', timezone: 'America/Denver' });
  assert.equal(f.status, 201, f.text);
  facility.F1 = f.json;
  for (const [key, o, role, title] of [['officerA', 'A', 'officer'],
    ['signerA', 'A', 'signer', 'Field Office Director'], ['counselA', 'A', 'agency_counsel'],
    ['auditorA', 'A', 'auditor'], ['booking1', 'J1', 'booking'], ['custodian1', 'J1', 'custodian'],
    ['doj1', 'D1', 'doj_attorney']]) {
    const email = `${key}@a11y.test`;
    const r = await admin.post('/api/v1/users', { email, name: `User ${key}`, org_id: org[o].id,
      roles: [role], password: PASSWORD, ...(title ? { title } : {}) });
    assert.equal(r.status, 201, r.text);
    // Only the users buildCases drives through the API log in here.
    const c = role === 'auditor' ? server.client() : await sessionClient(server, email);
    user[key] = Object.assign(c, { id: r.json.id, email, role, org: org[o] });
  }
  return { admin, org, facility, user };
}

before(async () => {
  const t0 = Date.now();
  web = await startWeb({ clock: JAN });
  w = await miniWorld(web.server);
  const r = await w.admin.post(`/api/v1/orgs/${w.org.J1.id}/policies`, { effective_from: '2019-06-01',
    detainers: 'criteria', release_notification: true, subpoenas: 'review',
    citation: 'Denver Rev. Mun. Code 28-250', summary: 'Subpoenas reviewed by counsel.' });
  assert.equal(r.status, 201, r.text);
  cases = await buildCases(w, 'A', { names: { family: 'Okafor', given: 'Adaeze' } });
  extra.readyToSign = await subpoena('ready_to_sign');
  extra.served = await subpoena('served');
  extra.referred = await subpoena('referred');
  const d = await w.user.officerA.post('/api/v1/detainers', { person_id: cases.person.id,
    facility_id: w.facility.F1.id, form: 'I-247A', basis: 'final_order' });
  assert.equal(d.status, 201, d.text);
  extra.lodged = d.json;
  const cal = await w.admin.get('/api/v1/calendars');
  assert.equal(cal.status, 200, cal.text);
  extra.calendar = cal.json.items.find((c) => c.org_id === w.org.J1.id) || cal.json.items[0];
  if (process.env.A11Y_DEBUG) console.log(`# world built in ${Date.now() - t0} ms`);
});

after(async () => {
  await web?.stop();
  assert.doesNotMatch(web?.server.stderr() || '', /Sanitizer|runtime error/);
});

// ---- helpers ---------------------------------------------------------------

// A page logged in as user `key` of the world (null: not logged in) that
// counts the API requests in flight, so `settle` can wait for quiet.
async function as(key, size = WIDE) {
  const p = await web.newPage(size);
  p.inflight = 0;
  p.page.on('request', (req) => { if (new URL(req.url()).pathname.startsWith('/api/')) p.inflight++; });
  const done = (req) => { if (new URL(req.url()).pathname.startsWith('/api/')) p.inflight--; };
  p.page.on('requestfinished', done);
  p.page.on('requestfailed', done);
  if (key) await loginAs(p.page, key === 'admin' ? ADMIN_EMAIL : w.user[key].email);
  return p;
}

// Wait until the routed page is in the document (main.js marks
// 'page-ready'), no API request is in flight and nothing reads
// "Loading…", over two animation frames (charts draw on resize).
async function settle(p) {
  const { page } = p;
  await page.waitForFunction(() => performance.getEntriesByName('page-ready')
    .some((m) => m.detail === location.pathname));
  const frames = () => page.evaluate(() => new Promise((r) =>
    requestAnimationFrame(() => requestAnimationFrame(() => r(!document.querySelector('main .loading'))))));
  const deadline = Date.now() + 15000;
  for (;;) {
    if (p.inflight === 0 && await frames() && p.inflight === 0) return;
    if (Date.now() > deadline) throw new Error(`${page.url()} did not settle (${p.inflight} requests)`);
    await page.waitForEvent('requestfinished', { timeout: 1000 }).catch(() => {});
  }
}

// axe's violations of TAGS on the page, one text per rule.
async function axeViolations(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document,
    { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), TAGS);
  // The rules did run: a page with a form or a table passes some.
  assert.ok(result.passes.length > 5, `axe ran ${result.passes.length} rules on ${page.url()}`);
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `      ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`).join('\n'));
}

// Check the page as it stands at both sizes; returns the problems found.
async function check(p, name) {
  const { page } = p;
  const problems = [];
  // The size the page has first, then the other (no resize back).
  const sizes = page.viewportSize().width === NARROW.width ? [NARROW, WIDE] : [WIDE, NARROW];
  for (const size of sizes) {
    await page.setViewportSize(size);
    await settle(p);
    const ta = Date.now();
    const found = await axeViolations(page);
    if (process.env.A11Y_DEBUG) console.log(`#   axe ${size.width}: ${Date.now() - ta} ms`);
    if (found.length) {
      problems.push(`${name} at ${size.width}px:\n    ${found.join('\n    ')}`);
      await shot(page, `a11y-${name}-${size.width}`);
    }
    if (size === NARROW) {
      const [scroll, inner] = await page.evaluate(() =>
        [document.scrollingElement.scrollWidth, window.innerWidth]);
      if (scroll > inner) {
        const wide = await page.evaluate(() => [...document.querySelectorAll('main *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap'))
          .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`).join(', '));
        problems.push(`${name} at 360px scrolls sideways: ${scroll} > ${inner} (${wide})`);
      }
    }
  }
  return problems;
}

// Visit `path` and wait for `ready` (a data-testid) before checking.
async function visit(p, name, path, ready) {
  const t0 = Date.now();
  // Within a page that is already up, go there as a link would (the
  // router's popstate): no reload, so axe stays loaded.
  const up = await p.page.evaluate(() => typeof window.axe === 'object' && !!document.getElementById('main'));
  if (up) {
    await p.page.evaluate((to) => {
      performance.clearMarks('page-ready');
      history.pushState(null, '', to);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, path);
  } else {
    await p.page.goto(path);
  }
  await settle(p);
  if (ready) await p.page.getByTestId(ready).first().waitFor();
  const t1 = Date.now();
  const out = await check(p, name);
  if (process.env.A11Y_DEBUG) console.log(`# ${name}: load ${t1 - t0} ms, check ${Date.now() - t1} ms\n${out.join('\n')}`);
  return out;
}

// ---- axe on every main page ---------------------------------------------

test('every main page passes axe (WCAG 2.1 A and AA, best practices) at 1920 and 360 px, without sideways scroll at 360', async () => {
  const problems = [];
  const run = async (p, pages) => {
    for (const [name, path, ready, then] of pages) {
      problems.push(...await visit(p, name, path, ready));
      if (then) problems.push(...await then(p));
    }
    p.assertClean();
    await p.context.close();
  };
  const sub = (s) => `/subpoenas/${s.id}`;

  // Not logged in: the login page, and a refused password.
  {
    const p = await as(null);
    problems.push(...await visit(p, 'login', '/login', 'login'));
    await p.page.getByLabel('Email').fill(w.user.officerA.email);
    await p.page.getByLabel('Password').fill('not the password');
    await p.page.getByRole('button', { name: 'Log in' }).click();
    await p.page.getByTestId('form-error').waitFor();
    problems.push(...await check(p, 'login-refused'));
    await run(p, []);
  }
  await run(await as('officerA'), [
    ['home-officer', '/', null],
    ['subpoenas', '/subpoenas', 'row'],
    ['subpoenas-filtered', '/subpoenas?state=closed&recipient_org_id=' + w.org.J1.id, 'row'],
    ['detainers', '/detainers', 'row'],
    ['enforcements', '/enforcements', 'row'],
    ['case-draft', sub(cases.draftSub), 'form-submit'],
    ['case-closed', sub(cases.closedSub), 'case-state'],
    ['case-referred', sub(cases.refSub), 'enforcement-link'],
    ['detainer-lodged', `/detainers/${extra.lodged.id}`, 'case-state'],
    ['new-subpoena', '/subpoenas/new', 'draft-form', async (p) => {
      // With a person found and chosen, the detainer list filled.
      await p.page.getByTestId('find-a-number').fill('A012345678');
      await p.page.getByTestId('find-a-number').press('Enter');
      await p.page.getByRole('button', { name: /^Choose Okafor/ }).click();
      await p.page.getByTestId('add-item').click();
      await p.page.getByTestId('draft-form-submit').click();
      await p.page.getByTestId('error-purpose').waitFor();
      return check(p, 'new-subpoena-errors');
    }],
    ['edit-draft', `${sub(cases.draftSub)}/edit`, 'draft-form'],
    ['new-detainer', '/detainers/new', 'detainer-form'],
    ['people', '/people?a_number=A012345678', 'people-results'],
    ['person-hidden', `/people/${cases.person.id}`, 'reveal', async (p) => {
      await p.page.getByRole('button', { name: 'Reveal personal data' }).click();
      await p.page.getByTestId('person-data').waitFor();
      return check(p, 'person-revealed');
    }],
    ['jurisdictions', '/jurisdictions', 'jurisdiction-list'],
    ['jurisdiction', `/jurisdictions/${w.org.J1.id}`, 'trend-charts'],
    ['reports', '/reports', 'report-table'],
    ['account', '/account', 'token-create'],
  ]);
  await run(await as('signerA'), [
    ['case-ready-to-sign', sub(extra.readyToSign), 'form-sign'],
  ]);
  await run(await as('custodian1'), [
    ['home-custodian', '/', 'queue'],
    ['case-served', sub(extra.served), 'form-acknowledge'],
    ['respond', `${sub(extra.served)}/respond`, 'respond-form', async (p) => {
      // The error of an objection without a ground.
      const item = p.page.getByTestId('respond-item').first();
      await item.getByLabel('Outcome').selectOption('objected');
      await p.page.getByTestId('respond-form-submit').click();
      await p.page.locator('[data-testid=respond-form] [aria-invalid=true]').first().waitFor();
      return check(p, 'respond-errors');
    }],
  ]);
  await run(await as('doj1'), [
    ['enforcement-referred', `/enforcements/${extra.referred.enforcement_id}`, 'actions'],
  ]);
  await run(await as('booking1'), [
    ['detainers-booking', '/detainers', 'row'],
    ['detainer-booking', `/detainers/${extra.lodged.id}`, 'form-acknowledge'],
  ]);
  await run(await as('admin'), [
    ['admin-users', '/admin/users', 'user-list'],
    ['admin-user', `/admin/users/${w.user.officerA.id}`, 'user-edit'],
    ['admin-orgs', '/admin/orgs', 'org-list'],
    ['admin-org', `/admin/orgs/${w.org.J1.id}`, 'policies'],
    ['admin-calendars', '/admin/calendars', 'calendar-list'],
    ['admin-calendar', `/admin/calendars/${extra.calendar.id}`, 'closure-create'],
    ['admin-delegations', `/admin/delegations?user_id=${w.user.signerA.id}`, 'delegation-create'],
    ['admin-webhooks', '/admin/webhooks', 'webhook-create'],
    ['account-admin', '/account', 'token-create'],
  ]);
  await run(await as('auditorA'), [
    ['audit', '/audit', 'audit-search', async (p) => {
      await p.page.getByTestId('audit-search').getByLabel(/Actor/).fill(w.user.officerA.id);
      await p.page.getByTestId('audit-search-submit').click();
      await p.page.getByTestId('audit-results').getByTestId('row').first().waitFor();
      await p.page.getByTestId('audit-verify').click();
      await p.page.getByTestId('verify-result').waitFor();
      return check(p, 'audit-results');
    }],
  ]);
  assert.deepEqual(problems, [], `accessibility problems:\n${problems.join('\n')}`);
});

// ---- keyboard ----------------------------------------------------------------

// What has focus now: its index among the page's expected stops
// (window.__stops, set by tourFrom), whether it is the skip link, a
// description, and whether a focus indicator shows.
const FOCUSED = () => {
  const el = document.activeElement;
  const cs = el ? getComputedStyle(el) : null;
  const outline = cs && cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
  const shadow = cs && cs.boxShadow && cs.boxShadow !== 'none';
  return {
    body: !el || el === document.body,
    skip: !!el?.classList.contains('skip'),
    index: (window.__stops || []).indexOf(el),
    what: el ? `${el.tagName.toLowerCase()}${el.name ? `[name=${el.name}]` : ''} "${(el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 40)}"` : 'nothing',
    indicator: !!(outline || shadow),
  };
};

// Tab through the whole page from the top. Returns {stops (what each
// Tab reached, in order), missed (expected stops never reached), plain
// (stops without a focus indicator)}.
async function tabTour(page) {
  const expected = await page.evaluate(() => {
    const main = document.getElementById('main');
    window.__stops = [...main.querySelectorAll('a[href], button, input, select, textarea')]
      .filter((el) => !el.disabled && el.type !== 'hidden' &&
        el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) &&
        el.getBoundingClientRect().width > 0);
    document.activeElement?.blur();
    window.scrollTo(0, 0);
    return window.__stops.map((el) => `${el.tagName.toLowerCase()}${el.name ? `[name=${el.name}]` : ''} "${(el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40)}"`);
  });
  const stops = [];
  const reached = new Set();
  const plain = [];
  for (let i = 0; i < 600; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(FOCUSED);
    if (i > 0 && (f.skip || f.body)) break;
    stops.push(f);
    if (f.index >= 0) reached.add(f.index);
    if (!f.indicator) plain.push(f.what);
  }
  const missed = expected.filter((_, i) => !reached.has(i));
  return { stops, missed, plain, expected };
}

// Press Tab until the focused element matches `test` (run in the page
// with the element); fails after `max` presses.
async function tabTo(page, test, what, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

// Tour `path` with Tab as `p`'s user and check what it reached.
async function tour(p, name, path, ready) {
  await p.page.goto(path);
  await settle(p);
  await p.page.getByTestId(ready).waitFor();
  const { stops, missed, plain, expected } = await tabTour(p.page);
  if (process.env.A11Y_DEBUG) console.log(`# ${name}: ${stops.length} Tab stops: ${stops.map((f) => f.what).join(', ')}`);
  assert.ok(expected.length >= 5, `${name}: controls found: ${expected.join(', ')}`);
  assert.ok(stops[0]?.skip, `${name}: the first Tab stop is "Skip to content", not ${stops[0]?.what}`);
  assert.deepEqual(missed, [], `${name}: controls Tab never reached`);
  assert.deepEqual(plain, [], `${name}: stops without a visible focus indicator`);
}

test('keyboard: skip link first, every control reached, focus always visible (case page, new subpoena)', async () => {
  // The custodian's served subpoena: acknowledge, refuse (a reason), respond, upload.
  const c = await as('custodian1');
  await tour(c, 'case page', `/subpoenas/${extra.served.id}`, 'form-refuse');
  c.assertClean();
  await c.context.close();

  const p = await as('officerA');
  await tour(p, 'new subpoena', '/subpoenas/new', 'draft-form');
  // Enter on the skip link moves focus to the main content.
  await p.page.evaluate(() => document.activeElement?.blur());
  await p.page.keyboard.press('Tab');
  assert.ok((await p.page.evaluate(FOCUSED)).skip);
  await p.page.keyboard.press('Enter');
  assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'main');
  p.assertClean();
  await p.context.close();
});

test('keyboard: a new subpoena filled in and created with the keyboard alone', async () => {
  const p = await as('officerA');
  const { page } = p;
  const kb = page.keyboard;
  await page.goto('/subpoenas/new');
  await settle(p);
  await page.getByTestId('draft-form').waitFor();
  await page.evaluate(() => document.activeElement?.blur());
  const named = (n) => new Function(`return document.activeElement?.name === ${JSON.stringify(n)}`);
  const testid = (t) => new Function(`return document.activeElement?.dataset.testid === ${JSON.stringify(t)}`);

  // The recipient: type-ahead in the select.
  await tabTo(page, named('recipient_org_id'), 'the recipient');
  await kb.type('Denver');
  assert.equal(await page.getByLabel('Recipient jurisdiction').inputValue(), w.org.J1.id);
  // The person: an A-number, Enter searches; Tab to the result, Enter chooses.
  await tabTo(page, testid('find-a-number'), 'the A-number');
  await kb.type('A012345678');
  await kb.press('Enter');
  const choose = page.getByRole('button', { name: /^Choose Okafor/ });
  await choose.waitFor();
  await tabTo(page, () => /^Choose Okafor/.test(document.activeElement?.textContent), 'the search result');
  await kb.press('Enter');
  await page.getByTestId('person-chosen').getByText(/^Chosen: Okafor/).waitFor();
  // The detainer list fills from the person's detainers; pick the lodged one.
  await page.waitForFunction((n) => [...document.querySelectorAll('[name=detainer_id] option')]
    .some((o) => o.textContent.startsWith(n)), extra.lodged.number);
  await tabTo(page, named('detainer_id'), 'the detainer');
  while (!(await page.getByLabel('Detainer (optional)').inputValue())) await kb.press('ArrowDown');
  const detainerId = await page.getByLabel('Detainer (optional)').inputValue();
  await tabTo(page, named('purpose'), 'the purpose');
  await kb.type('Locate the subject (typed)');
  // Items: the first row's category, then "Add an item" with Space
  // (focus moves to the new row's category), then that category.
  await tabTo(page, named('items[0].category'), 'the first item');
  await kb.type('Employer');
  await tabTo(page, testid('add-item'), '"Add an item"');
  await kb.press('Space');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'items[1].category');
  await kb.type('Vehicles');
  // Submit with Enter on the button.
  await tabTo(page, testid('draft-form-submit'), 'the submit button');
  await kb.press('Enter');
  await page.getByTestId('case-state').getByText('Draft', { exact: true }).waitFor();
  // The new page has the focus (the next Tab goes into it), and the
  // message given before the navigation is still there to be announced.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  await page.getByTestId('toast').getByText(/^SUB-\d{4}-\d+ drafted\.$/).waitFor();
  await kb.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('main')?.id), 'main');
  const id = new URL(page.url()).pathname.split('/').pop();
  const r = await w.user.officerA.get(`/api/v1/subpoenas/${id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.recipient_org_id, w.org.J1.id);
  assert.equal(r.json.person_id, cases.person.id);
  assert.equal(r.json.detainer_id, detainerId);
  assert.equal(r.json.purpose, 'Locate the subject (typed)');
  assert.deepEqual(r.json.items.map((i) => i.category), ['employer', 'vehicle']);
  assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), r.json.number);
  await shot(page, 'a11y-keyboard-draft');
  p.assertClean();
  await p.context.close();
});

// ---- case lists: search by number, filters in the address ------------------

test('case lists: a number search finds exactly that case; filters live in the address and survive a reload', async () => {
  const p = await as('officerA');
  const { page } = p;
  const list = page.getByTestId('case-list');
  const rows = list.getByTestId('row');
  const numbers = async () => (await rows.locator('th').allTextContents()).map((t) => t.trim());
  const listed = async () => { await settle(p); return numbers(); };
  const all = async (path) => (await w.user.officerA.get(`/api/v1/${path}`)).json.items;

  await page.goto('/subpoenas');
  await settle(p);
  const every = await all('subpoenas?limit=500');
  assert.ok(every.length >= 5, `officer A's subpoenas: ${every.length}`);
  assert.deepEqual((await listed()).sort(), every.map((s) => s.number).sort());

  // A number, typed loosely (case, spaces), finds exactly that case.
  const target = cases.refSub.number;
  await page.getByLabel('Case number').fill(`  ${target.toLowerCase()} `);
  await page.getByLabel('Case number').press('Enter');
  await page.waitForURL((u) => u.searchParams.get('number') === target);
  assert.deepEqual(await listed(), [target]);
  await page.reload();
  await settle(p);
  assert.deepEqual(await numbers(), [target]);
  assert.equal(await page.getByLabel('Case number').inputValue(), target);
  await rows.getByRole('link', { name: target }).click();
  await page.getByRole('heading', { name: target, level: 1 }).waitFor();
  await page.goBack();
  await settle(p);
  assert.deepEqual(await numbers(), [target]);

  // State and recipient: the address holds both; a reload keeps them.
  await page.getByLabel('Case number').fill('');
  await page.getByLabel('State').selectOption('closed');
  await page.getByLabel('Recipient jurisdiction').selectOption(w.org.J1.id);
  await page.getByTestId('filters-submit').click();
  await page.waitForURL((u) => u.searchParams.get('state') === 'closed' && !u.searchParams.has('number'));
  const closed = every.filter((s) => s.state === 'closed').map((s) => s.number).sort();
  assert.ok(closed.length >= 1);
  assert.deepEqual((await listed()).sort(), closed);
  await page.reload();
  await settle(p);
  assert.equal(await page.getByLabel('State').inputValue(), 'closed');
  assert.equal(await page.getByLabel('Recipient jurisdiction').inputValue(), w.org.J1.id);
  assert.equal(new URL(page.url()).searchParams.get('recipient_org_id'), w.org.J1.id);
  assert.deepEqual((await numbers()).sort(), closed);
  // Another jurisdiction: none of A's subpoenas; Back restores the list.
  await page.getByLabel('Recipient jurisdiction').selectOption(w.org.J2.id);
  await page.getByTestId('filters-submit').click();
  await list.getByText('No cases match.').waitFor();
  assert.equal(await rows.count(), 0);
  await page.goBack();
  await settle(p);
  assert.equal(await page.getByLabel('Recipient jurisdiction').inputValue(), w.org.J1.id);
  assert.deepEqual((await numbers()).sort(), closed);

  // Enforcement cases by number; detainers by facility and state.
  const enf = (await w.user.officerA.get(`/api/v1/enforcements/${extra.referred.enforcement_id}`)).json;
  await page.goto(`/enforcements?number=${enf.number}`);
  await settle(p);
  assert.deepEqual(await numbers(), [enf.number]);
  await page.goto('/detainers');
  await settle(p);
  await page.getByLabel('Facility').selectOption(w.facility.F1.id);
  await page.getByLabel('State').selectOption('lodged');
  await page.getByTestId('filters-submit').click();
  await page.waitForURL((u) => u.searchParams.get('facility_id') === w.facility.F1.id);
  const lodged = (await all(`detainers?state=lodged&facility_id=${w.facility.F1.id}`)).map((d) => d.number);
  assert.deepEqual(lodged, [extra.lodged.number]);
  assert.deepEqual(await listed(), lodged);
  await page.reload();
  await settle(p);
  assert.deepEqual(await numbers(), lodged);
  assert.equal(await page.getByLabel('Facility').inputValue(), w.facility.F1.id);
  // A detainer by its number, typed loosely.
  await page.goto('/detainers');
  await settle(p);
  await page.getByLabel('Case number').fill(` ${extra.lodged.number.toLowerCase()} `);
  await page.getByTestId('filters-submit').click();
  await page.waitForURL((u) => u.searchParams.get('number') === extra.lodged.number);
  await settle(p);
  assert.deepEqual(await numbers(), [extra.lodged.number]);
  p.assertClean();
  await p.context.close();
});
