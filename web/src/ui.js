// ui.js: the building blocks every page uses (docs/web.md).
//
//   h(tag, attrs, ...children)     build a DOM element
//   svg(tag, attrs, ...children)   the same in the SVG namespace
//   field(spec)                    a labelled input with its error slot
//   form(spec) / showErrors        forms whose API errors appear next to
//                                  the field the problem names
//   notify(message, kind)          announce in the aria-live region
//   pagedTable(spec)               filters + sortable table + "Load more"
//   fmtDate / fmtInstant / label   display helpers
//
// No HTML strings are ever parsed: text goes in as text nodes, so data
// from the API cannot inject markup, and the CSP (no inline script or
// style) holds.

let uid = 0;
// A unique id for label/aria wiring: "<prefix>-<n>".
export function nextId(prefix = 'id') { uid += 1; return `${prefix}-${uid}`; }

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'value' || k === 'checked' || k === 'selected') {
      el[k] = v;
    } else {
      el.setAttribute(k === 'className' ? 'class' : k, v === true ? '' : String(v));
    }
  }
}

// h('button', {class: 'primary', onclick: fn}, 'Save'). Attributes are
// set as attributes (class, for, data-testid, aria-*), except on* handlers
// and value/checked; null/false attributes and children are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

// "ready_to_sign" -> "Ready to sign".
export function label(name) {
  if (!name) return '';
  const s = String(name).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// "2020-01-13" -> "Mon, Jan 13, 2020" (a calendar date: no time zone).
export function fmtDate(d) {
  if (!d) return '—';
  if (/T/.test(d)) return fmtInstant(d);
  const [y, m, day] = d.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, day)).toLocaleDateString('en-US', {
    timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
  });
}

// An RFC 3339 instant in the browser's time zone.
export function fmtInstant(t) {
  if (!t) return '—';
  return new Date(t).toLocaleString('en-US', {
    year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit',
  });
}

// ---- announcements -------------------------------------------------------

// Show `message` in the live region (kind: 'info' | 'error'); screen
// readers announce it. It stays until the next one or a click on it.
export function notify(message, kind = 'info') {
  const region = document.getElementById('toasts');
  if (!region) return;
  region.replaceChildren(h('p', {
    class: `toast toast-${kind}`, 'data-testid': 'toast',
    onclick: (e) => e.currentTarget.remove(),
  }, message));
}

// ---- forms ---------------------------------------------------------------

// One labelled control. spec: {name, label, type ('text', 'email',
// 'password', 'number', 'date', 'datetime-local', 'select', 'textarea',
// 'checkbox'), options: [[value, text]...], required, value, hint,
// autocomplete, testid}. The control's name is the API field's name
// ("items[2].category"), which is how showErrors finds it.
export function field(spec) {
  const id = nextId('f');
  const errId = id + '-error';
  const hintId = spec.hint ? id + '-hint' : null;
  const common = {
    id, name: spec.name, required: spec.required || null,
    'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
    'data-testid': spec.testid || `field-${spec.name}`,
    autocomplete: spec.autocomplete || null,
    inputmode: spec.inputmode || null,
  };
  let control;
  if (spec.type === 'select') {
    control = h('select', common,
      spec.required ? null : h('option', { value: '' }, '—'),
      (spec.options || []).map(([v, t]) =>
        h('option', { value: v, selected: v === spec.value }, t ?? label(v))));
  } else if (spec.type === 'textarea') {
    control = h('textarea', { ...common, rows: 3, value: spec.value ?? '' });
  } else if (spec.type === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', checked: !!spec.value });
  } else {
    control = h('input', { ...common, type: spec.type || 'text', value: spec.value ?? '' });
  }
  return h('div', { class: `field${spec.type === 'checkbox' ? ' field-check' : ''}` },
    h('label', { for: id }, spec.label || label(spec.name)),
    spec.hint ? h('p', { class: 'hint', id: hintId }, spec.hint) : null,
    control,
    h('p', { class: 'field-error', id: errId, hidden: true, 'data-testid': `error-${spec.name}` }));
}

// Set `obj[path]` where path is "a.b[2].c".
function setPath(obj, path, value) {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let at = obj;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) { at[k] = value; return; }
    if (at[k] === undefined) at[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    at = at[k];
  });
}

