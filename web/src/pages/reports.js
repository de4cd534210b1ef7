// reports.js (page): the jurisdiction report (GET /api/v1/reports/
// jurisdictions, docs/reports.md) over a date range: a sortable table of
// every jurisdiction the caller may see, charts of how they answered
// subpoenas, small samples flagged in words, and the same report as CSV
// (the API's own CSV: fetched with Accept: text/csv, since a link cannot
// send that header, and saved from a Blob). "Publishable export" switches
// to ?public=true: no ids, every count below 5 withheld. The range is kept
// in the address (?from=&to=&public=true), so a report can be linked.
//
// Also exported for jurisdiction.js: the measures, their labels, and how
// each is shown.
import { ApiError, get, query } from '../api.js';
import { barChart, dataTable, fmtCount, fmtDays, fmtRate, getPath } from '../charts.js';
import { fmtDate, fmtInstant, form, h, notify } from '../ui.js';

export const REPORT = '/api/v1/reports/jurisdictions';

// [path in a jurisdiction's row, label, kind ('count' | 'rate' | 'days')].
export const MEASURES = {
  Detainers: [
    ['detainers.lodged', 'Lodged', 'count'],
    ['detainers.honored.total', 'Honored', 'count'],
    ['detainers.honored.reported', 'Honored, reported by the jail', 'count'],
    ['detainers.honored.observed', 'Honored, observed by the agency', 'count'],
    ['detainers.honored.inferred', 'Honored, inferred', 'count'],
    ['detainers.declined.total', 'Declined', 'count'],
    ['detainers.declined.reported', 'Declined, reported by the jail', 'count'],
    ['detainers.declined.observed', 'Declined, observed by the agency', 'count'],
    ['detainers.declined.inferred', 'Declined, inferred', 'count'],
  ],
  Subpoenas: [
    ['subpoenas.served', 'Served', 'count'],
    ['subpoenas.resolved', 'Answered (resolved)', 'count'],
    ['subpoenas.complied', 'Complied', 'count'],
    ['subpoenas.partially_complied', 'Partially complied', 'count'],
    ['subpoenas.no_records', 'No records', 'count'],
    ['subpoenas.objected', 'Objected', 'count'],
    ['subpoenas.refused', 'Refused', 'count'],
    ['subpoenas.items_requested', 'Items requested (answered subpoenas)', 'count'],
    ['subpoenas.items_produced', 'Items produced', 'count'],
    ['subpoenas.item_production_rate', 'Production rate (items produced of requested)', 'rate'],
    ['subpoenas.median_days_to_response', 'Median time to answer', 'days'],
    ['subpoenas.on_time_original', 'On time by the original return date', 'count'],
    ['subpoenas.on_time_original_rate', 'On time by the original return date, rate', 'rate'],
    ['subpoenas.on_time_extended', 'On time by the return date in force', 'count'],
    ['subpoenas.on_time_extended_rate', 'On time by the return date in force, rate', 'rate'],
    ['subpoenas.open', 'Open now (served, not answered)', 'count'],
    ['subpoenas.overdue', 'Overdue now', 'count'],
    ['subpoenas.referred', 'Referred for enforcement', 'count'],
  ],
  'Court enforcement': [
    ['enforcements.orders_enforced', 'Orders enforcing the subpoena', 'count'],
    ['enforcements.orders_enforced_in_part', 'Orders enforcing it in part', 'count'],
    ['enforcements.orders_denied', 'Orders denying enforcement', 'count'],
    ['enforcements.contempt_civil', 'Held in civil contempt', 'count'],
    ['enforcements.contempt_criminal', 'Held in criminal contempt', 'count'],
  ],
};

export const DISPOSITIONS = [
  { key: 'complied', label: 'Complied' },
  { key: 'partially_complied', label: 'Partially complied' },
  { key: 'no_records', label: 'No records' },
  { key: 'objected', label: 'Objected' },
  { key: 'refused', label: 'Refused' },
];

