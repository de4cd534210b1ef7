// admin_calendars.js (admin): the holiday calendars (federal and each
// jurisdiction's) and one calendar's page: its closures (add one), its
// own holiday rules (a state calendar: add one), and the holidays
// observed in a chosen year. Each addition makes a new calendar version;
// deadlines already computed keep the version they used.
import { get, post } from '../api.js';
import { fmtDate, fmtInstant, form, h, label, notify } from '../ui.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const NTH = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

// "The fourth Thursday of November", in words.
function rule(hd) {
  const month = MONTHS[(hd.month || 1) - 1];
  switch (hd.kind) {
    case 'fixed': return `${month} ${hd.day} (observed on the nearest weekday)`;
    case 'nth_weekday': return `The ${NTH[hd.nth]} ${label(hd.weekday)} of ${month}`;
    case 'last_weekday': return `The last ${label(hd.weekday)} of ${month}`;
    case 'dated': return `${fmtDate(hd.date)} only`;
    default: return label(hd.kind);
  }
}

function table(testid, cols, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': testid },
    h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows.map((cells) => h('tr', { 'data-testid': 'row' },
      cells.map((c, i) => h(i ? 'td' : 'th', i ? null : { scope: 'row' }, c)))))));
}

export async function adminCalendarsPage() {
  const cals = (await get('/api/v1/calendars')).items;
  return h('div', null,
    h('h1', null, 'Calendars'),
    h('section', { class: 'panel', 'aria-labelledby': 'cals-h' },
      h('h2', { id: 'cals-h' }, 'Holiday calendars'),
      h('p', { class: 'hint' }, 'Deadlines skip the federal legal public holidays, and for a jurisdiction its own holidays and closures.'),
      table('calendar-list', ['Name', 'Kind', 'Version'], cals.map((c) => [
        h('a', { href: `/admin/calendars/${encodeURIComponent(c.id)}` }, c.kind === 'federal' ? 'Federal' : c.name),
        label(c.kind), String(c.deadline_version)]))));
}

export async function adminCalendarPage(ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const here = `/admin/calendars/${id}`;
  const yearParam = ctx.query.get('year');
  const year = /^\d{4}$/.test(yearParam || '') ? yearParam : String(new Date().getFullYear());
  const cal = await get(`/api/v1/calendars/${id}?year=${year}`);
  const title = cal.kind === 'federal' ? 'Federal calendar' : `${cal.name} calendar`;
  const reload = (message) => { ctx.navigate(`${here}?year=${year}`, { replace: true }); notify(message); };

  const closures = h('section', { class: 'panel', 'aria-labelledby': 'clos-h' },
    h('h2', { id: 'clos-h' }, 'Closures'),
    cal.closures.length ? table('closures', ['Date', 'Name', 'Source', 'Added'],
      cal.closures.map((c) => [fmtDate(c.date), c.name, c.source || '—', fmtInstant(c.created_at)]))
      : h('p', null, 'No closures.'),
    h('h3', null, 'Add a closure'),
    form({
      testid: 'closure-create', submit: 'Add closure',
      fields: [
        { name: 'date', label: 'Date', type: 'date', required: true },
        { name: 'name', label: 'Name', required: true, hint: 'E.g. "Courthouse closed: snow".' },
        { name: 'source', label: 'Source', required: true, hint: 'The order or notice that closed it.' },
      ],
      onSubmit: async (values) => {
        const c = await post(`/api/v1/calendars/${id}/closures`, values);
        reload(`Closure on ${fmtDate(c.date)} added.`);
      },
    }));

  const rules = cal.kind === 'federal' ? null : h('section', { class: 'panel', 'aria-labelledby': 'hol-h' },
    h('h2', { id: 'hol-h' }, 'Holidays of this jurisdiction'),
    cal.state_holidays.length ? table('state-holidays', ['Name', 'Rule', 'Source'],
      cal.state_holidays.map((hd) => [hd.name, rule(hd), hd.source || '—']))
      : h('p', null, 'None besides the federal holidays.'),
    h('h3', null, 'Add a holiday'),
    h('p', { class: 'hint' }, 'Fill in only what the kind uses: fixed: month and day; nth weekday: month, weekday and which; last weekday: month and weekday; one date: the date.'),
    form({
      testid: 'holiday-create', submit: 'Add holiday',
      fields: [
        { name: 'kind', label: 'Kind', type: 'select', options: [['fixed', 'Fixed date'],
          ['nth_weekday', 'Nth weekday of a month'], ['last_weekday', 'Last weekday of a month'], ['dated', 'One date']] },
        { name: 'name', label: 'Holiday name', required: true },
        { name: 'source', label: 'Holiday source', hint: 'The statute or order.' },
        { name: 'month', label: 'Month', type: 'select', options: MONTHS.map((m, i) => [String(i + 1), m]) },
        { name: 'day', label: 'Day of the month', type: 'number' },
        { name: 'weekday', label: 'Weekday', type: 'select', options: WEEKDAYS.map((d) => [d]) },
        { name: 'nth', label: 'Which one', type: 'select', options: [1, 2, 3, 4, 5].map((n) => [String(n), label(NTH[n])]) },
        { name: 'date', label: 'Date of a one-day holiday', type: 'date' },
      ],
      onSubmit: async (values) => {
        for (const k of ['month', 'nth']) if (values[k] !== undefined) values[k] = Number(values[k]);
        const hd = await post(`/api/v1/calendars/${id}/holidays`, values);
        reload(`${hd.name} added.`);
      },
    }));

  const observed = h('section', { class: 'panel', 'aria-labelledby': 'obs-h' },
    h('h2', { id: 'obs-h' }, `Holidays observed in ${year}`),
    form({
      testid: 'year', submit: 'Show year',
      fields: [{ name: 'year', label: 'Year', type: 'number', value: year, required: true }],
      onSubmit: async (values) => { ctx.navigate(`${here}?year=${values.year ?? ''}`); },
    }),
    (cal.holidays || []).length ? table('holidays', ['Date', 'Holiday'],
      cal.holidays.map((d) => [fmtDate(d.date), d.name])) : h('p', null, 'None.'));

  return h('div', null,
    h('p', { class: 'crumbs' }, h('a', { href: '/admin/calendars' }, 'Calendars')),
    h('h1', null, title),
    h('p', null, `Version ${cal.deadline_version}. `, cal.kind === 'federal'
      ? 'The federal legal public holidays (5 U.S.C. 6103) are built in; add a closure for a day the government is closed.'
      : 'Deadlines at this jurisdiction skip the federal holidays and the days below.'),
    closures, rules, observed);
}