// The values of a form's named controls as an object shaped by the
// names; empty values are left out, numbers become numbers, checkboxes
// booleans, datetime-local an RFC 3339 instant.
export function formValues(formEl) {
  const out = {};
  for (const el of formEl.elements) {
    if (!el.name || el.disabled) continue;
    let v;
    if (el.type === 'checkbox') v = el.checked;
    else if (el.value === '') continue;
    else if (el.type === 'number') v = Number(el.value);
    else if (el.type === 'datetime-local') v = new Date(el.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
    else v = el.value;
    setPath(out, el.name, v);
  }
  return out;
}

// Remove the errors a previous submission showed.
export function clearErrors(formEl) {
  for (const p of formEl.querySelectorAll('.field-error')) { p.hidden = true; p.textContent = ''; }
  for (const c of formEl.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const general = formEl.querySelector('.form-error');
  if (general) { general.hidden = true; general.textContent = ''; }
}

// Show `err` (an ApiError or Error) on `formEl`: next to the control
// named by err.field when there is one (focused, aria-invalid), else in
// the form's general error slot.
export function showErrors(formEl, err) {
  clearErrors(formEl);
  const message = err.detail || err.message;
  const control = err.field
    ? [...formEl.elements].find((el) => el.name === err.field) : null;
  const slot = control && document.getElementById(control.id + '-error');
  if (slot) {
    control.setAttribute('aria-invalid', 'true');
    slot.textContent = message;
    slot.hidden = false;
    control.focus();
    return;
  }
  const general = formEl.querySelector('.form-error');
  // A stale version (412 on If-Match) is no field of the form: say what
  // happened and what to do, in words.
  const stale = err.status === 412 || err.field === 'If-Match';
  general.textContent = stale
    ? 'Someone changed this since you opened it: reload the page to see it as it stands, then try again.'
    : err.field ? `${err.field}: ${message}` : message;
  general.hidden = false;
  general.focus();
}

// A form: spec {fields: [field specs or nodes], submit: 'Save',
// onSubmit: async (values, formEl) => ..., testid}. While onSubmit runs
// the button is disabled; a rejection shows its errors (showErrors).
export function form(spec) {
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': spec.testid ? `${spec.testid}-submit` : null }, spec.submit || 'Save');
  const el = h('form', { class: 'form', novalidate: true, 'data-testid': spec.testid || null },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true, 'data-testid': 'form-error' }),
    (spec.fields || []).map((f) => (f instanceof Node ? f : field(f))),
    h('div', { class: 'form-actions' }, button, spec.extra || null));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    button.disabled = true;
    try {
      await spec.onSubmit(formValues(el), el);
    } catch (err) {
      if (el.isConnected) showErrors(el, err);
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

// ---- lists ---------------------------------------------------------------

// A paged, filterable, sortable table. spec: {
//   columns: [{key, label, render?: (row) => node|string, sort?: bool}],
//   filters: [field specs] (sent as query parameters),
//   fetch: async (params, cursor) => ({items, next_cursor}),
//   rowHref: (row) => '/subpoenas/' + row.id, testid, empty: 'No cases.',
//   params: the filters' values at first (e.g. from the address),
//   onApply: (values) => ... called when the filters are applied }
// Sorting orders the rows loaded so far; "Load more" follows next_cursor.
export function pagedTable(spec) {
  let rows = [];
  let cursor = null;
  let sortKey = null;
  let sortDir = 1;
  let params = spec.params || {};
  const tbody = h('tbody');
  const status = h('p', { class: 'list-status', role: 'status' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, 'data-testid': 'load-more' }, 'Load more');

  const cell = (col, row) => (col.render ? col.render(row) : row[col.key] ?? '—');
  function draw() {
    const sorted = sortKey === null ? rows : [...rows].sort((a, b) =>
      String(a[sortKey] ?? '').localeCompare(String(b[sortKey] ?? '')) * sortDir);
    tbody.replaceChildren(...sorted.map((row) => h('tr', { 'data-testid': 'row' },
      spec.columns.map((col, i) => {
        const content = cell(col, row);
        return h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : null,
          i === 0 && spec.rowHref ? h('a', { href: spec.rowHref(row) }, content) : content);
      }))));
    status.textContent = rows.length ? `${rows.length} shown` : (spec.empty || 'Nothing to show.');
    more.hidden = !cursor;
  }
  async function load(reset) {
    more.disabled = true;
    try {
      const page = await spec.fetch(params, reset ? null : cursor);
      rows = reset ? page.items : rows.concat(page.items);
      cursor = page.next_cursor;
      draw();
    } catch (err) {
      status.textContent = err.message;
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => load(false));

  const headers = spec.columns.map((col) => {
    if (!col.sort) return h('th', { scope: 'col' }, col.label);
    const th = h('th', { scope: 'col', 'aria-sort': 'none' });
    const btn = h('button', { type: 'button', class: 'sort' }, col.label);
    btn.addEventListener('click', () => {
      sortDir = sortKey === col.key ? -sortDir : 1;
      sortKey = col.key;
      for (const other of th.parentNode.children) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      draw();
    });
    th.append(btn);
    return th;
  });
  const filterForm = spec.filters?.length ? form({
    fields: spec.filters, submit: 'Apply', testid: 'filters',
    onSubmit: async (values) => { params = values; spec.onApply?.(values); await load(true); },
  }) : null;
  if (filterForm) filterForm.classList.add('filters');
  load(true);
  return h('div', { class: 'paged', 'data-testid': spec.testid || null },
    filterForm,
    h('div', { class: 'table-wrap' }, h('table', null, h('thead', null, h('tr', null, headers)), tbody)),
    status, more);
}
