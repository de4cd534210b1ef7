// draft.js (page): a new subpoena (/subpoenas/new) or a draft's edit
// (/subpoenas/:id/edit): the recipient jurisdiction, the person (found or
// created) or one of their detainers, the purpose, the items from the
// vocabulary (rows added and removed with buttons; an edit replaces them
// whole when they changed), and a live preview
// of the return date serving today would give: GET /api/v1/deadline with
// FRCP 6(a)(1) days on the recipient's calendar, the rule `serve` uses.
// A new draft is POSTed; an edit is a PATCH with If-Match (drafts only).
import { get, patch, post, query } from '../api.js';
import { CATEGORIES } from '../cases.js';
import { personPicker, orgField } from '../picker.js';
import { field, fmtDate, form, h, nextId, notify } from '../ui.js';

// Today's date in time zone `tz` (YYYY-MM-DD).
export function todayIn(tz) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date());
}

// The list of item rows: each a category select and a description, named
// items[i].category / items[i].description so API errors land on them.
function itemRows(initial) {
  const list = h('ol', { class: 'item-rows', 'data-testid': 'item-rows' });
  const status = h('p', { class: 'hint', role: 'status' });
  function renumber() {
    [...list.children].forEach((li, i) => {
      li.querySelector('legend').textContent = `Item ${i + 1}`;
      for (const el of li.querySelectorAll('[name]')) {
        const name = el.name.replace(/^items\[\d+\]/, `items[${i}]`);
        el.name = name;
        el.setAttribute('data-testid', `field-${name}`);
        const slot = li.querySelector(`#${el.id}-error`);
        if (slot) slot.setAttribute('data-testid', `error-${name}`);
      }
      li.querySelector('button.remove').setAttribute('aria-label', `Remove item ${i + 1}`);
      li.querySelector('button.remove').disabled = list.children.length === 1;
    });
  }
  function add(it = {}, focus = false) {
    const i = list.children.length;
    const cat = field({ name: `items[${i}].category`, label: 'Category', type: 'select', required: true,
      options: CATEGORIES, value: it.category || 'home_address' });
    const desc = field({ name: `items[${i}].description`, label: 'Description (optional)', value: it.description || '' });
    const li = h('li', { class: 'item-row', 'data-testid': 'item-row' },
      h('fieldset', null, h('legend', null, `Item ${i + 1}`), cat, desc,
        h('button', { type: 'button', class: 'link remove', onclick: () => {
          const at = [...list.children].indexOf(li);
          li.remove();
          renumber();
          status.textContent = `Item ${at + 1} removed; ${list.children.length} left.`;
          const next = list.children[Math.min(at, list.children.length - 1)];
          next?.querySelector('select')?.focus();
        } }, 'Remove')));
    list.append(li);
    renumber();
    if (focus) li.querySelector('select').focus();
  }
  (initial?.length ? initial : [{}]).forEach((it) => add(it));
  const addBtn = h('button', { type: 'button', class: 'secondary', 'data-testid': 'add-item', onclick: () => {
    if (list.children.length >= 50) { status.textContent = 'A subpoena asks for at most 50 items.'; return; }
    add({}, true);
    status.textContent = `Item ${list.children.length} added.`;
  } }, 'Add an item');
  return h('fieldset', { class: 'items' }, h('legend', null, 'Records asked for'), list, addBtn, status);
}

// True when the rows in `body.items` ask for the same records, in the same
// order, as the draft's `items` (then a PATCH leaves the items alone).
function sameItems(rows, items) {
  return rows.length === items.length && rows.every((r, i) =>
    r.category === items[i].category && (r.description || '') === (items[i].description || ''));
}

