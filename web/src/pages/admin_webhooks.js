// admin_webhooks.js (admin): webhooks that receive signed reminder
// deliveries (register: the secret is shown once; list; delete), and the
// job queue with its dead letters: deliveries that failed every attempt,
// each with its last error and a Retry button (docs/reminders.md).
import { del, get, post, query } from '../api.js';
import { fmtInstant, form, h, label, notify, pagedTable } from '../ui.js';
import { allItems, checkGroup, checkedValues, orgOptions } from './admin_users.js';

const EVENTS = [['reminder.due', 'Reminder before a deadline (reminder.due)'],
  ['reminder.overdue', 'Deadline passed (reminder.overdue)']];

function button(text, attrs, run) {
  const b = h('button', { type: 'button', class: 'secondary', ...attrs }, text);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await run(); } catch (err) { notify(err.message, 'error'); b.disabled = false; }
  });
  return b;
}

export async function adminWebhooksPage(ctx) {
  const [orgs, hooks] = await Promise.all([allItems('/api/v1/orgs'), allItems('/api/v1/webhooks')]);
  const orgName = Object.fromEntries(orgs.map((o) => [o.id, o.name]));
  const reload = (message) => { ctx.navigate('/admin/webhooks', { replace: true }); notify(message); };
  const secretArea = h('div', { 'aria-live': 'polite' });

  const cols = ['URL', 'Organization', 'Events', 'Registered', ''];
  const hookTable = hooks.length ? h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'webhooks' },
    h('thead', null, h('tr', null, cols.map((c, i) => h('th', { scope: 'col' },
      i === cols.length - 1 ? h('span', { class: 'visually-hidden' }, 'Actions') : c)))),
    h('tbody', null, hooks.map((w) => h('tr', { 'data-testid': 'row' },
      h('th', { scope: 'row', class: 'wrap' }, w.url), h('td', null, orgName[w.org_id] || w.org_id),
      h('td', null, w.events.join(', ')), h('td', null, fmtInstant(w.created_at)),
      h('td', null, button('Delete', { 'aria-label': `Delete the webhook ${w.url}` }, async () => {
        await del(`/api/v1/webhooks/${encodeURIComponent(w.id)}`);
        reload('Webhook deleted.');
      })))))))
    : h('p', { 'data-testid': 'webhooks-empty' }, 'No webhook registered.');

  const create = form({
    testid: 'webhook-create', submit: 'Register webhook',
    fields: [
      { name: 'url', label: 'URL', type: 'url', required: true, hint: 'Absolute http:// or https://; redirects are not followed.' },
      { name: 'org_id', label: 'Organization whose cases it hears about', type: 'select', options: orgOptions(orgs) },
      checkGroup({ name: 'events', legend: 'Events', options: EVENTS, checked: EVENTS.map(([v]) => v) }),
    ],
    onSubmit: async (values, formEl) => {
      values.events = checkedValues(formEl, 'events');
      const w = await post('/api/v1/webhooks', values);
      formEl.reset();
      secretArea.replaceChildren(h('div', { class: 'notice', 'data-testid': 'webhook-secret' },
        h('p', null, `Registered ${w.url}. Its signing secret, shown this once (keep it with the receiver):`),
        h('p', null, h('code', { class: 'secret' }, w.secret)),
        h('p', null, h('a', { href: '/admin/webhooks' }, 'Show the updated list'))));
      notify('Webhook registered; copy its secret now.');
    },
  });

  const jobs = pagedTable({
    testid: 'job-list',
    filters: [{ name: 'state', label: 'Job state', type: 'select',
      options: [['dead', 'Dead (failed every attempt)'], ['pending', 'Pending or running'], ['done', 'Done']] }],
    empty: 'No jobs match.',
    fetch: (params, cursor) => get(`/api/v1/jobs${query({ ...params, cursor })}`),
    columns: [
      { key: 'kind', label: 'Job', sort: true },
      { key: 'state', label: 'State', sort: true, render: (j) => label(j.state) },
      { key: 'attempts', label: 'Attempts' },
      { key: 'last_error', label: 'Last error', render: (j) => h('span', { class: 'wrap' }, j.last_error || '—') },
      { key: 'case', label: 'Case', render: (j) => (j.data?.case_kind
        ? h('span', null, `${label(j.data.case_kind)} ${j.data.deadline_kind ? label(j.data.deadline_kind) + ' deadline' : ''}`) : '—') },
      { key: 'run_at', label: 'Run at', sort: true, render: (j) => fmtInstant(j.run_at) },
      { key: 'retry', label: 'Retry', render: (j) => (j.state === 'dead'
        ? button('Retry', { 'aria-label': `Retry job ${j.id}`, 'data-testid': 'job-retry' }, async () => {
          await post(`/api/v1/jobs/${encodeURIComponent(j.id)}/retry`, {});
          reload('The job is pending again.');
        }) : '—') },
    ],
  });

  return h('div', null,
    h('h1', null, 'Webhooks and jobs'),
    h('section', { class: 'panel', 'aria-labelledby': 'wh-h' },
      h('h2', { id: 'wh-h' }, 'Webhooks'),
      hookTable),
    h('section', { class: 'panel', 'aria-labelledby': 'wh-new-h' },
      h('h2', { id: 'wh-new-h' }, 'Register a webhook'),
      secretArea, create),
    h('section', { class: 'panel', 'aria-labelledby': 'jobs-h' },
      h('h2', { id: 'jobs-h' }, 'Jobs'),
      h('p', { class: 'hint' }, 'Reminder deliveries run as jobs; a job that failed every attempt is dead until retried. Choose Dead to see only those.'),
      jobs));
}
