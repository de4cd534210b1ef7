// main.js: the app's boot and shell. Asks GET /api/v1/me whether someone
// is logged in, then draws the top bar (user, organization, roles, the
// navigation their roles use, logout) around the page the router picks.
// Someone not logged in gets the login page, and comes back to the page
// they asked for afterwards.
import { get, logout, onSessionLost, onStepUp } from './api.js';
import { askStepUp } from './stepup.js';
import { match, navigate, startRouter } from './router.js';
import { h, label, notify } from './ui.js';
import { watchScrollRegions } from './scroll.js';

const state = { me: null, loginMessage: '' };
let rendered = false; // a page was drawn already (the next ones are navigations)

// Navigation by role: [path, text, roles that see it (null: everyone)].
const CASE_ROLES = ['officer', 'signer', 'agency_counsel', 'auditor', 'booking',
  'custodian', 'recipient_counsel', 'doj_attorney'];
const NAV = [
  ['/', 'Home', null],
  ['/subpoenas', 'Subpoenas', CASE_ROLES],
  ['/detainers', 'Detainers', CASE_ROLES],
  ['/enforcements', 'Enforcement', CASE_ROLES],
  ['/subpoenas/new', 'New subpoena', ['officer']],
  ['/detainers/new', 'New detainer', ['officer']],
  ['/people', 'People', ['officer', 'signer', 'agency_counsel', 'auditor']],
  ['/jurisdictions', 'Jurisdictions', null],
  ['/reports', 'Reports', CASE_ROLES],
  ['/admin/users', 'Users', ['admin']],
  ['/admin/orgs', 'Organizations', ['admin']],
  ['/admin/calendars', 'Calendars', ['admin']],
  ['/admin/delegations', 'Delegations', ['admin']],
  ['/admin/webhooks', 'Webhooks', ['admin']],
  ['/audit', 'Audit', ['auditor']],
  ['/account', 'Account', null],
];

function topBar(me) {
  const here = location.pathname;
  const mine = me.mfa_enrollment_required
    ? NAV.filter(([path]) => path === '/account') // all it may use until it enrols
    : NAV.filter(([, , roles]) => !roles || roles.some((r) => me.roles.includes(r)));
  // The current entry is the longest one the path falls under, so that
  // /subpoenas/new marks "New subpoena", not "Subpoenas" as well.
  const under = (path) => (path === '/' ? here === '/' : here === path || here.startsWith(path + '/'));
  const current = mine.map(([path]) => path).filter(under)
    .sort((a, b) => b.length - a.length)[0];
  const links = mine.map(([path, text]) => h('li', null, h('a', {
    href: path,
    'aria-current': path === current ? 'page' : null,
  }, text)));
  const out = h('button', { type: 'button', class: 'link', 'data-testid': 'logout' }, 'Log out');
  out.addEventListener('click', async () => {
    await logout().catch(() => {});
    state.me = null;
    state.loginMessage = 'You are logged out.';
    navigate('/login');
  });
  return h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '/' }, 'compel'),
    h('nav', { 'aria-label': 'Main' }, h('ul', null, links)),
    h('div', { class: 'who', 'data-testid': 'who' },
      h('span', { class: 'who-name' }, me.name || me.email),
      h('span', { class: 'who-org' }, me.org?.name || ''),
      h('span', { class: 'who-roles' }, me.roles.map(label).join(', ')),
      out));
}

async function render() {
  const root = document.getElementById('app');
  const { page, params, opts } = match(location.pathname);
  if (!opts.public && !state.me) {
    try {
      state.me = await get('/api/v1/me');
    } catch {
      // onSessionLost has set the message and gone to the login page.
      if (location.pathname !== '/login') {
        const next = location.pathname + location.search;
        navigate('/login' + (next !== '/' ? '?next=' + encodeURIComponent(next) : ''), { replace: true });
      }
      return;
    }
  }
  // The server requires a second factor of every account (require_totp)
  // and this one has none: the account page is the only one it may use.
  if (!opts.public && state.me?.mfa_enrollment_required && location.pathname !== '/account') {
    navigate('/account', { replace: true });
    return;
  }
  const ctx = {
    params, query: new URLSearchParams(location.search), me: state.me, navigate,
    loggedIn: (me) => { state.me = me; state.loginMessage = ''; },
    message: state.loginMessage,
  };
  const main = h('main', { id: 'main', tabindex: '-1' }, h('p', { class: 'loading' }, 'Loading…'));
  // The live region outlives the page, so a message given just before a
  // navigation ("SUB-... drafted.") is still shown and announced.
  const toasts = document.getElementById('toasts') ||
    h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite', role: 'status' });
  const first = !rendered;
  rendered = true;
  root.replaceChildren(...[
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    state.me && !opts.public ? topBar(state.me) : null,
    toasts,
    main].filter(Boolean));
  document.title = `${opts.title} · compel`;
  try {
    main.replaceChildren(await page(ctx));
    // The page's content is in the document: bench/bench_web.mjs times this.
    performance.mark('page-ready', { detail: location.pathname });
  } catch (err) {
    main.replaceChildren(h('div', { class: 'panel' },
      h('h1', null, 'Something went wrong'),
      h('p', { role: 'alert', 'data-testid': 'page-error' }, err.message)));
  }
  const h1 = main.querySelector('h1');
  if (h1) document.title = `${h1.textContent} · compel`;
  // After a navigation within the app the old focus is gone with the old
  // page: put it on the new page's content, as the skip link would, so
  // the next Tab starts there and a screen reader reads the new page. A
  // fresh load leaves focus at the top (the skip link comes first).
  if (!first && main.isConnected && (!document.activeElement || document.activeElement === document.body))
    main.focus({ preventScroll: true });
}

onSessionLost((message) => {
  state.me = null;
  state.loginMessage = message;
  if (location.pathname !== '/login') {
    const next = location.pathname + location.search;
    navigate('/login?next=' + encodeURIComponent(next), { replace: true });
  }
});

onStepUp(askStepUp);

window.addEventListener('unhandledrejection', (e) => {
  notify(e.reason?.message || 'Something went wrong.', 'error');
});

watchScrollRegions(document.getElementById('app'));
startRouter(render);
