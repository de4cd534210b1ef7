// admin_delegations.js (admin): delegations of subpoena authority
// (8 CFR 2.1) to signers whose title is not listed in 8 CFR 287.4(a).
// Pick a signer to list theirs; record a new one with its instrument: the
// file is uploaded first (POST /api/v1/documents?kind=delegation), then
// the delegation names it (document_id; the API refuses one without,
// delegation_document_required).
import { api, get, post } from '../api.js';
import { fmtDate, fmtInstant, form, h, notify } from '../ui.js';
import { allItems } from './admin_users.js';

// Content-Disposition for an upload: an ASCII fallback name and the exact
// one in RFC 8187 form (header values must be ISO-8859-1 in fetch).
export function disposition(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*!]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

// Upload `file` as a document of `kind` (no case); resolves to {id, ...}.
// An error of the upload is reported on the control named `fieldName`.
export async function uploadDocument(file, kind, fieldName) {
  try {
    return await api('POST', `/api/v1/documents?kind=${kind}`, file, {
      'Content-Type': file.type || 'application/octet-stream',
      'Content-Disposition': disposition(file.name),
    });
  } catch (err) {
    err.field = fieldName;
    throw err;
  }
}

// The API names a failed rule in `field`; point it at the control.
const RULE_FIELD = { delegation_document_required: 'document', delegate_must_be_signer: 'user_id' };

export async function adminDelegationsPage(ctx) {
  const users = await allItems('/api/v1/users');
  const signers = users.filter((u) => u.roles.includes('signer'));
  const options = signers.map((u) => [u.id, `${u.name} <${u.email}>${u.title ? ', ' + u.title : ''}`]);
  const chosen = ctx.query.get('user_id') || '';
  const list = chosen ? (await get(`/api/v1/delegations?user_id=${encodeURIComponent(chosen)}`)).items : null;
  const who = signers.find((u) => u.id === chosen);

  const pick = form({
    testid: 'delegation-user', submit: 'Show',
    fields: [{ name: 'user_id', label: 'Signer', type: 'select', options, value: chosen }],
    onSubmit: async (values) => {
      ctx.navigate(`/admin/delegations${values.user_id ? '?user_id=' + encodeURIComponent(values.user_id) : ''}`);
    },
  });
  pick.classList.add('filters');

  const cols = ['Authority', 'From', 'To', 'Instrument', 'Recorded'];
  const listing = list === null ? h('p', null, 'Choose a signer to see their delegations.')
    : list.length ? h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'delegations' },
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, list.map((d) => h('tr', { 'data-testid': 'row' },
        h('th', { scope: 'row' }, d.authority), h('td', null, fmtDate(d.effective_from)),
        h('td', null, d.effective_to ? fmtDate(d.effective_to) : 'Until revoked'),
        h('td', null, d.document_id ? h('a', { href: `/api/v1/documents/${encodeURIComponent(d.document_id)}`, download: '' }, 'Download') : '—'),
        h('td', null, fmtInstant(d.created_at)))))))
      : h('p', { 'data-testid': 'delegations-empty' }, `No delegation recorded for ${who?.name || 'this user'}.`);

  const create = form({
    testid: 'delegation-create', submit: 'Record delegation',
    fields: [
      { name: 'user_id', label: 'Delegate (a signer)', type: 'select', options, value: chosen },
      { name: 'authority', label: 'Authority', required: true, hint: 'The delegation order, e.g. "Delegation Order 7030.2 (8 CFR 2.1)".' },
      { name: 'effective_from', label: 'Effective from', type: 'date', required: true },
      { name: 'effective_to', label: 'Effective to', type: 'date', hint: 'Leave empty for no end date.' },
      { name: 'document', label: 'Signed delegation instrument', type: 'file', required: true,
        hint: 'PDF, PNG, JPEG, TIFF or text; up to 25 MiB. It is uploaded first, then the delegation names it.' },
    ],
    onSubmit: async (values, formEl) => {
      delete values.document;
      const file = formEl.querySelector('input[type="file"]').files[0];
      if (file) values.document_id = (await uploadDocument(file, 'delegation', 'document')).id;
      try {
        const d = await post('/api/v1/delegations', values);
        ctx.navigate(`/admin/delegations?user_id=${encodeURIComponent(d.user_id)}`);
        notify('Delegation recorded.');
      } catch (err) {
        if (RULE_FIELD[err.field]) err.field = RULE_FIELD[err.field];
        throw err;
      }
    },
  });

  return h('div', null,
    h('h1', null, 'Delegations'),
    h('section', { class: 'panel', 'aria-labelledby': 'del-h' },
      h('h2', { id: 'del-h' }, who ? `Delegations of ${who.name}` : 'Delegations of a signer'),
      pick, listing),
    h('section', { class: 'panel', 'aria-labelledby': 'del-new-h' },
      h('h2', { id: 'del-new-h' }, 'Record a delegation'),
      signers.length ? create : h('p', null, 'No user holds the signer role yet.')));
}
