// audit.js (auditor): search the audit trail by actor, object, kind of
// object and time (GET /api/v1/audit: oldest first, paged by
// next_cursor), and verify its hash chain (GET /api/v1/audit/verify:
// ok, entries checked, the first bad sequence number). Reading the trail
// is itself audited. A bad parameter shows the API's error next to its
// field.
import { get, query } from '../api.js';
import { form, h, notify, pagedTable } from '../ui.js';

const PAGE = 50;

function when(at) {
  // Audit instants carry hundredths of a second; show them in UTC as stored.
  return h('time', { datetime: at }, at.replace('T', ' ').replace('Z', ' UTC'));
}

const COLUMNS = [
  { key: 'seq', label: 'Seq' },
  { key: 'at', label: 'At (UTC)', render: (e) => when(e.at) },
  { key: 'action', label: 'Action', sort: true },
  { key: 'actor_id', label: 'Actor', sort: true, render: (e) => h('code', null, e.actor_id || '—') },
  { key: 'role', label: 'Role', sort: true, render: (e) => e.role || '—' },
  { key: 'object_kind', label: 'Object', sort: true,
    render: (e) => [e.object_kind || '—', e.object_id ? [' ', h('code', null, e.object_id)] : null] },
  { key: 'outcome', label: 'Outcome', sort: true },
  { key: 'detail', label: 'Detail', render: (e) => h('span', { class: 'wrap' }, e.detail || '—') },
];

function verifyPanel() {
  const result = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'audit-verify' }, 'Verify the chain');
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.replaceChildren(h('p', { class: 'loading' }, 'Verifying…'));
    try {
      const v = await get('/api/v1/audit/verify');
      result.replaceChildren(h('dl', { class: 'facts', 'data-testid': 'verify-result' },
        h('dt', null, 'Result'), h('dd', { 'data-testid': 'verify-ok' },
          h('span', { class: `badge badge-${v.ok ? 'ok' : 'bad'}` }, v.ok ? 'OK: the chain is intact' : 'BROKEN')),
        h('dt', null, 'Entries checked'), h('dd', { 'data-testid': 'verify-checked' }, String(v.checked)),
        h('dt', null, 'First bad entry'), h('dd', { 'data-testid': 'verify-first-bad' },
          v.first_bad_seq === null ? 'none' : `seq ${v.first_bad_seq}`),
        v.reason ? [h('dt', null, 'Reason'), h('dd', null, v.reason)] : null));
    } catch (err) {
      result.replaceChildren();
      notify(err.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'verify-h' },
    h('h2', { id: 'verify-h' }, 'Hash chain'),
    h('p', null, 'Each entry holds the hash of the one before it; verifying recomputes the whole chain.'),
    button, result);
}

export async function auditPage(ctx) {
  const results = h('div', { 'data-testid': 'audit-results' });
  const prefill = Object.fromEntries(['actor', 'object', 'object_kind', 'from', 'to']
    .map((k) => [k, ctx.query.get(k) || '']));

  // Fetch the first page here so a bad parameter reaches the form's
  // field errors; the table then pages on from its cursor.
  async function search(params) {
    const first = await get(`/api/v1/audit${query({ ...params, limit: PAGE })}`);
    results.replaceChildren(pagedTable({
      testid: 'audit-list',
      empty: 'No entries match.',
      fetch: (_, cursor) => (cursor ? get(`/api/v1/audit${query({ ...params, limit: PAGE, cursor })}`)
        : Promise.resolve(first)),
      columns: COLUMNS,
    }));
  }

  const searchForm = form({
    testid: 'audit-search', submit: 'Search',
    fields: [
      { name: 'actor', label: 'Actor (user id)', value: prefill.actor },
      { name: 'object', label: 'Object id', value: prefill.object },
      { name: 'object_kind', label: 'Object kind', value: prefill.object_kind, hint: 'E.g. subpoena, user, person, document.' },
      { name: 'from', label: 'From', value: prefill.from,
        hint: 'A date (2020-01-13, from midnight UTC) or an instant (2020-01-13T15:00:00Z).' },
      { name: 'to', label: 'To', value: prefill.to, hint: 'Likewise; a date means midnight UTC at its start.' },
    ],
    onSubmit: search,
  });
  searchForm.classList.add('filters');
  try {
    await search(Object.fromEntries(Object.entries(prefill).filter(([, v]) => v)));
  } catch (err) {
    results.replaceChildren(h('p', { role: 'alert' }, err.message));
  }

  return h('div', null,
    h('h1', null, 'Audit trail'),
    h('section', { class: 'panel', 'aria-labelledby': 'search-h' },
      h('h2', { id: 'search-h' }, 'Search'),
      h('p', { class: 'hint' }, 'Oldest first. Entries hold ids and field names, never personal values.'),
      searchForm, results),
    verifyPanel());
}