// How a value of `kind` reads; `withheld` is the word for null.
export function fmtMeasure(kind, v, withheld = '—') {
  if (kind === 'rate') return fmtRate(v, withheld);
  if (kind === 'days') return fmtDays(v, withheld);
  return fmtCount(v, withheld);
}

export const SMALL = 'small sample';
export const SMALL_NOTE = 'Small sample: fewer than 5 subpoenas were answered, so the median and the rates rest on very few cases.';

// "from 2020-01-01 to 2020-03-31" / "all time".
export function rangeText(r) {
  if (!r.from && !r.to) return 'All time';
  return `${fmtDate(r.from)} to ${fmtDate(r.to)}`;
}

// Fetch the report as CSV and save it as `filename` (a Blob URL: the
// CSP allows navigating to it; nothing is inlined).
async function downloadCsv(params, filename) {
  const res = await fetch(REPORT + query(params), { headers: { Accept: 'text/csv' }, credentials: 'same-origin' });
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch { problem = null; }
    if (res.status === 401) await get('/api/v1/me').catch(() => {}); // shows the login page
    throw new ApiError(res.status, problem);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// The table of every jurisdiction in `rep`.
function reportTable(rep) {
  const pub = rep.public;
  const w = pub ? 'withheld' : '—';
  const num = (path, lab, kind = 'count') => ({
    key: path, label: lab, numeric: true, value: (r) => getPath(r, path),
    render: (r) => fmtMeasure(kind, getPath(r, path), w),
  });
  return dataTable({
    testid: 'report-table', rowTestid: 'report-row', sortable: true,
    rowHref: pub ? null : (r) => `/jurisdictions/${encodeURIComponent(r.org_id)}`,
    caption: `Jurisdictions, ${rangeText(rep).toLowerCase()}${pub ? ' (publishable export)' : ''}`,
    columns: [
      { key: 'name', label: 'Jurisdiction', render: (r) => r.name },
      { key: 'state', label: 'State', render: (r) => r.state },
      num('detainers.lodged', 'Detainers lodged'),
      num('detainers.honored.total', 'Honored'),
      num('detainers.declined.total', 'Declined'),
      num('subpoenas.served', 'Subpoenas served'),
      num('subpoenas.resolved', 'Answered'),
      ...DISPOSITIONS.map((d) => num(`subpoenas.${d.key}`, d.label)),
      num('subpoenas.item_production_rate', 'Production rate', 'rate'),
      num('subpoenas.median_days_to_response', 'Median days to answer', 'days'),
      num('subpoenas.on_time_original_rate', 'On time, original date', 'rate'),
      num('subpoenas.on_time_extended_rate', 'On time, date in force', 'rate'),
      num('subpoenas.open', 'Open now'),
      num('subpoenas.overdue', 'Overdue now'),
      num('subpoenas.referred', 'Referred'),
      { key: 'small_sample', label: 'Sample', value: (r) => (r.small_sample ? 1 : 0),
        render: (r) => (r.small_sample ? h('span', { class: 'badge badge-small' }, SMALL) : 'enough') },
      ...(pub ? [{ key: 'suppressed', label: 'Withheld', value: (r) => (r.suppressed ? 1 : 0),
        render: (r) => (r.suppressed ? 'some counts withheld' : 'nothing withheld') }] : []),
    ],
    rows: rep.jurisdictions,
  });
}

function flagsOf(r) {
  return [r.small_sample ? SMALL : null, r.suppressed ? 'counts withheld' : null].filter(Boolean).join(', ') || null;
}

function reportCharts(rep) {
  const rows = rep.jurisdictions;
  const name = (r) => `${r.name}, ${r.state}`;
  return h('div', { class: 'chart-grid' },
    barChart({
      testid: 'chart-compliance', rowLabel: 'Jurisdiction',
      title: 'Subpoenas answered, by disposition',
      desc: `For each jurisdiction, the subpoenas it answered in the range, split into complied, partially complied, no records, objected and refused.${rows.some((r) => r.small_sample) ? ' Jurisdictions with fewer than 5 answered are marked small sample.' : ''}`,
      series: DISPOSITIONS,
      rows: rows.map((r) => ({ label: name(r), flag: flagsOf(r),
        values: Object.fromEntries(DISPOSITIONS.map((d) => [d.key, r.subpoenas[d.key]])) })),
    }),
    barChart({
      testid: 'chart-production', rowLabel: 'Jurisdiction',
      title: 'Production rate: items produced of items requested',
      desc: 'For each jurisdiction, the share of the items of its answered subpoenas that it produced. No bar: nothing was answered, or the rate is withheld.',
      series: [{ key: 'rate', label: 'Production rate' }], max: 1, format: (v) => fmtRate(v),
      rows: rows.map((r) => ({ label: name(r), flag: flagsOf(r),
        values: { rate: r.subpoenas.item_production_rate } })),
    }));
}

function results(rep, params) {
  const small = rep.jurisdictions.filter((r) => r.small_sample);
  const dl = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-csv' },
    rep.public ? 'Download the publishable CSV' : 'Download CSV');
  dl.addEventListener('click', async () => {
    dl.disabled = true;
    try {
      await downloadCsv(params, `jurisdictions-${rep.from || 'start'}-${rep.to || 'today'}${rep.public ? '-public' : ''}.csv`);
    } catch (err) {
      notify(err.message, 'error');
    } finally {
      dl.disabled = false;
    }
  });
  return h('div', { 'data-testid': 'report' },
    h('p', { 'data-testid': 'report-range' }, h('strong', null, rangeText(rep)),
      ` · generated ${fmtInstant(rep.generated_at)}`),
    small.length ? h('p', { class: 'notice', 'data-testid': 'small-sample' },
      `Small sample for ${small.length} of ${rep.jurisdictions.length}: `,
      small.map((r) => r.name).join(', '),
      '. Fewer than 5 subpoenas were answered there, so their median and rates rest on very few cases.') : null,
    h('div', { class: 'form-actions' }, dl),
    reportTable(rep),
    !rep.jurisdictions.length ? h('p', null, 'No jurisdictions.')
      : rep.public ? h('p', null, 'No charts for the publishable export: with counts below 5 withheld they would mislead.')
        : reportCharts(rep));
}

