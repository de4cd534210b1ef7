// jurisdictions.js (page): the jurisdictions (counties, cities, states
// holding people or records) from GET /api/v1/orgs?kind=jurisdiction,
// each linking to its page (policy history, facilities, statistics).
import { get, query } from '../api.js';
import { h, pagedTable } from '../ui.js';

export async function jurisdictionsPage() {
  return h('div', null,
    h('h1', null, 'Jurisdictions'),
    h('section', { class: 'panel' },
      h('p', { class: 'hint' }, 'Each jurisdiction’s page shows its policy on detainers and subpoenas, every past version, ',
        'its facilities, and how it has answered detainers and subpoenas. ',
        h('a', { href: '/reports' }, 'Reports'), ' compares jurisdictions.'),
      pagedTable({
        testid: 'jurisdiction-list',
        empty: 'No jurisdictions yet.',
        fetch: (params, cursor) => get('/api/v1/orgs' + query({ kind: 'jurisdiction', cursor })),
        rowHref: (o) => `/jurisdictions/${encodeURIComponent(o.id)}`,
        columns: [
          { key: 'name', label: 'Name', sort: true },
          { key: 'state', label: 'State', sort: true },
          { key: 'timezone', label: 'Time zone', sort: true },
        ],
      })));
}
