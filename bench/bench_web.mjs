// bench_web.mjs: the web UI's two performance figures (issue 5), reported,
// never asserted:
//
//   1. the JavaScript shipped: the gzipped size of web/dist's main bundle
//      (the .gz file compel serves), against the 150 KB budget;
//   2. the case page "ready" time after navigation, against 300 ms, on
//      loopback in Debian's chromium (tests/browser/harness.mjs), as the
//      median and p95 of N navigations, both as a full load of a deep link
//      (/subpoenas/<id> typed into the address bar, session cookie set,
//      assets in the browser's cache) and as an in-app navigation (a click
//      on the case's link in the subpoena list).
//
// "Ready" is the mark `page-ready` that web/src/main.js sets when the
// routed page's content is in the document, that is after its API calls
// answered and its DOM was built (the case's state, deadlines, items,
// actions, documents and timeline), just before the browser paints it.
// A deep link is timed from the navigation start (performance.timeOrigin:
// the mark's startTime); an in-app navigation from the click.
//
//   node bench/bench_web.mjs [--n 50] [--smoke] [--compel build/release/compel]
//
// --smoke runs N=5 and exits non-zero unless every figure is a number
// (ctest bench.web_smoke). The server is `compel serve` on a fresh
// database with one served subpoena (3 items, a proof of service, a
// return date), made through the API.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const smoke = args.includes('--smoke');
const N = Number(opt('--n', smoke ? 5 : 50));
if (opt('--compel')) process.env.COMPEL_BIN = resolve(opt('--compel'));
if (!process.env.COMPEL_BIN) process.env.COMPEL_BIN = 'build/release/compel';

// The harness reads COMPEL_BIN when it is loaded.
const { startWeb, WEB_ROOT, adminClient, PASSWORD } = await import('../tests/browser/harness.mjs');

const GOAL_MS = 300;
const BUDGET = 150 * 1024;

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, p95: at(0.95) };
}

// The shipped JavaScript: the bundle index.html names, as served gzipped.
function shippedJs() {
  const html = readFileSync(join(WEB_ROOT, 'index.html'), 'utf8');
  const m = html.match(/src="\/(assets\/main-[\w-]+\.js)"/);
  if (!m) throw new Error(`no main bundle named in ${WEB_ROOT}/index.html`);
  const gz = join(WEB_ROOT, m[1] + '.gz');
  if (!existsSync(gz)) throw new Error(`${gz} is missing: run make web`);
  return { file: m[1], raw: statSync(join(WEB_ROOT, m[1])).size, gz: statSync(gz).size };
}

async function must(r, status = [200, 201]) {
  if (!status.includes(r.status)) throw new Error(`${r.status} ${r.text}`);
  return r.json;
}

// One served subpoena, and an officer of its office to look at it.
async function world(server) {
  const admin = await adminClient(server);
  const agency = (await must(await admin.get('/api/v1/orgs?kind=agency_office'))).items[0];
  const county = await must(await admin.post('/api/v1/orgs', { kind: 'jurisdiction',
    name: 'Bench County', state: 'CO', timezone: 'America/Denver' }));
  for (const [key, role, title] of [['officer', 'officer'], ['signer', 'signer', 'Field Office Director']])
    await must(await admin.post('/api/v1/users', { email: `${key}@bench.test`, name: `Bench ${key}`,
      org_id: agency.id, roles: [role], title, password: PASSWORD }));
  const officer = server.client();
  await must(await officer.login('officer@bench.test'));
  const signer = server.client();
  await must(await signer.login('signer@bench.test'));
  const sub = await must(await officer.post('/api/v1/subpoenas', { recipient_org_id: county.id,
    purpose: 'Locate the subject of a final order of removal',
    items: [{ category: 'home_address' }, { category: 'employer' }, { category: 'release_date' }] }));
  await must(await officer.post(`/api/v1/subpoenas/${sub.id}/actions/submit`));
  await must(await signer.post(`/api/v1/subpoenas/${sub.id}/actions/sign`));
  const pos = await must(await officer.req('POST', `/api/v1/documents?case_id=${sub.id}&kind=proof_of_service`,
    'Served on the records clerk.\n', { 'Content-Type': 'text/plain',
      'Content-Disposition': 'attachment; filename="proof-of-service.txt"' }));
  await must(await officer.post(`/api/v1/subpoenas/${sub.id}/actions/serve`, {
    served_at: '2020-01-13T15:00:00Z', method: 'personal', served_to: 'Records clerk',
    return_days: 14, proof_of_service_document_id: pos.id }));
  return { id: sub.id, number: sub.number };
}

// Wait for the page-ready mark of `path` with the case page's content in
// the document; answer the mark's startTime (ms since navigation start).
const readyOf = (page, path) => page.waitForFunction((p) => {
  const m = performance.getEntriesByName('page-ready').find((e) => e.detail === p);
  return m && (!p.startsWith('/subpoenas/') || document.querySelector('[data-testid="case-state"]'))
    ? m.startTime : null;
}, path, { polling: 'raf' }).then((h) => h.jsonValue());

const js = shippedJs();
console.log(`web: JavaScript shipped: ${js.file} ${js.raw} bytes, ${js.gz} bytes gzipped; ` +
  `budget ${BUDGET}: ${(js.gz / BUDGET).toFixed(2)}x of the budget`);

const web = await startWeb({ clock: Date.parse('2020-01-20T18:00:00Z') * 1000 });
let failed = false;
try {
  const sub = await world(web.server);
  const casePath = `/subpoenas/${sub.id}`;
  const { page } = await web.newPage({ width: 1280, height: 900 });
  await page.goto('/login');
  await page.getByLabel('Email').fill('officer@bench.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('who').waitFor();

  // Full loads of the deep link (one warm-up fills the cache).
  const deep = [];
  for (let i = 0; i <= N; i++) {
    await page.goto(casePath);
    const t = await readyOf(page, casePath);
    if (i > 0) deep.push(t);
  }

  // In-app: from the list, click the case's link; back to the list.
  await page.goto('/subpoenas');
  const link = `a[href="${casePath}"]`;
  const inApp = [];
  for (let i = 0; i <= N; i++) {
    await readyOf(page, '/subpoenas');
    await page.waitForSelector(link);
    await page.evaluate((sel) => {
      performance.clearMarks('page-ready');
      window.benchT0 = performance.now();
      document.querySelector(sel).click();
    }, link);
    const t = await readyOf(page, casePath);
    const t0 = await page.evaluate(() => window.benchT0);
    if (i > 0) inApp.push(t - t0);
    await page.evaluate(() => { performance.clearMarks('page-ready'); history.back(); });
  }

  for (const [what, xs] of [['deep link (full load)', deep], ['in-app navigation', inApp]]) {
    const s = stats(xs);
    if (!Number.isFinite(s.median) || !Number.isFinite(s.p95) || xs.length !== N) failed = true;
    console.log(`web: case page ready, ${what}, N=${xs.length}: median ${s.median.toFixed(1)} ms ` +
      `(${(s.median / GOAL_MS).toFixed(2)}x of ${GOAL_MS} ms), p95 ${s.p95.toFixed(1)} ms ` +
      `(${(s.p95 / GOAL_MS).toFixed(2)}x)`);
  }
} finally {
  await web.stop();
}
if (!Number.isFinite(js.gz) || js.gz <= 0) failed = true;
if (failed) {
  console.error('bench_web: a figure is missing');
  process.exit(1);
}
