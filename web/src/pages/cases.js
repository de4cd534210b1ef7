// cases.js (page): a list of subpoenas, detainers or enforcement cases
// (ctx.params.kind), scoped by the API to what the caller may see, with
// the filters the API offers for that kind (docs/api.md: subpoenas by
// number, state, recipient jurisdiction, agency office, overdue;
// detainers by number, state and facility; enforcement cases by number, state and
// respondent jurisdiction), sorting and "Load more". The filters live in
// the address (?state=...&number=...), so a filtered list can be
// bookmarked, shared and reloaded; Back returns to the previous filters.
import { get, query } from '../api.js';
import { KINDS } from '../cases.js';
import { facilityField, orgField } from '../picker.js';
import { fmtDate, fmtInstant, h, label, pagedTable } from '../ui.js';

// The query parameters each kind's list takes, in the order shown.
const PARAMS = {
  subpoenas: ['number', 'state', 'recipient_org_id', 'agency_org_id', 'overdue'],
  detainers: ['number', 'state', 'facility_id'],
  enforcements: ['number', 'state', 'respondent_org_id'],
};
const PREFIX = { subpoenas: 'SUB', detainers: 'DET', enforcements: 'ENF' };

// The filter controls of `kind`, filled from the address (`q`). A caller
// of a jurisdiction does not get a jurisdiction chooser (the API shows
// them their own only); nor an agency user an agency one. Facilities are
// offered to everyone: a jurisdiction may hold several. The choosers'
// lists are fetched together.
function filterFields(kind, q, me) {
  const orgKind = me?.org?.kind;
  const v = (name) => q.get(name) || '';
  const org = (name, ofKind, text) => orgField(ofKind, { name, label: text, value: v(name) }).then((o) => o.node);
  const out = [];
  for (const name of PARAMS[kind]) {
    if (name === 'number') {
      out.push({ name, label: 'Case number', type: 'search', value: v(name), autocomplete: 'off',
        hint: `The whole number, e.g. ${PREFIX[kind]}-2020-000012` });
    } else if (name === 'state') {
      out.push({ name, label: 'State', type: 'select', value: v(name), options: KINDS[kind].states.map((s) => [s]) });
    } else if (name === 'overdue') {
      out.push({ name, label: 'Overdue', type: 'select', value: v(name), options: [['true', 'Overdue only']] });
    } else if (name === 'recipient_org_id' && orgKind !== 'jurisdiction') {
      out.push(org(name, 'jurisdiction', 'Recipient jurisdiction'));
    } else if (name === 'respondent_org_id' && orgKind !== 'jurisdiction') {
      out.push(org(name, 'jurisdiction', 'Respondent jurisdiction'));
    } else if (name === 'agency_org_id' && orgKind !== 'agency_office') {
      out.push(org(name, 'agency_office', 'Agency office'));
    } else if (name === 'facility_id') {
      out.push(facilityField({ name, label: 'Facility', value: v(name) }));
    }
  }
  return Promise.all(out);
}

// A number matches whole and exactly: " sub-2020-000012 " finds SUB-2020-000012.
const normal = (p) => (p.number ? { ...p, number: String(p.number).trim().toUpperCase() } : p);

export async function caseListPage(ctx) {
  const kind = ctx.params.kind;
  const k = KINDS[kind];
  const filters = await filterFields(kind, ctx.query, ctx.me);
  // The filters named in the address are applied at once.
  const params = {};
  for (const name of PARAMS[kind]) if (ctx.query.get(name)) params[name] = ctx.query.get(name);
  return h('div', null,
    h('h1', null, k.title),
    h('section', { class: 'panel' }, pagedTable({
      testid: 'case-list',
      filters,
      params,
      // Keep the address in step: the filtered list can be bookmarked.
      onApply: (values) => {
        const next = `/${kind}${query(normal(values))}`;
        if (next !== location.pathname + location.search) history.pushState(null, '', next);
      },
      empty: 'No cases match.',
      fetch: (p, cursor) => get(`/api/v1/${kind}${query({ ...normal(p), cursor })}`),
      rowHref: (row) => `/${kind}/${encodeURIComponent(row.id)}`,
      columns: [
        { key: 'number', label: 'Number', sort: true },
        { key: 'state', label: 'State', sort: true, render: (r) => label(r.state) },
        { key: 'return_date', label: 'Due', sort: true,
          render: (r) => fmtDate(r.return_date || r.max_hold_until || null) },
        { key: 'updated_at', label: 'Updated', sort: true, render: (r) => fmtInstant(r.updated_at) },
      ],
    })));
}
