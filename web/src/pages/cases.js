// cases.js (page): a list of subpoenas, detainers or enforcement cases
// (ctx.params.kind), scoped by the API to what the caller may see, with
// a state filter, sorting and "Load more".
import { get, query } from '../api.js';
import { KINDS } from '../cases.js';
import { fmtDate, fmtInstant, h, label, pagedTable } from '../ui.js';

export async function caseListPage(ctx) {
  const kind = ctx.params.kind;
  const k = KINDS[kind];
  const filters = [{ name: 'state', type: 'select', options: k.states.map((s) => [s]) }];
  if (kind === 'subpoenas') filters.push({ name: 'overdue', type: 'select', label: 'Overdue', options: [['true', 'Overdue only']] });
  return h('div', null,
    h('h1', null, k.title),
    h('section', { class: 'panel' }, pagedTable({
      testid: 'case-list',
      filters,
      empty: 'No cases match.',
      fetch: (params, cursor) => get(`/api/v1/${kind}${query({ ...params, cursor })}`),
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
