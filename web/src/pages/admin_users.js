// admin_users.js (admin): the users: a list filtered by organization
// with each one's state (disabled, locked), a form to create one (roles
// offered by the kind of the chosen organization), and one user's page:
// change name, title and roles (PATCH with If-Match), disable or enable,
// unlock. Also the helpers the other admin pages share (allItems,
// checkGroup, checkedValues, orgOptions, badge).
import { get, patch, post, query } from '../api.js';
import { fmtInstant, form, h, label, nextId, notify, pagedTable } from '../ui.js';

// The roles each kind of organization may hold (docs/api.md "Roles").
export const ROLES_BY_KIND = {
  agency_office: ['officer', 'signer', 'agency_counsel', 'auditor', 'admin'],
  jurisdiction: ['booking', 'custodian', 'recipient_counsel'],
  doj_office: ['doj_attorney'],
};

// Every item of a list route, following next_cursor.
export async function allItems(path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}limit=500${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

// Select options for organizations: [[id, "Name (kind)"]].
export function orgOptions(orgs) {
  return orgs.map((o) => [o.id, `${o.name} (${label(o.kind)})`]);
}

// A group of checkboxes all named `name` (an API array field), with one
// error slot: showErrors finds the first box by name and shows the API's
// message under the group. checkedValues(formEl, name) reads the array.
export function checkGroup({ name, legend, options, checked = [], empty }) {
  const first = nextId('g');
  const errId = first + '-error';
  return h('fieldset', { class: 'check-group', 'data-testid': `field-${name}` },
    h('legend', null, legend),
    options.length ? options.map(([value, text], i) => {
      const id = i === 0 ? first : nextId('g');
      return h('div', { class: 'field-check' },
        h('input', { type: 'checkbox', id, name, value, checked: checked.includes(value),
          'aria-describedby': errId }),
        h('label', { for: id }, text ?? label(value)));
    }) : h('p', { class: 'hint' }, empty || 'Nothing to choose.'),
    h('p', { class: 'field-error', id: errId, hidden: true, 'data-testid': `error-${name}` }));
}

export function checkedValues(formEl, name) {
  return [...formEl.elements].filter((el) => el.name === name && el.checked).map((el) => el.value);
}

// A badge with words (state is never shown by colour alone).
export function badge(text, kind = '') {
  return h('span', { class: `badge${kind ? ' badge-' + kind : ''}` }, text);
}

function userState(u) {
  const out = [];
  if (u.disabled) out.push(badge('Disabled', 'bad'));
  if (u.locked) out.push(badge('Locked', 'bad'));
  if (!out.length) out.push(badge('Active', 'ok'));
  return h('span', { class: 'badges', 'data-testid': 'user-state' }, out);
}

function createUserForm(ctx, orgs) {
  const rolesBox = h('div', null, checkGroup({ name: 'roles', legend: 'Roles', options: [],
    empty: 'Choose the organization first.' }));
  const el = form({
    testid: 'user-create', submit: 'Create user',
    fields: [
      { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'off' },
      { name: 'name', label: 'Name', required: true },
      { name: 'org_id', label: 'Organization', type: 'select', options: orgOptions(orgs) },
      rolesBox,
      { name: 'title', label: 'Title', hint: 'For signers: the title that lets them sign (8 CFR 287.4(a)).' },
      { name: 'password', label: 'Password', type: 'password', required: true,
        autocomplete: 'new-password', hint: 'At least 12 characters. Give it to the user by a safe channel.' },
    ],
    onSubmit: async (values, formEl) => {
      values.roles = checkedValues(formEl, 'roles');
      const u = await post('/api/v1/users', values);
      ctx.navigate(`/admin/users/${encodeURIComponent(u.id)}`);
      notify(`User ${u.email} created.`);
    },
  });
  el.querySelector('[name="org_id"]').addEventListener('change', (e) => {
    const org = orgs.find((o) => o.id === e.target.value);
    rolesBox.replaceChildren(checkGroup({ name: 'roles', legend: 'Roles',
      options: (ROLES_BY_KIND[org?.kind] || []).map((r) => [r]),
      empty: 'Choose the organization first.' }));
  });
  return el;
}

export async function adminUsersPage(ctx) {
  const orgs = await allItems('/api/v1/orgs');
  const orgName = Object.fromEntries(orgs.map((o) => [o.id, o.name]));
  return h('div', null,
    h('h1', null, 'Users'),
    h('section', { class: 'panel', 'aria-labelledby': 'users-h' },
      h('h2', { id: 'users-h' }, 'All users'),
      pagedTable({
        testid: 'user-list',
        filters: [{ name: 'org_id', label: 'Organization', type: 'select', options: orgOptions(orgs) }],
        empty: 'No users match.',
        fetch: (params, cursor) => get(`/api/v1/users${query({ ...params, cursor })}`),
        rowHref: (u) => `/admin/users/${encodeURIComponent(u.id)}`,
        columns: [
          { key: 'email', label: 'Email', sort: true },
          { key: 'name', label: 'Name', sort: true },
          { key: 'org', label: 'Organization', render: (u) => u.org?.name || orgName[u.org?.id] || '—' },
          { key: 'roles', label: 'Roles', render: (u) => u.roles.map(label).join(', ') },
          { key: 'state', label: 'State', render: userState },
        ],
      })),
    h('section', { class: 'panel', 'aria-labelledby': 'user-new-h' },
      h('h2', { id: 'user-new-h' }, 'Create a user'),
      createUserForm(ctx, orgs)));
}

// One user: facts, the edit form, and the account actions.
export async function adminUserPage(ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const u = await get(`/api/v1/users/${id}`);
  const here = `/admin/users/${id}`;
  const reload = (message) => { ctx.navigate(here, { replace: true }); notify(message); };

  const edit = form({
    testid: 'user-edit', submit: 'Save changes',
    fields: [
      { name: 'name', label: 'Name', required: true, value: u.name },
      { name: 'title', label: 'Title', value: u.title || '' },
      checkGroup({ name: 'roles', legend: 'Roles', checked: u.roles,
        options: (ROLES_BY_KIND[u.org?.kind] || u.roles).map((r) => [r]) }),
    ],
    onSubmit: async (values, formEl) => {
      values.roles = checkedValues(formEl, 'roles');
      await patch(`/api/v1/users/${id}`, values, { 'If-Match': `"${u.version}"` });
      reload('Changes saved.');
    },
  });

  const actions = [];
  const action = (text, testid, run) => {
    const b = h('button', { type: 'button', class: 'secondary', 'data-testid': testid }, text);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try { await run(); } catch (err) { notify(err.message, 'error'); b.disabled = false; }
    });
    actions.push(b);
  };
  if (u.locked) {
    action('Unlock', 'user-unlock', async () => {
      await post(`/api/v1/users/${id}/unlock`);
      reload(`${u.email} is unlocked.`);
    });
  }
  if (u.totp_enabled) {
    // For a lost or replaced phone: the user logs in with the password
    // and sets a second factor up again; their sessions end now.
    action('Remove the second factor', 'user-totp-reset', async () => {
      await post(`/api/v1/users/${id}/totp/reset`, {}, { 'If-Match': `"${u.version}"` });
      reload(`${u.email}'s second factor is removed and their sessions have ended; they set one up again from their Account page.`);
    });
  }
  action(u.disabled ? 'Enable' : 'Disable', u.disabled ? 'user-enable' : 'user-disable', async () => {
    await patch(`/api/v1/users/${id}`, { disabled: !u.disabled }, { 'If-Match': `"${u.version}"` });
    reload(u.disabled ? `${u.email} is enabled.` : `${u.email} is disabled: their sessions and tokens have ended.`);
  });

  return h('div', null,
    h('p', { class: 'crumbs' }, h('a', { href: '/admin/users' }, 'Users')),
    h('h1', null, u.name || u.email),
    h('section', { class: 'panel', 'aria-labelledby': 'user-h' },
      h('h2', { id: 'user-h' }, 'Account'),
      h('dl', { class: 'facts' },
        h('dt', null, 'Email'), h('dd', null, u.email),
        h('dt', null, 'Organization'), h('dd', null, u.org?.name || '—'),
        h('dt', null, 'Roles'), h('dd', null, u.roles.map(label).join(', ')),
        h('dt', null, 'Title'), h('dd', null, u.title || '—'),
        h('dt', null, 'State'), h('dd', null, userState(u)),
        h('dt', null, 'Second factor'), h('dd', null, u.totp_enabled ? 'On' : 'Off'),
        h('dt', null, 'Created'), h('dd', null, fmtInstant(u.created_at))),
      u.locked ? h('p', { class: 'notice', 'data-testid': 'user-locked' },
        'This account is locked after repeated failed logins.') : null,
      h('div', { class: 'form-actions' }, actions)),
    h('section', { class: 'panel', 'aria-labelledby': 'user-edit-h' },
      h('h2', { id: 'user-edit-h' }, 'Change'), edit),
    u.roles.includes('signer') ? h('p', null, h('a', {
      href: `/admin/delegations?user_id=${id}` }, 'Delegations of this signer')) : null);
}
