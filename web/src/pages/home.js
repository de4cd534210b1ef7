// home.js: what the logged-in person should do next, from GET
// /api/v1/queue (overdue first, then by due date). Each deadline's
// explanation opens on demand.
import { get } from '../api.js';
import { fmtDate, h, label } from '../ui.js';

const KIND_PATH = { subpoena: '/subpoenas', detainer: '/detainers', enforcement: '/enforcements' };

// "deadline:return" -> "Return deadline"; "file_petition" -> "File petition".
export function taskLabel(task) {
  return task.startsWith('deadline:') ? `${label(task.slice(9))} deadline` : label(task);
}

function queueItem(it) {
  return h('li', { class: `queue-item${it.overdue ? ' overdue' : ''}`, 'data-testid': 'queue-item' },
    h('div', { class: 'queue-head' },
      h('a', { href: `${KIND_PATH[it.kind]}/${encodeURIComponent(it.id)}` }, it.number),
      h('span', { class: 'task' }, taskLabel(it.task)),
      h('span', { class: 'state' }, label(it.state)),
      it.due ? h('span', { class: 'due' }, 'Due ', fmtDate(it.due)) : null,
      it.overdue ? h('strong', { class: 'badge badge-overdue' }, 'Overdue') : null),
    it.explain?.length ? h('details', null,
      h('summary', null, 'Why this date'),
      h('ul', { class: 'explain' }, it.explain.map((line) => h('li', null, line)))) : null);
}

export async function homePage(ctx) {
  const q = await get('/api/v1/queue');
  return h('div', null,
    h('h1', null, `Welcome, ${ctx.me.name || ctx.me.email}`),
    h('section', { class: 'panel', 'aria-labelledby': 'queue-h' },
      h('h2', { id: 'queue-h' }, 'What to do next'),
      q.items.length
        ? h('ol', { class: 'queue', 'data-testid': 'queue' }, q.items.map(queueItem))
        : h('p', { 'data-testid': 'queue-empty' }, 'Nothing is waiting for you.')));
}
