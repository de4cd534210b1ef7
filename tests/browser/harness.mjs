// harness.mjs: what every browser test needs: `compel serve` on a fresh
// database (tests/api/harness.mjs) serving the built web UI, and Debian's
// chromium driven through playwright-core (pinned in web/package.json).
//
//   const web = await startWeb({ clock });   // server + browser
//   const { page, assertClean } = await web.newPage({ width: 1280 });
//   await loginAs(page, email);              // PASSWORD by default
//   await shot(page, 'home-1280');           // screenshot artifact
//   assertClean();                           // no console or page errors
//   await web.stop();
//
// Every console error and uncaught page error fails the test, except the
// browser's own "Failed to load resource" line for a 4xx answer of the
// API, which the UI handles (a wrong password answers 401). Screenshots go
// to $COMPEL_BROWSER_ARTIFACTS (ctest sets build/<dir>/browser-artifacts).
// A missing chromium or an unbuilt UI fails with what to run.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { startServer, PASSWORD } from '../api/harness.mjs';

export { PASSWORD, ADMIN_EMAIL, adminClient } from '../api/harness.mjs';

const require = createRequire(new URL('../../web/package.json', import.meta.url));

export const CHROMIUM = process.env.COMPEL_CHROMIUM || '/usr/bin/chromium';
export const WEB_ROOT = process.env.COMPEL_WEB_ROOT ||
  fileURLToPath(new URL('../../web/dist', import.meta.url));
export const ARTIFACTS = process.env.COMPEL_BROWSER_ARTIFACTS ||
  join(tmpdir(), 'compel-browser-artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

// Start a server on a fresh database (clock: as in tests/api/harness.mjs)
// serving WEB_ROOT, and a headless chromium with a fresh profile.
export async function startWeb({ clock = null, env = {} } = {}) {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/deps (installs Debian's chromium)`);
  if (!existsSync(join(WEB_ROOT, 'index.html')))
    throw new Error(`the web UI is not built in ${WEB_ROOT}: run make web`);
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    throw new Error('playwright-core is missing: run scripts/deps (npm ci in web/)');
  }
  const server = await startServer({ clock, env: { COMPEL_WEB_ROOT: WEB_ROOT, ...env } });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  } catch (err) {
    await server.stop();
    throw err;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    server, browser, base: server.base,
    // A new browser context (its own cookies and sessionStorage) and page
    // of `width` x `height` CSS pixels.
    async newPage({ width = 1280, height = 900 } = {}) {
      const context = await browser.newContext({ baseURL: server.base, viewport: { width, height } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const url = msg.location()?.url || '';
        const m = msg.text().match(/status of (\d{3})/);
        if (m && Number(m[1]) < 500 && new URL(url, server.base).pathname.startsWith('/api/')) return;
        errors.push(`console error: ${msg.text()} (${url})`);
      });
      return {
        page, context, errors,
        assertClean() {
          if (errors.length) throw new Error('browser errors:\n' + errors.join('\n'));
        },
      };
    },
    async stop() {
      await browser?.close().catch(() => {});
      await server.stop();
    },
  };
}

// Save a full-page screenshot as ARTIFACTS/<name>.png.
export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Log in through the login page; with `totp`, answer the code prompt.
// Resolves once the top bar shows the user.
export async function loginAs(page, email, password = PASSWORD, totp = undefined) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  if (totp !== undefined) {
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    await code.fill(typeof totp === 'function' ? totp() : totp);
    await page.getByRole('button', { name: 'Log in' }).click();
  }
  await page.getByTestId('who').waitFor();
}

// The RFC 6238 code (HMAC-SHA1, 30 s steps, 6 digits) of a base32
// secret at `us` microseconds since the epoch.
export function totpCode(secretBase32, us) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/[\s=]/g, '').toUpperCase())
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(us / 30e6)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[19] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}
