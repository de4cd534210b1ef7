// people.js (page): find a person (GET /api/v1/people: exact match on
// normalized values, so "Doe" finds "DOE" and "doe" but never "Do"), and
// record a new one (POST /api/v1/people) for the roles that may. Every
// search is itself a read of personal data and is audited (ids and the
// parameters used, never values); the page says so. The search is kept
// in the address (?a_number=...), so going back to it shows the results
// again (a new search, audited again).
import { get, post, query } from '../api.js';
import { dataTable } from '../charts.js';
import { fmtDate, form, h, notify } from '../ui.js';

const SEARCHERS = ['officer', 'signer', 'agency_counsel', 'auditor'];
const WRITERS = ['officer', 'signer', 'agency_counsel'];
const PARAMS = ['a_number', 'family_name', 'date_of_birth'];

const fullName = (p) => [p.family_name, p.given_names].filter(Boolean).join(', ');

function results(list) {
  if (!list.items.length)
    return h('p', { role: 'status', 'data-testid': 'people-none' }, 'Nobody matches exactly.');
  return h('div', null,
    h('p', { role: 'status' }, `${list.items.length} ${list.items.length === 1 ? 'person matches' : 'people match'}.`),
    dataTable({
      testid: 'people-results', rowTestid: 'row',
      rowHref: (p) => `/people/${encodeURIComponent(p.id)}`,
      columns: [
        { key: 'name', label: 'Name', render: fullName },
        { key: 'date_of_birth', label: 'Date of birth', render: (p) => fmtDate(p.date_of_birth) },
        { key: 'a_number', label: 'A-number', render: (p) => p.identifiers?.a_number || '—' },
      ],
      rows: list.items,
    }),
    list.next_cursor ? h('p', null, 'More people match than are shown: narrow the search.') : null);
}

function searchForm(ctx, area) {
  const initial = Object.fromEntries(PARAMS.map((k) => [k, ctx.query.get(k) || '']));
  const run = async (values) => {
    const params = Object.fromEntries(PARAMS.filter((k) => values[k]).map((k) => [k, values[k]]));
    if (!Object.keys(params).length) {
      const e = new Error('Give an A-number, or a family name (with the date of birth to narrow it).');
      e.field = 'a_number';
      throw e;
    }
    const list = await get('/api/v1/people' + query(params));
    history.replaceState(null, '', '/people' + query(params));
    area.replaceChildren(results(list));
  };
  const f = form({
    testid: 'people-search', submit: 'Search',
    fields: [
      { name: 'a_number', label: 'A-number', value: initial.a_number, hint: 'A and 8 or 9 digits; dashes are ignored.' },
      { name: 'family_name', label: 'Family name', value: initial.family_name },
      { name: 'date_of_birth', label: 'Date of birth', type: 'date', value: initial.date_of_birth },
    ],
    onSubmit: run,
  });
  if (PARAMS.some((k) => initial[k])) run(initial).catch((err) => area.replaceChildren(
    h('p', { role: 'alert', class: 'form-error' }, err.message)));
  return f;
}

function createForm(ctx) {
  return form({
    testid: 'person-new', submit: 'Record person',
    fields: [
      { name: 'family_name', label: 'Family name', required: true },
      { name: 'given_names', label: 'Given names', required: true },
      { name: 'date_of_birth', label: 'Date of birth', type: 'date' },
      { name: 'identifiers.a_number', label: 'A-number', hint: 'A and 8 or 9 digits, e.g. A012345678.' },
      { name: 'identifiers.fbi_number', label: 'FBI number' },
      { name: 'aliases', label: 'Aliases', type: 'textarea', hint: 'One per line (at most 20).' },
    ],
    onSubmit: async (values) => {
      const body = { ...values };
      if (typeof body.aliases === 'string')
        body.aliases = body.aliases.split('\n').map((s) => s.trim()).filter(Boolean);
      const p = await post('/api/v1/people', body);
      notify('The person is recorded.');
      ctx.navigate(`/people/${encodeURIComponent(p.id)}`);
    },
  });
}

export async function peoplePage(ctx) {
  const roles = ctx.me.roles;
  const mayCreate = WRITERS.some((r) => roles.includes(r));
  if (!SEARCHERS.some((r) => roles.includes(r))) {
    return h('div', null, h('h1', null, 'People'),
      h('section', { class: 'panel' }, h('p', null,
        'Your role may not search people. A person named in a case you can see is linked from that case.')));
  }
  const area = h('div', { 'data-testid': 'people-area', 'aria-live': 'polite' });
  return h('div', null,
    h('h1', null, 'People'),
    h('section', { class: 'panel', 'aria-labelledby': 'people-search-h' },
      h('h2', { id: 'people-search-h' }, 'Find a person'),
      h('p', { class: 'hint' },
        'The search matches whole values exactly: an A-number (dashes and a missing leading zero do not matter), ',
        'or a family name (capitals and extra spaces do not matter; accents do), optionally with the date of birth. ',
        'Partial names do not match. ',
        'Every search is recorded in the audit log (which parameters you used, not their values).'),
      searchForm(ctx, area), area),
    mayCreate ? h('section', { class: 'panel', 'aria-labelledby': 'people-new-h' },
      h('h2', { id: 'people-new-h' }, 'New person'),
      h('p', { class: 'hint' }, 'Search first: recording the same person twice makes two records.'),
      createForm(ctx)) : null);
}