export async function reportsPage(ctx) {
  if (ctx.me.roles.length === 1 && ctx.me.roles[0] === 'admin') {
    return h('div', null, h('h1', null, 'Reports'), h('section', { class: 'panel' },
      h('p', null, 'Administrators see no case data, so no reports.')));
  }
  const area = h('div', { 'aria-live': 'polite' });
  const initial = { from: ctx.query.get('from') || '', to: ctx.query.get('to') || '',
    public: ctx.query.get('public') === 'true' };
  const show = async (values) => {
    const params = { from: values.from, to: values.to, public: values.public ? 'true' : null };
    const rep = await get(REPORT + query(params));
    history.replaceState(null, '', '/reports' + query(params));
    area.replaceChildren(results(rep, params));
  };
  const f = form({
    testid: 'report-range', submit: 'Show',
    fields: [
      { name: 'from', label: 'From', type: 'date', value: initial.from, hint: 'Included. Empty: from the start.' },
      { name: 'to', label: 'To', type: 'date', value: initial.to, hint: 'Included. Empty: up to today.' },
      { name: 'public', label: 'Publishable export: no ids, every count below 5 withheld', type: 'checkbox', value: initial.public },
    ],
    onSubmit: show,
  });
  f.classList.add('filters');
  try {
    await show(initial);
  } catch (err) {
    area.replaceChildren(h('p', { role: 'alert', class: 'form-error' }, err.message));
  }
  return h('div', null,
    h('h1', null, 'Reports'),
    h('section', { class: 'panel', 'aria-labelledby': 'rep-h' },
      h('h2', { id: 'rep-h' }, 'How jurisdictions answered'),
      h('p', { class: 'hint' }, 'Each fact counts on its local day in the jurisdiction’s time zone. ',
        '“Open now” and “Overdue now” are as of today, whatever the range. The report holds counts only, ',
        'so reading it is not recorded as a read of personal data.'),
      f, area));
}
