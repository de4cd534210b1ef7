// respond.js (page): the custodian's answer to a served subpoena
// (/subpoenas/:id/respond): item by item, the outcome (produced, not
// held, objected, withheld), the value produced, the ground of an
// objection or a withholding, files attached to the item (uploaded as
// `production` documents of the subpoena naming the item), and a note.
// The files go up first, each once (a retry after an error does not send
// them again); then `respond`. Afterwards the page shows the production
// manifest: every produced file with its SHA-256.
import { get, post } from '../api.js';
import { GROUND_LABELS, categoryLabel } from '../cases.js';
import { uploadDocument } from '../picker.js';
import { field, fmtDate, form, h, nextId, notify } from '../ui.js';
import { manifestView } from './case.js';

const OUTCOMES = [['produced', 'Produced'], ['not_held', 'Not held'], ['objected', 'Objected'], ['withheld', 'Withheld']];

function itemFieldset(it, i, uploaded) {
  const outcome = field({ name: `items[${i}].outcome`, label: 'Outcome', type: 'select', required: false, options: OUTCOMES });
  const value = field({ name: `items[${i}].value`, label: 'Value produced', type: 'textarea',
    hint: 'What the records say, at most 4000 characters.' });
  const ground = field({ name: `items[${i}].ground`, label: 'Ground', type: 'select', required: false, options: GROUND_LABELS,
    hint: 'Required for an objection or a withholding.' });
  const fileId = nextId('file');
  const files = h('input', { id: fileId, type: 'file', multiple: true, 'data-item-id': it.id,
    'data-testid': `files-${i}`, 'aria-describedby': fileId + '-h' });
  const select = outcome.querySelector('select');
  // Only the fields the outcome takes are enabled (a disabled control is
  // not sent).
  function sync() {
    const v = select.value;
    value.querySelector('textarea').disabled = v !== 'produced';
    value.hidden = v !== 'produced';
    ground.querySelector('select').disabled = !['objected', 'withheld'].includes(v);
    ground.hidden = !['objected', 'withheld'].includes(v);
  }
  select.addEventListener('change', sync);
  sync();
  files.addEventListener('change', () => { uploaded.delete(it.id); });
  return h('fieldset', { class: 'respond-item', 'data-testid': 'respond-item' },
    h('legend', null, `Item ${it.position}: ${categoryLabel(it.category)}`),
    it.description ? h('p', { class: 'hint' }, it.description) : null,
    h('input', { type: 'hidden', name: `items[${i}].item_id`, value: it.id }),
    outcome, value, ground,
    h('div', { class: 'field' }, h('label', { for: fileId }, 'Files produced for this item'), files,
      h('p', { class: 'hint', id: fileId + '-h' }, 'Optional. Each file is kept with its SHA-256 in the production manifest.')));
}

export async function respondPage(ctx) {
  const id = ctx.params.id;
  const base = `/api/v1/subpoenas/${encodeURIComponent(id)}`;
  const c = await get(base);
  const back = h('p', { class: 'crumbs' }, h('a', { href: '/subpoenas' }, 'Subpoenas'), ' › ',
    h('a', { href: `/subpoenas/${encodeURIComponent(c.id)}` }, c.number));
  const manifestPanel = h('section', { class: 'panel', 'data-testid': 'manifest-panel', hidden: true },
    h('h2', null, 'Production manifest'));
  async function showManifest() {
    const m = await get(`${base}/manifest`);
    manifestPanel.replaceChildren(h('h2', null, 'Production manifest'), manifestView(m));
    manifestPanel.hidden = false;
  }
  if (!c.allowed_actions?.includes('respond')) {
    if (c.responded_at) await showManifest();
    return h('div', null, back, h('h1', null, `Respond to ${c.number}`),
      h('p', { role: 'status', 'data-testid': 'respond-closed' },
        c.responded_at ? 'This subpoena has been answered.' : 'You cannot answer this subpoena now.'),
      manifestPanel);
  }
  // Item id -> the ids of the files already uploaded for it.
  const uploaded = new Map();
  const f = form({
    testid: 'respond-form', submit: 'Send the response',
    fields: [
      ...c.items.map((it, i) => itemFieldset(it, i, uploaded)),
      { name: 'note', label: 'Note (optional)', type: 'textarea' },
    ],
    onSubmit: async (values, formEl) => {
      for (const input of formEl.querySelectorAll('input[type=file][data-item-id]')) {
        const itemId = input.dataset.itemId;
        if (!input.files.length || uploaded.has(itemId)) continue;
        const ids = [];
        for (const file of input.files) ids.push((await uploadDocument(c.id, 'production', file, [itemId])).id);
        uploaded.set(itemId, ids);
      }
      values.items = (values.items || []).filter(Boolean);
      await post(`${base}/actions/respond`, values, { 'If-Match': `"${c.version}"` });
      notify(`${c.number}: response sent.`);
      formEl.replaceWith(h('p', { role: 'status', 'data-testid': 'respond-done' },
        'The response was sent. ', h('a', { href: `/subpoenas/${encodeURIComponent(c.id)}` }, `Back to ${c.number}`)));
      await showManifest();
      manifestPanel.querySelector('h2').setAttribute('tabindex', '-1');
      manifestPanel.querySelector('h2').focus();
    },
  });
  return h('div', { class: 'respond' }, back,
    h('h1', null, `Respond to ${c.number}`),
    h('section', { class: 'panel' },
      h('p', null, 'Return date: ', fmtDate(c.return_date), '. Answer every item.'),
      f),
    manifestPanel);
}
