// jurisdiction.js (page): one jurisdiction: its policy history (GET
// /api/v1/orgs/{id}/policies: every version, newest first here, the one in
// force marked), its facilities, and its statistics from the jurisdiction
// report (docs/reports.md): every measure over a date range, then charts
// over the last months or quarters (one report call per period, at most
// 12), small samples flagged in words.
import { get, query } from '../api.js';
import { barChart, dataTable, fmtDays, fmtRate, getPath, lineChart } from '../charts.js';
import { field, fmtDate, form, h, label } from '../ui.js';
import { DISPOSITIONS, MEASURES, REPORT, SMALL, SMALL_NOTE, fmtMeasure, rangeText } from './reports.js';

function policyTable(pol) {
  if (!pol.items.length) return h('p', { 'data-testid': 'no-policy' }, 'No policy recorded.');
  return dataTable({
    testid: 'policy-history', rowTestid: 'row',
    caption: 'Every version, newest first',
    columns: [
      { key: 'version_no', label: 'Version', render: (p) => String(p.version_no) },
      { key: 'effective_from', label: 'Effective from', render: (p) => fmtDate(p.effective_from) },
      { key: 'in_force', label: 'Status', render: (p) => (p.in_force
        ? h('span', { class: 'badge badge-in-force' }, 'In force') : 'Not in force') },
      { key: 'detainers', label: 'Detainers', render: (p) => label(p.detainers) },
      { key: 'release_notification', label: 'Release notification', render: (p) => (p.release_notification ? 'Yes' : 'No') },
      { key: 'subpoenas', label: 'Subpoenas', render: (p) => label(p.subpoenas) },
      { key: 'citation', label: 'Citation', render: (p) => p.citation || '—' },
      { key: 'summary', label: 'Summary', render: (p) => p.summary || '—' },
    ],
    rows: [...pol.items].reverse(),
  });
}

// The measures of one jurisdiction's row, grouped, one table per group.
function statsTables(row) {
  return Object.entries(MEASURES).map(([group, list]) => h('div', { class: 'stats-group' },
    dataTable({
      caption: group,
      columns: [
        { key: 'label', label: 'Measure', render: (m) => m[1] },
        { key: 'value', label: 'Value', numeric: true,
          render: (m) => h('span', { 'data-testid': 'stat', 'data-key': m[0] }, fmtMeasure(m[2], getPath(row, m[0]))) },
      ],
      rows: list,
    })));
}

// The last `n` months (or quarters) ending with the one holding `today`
// ("YYYY-MM-DD"): [{label, from, to}], oldest first.
export function periods(today, unit, n) {
  const [y, m0] = today.split('-').map(Number);
  const step = unit === 'quarter' ? 3 : 1;
  const m = unit === 'quarter' ? (m0 - 1) - ((m0 - 1) % 3) : m0 - 1;
  const iso = (d) => d.toISOString().slice(0, 10);
  const out = [];
  for (let i = n - 1; i >= 0; i--) {
    const start = new Date(Date.UTC(y, m - i * step, 1));
    const end = new Date(Date.UTC(y, m - i * step + step, 0));
    const lab = unit === 'quarter'
      ? `Q${start.getUTCMonth() / 3 + 1} ${start.getUTCFullYear()}`
      : start.toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
    out.push({ label: lab, from: iso(start), to: iso(end) });
  }
  return out;
}

async function trendCharts(id, today, unit) {
  const ps = periods(today, unit, unit === 'quarter' ? 8 : 12);
  const reps = await Promise.all(ps.map((p) => get(REPORT + query({ from: p.from, to: p.to }))));
  const rows = reps.map((r) => r.jurisdictions.find((j) => j.org_id === id) || null);
  const labels = ps.map((p) => p.label);
  // A period with nothing answered draws nothing, so only the periods
  // with 1 to 4 answers are flagged.
  const flags = rows.map((r) => (r && r.small_sample && r.subpoenas.resolved ? SMALL : null));
  const flagged = labels.filter((_, i) => flags[i]);
  const small = 'Small sample (fewer than 5 subpoenas answered)';
  const flagNote = flagged.length ? `${small}, marked * and with hollow points: ${flagged.join(', ')}.` : null;
  const barNote = flagged.length ? `${small}, said under the period: ${flagged.join(', ')}.` : null;
  const sub = (k) => rows.map((r) => (r ? r.subpoenas[k] : null));
  // A days axis in whole days: its max a multiple of 4 (ticks at quarters).
  const days = sub('median_days_to_response');
  const daysMax = Math.max(4, Math.ceil(Math.max(0, ...days.filter((v) => v !== null)) / 4) * 4);
  return h('div', { class: 'chart-grid', 'data-testid': 'trend-charts' },
    lineChart({
      testid: 'chart-response-times', title: 'Median time to answer a subpoena',
      desc: `Days from service to answer, the median of the subpoenas answered in each ${unit}. No point: nothing answered.`,
      periods: labels, flags, flagNote, max: daysMax, format: fmtDays,
      series: [{ key: 'median', label: 'Median days', values: days }],
    }),
    lineChart({
      testid: 'chart-compliance-rates', title: 'Compliance over time',
      desc: `In each ${unit}: the share of answered subpoenas that came on time (by the return date in force), and the share of requested items produced.`,
      periods: labels, flags, flagNote, max: 1, format: fmtRate,
      series: [
        { key: 'on_time', label: 'On time (return date in force)', values: sub('on_time_extended_rate') },
        { key: 'produced', label: 'Items produced', values: sub('item_production_rate'), color: 2 },
      ],
    }),
    barChart({
      testid: 'chart-dispositions', title: 'Subpoenas answered, by disposition', rowLabel: unit === 'quarter' ? 'Quarter' : 'Month',
      desc: `How the subpoenas answered in each ${unit} were answered.`,
      series: DISPOSITIONS, flagNote: barNote,
      rows: rows.map((r, i) => ({ label: labels[i], flag: flags[i],
        values: Object.fromEntries(DISPOSITIONS.map((d) => [d.key, r ? r.subpoenas[d.key] : null])) })),
    }),
    barChart({
      testid: 'chart-detainers', title: 'Detainers decided', rowLabel: unit === 'quarter' ? 'Quarter' : 'Month',
      desc: `Detainers honored and declined in each ${unit}.`,
      series: [{ key: 'honored', label: 'Honored' }, { key: 'declined', label: 'Declined', color: 4 }],
      rows: rows.map((r, i) => ({ label: labels[i],
        values: { honored: r ? r.detainers.honored.total : null, declined: r ? r.detainers.declined.total : null } })),
    }));
}

