// admin_orgs.js (admin): organizations: the list (filtered by kind), a
// form to create one of each kind, and one organization's page with its
// facilities (create) and, for a jurisdiction, its policy: every version,
// oldest first, the one in force marked, and a form adding a new version
// (policies are never edited).
import { get, post, query } from '../api.js';
import { fmtDate, fmtInstant, form, h, label, notify, pagedTable } from '../ui.js';
import { badge } from './admin_users.js';

const KINDS = ['agency_office', 'jurisdiction', 'doj_office'];

export async function adminOrgsPage(ctx) {
  return h('div', null,
    h('h1', null, 'Organizations'),
    h('section', { class: 'panel', 'aria-labelledby': 'orgs-h' },
      h('h2', { id: 'orgs-h' }, 'All organizations'),
      pagedTable({
        testid: 'org-list',
        filters: [{ name: 'kind', label: 'Kind', type: 'select', options: KINDS.map((k) => [k]) }],
        empty: 'No organizations match.',
        fetch: (params, cursor) => get(`/api/v1/orgs${query({ ...params, cursor })}`),
        rowHref: (o) => `/admin/orgs/${encodeURIComponent(o.id)}`,
        columns: [
          { key: 'name', label: 'Name', sort: true },
          { key: 'kind', label: 'Kind', sort: true, render: (o) => label(o.kind) },
          { key: 'state', label: 'State', sort: true, render: (o) => o.state || '—' },
          { key: 'timezone', label: 'Time zone', sort: true },
        ],
      })),
    h('section', { class: 'panel', 'aria-labelledby': 'org-new-h' },
      h('h2', { id: 'org-new-h' }, 'Create an organization'),
      form({
        testid: 'org-create', submit: 'Create organization',
        fields: [
          { name: 'kind', label: 'Kind', type: 'select', options: KINDS.map((k) => [k]) },
          { name: 'name', label: 'Name', required: true },
          { name: 'state', label: 'State', hint: 'Two capital letters, e.g. CO.', required: true },
          { name: 'timezone', label: 'Time zone', hint: 'An IANA time zone, e.g. America/Denver.', required: true },
          { name: 'requires_counsel_review', label: 'Subpoenas go to counsel review before signing (agency offices)',
            type: 'checkbox' },
        ],
        onSubmit: async (values) => {
          if (values.kind !== 'agency_office') delete values.requires_counsel_review;
          const o = await post('/api/v1/orgs', values);
          ctx.navigate(`/admin/orgs/${encodeURIComponent(o.id)}`);
          notify(`${o.name} created.`);
        },
      })));
}

function facilitiesSection(ctx, org, facilities, here) {
  return h('section', { class: 'panel', 'aria-labelledby': 'fac-h' },
    h('h2', { id: 'fac-h' }, 'Facilities'),
    facilities.length ? h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'facilities' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Time zone'),
        h('th', { scope: 'col' }, 'Created'))),
      h('tbody', null, facilities.map((f) => h('tr', { 'data-testid': 'row' },
        h('th', { scope: 'row' }, f.name), h('td', null, f.timezone), h('td', null, fmtInstant(f.created_at)))))))
      : h('p', null, 'No facility yet.'),
    h('h3', null, 'Add a facility'),
    form({
      testid: 'facility-create', submit: 'Add facility',
      fields: [
        { name: 'name', label: 'Facility name', required: true },
        { name: 'timezone', label: 'Facility time zone', hint: `Leave empty for the organization's (${org.timezone}).` },
      ],
      onSubmit: async (values) => {
        const f = await post(`/api/v1/orgs/${encodeURIComponent(org.id)}/facilities`, values);
        ctx.navigate(here, { replace: true });
        notify(`${f.name} added.`);
      },
    }));
}

function policiesSection(ctx, org, policies, here) {
  const cols = ['Version', 'Effective from', 'Detainers', 'Release notification', 'Subpoenas', 'Citation', 'Summary', 'Added'];
  return h('section', { class: 'panel', 'aria-labelledby': 'pol-h' },
    h('h2', { id: 'pol-h' }, 'Policy history'),
    h('p', { class: 'hint' }, 'Policies are never edited: each change is a new version, and cases record the version in force on their day.'),
    policies.length ? h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'policies' },
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, policies.map((p) => h('tr', { 'data-testid': 'row' },
        h('th', { scope: 'row' }, `v${p.version_no} `, p.in_force ? badge('In force', 'ok') : null),
        h('td', null, fmtDate(p.effective_from)), h('td', null, label(p.detainers)),
        h('td', null, p.release_notification ? 'Yes' : 'No'), h('td', null, label(p.subpoenas)),
        h('td', null, p.citation), h('td', null, p.summary), h('td', null, fmtInstant(p.created_at)))))))
      : h('p', null, 'No policy recorded yet.'),
    h('h3', null, 'Add a policy version'),
    form({
      testid: 'policy-create', submit: 'Add version',
      fields: [
        { name: 'effective_from', label: 'Effective from', type: 'date', required: true },
        { name: 'detainers', label: 'Detainers', type: 'select', options: ['honor', 'decline', 'criteria'].map((v) => [v]) },
        { name: 'release_notification', label: 'Notifies the agency before release', type: 'checkbox' },
        { name: 'subpoenas', label: 'Subpoenas', type: 'select', options: ['comply', 'court_order_only', 'review'].map((v) => [v]) },
        { name: 'citation', label: 'Citation', required: true, hint: 'The ordinance, statute or directive.' },
        { name: 'summary', label: 'Summary', type: 'textarea', required: true },
      ],
      onSubmit: async (values) => {
        const p = await post(`/api/v1/orgs/${encodeURIComponent(org.id)}/policies`, values);
        ctx.navigate(here, { replace: true });
        notify(`Policy version ${p.version_no} added.`);
      },
    }));
}

export async function adminOrgPage(ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const here = `/admin/orgs/${id}`;
  const org = await get(`/api/v1/orgs/${id}`);
  const jurisdiction = org.kind === 'jurisdiction';
  const [facilities, policies] = jurisdiction ? await Promise.all([
    get(`/api/v1/facilities?org_id=${id}&limit=500`).then((r) => r.items),
    get(`/api/v1/orgs/${id}/policies`).then((r) => r.items),
  ]) : [[], []];
  return h('div', null,
    h('p', { class: 'crumbs' }, h('a', { href: '/admin/orgs' }, 'Organizations')),
    h('h1', null, org.name),
    h('section', { class: 'panel', 'aria-labelledby': 'org-h' },
      h('h2', { id: 'org-h' }, 'Organization'),
      h('dl', { class: 'facts', 'data-testid': 'org-facts' },
        h('dt', null, 'Kind'), h('dd', null, label(org.kind)),
        h('dt', null, 'State'), h('dd', null, org.state || '—'),
        h('dt', null, 'Time zone'), h('dd', null, org.timezone),
        org.kind === 'agency_office' ? [h('dt', null, 'Counsel review'),
          h('dd', null, org.requires_counsel_review ? 'Required before signing' : 'Not required')] : null,
        org.calendar_id ? [h('dt', null, 'Holiday calendar'), h('dd', null,
          h('a', { href: `/admin/calendars/${encodeURIComponent(org.calendar_id)}` }, 'Closures and holidays'))] : null,
        h('dt', null, 'Created'), h('dd', null, fmtInstant(org.created_at)))),
    jurisdiction ? facilitiesSection(ctx, org, facilities, here) : null,
    jurisdiction ? policiesSection(ctx, org, policies, here) : null);
}