// "If served today with N days ..." from GET /api/v1/deadline.
function returnPreview(getRecipient) {
  const id = nextId('days');
  const days = h('input', { id, type: 'number', min: 1, max: 365, value: 14, class: 'days', 'data-testid': 'preview-days' });
  const out = h('span', { 'data-testid': 'return-preview' }, '—');
  const explain = h('ul', { class: 'explain' });
  const details = h('details', { hidden: true }, h('summary', null, 'How this date is counted'), explain);
  let seq = 0;
  async function update() {
    const org = getRecipient();
    const n = Number(days.value);
    const mine = ++seq;
    if (!org) { out.textContent = 'choose the recipient first'; details.hidden = true; return; }
    if (!Number.isInteger(n) || n < 1 || n > 365) { out.textContent = 'days must be 1 to 365'; details.hidden = true; return; }
    try {
      const d = await get('/api/v1/deadline' + query({ from: todayIn(org.timezone), days: n,
        rule: 'frcp6-days', calendar: org.calendar_id || 'federal' }));
      if (mine !== seq) return;
      out.textContent = fmtDate(d.due);
      out.setAttribute('data-due', d.due);
      explain.replaceChildren(h('li', null, `Calendar: ${d.calendar} (${d.citation})`),
        ...(d.explain || []).map((l) => h('li', null, l)));
      details.hidden = !d.explain?.length;
    } catch (err) {
      if (mine === seq) out.textContent = err.detail || err.message;
    }
  }
  days.addEventListener('input', update);
  const node = h('div', { class: 'panel-note', 'data-testid': 'return-date-preview' },
    h('p', null, 'If served today with ', h('label', { for: id, class: 'inline' }, h('span', { class: 'sr-only' }, 'Days to respond'), days),
      ' days to respond, the return date would be ', h('strong', { 'aria-live': 'polite' }, out), '.'),
    details);
  return { node, update };
}

export async function draftPage(ctx) {
  const editing = ctx.params.id || null;
  const current = editing ? await get(`/api/v1/subpoenas/${encodeURIComponent(editing)}`) : null;
  if (current && !current.allowed_actions?.includes('edit')) {
    return h('div', null, h('h1', null, `Edit ${current.number}`),
      h('p', { role: 'alert' }, 'Only a draft can be edited, by the office that drafted it.'),
      h('p', null, h('a', { href: `/subpoenas/${encodeURIComponent(current.id)}` }, `Back to ${current.number}`)));
  }
  const recipient = await orgField('jurisdiction', { name: 'recipient_org_id', label: 'Recipient jurisdiction',
    required: true, value: current?.recipient_org_id });
  const recipientSelect = recipient.node.querySelector('select');
  const preview = returnPreview(() => recipient.orgs.find((o) => o.id === recipientSelect.value));
  recipientSelect.addEventListener('change', preview.update);

  const detainer = field({ name: 'detainer_id', label: 'Detainer (optional)', type: 'select', options: [],
    hint: 'A detainer of the chosen person, when the subpoena follows one.' });
  const detainerSelect = detainer.querySelector('select');
  async function loadDetainers(person) {
    const keep = detainerSelect.value || current?.detainer_id || '';
    detainerSelect.replaceChildren(h('option', { value: '' }, '—'));
    if (!person) return;
    const page = await get('/api/v1/detainers' + query({ person_id: person.id || person, limit: 100 }));
    for (const d of page.items)
      detainerSelect.append(h('option', { value: d.id, selected: d.id === keep }, `${d.number} (${d.state.replace(/_/g, ' ')})`));
  }
  if (current?.person_id) loadDetainers(current.person_id).catch(() => {});

  const title = editing ? `Edit ${current.number}` : 'New subpoena';
  const f = form({
    testid: 'draft-form',
    submit: editing ? 'Save the draft' : 'Create the draft',
    fields: [
      recipient.node,
      personPicker({ name: 'person_id', label: 'Person (optional)', value: current?.person_id,
        onChange: (p) => loadDetainers(p).catch(() => {}) }),
      detainer,
      { name: 'purpose', label: 'Purpose', type: 'textarea', required: true, value: current?.purpose || '',
        hint: 'Why the records are needed, as the subpoena will say it.' },
      itemRows(editing ? current.items : undefined),
      preview.node,
    ],
    onSubmit: async (values) => {
      const body = { ...values };
      body.items = (body.items || []).filter(Boolean);
      if (editing) {
        // A PATCH sends the fields shown (a cleared one is absent); the
        // items only when they changed, as they are then replaced whole.
        if (sameItems(body.items, current.items)) delete body.items;
        const saved = await patch(`/api/v1/subpoenas/${encodeURIComponent(editing)}`, body,
          { 'If-Match': `"${current.version}"` });
        notify(`${saved.number} saved.`);
        ctx.navigate(`/subpoenas/${encodeURIComponent(saved.id)}`);
      } else {
        const saved = await post('/api/v1/subpoenas', body);
        notify(`${saved.number} drafted.`);
        ctx.navigate(`/subpoenas/${encodeURIComponent(saved.id)}`);
      }
    },
  });
  preview.update();
  return h('div', { class: 'draft' },
    h('p', { class: 'crumbs' }, h('a', { href: '/subpoenas' }, 'Subpoenas'),
      current ? [' › ', h('a', { href: `/subpoenas/${encodeURIComponent(current.id)}` }, current.number)] : null),
    h('h1', null, title),
    h('section', { class: 'panel' }, f));
}