function statistics(ctx, id) {
  const area = h('div', { 'aria-live': 'polite', 'data-testid': 'stats-area' });
  const trends = h('div', { 'aria-live': 'polite' });
  let today = null;
  const show = async (values) => {
    const params = { from: values.from, to: values.to };
    const rep = await get(REPORT + query(params));
    history.replaceState(null, '', location.pathname + query(params));
    today = rep.generated_at.slice(0, 10);
    const row = rep.jurisdictions.find((j) => j.org_id === id);
    area.replaceChildren(row ? h('div', null,
      h('p', { 'data-testid': 'stats-range' }, h('strong', null, rangeText(rep))),
      row.small_sample ? h('p', { class: 'notice', 'data-testid': 'small-sample' }, SMALL_NOTE) : null,
      h('div', { class: 'stats-groups' }, statsTables(row)))
      : h('p', null, 'You may see the statistics of your own jurisdiction only.'));
    return row;
  };
  const unitField = field({ name: 'unit', label: 'Charts over', type: 'select', required: true, value: 'month',
    options: [['month', 'The last 12 months'], ['quarter', 'The last 8 quarters']] });
  const unitSelect = unitField.querySelector('select');
  const drawTrends = async () => {
    if (!today) return; // the first report has not answered yet
    trends.replaceChildren(h('p', { class: 'loading' }, 'Loading charts…'));
    try {
      trends.replaceChildren(await trendCharts(id, today, unitSelect.value));
    } catch (err) {
      trends.replaceChildren(h('p', { role: 'alert', class: 'form-error' }, err.message));
    }
  };
  unitSelect.addEventListener('change', drawTrends);
  const f = form({
    testid: 'stats-range-form', submit: 'Show',
    fields: [
      { name: 'from', label: 'From', type: 'date', value: ctx.query.get('from') || '', hint: 'Included. Empty: from the start.' },
      { name: 'to', label: 'To', type: 'date', value: ctx.query.get('to') || '', hint: 'Included. Empty: up to today.' },
    ],
    onSubmit: show,
  });
  f.classList.add('filters');
  // The numbers come with the page; the charts (up to 12 calls) after it.
  const ready = show({ from: ctx.query.get('from'), to: ctx.query.get('to') })
    .then((row) => { if (row) drawTrends(); })
    .catch((err) => area.replaceChildren(h('p', { role: 'alert', class: 'form-error' }, err.message)));
  const node = h('div', null,
    h('section', { class: 'panel', 'aria-labelledby': 'st-h' },
      h('h2', { id: 'st-h' }, 'Statistics'),
      h('p', { class: 'hint' }, 'Definitions as in the jurisdiction report. ',
        '“Open now” and “Overdue now” are as of today, whatever the range.'),
      f, area),
    h('section', { class: 'panel', 'aria-labelledby': 'tr-h' },
      h('h2', { id: 'tr-h' }, 'Over time'), unitField, trends));
  return { node, ready };
}

export async function jurisdictionPage(ctx) {
  const id = ctx.params.id;
  const enc = encodeURIComponent(id);
  // The report is asked for at the same time as the organization.
  const isAdmin = ctx.me.roles.length === 1 && ctx.me.roles[0] === 'admin';
  const stats = isAdmin ? null : statistics(ctx, id);
  const [org, pol, fac] = await Promise.all([
    get(`/api/v1/orgs/${enc}`), get(`/api/v1/orgs/${enc}/policies`),
    get('/api/v1/facilities' + query({ org_id: id, limit: 500 })),
    stats?.ready,
  ]);
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: '/jurisdictions' }, 'Jurisdictions'));
  if (org.kind !== 'jurisdiction') {
    return h('div', null, crumbs, h('h1', null, org.name),
      h('p', { class: 'panel' }, `This organization is not a jurisdiction (it is ${label(org.kind).toLowerCase()}).`));
  }
  return h('div', null, crumbs,
    h('h1', null, `${org.name}, ${org.state}`),
    h('section', { class: 'panel', 'aria-labelledby': 'pol-h' },
      h('h2', { id: 'pol-h' }, 'Policy'),
      h('dl', { class: 'facts' }, h('dt', null, 'Time zone'), h('dd', null, org.timezone)),
      policyTable(pol)),
    h('section', { class: 'panel', 'aria-labelledby': 'fac-h' },
      h('h2', { id: 'fac-h' }, 'Facilities'),
      fac.items.length ? h('ul', { 'data-testid': 'facilities' }, fac.items.map((f) =>
        h('li', null, f.name, f.timezone && f.timezone !== org.timezone ? ` (${f.timezone})` : ''))) : h('p', null, 'No facilities recorded.')),
    stats ? stats.node : h('section', { class: 'panel' }, h('h2', null, 'Statistics'),
      h('p', null, 'Administrators see no case data, so no statistics.')));
}
