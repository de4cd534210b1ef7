// case.js (page): one case: its state, deadlines (each explained on
// demand), items, documents, timeline, and a form for each action the
// API allows the caller now (allowed_actions), with the API's field
// errors next to the fields. After an action the page shows the case as
// it now stands.
import { get, post, query } from '../api.js';
import { ACTION_FIELDS, KINDS } from '../cases.js';
import { field, fmtDate, fmtInstant, form, h, label, notify } from '../ui.js';

// Scalar fields shown in the summary, when the case has them.
const SUMMARY = ['purpose', 'disposition', 'return_date', 'original_return_date', 'served_at',
  'signed_at', 'basis', 'form', 'hold_rule', 'max_hold_until', 'court', 'docket_number',
  'accrued_cents', 'enforcement_id'];

function fmt(v) {
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v)) return fmtDate(v);
  return String(v);
}

function deadlines(c) {
  const entries = Object.entries(c.deadlines || {});
  if (!entries.length) return h('p', null, 'No deadline yet.');
  return h('ul', { class: 'deadlines', 'data-testid': 'deadlines' }, entries.map(([kind, d]) =>
    h('li', null, h('strong', null, label(kind)), ': ', fmtDate(d.due),
      d.explain?.length ? h('details', null, h('summary', null, 'Why this date'),
        h('ul', { class: 'explain' }, d.explain.map((l) => h('li', null, l)))) : null)));
}

function itemsTable(items) {
  return h('table', { 'data-testid': 'items' },
    h('thead', null, h('tr', null, ['#', 'Category', 'Description', 'Outcome', 'Ground']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, items.map((it) => h('tr', null,
      h('th', { scope: 'row' }, it.position), h('td', null, label(it.category)),
      h('td', null, it.description || '—'), h('td', null, label(it.outcome) || '—'),
      h('td', null, label(it.ground) || '—')))));
}

// The fields of `action` on case `c`.
function actionFields(action, c) {
  if (action !== 'respond') return ACTION_FIELDS[action] || [];
  return (c.items || []).flatMap((it, i) => [
    h('input', { type: 'hidden', name: `items[${i}].item_id`, value: it.id }),
    h('fieldset', null, h('legend', null, `Item ${it.position}: ${label(it.category)}`),
      field({ name: `items[${i}].outcome`, type: 'select', required: true,
        options: ['produced', 'not_held', 'objected', 'withheld'].map((v) => [v]) }),
      field({ name: `items[${i}].value`, label: 'Value produced' }),
      field({ name: `items[${i}].ground`, type: 'select', options: ACTION_FIELDS.respond_ground.map((v) => [v]) })),
  ]).concat([{ name: 'note', type: 'textarea' }]);
}

function actionForm(kind, c, action, ctx) {
  return h('section', { class: 'action', 'data-testid': `action-${action}` },
    h('h3', null, label(action)),
    form({
      testid: `form-${action}`, submit: label(action), fields: actionFields(action, c),
      onSubmit: async (values) => {
        await post(`/api/v1/${kind}/${encodeURIComponent(c.id)}/actions/${action}`, values,
          { 'If-Match': `"${c.version}"` });
        notify(`${label(action)}: done.`);
        ctx.navigate(location.pathname, { replace: true });
      },
    }));
}

export async function casePage(ctx) {
  const { kind, id } = ctx.params;
  const base = `/api/v1/${kind}/${encodeURIComponent(id)}`;
  const [c, hist, docs] = await Promise.all([
    get(base), get(base + '/history'),
    get('/api/v1/documents' + query({ case_id: id })).catch(() => ({ items: [] })),
  ]);
  const summary = SUMMARY.filter((k) => c[k] !== undefined && c[k] !== null);
  return h('div', { class: 'case' },
    h('p', { class: 'crumbs' }, h('a', { href: `/${kind}` }, KINDS[kind].title)),
    h('h1', null, c.number),
    h('p', { class: 'case-state' }, h('span', { class: `badge state-${c.state}`, 'data-testid': 'case-state' }, label(c.state)),
      c.overdue ? h('strong', { class: 'badge badge-overdue' }, 'Overdue') : null),
    h('div', { class: 'case-grid' },
      h('section', { class: 'panel' }, h('h2', null, 'Summary'),
        h('dl', { class: 'facts' }, summary.flatMap((k) => [h('dt', null, label(k)), h('dd', null, fmt(c[k]))]))),
      h('section', { class: 'panel' }, h('h2', null, 'Deadlines'), deadlines(c))),
    c.items ? h('section', { class: 'panel' }, h('h2', null, 'Items'), h('div', { class: 'table-wrap' }, itemsTable(c.items))) : null,
    h('section', { class: 'panel', 'data-testid': 'actions' }, h('h2', null, 'Actions'),
      c.allowed_actions?.length
        ? c.allowed_actions.map((a) => actionForm(kind, c, a, ctx))
        : h('p', null, 'Nothing for you to do on this case now.')),
    h('section', { class: 'panel' }, h('h2', null, 'Documents'),
      kind === 'subpoenas' && c.state !== 'draft'
        ? h('p', null, h('a', { href: `${base}/document.pdf`, download: `${c.number}.pdf` }, 'The subpoena as issued (PDF)'))
        : null,
      docs.items.length ? h('ul', { 'data-testid': 'documents' }, docs.items.map((d) => h('li', null,
        h('a', { href: `/api/v1/documents/${encodeURIComponent(d.id)}`, download: d.filename || true },
          d.filename || label(d.kind)), ` (${label(d.kind)}, ${d.size} bytes)`))) : h('p', null, 'No documents.')),
    h('section', { class: 'panel' }, h('h2', null, 'Timeline'),
      h('ol', { class: 'timeline', 'data-testid': 'timeline' }, hist.items.map((e) => h('li', null,
        h('time', { datetime: e.at }, fmtInstant(e.at)), ' ', h('strong', null, label(e.action)),
        e.role ? ` by ${e.role.split(',').map(label).join(', ')}` : '')))));
}
