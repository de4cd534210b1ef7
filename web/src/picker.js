// picker.js: the choosers the drafting pages share (docs/web.md).
//
//   personPicker({name, value})  find a person by A-number, or family name
//                                and date of birth, or create one; the id
//                                goes in a hidden control named `name`
//   orgField(kind, spec)         a select of the organizations of a kind
//   facilityField(spec)          a select of the facilities
//   uploadDocument(caseId, kind, file, itemIds)   POST /api/v1/documents
//
// None of these is a <form>: they live inside the page's form (forms do
// not nest), so Enter in a search box searches instead of submitting.
import { api, get, post, query } from './api.js';
import { field, fmtDate, h, nextId } from './ui.js';

// "A012345678" -> "A-012-345-678" is not ours to decide: shown as stored.
function personLine(p) {
  const name = `${p.family_name}, ${p.given_names || ''}`.replace(/, $/, '');
  const bits = [p.date_of_birth ? `born ${fmtDate(p.date_of_birth)}` : null,
    p.identifiers?.a_number || null].filter(Boolean);
  return bits.length ? `${name} (${bits.join(', ')})` : name;
}

// A control that Enter does not submit: runs `fn` instead.
function onEnter(input, fn) {
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); fn(); }
  });
  return input;
}

// A labelled input that is not part of the form's body (no name).
function loose(label, attrs = {}) {
  const id = nextId('p');
  const input = h('input', { id, type: 'text', ...attrs });
  return { input, node: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
}

// The person picker. spec: {name: 'person_id', value: id or null, label,
// onChange(person)}. Returns a node (a fieldset) whose hidden control
// carries the chosen person's id, with the error slot showErrors uses.
export function personPicker(spec = {}) {
  const name = spec.name || 'person_id';
  const hiddenId = nextId('f');
  const hidden = h('input', { type: 'hidden', id: hiddenId, name, value: spec.value || '',
    'data-testid': `field-${name}` });
  const chosen = h('p', { class: 'picked', 'data-testid': 'person-chosen', 'aria-live': 'polite' },
    spec.value ? 'A person is chosen.' : 'No person chosen.');
  const error = h('p', { class: 'field-error', id: hiddenId + '-error', hidden: true,
    'data-testid': `error-${name}` });
  const results = h('ul', { class: 'pick-results', 'data-testid': 'person-results' });
  const status = h('p', { class: 'hint', role: 'status' });

  function choose(p) {
    hidden.value = p ? p.id : '';
    chosen.textContent = p ? `Chosen: ${personLine(p)}` : 'No person chosen.';
    results.replaceChildren();
    if (spec.onChange) spec.onChange(p);
  }
  if (spec.value) {
    get(`/api/v1/people/${encodeURIComponent(spec.value)}`)
      .then((p) => { chosen.textContent = `Chosen: ${personLine(p)}`; }).catch(() => {});
  }

  const aNum = loose('A-number', { 'data-testid': 'find-a-number', autocomplete: 'off' });
  const family = loose('Family name', { 'data-testid': 'find-family-name', autocomplete: 'off' });
  const dob = loose('Date of birth', { type: 'date', 'data-testid': 'find-date-of-birth' });
  async function search() {
    const q = aNum.input.value.trim()
      ? { a_number: aNum.input.value.trim() }
      : { family_name: family.input.value.trim(), date_of_birth: dob.input.value };
    error.hidden = true;
    try {
      const page = await get('/api/v1/people' + query(q));
      status.textContent = page.items.length ? `${page.items.length} found.` : 'Nobody found: create the person below.';
      results.replaceChildren(...page.items.map((p) => h('li', null,
        h('button', { type: 'button', class: 'secondary', onclick: () => choose(p) }, `Choose ${personLine(p)}`))));
    } catch (err) {
      status.textContent = err.detail || err.message;
    }
  }
  for (const f of [aNum, family, dob]) onEnter(f.input, search);

  // Create: the fields of POST /api/v1/people, sent on their own.
  const cFamily = loose('Family name', { 'data-testid': 'new-family-name' });
  const cGiven = loose('Given names', { 'data-testid': 'new-given-names' });
  const cDob = loose('Date of birth', { type: 'date', 'data-testid': 'new-date-of-birth' });
  const cANum = loose('A-number (optional)', { 'data-testid': 'new-a-number' });
  const cError = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-testid': 'new-person-error' });
  async function create() {
    const body = { family_name: cFamily.input.value.trim(), given_names: cGiven.input.value.trim() };
    if (cDob.input.value) body.date_of_birth = cDob.input.value;
    if (cANum.input.value.trim()) body.identifiers = { a_number: cANum.input.value.trim() };
    cError.hidden = true;
    try {
      choose(await post('/api/v1/people', body));
    } catch (err) {
      cError.textContent = err.field ? `${err.field.replace(/_/g, ' ')}: ${err.detail || err.message}` : (err.detail || err.message);
      cError.hidden = false;
    }
  }
  for (const f of [cFamily, cGiven, cDob, cANum]) onEnter(f.input, create);

  return h('fieldset', { class: 'picker', 'data-testid': 'person-picker' },
    h('legend', null, spec.label || 'Person'),
    hidden, chosen, error,
    h('div', { class: 'pick-row' }, aNum.node, h('p', { class: 'pick-or' }, 'or'), family.node, dob.node,
      h('button', { type: 'button', class: 'secondary', onclick: search }, 'Find')),
    status, results,
    h('details', { class: 'pick-new' }, h('summary', null, 'Not found? Create a person'),
      h('div', { class: 'pick-row' }, cFamily.node, cGiven.node, cDob.node, cANum.node),
      cError,
      h('button', { type: 'button', class: 'secondary', onclick: create }, 'Create and choose')),
    spec.value ? h('button', { type: 'button', class: 'link', onclick: () => choose(null) }, 'Clear the person') : null);
}

// Every page of a list (these lists are short: organizations, facilities).
async function all(path) {
  let items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}limit=500${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    items = items.concat(page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

// A select of organizations of `kind` (the API lets any user list them).
// Resolves to {node, orgs}.
export async function orgField(kind, spec) {
  const orgs = await all('/api/v1/orgs' + query({ kind }));
  return { orgs, node: field({ type: 'select', ...spec, options: orgs.map((o) => [o.id, `${o.name} (${o.state})`]) }) };
}

// A select of facilities, named by facility and jurisdiction.
export async function facilityField(spec) {
  const [facilities, orgs] = await Promise.all([all('/api/v1/facilities'), all('/api/v1/orgs?kind=jurisdiction')]);
  const orgName = Object.fromEntries(orgs.map((o) => [o.id, o.name]));
  return field({ type: 'select', ...spec,
    options: facilities.map((f) => [f.id, `${f.name} (${orgName[f.org_id] || 'jurisdiction'})`]) });
}

// Upload `file` (a File) as a document of `kind` on case `caseId`;
// `itemIds` names the subpoena items a production answers. Resolves to
// the Document.
export function uploadDocument(caseId, kind, file, itemIds = null) {
  const ascii = file.name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const params = { case_id: caseId, kind, item_ids: itemIds?.length ? itemIds.join(',') : null };
  return api('POST', '/api/v1/documents' + query(params), file, {
    'Content-Type': file.type || 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
  });
}
