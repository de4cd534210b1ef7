// router.js: the table of pages and the history-based routing between
// them. A page is `async (ctx) => Node`, with ctx = {params, query, me,
// navigate}; its file is web/src/pages/<name>.js. To add a page: import it
// and add ONE row to `routes` (docs/web.md). The server answers index.html
// for every path that is not a file or the API, so a deep link or a
// reload lands here and is routed in the browser.
import { loginPage } from './pages/login.js';
import { homePage } from './pages/home.js';
import { accountPage } from './pages/account.js';
import { caseListPage } from './pages/cases.js';
import { casePage } from './pages/case.js';
import { draftPage } from './pages/draft.js';
import { newDetainerPage } from './pages/new_detainer.js';
import { respondPage } from './pages/respond.js';
import { notFoundPage } from './pages/not_found.js';
import { peoplePage } from './pages/people.js';
import { personPage } from './pages/person.js';
import { jurisdictionsPage } from './pages/jurisdictions.js';
import { jurisdictionPage } from './pages/jurisdiction.js';
import { reportsPage } from './pages/reports.js';
import { adminUsersPage, adminUserPage } from './pages/admin_users.js';
import { adminOrgsPage, adminOrgPage } from './pages/admin_orgs.js';
import { adminCalendarsPage, adminCalendarPage } from './pages/admin_calendars.js';
import { adminDelegationsPage } from './pages/admin_delegations.js';
import { adminWebhooksPage } from './pages/admin_webhooks.js';
import { auditPage } from './pages/audit.js';

// [pattern, page, options]; `:name` matches one segment into params.name.
// options.public: shown without logging in; options.title: the document
// title (a page may set a better one).
export const routes = [
  ['/login', loginPage, { public: true, title: 'Log in' }],
  ['/', homePage, { title: 'Home' }],
  ['/account', accountPage, { title: 'Account' }],
  ['/:kind(subpoenas|detainers|enforcements)', caseListPage, { title: 'Cases' }],
  ['/subpoenas/new', draftPage, { title: 'New subpoena' }],
  ['/detainers/new', newDetainerPage, { title: 'New detainer' }],
  ['/subpoenas/:id/edit', draftPage, { title: 'Edit subpoena' }],
  ['/subpoenas/:id/respond', respondPage, { title: 'Respond' }],
  ['/:kind(subpoenas|detainers|enforcements)/:id', casePage, { title: 'Case' }],
  ['/people', peoplePage, { title: 'People' }],
  ['/people/:id', personPage, { title: 'Person' }],
  ['/jurisdictions', jurisdictionsPage, { title: 'Jurisdictions' }],
  ['/jurisdictions/:id', jurisdictionPage, { title: 'Jurisdiction' }],
  ['/reports', reportsPage, { title: 'Reports' }],
  ['/admin/users', adminUsersPage, { title: 'Users' }],
  ['/admin/users/:id', adminUserPage, { title: 'User' }],
  ['/admin/orgs', adminOrgsPage, { title: 'Organizations' }],
  ['/admin/orgs/:id', adminOrgPage, { title: 'Organization' }],
  ['/admin/calendars', adminCalendarsPage, { title: 'Calendars' }],
  ['/admin/calendars/:id', adminCalendarPage, { title: 'Calendar' }],
  ['/admin/delegations', adminDelegationsPage, { title: 'Delegations' }],
  ['/admin/webhooks', adminWebhooksPage, { title: 'Webhooks and jobs' }],
  ['/audit', auditPage, { title: 'Audit trail' }],
];

function compile(pattern) {
  const names = [];
  const re = pattern.split('/').map((seg) => {
    const m = seg.match(/^:(\w+)(?:\((.+)\))?$/);
    if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(m[1]);
    return m[2] ? `(${m[2]})` : '([^/]+)';
  }).join('/');
  return { re: new RegExp(`^${re}$`), names };
}

const table = routes.map(([pattern, page, opts]) => ({ ...compile(pattern), page, opts: opts || {} }));

// The page for `path`: {page, params, opts}; the not-found page if none.
export function match(path) {
  for (const r of table) {
    const m = path.match(r.re);
    if (!m) continue;
    const params = {};
    r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
    return { page: r.page, params, opts: r.opts };
  }
  return { page: notFoundPage, params: {}, opts: { title: 'Not found' } };
}

let onChange = () => {};

// Go to `path` ("/subpoenas/abc?x=1"); `replace` keeps history length.
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  onChange();
}

// Start routing: `render()` is called now and on every change of path.
// Clicks on same-origin links (not /api/ downloads, not new-tab clicks)
// are routed without a reload.
export function startRouter(render) {
  onChange = render;
  window.addEventListener('popstate', () => onChange());
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey ||
        e.shiftKey || e.altKey || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
  onChange();
}
