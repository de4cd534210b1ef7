// person.js (page): one person. The page opens WITHOUT any personal data:
// it shows the record's id and the cases naming the person that the caller
// may see (GET /api/v1/detainers?person_id= and /subpoenas?person_id=: case
// summaries, not personal data). Only "Reveal personal data" reads the
// person (GET /api/v1/people/{id}), and the server appends an audit record
// for that read; "Hide personal data" removes it from the page, and so
// does leaving the page (nothing is kept). Revealing again reads again.
import { get, query } from '../api.js';
import { dataTable } from '../charts.js';
import { fmtDate, fmtInstant, h, label } from '../ui.js';

const dash = (v) => (v === null || v === undefined || v === '' ? '—' : v);

function details(p) {
  const ids = p.identifiers || {};
  const rows = [
    ['Family name', p.family_name], ['Given names', p.given_names],
    ['Date of birth', p.date_of_birth ? fmtDate(p.date_of_birth) : null],
    ['A-number', ids.a_number], ['FBI number', ids.fbi_number],
    ['Aliases', (p.aliases || []).length ? p.aliases.join('; ') : null],
    ['Recorded', fmtInstant(p.created_at)], ['Last changed', fmtInstant(p.updated_at)],
  ];
  return h('dl', { class: 'facts', 'data-testid': 'person-data' },
    rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, dash(v))]));
}

// The reveal area: a button that reads the person on demand.
function revealArea(id) {
  const area = h('div', { class: 'reveal-data', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'primary', 'aria-expanded': 'false',
    'data-testid': 'reveal' }, 'Reveal personal data');
  const hide = () => {
    area.replaceChildren();
    button.textContent = 'Reveal personal data';
    button.setAttribute('aria-expanded', 'false');
  };
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-expanded') === 'true') { hide(); button.focus(); return; }
    button.disabled = true;
    try {
      const p = await get(`/api/v1/people/${encodeURIComponent(id)}`);
      area.replaceChildren(details(p),
        h('p', { class: 'hint' }, 'This read is now in the audit log.'));
      button.textContent = 'Hide personal data';
      button.setAttribute('aria-expanded', 'true');
    } catch (err) {
      area.replaceChildren(h('p', { role: 'alert', class: 'form-error', 'data-testid': 'reveal-error' },
        err.status === 404 ? 'There is no such person, or they are outside what you may see.' : err.message));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', null, h('div', { class: 'form-actions' }, button), area);
}

// The caller's cases of one kind naming the person (up to 100; the
// lists are scoped by the API). A role that may not list them sees a line.
async function linked(kind, id) {
  try {
    return await get(`/api/v1/${kind}${query({ person_id: id, limit: 100 })}`);
  } catch (err) {
    return { error: err.message };
  }
}

function caseTable(kind, list, columns) {
  if (list.error) return h('p', null, list.error);
  if (!list.items.length) return h('p', null, 'None that you may see.');
  return h('div', null, dataTable({
    testid: `person-${kind}`, rowTestid: 'row', sortable: true,
    rowHref: (c) => `/${kind}/${encodeURIComponent(c.id)}`,
    columns: [{ key: 'number', label: 'Number', render: (c) => c.number },
      { key: 'state', label: 'State', render: (c) => label(c.state) }, ...columns],
    rows: list.items,
  }), list.next_cursor ? h('p', { class: 'hint' }, 'Only the first 100 are shown.') : null);
}

export async function personPage(ctx) {
  const id = ctx.params.id;
  const [dets, subs] = await Promise.all([linked('detainers', id), linked('subpoenas', id)]);
  return h('div', null,
    ctx.me.roles.some((r) => ['officer', 'signer', 'agency_counsel', 'auditor'].includes(r))
      ? h('p', { class: 'crumbs' }, h('a', { href: '/people' }, 'People')) : null,
    h('h1', null, 'Person record'),
    h('section', { class: 'panel', 'aria-labelledby': 'pd-h' },
      h('h2', { id: 'pd-h' }, 'Personal data'),
      h('dl', { class: 'facts' }, h('dt', null, 'Record id'), h('dd', null, h('code', { 'data-testid': 'person-id' }, id))),
      h('p', { class: 'notice', 'data-testid': 'reveal-notice' },
        'Names, dates of birth and identifiers are hidden. Revealing them reads the record, and ',
        'the read is recorded in the audit log under your name, with the time.'),
      revealArea(id)),
    h('section', { class: 'panel', 'aria-labelledby': 'pdet-h' },
      h('h2', { id: 'pdet-h' }, 'Detainers naming this person'),
      caseTable('detainers', dets, [
        { key: 'facility', label: 'Facility', value: (c) => c.facility?.name, render: (c) => dash(c.facility?.name) },
        { key: 'created_at', label: 'Lodged', render: (c) => fmtInstant(c.created_at) }])),
    h('section', { class: 'panel', 'aria-labelledby': 'psub-h' },
      h('h2', { id: 'psub-h' }, 'Subpoenas naming this person'),
      caseTable('subpoenas', subs, [
        { key: 'served_at', label: 'Served', render: (c) => fmtInstant(c.served_at) },
        { key: 'disposition', label: 'Disposition', render: (c) => dash(label(c.disposition)) },
        { key: 'enforcement_id', label: 'Enforcement', render: (c) => (c.enforcement_id
          ? h('a', { href: `/enforcements/${encodeURIComponent(c.enforcement_id)}` }, 'Enforcement case') : '—') }])));
}
