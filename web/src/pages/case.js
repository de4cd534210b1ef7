// case.js (page): one case: its state, summary, deadlines (each explained
// on demand), items, a form for each action the API allows the caller now
// (allowed_actions) with the API's field errors next to the fields,
// documents (list and upload), the production manifest of a subpoena,
// links between a subpoena and its enforcement case, the PDF (a preview
// before signing), and the timeline. After an action the page shows the
// case as it now stands.
//
// A legal hold (docs/api.md "Legal holds") shows as a badge by the state
// and a panel with who placed it, when and why, the earlier holds, and
// for agency counsel and DOJ attorneys a form to place or release one.
//
// Actions that need a paper on file (serve: a proof of service;
// enter_order: the court's order) carry a chooser of this case's
// documents of that kind and an upload next to it; a 422 naming the rule
// is shown next to that chooser, saying which document is missing.
import { api, get, post, query } from '../api.js';
import { DOC_GUARDS, DOC_KINDS, KINDS, actionFields, categoryLabel, dollars } from '../cases.js';
import { orgField, uploadDocument } from '../picker.js';
import { field, fmtDate, fmtInstant, form, h, label, nextId, notify } from '../ui.js';

// Scalar fields shown in the summary, when the case has them.
const SUMMARY = ['purpose', 'disposition', 'return_date', 'original_return_date', 'served_at',
  'service_method', 'served_to', 'signed_at', 'acknowledged_at', 'responded_at', 'refusal_reason',
  'withdrawal_reason', 'response_note', 'basis', 'form', 'hold_rule', 'otherwise_release_at',
  'max_hold_until', 'released_at', 'decline_reason', 'cancel_reason', 'court', 'district',
  'docket_number', 'filed_on', 'hearing_on', 'response_due', 'result', 'entered_on',
  'compliance_due', 'closed_reason'];

function fmt(v) {
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v)) return fmtDate(v);
  // An enum value ("certified_mail") reads as words.
  if (typeof v === 'string' && /^[a-z]+(_[a-z]+)+$/.test(v)) return label(v);
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
  const produced = items.some((it) => it.value);
  return h('table', { 'data-testid': 'items' },
    h('thead', null, h('tr', null, ['#', 'Category', 'Description', 'Outcome', 'Ground', produced ? 'Value produced' : null]
      .filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, items.map((it) => h('tr', { 'data-testid': 'item' },
      h('th', { scope: 'row' }, it.position), h('td', null, categoryLabel(it.category)),
      h('td', null, it.description || '—'), h('td', null, label(it.outcome) || '—'),
      h('td', null, label(it.ground) || '—'), produced ? h('td', null, it.value || '—') : null))));
}

// A chooser of this case's documents of `kind` (named `name`, the body
// field) with an upload beside it that adds the new file to the choices.
function docChooser(c, kind, docs, name, text) {
  const spec = { name, label: text, type: 'select', required: true,
    options: docs.filter((d) => d.kind === kind).map((d) => [d.id, `${d.filename} (${fmtInstant(d.uploaded_at)})`]),
    hint: `A document of kind "${label(kind)}" of this case. Upload it here if it is not on file yet.` };
  const node = field(spec);
  const select = node.querySelector('select');
  const last = select.options[select.options.length - 1];
  if (last && last.value) last.selected = true;
  const fileId = nextId('file');
  const file = h('input', { id: fileId, type: 'file', 'data-testid': `upload-${kind}` });
  const status = h('p', { class: 'hint', role: 'status' });
  const btn = h('button', { type: 'button', class: 'secondary', 'data-testid': `upload-${kind}-submit`, onclick: async () => {
    if (!file.files.length) { status.textContent = 'Choose a file first.'; file.focus(); return; }
    btn.disabled = true;
    try {
      const d = await uploadDocument(c.id, kind, file.files[0]);
      select.append(h('option', { value: d.id, selected: true }, `${d.filename} (${fmtInstant(d.uploaded_at)})`));
      status.textContent = `${d.filename} uploaded and chosen.`;
      file.value = '';
    } catch (err) {
      status.textContent = err.detail || err.message;
    } finally {
      btn.disabled = false;
    }
  } }, `Upload ${label(kind).toLowerCase()}`);
  return h('div', { class: 'doc-chooser' }, node,
    h('div', { class: 'field' }, h('label', { for: fileId }, `New ${label(kind).toLowerCase()} file`), file),
    btn, status);
}

// Checkboxes of the subpoena's items, for an order enforced in part.
function itemsKept(sub) {
  if (!sub?.items?.length) return null;
  return h('fieldset', { class: 'items-kept', 'data-testid': 'items-kept' },
    h('legend', null, 'Items kept (an order enforced in part)'),
    sub.items.map((it) => {
      const id = nextId('kept');
      return h('div', { class: 'field field-check' },
        h('input', { id, type: 'checkbox', 'data-item-id': it.id }),
        h('label', { for: id }, `${it.position}. ${categoryLabel(it.category)}${it.description ? ': ' + it.description : ''}`));
    }));
}

// The fields of `action` on case `c`, with what the page adds.
async function fieldsFor(kind, c, action, docs, extra) {
  const out = [...actionFields(kind, action)];
  if (kind === 'subpoenas' && action === 'serve')
    out.push(docChooser(c, 'proof_of_service', docs, 'proof_of_service_document_id', 'Proof of service'));
  if (kind === 'enforcements' && action === 'enter_order') {
    out.push(docChooser(c, 'court_order', docs, 'order_document_id', "The court's order"));
    const kept = itemsKept(extra.subpoena);
    if (kept) out.push(kept);
  }
  if (kind === 'subpoenas' && action === 'refer') {
    const doj = await orgField('doj_office', { name: 'doj_org_id', label: 'DOJ office', required: false,
      hint: 'Leave empty when there is exactly one DOJ office.' });
    out.push(doj.node);
  }
  return out;
}

// The text of a button for `action`.
const ACTION_TEXT = { serve: 'Record service', submit: 'Submit for signature', sign: 'Sign',
  refer: 'Refer to DOJ', hold_in_contempt: 'Hold in contempt', move_contempt: 'Move for contempt',
  enter_order: 'Enter the order', file_petition: 'File the petition', issue_show_cause: 'Issue the show-cause order' };

async function actionForm(kind, c, action, ctx, docs, extra) {
  if (kind === 'subpoenas' && action === 'edit') {
    return h('section', { class: 'action', 'data-testid': 'action-edit' }, h('h3', null, 'Edit the draft'),
      h('p', null, h('a', { href: `/subpoenas/${encodeURIComponent(c.id)}/edit`, 'data-testid': 'edit-draft' }, 'Edit the recipient, person, purpose and items')));
  }
  if (kind === 'subpoenas' && action === 'respond') {
    return h('section', { class: 'action', 'data-testid': 'action-respond' }, h('h3', null, 'Respond'),
      h('p', null, h('a', { href: `/subpoenas/${encodeURIComponent(c.id)}/respond`, 'data-testid': 'respond-link' },
        'Answer item by item, with the files produced')));
  }
  const fields = await fieldsFor(kind, c, action, docs, extra);
  return h('section', { class: 'action', 'data-testid': `action-${action}` },
    h('h3', null, label(action)),
    form({
      testid: `form-${action}`, submit: ACTION_TEXT[action] || label(action), fields,
      onSubmit: async (values, formEl) => {
        const kept = [...formEl.querySelectorAll('[data-item-id]')].filter((b) => b.checked).map((b) => b.dataset.itemId);
        if (kept.length) values.items_kept = kept;
        try {
          await post(`/api/v1/${kind}/${encodeURIComponent(c.id)}/actions/${action}`, values,
            { 'If-Match': `"${c.version}"` });
        } catch (err) {
          // A paper the law requires: say which, next to its chooser.
          const guard = err.code === 'guard_failed' && DOC_GUARDS[err.field];
          if (guard) { err.field = guard[0]; err.detail = guard[1]; }
          if (err.status === 412) err.detail = 'Someone changed this case since you opened it: reload the page to see it as it stands.';
          throw err;
        }
        notify(`${label(action)}: done.`);
        ctx.navigate(location.pathname, { replace: true });
      },
    }));
}

function documentsList(docs) {
  if (!docs.length) return h('p', { 'data-testid': 'no-documents' }, 'No documents.');
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'documents' },
    h('thead', null, h('tr', null, ['File', 'Kind', 'Size', 'Uploaded', 'SHA-256'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, docs.map((d) => h('tr', { 'data-testid': 'document' },
      h('th', { scope: 'row' }, h('a', { href: `/api/v1/documents/${encodeURIComponent(d.id)}`, download: d.filename || true }, d.filename || label(d.kind))),
      h('td', null, label(d.kind)), h('td', null, `${d.size} bytes`), h('td', null, fmtInstant(d.uploaded_at)),
      h('td', null, h('code', { class: 'hash' }, d.sha256)))))));
}

// Upload any document of a kind this case takes.
function uploadForm(kind, c, ctx) {
  const fileId = nextId('file');
  return h('details', { class: 'upload', 'data-testid': 'upload' }, h('summary', null, 'Upload a document'),
    form({
      testid: 'upload-form', submit: 'Upload',
      fields: [{ name: 'kind', label: 'Kind', type: 'select', required: true, options: DOC_KINDS[kind] },
        h('div', { class: 'field' }, h('label', { for: fileId }, 'File'),
          h('input', { id: fileId, type: 'file', 'data-testid': 'upload-file', 'aria-describedby': fileId + '-h' }),
          h('p', { class: 'hint', id: fileId + '-h' }, 'PDF, PNG, JPEG, TIFF, text, CSV or JSON, up to 25 MiB.'))],
      onSubmit: async (values, formEl) => {
        const input = formEl.querySelector('input[type=file]');
        if (!input.files.length) throw new Error('Choose a file to upload.');
        const d = await uploadDocument(c.id, values.kind, input.files[0]);
        notify(`${d.filename} uploaded.`);
        ctx.navigate(location.pathname, { replace: true });
      },
    }));
}

function manifestView(m) {
  return h('div', { 'data-testid': 'manifest' },
    m.files.length ? h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, ['File', 'Size', 'SHA-256', 'Items'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, m.files.map((f) => h('tr', { 'data-testid': 'manifest-file' },
        h('th', { scope: 'row' }, h('a', { href: `/api/v1/documents/${encodeURIComponent(f.id)}`, download: f.filename }, f.filename)),
        h('td', null, `${f.size} bytes`), h('td', null, h('code', { class: 'hash' }, f.sha256)),
        h('td', null, (f.item_ids || []).length ? String(f.item_ids.length) : '—'))))))
      : h('p', null, 'No files were produced.'),
    h('p', null, 'Manifest SHA-256: ', h('code', { class: 'hash', 'data-testid': 'manifest-sha256' }, m.manifest_sha256)));
}

// Links to the other cases this one is tied to.
function related(kind, c) {
  const links = [];
  if (kind === 'subpoenas' && c.enforcement_id)
    links.push(h('a', { href: `/enforcements/${encodeURIComponent(c.enforcement_id)}`, 'data-testid': 'enforcement-link' }, 'Its enforcement case'));
  if (kind === 'enforcements' && c.subpoena_id)
    links.push(h('a', { href: `/subpoenas/${encodeURIComponent(c.subpoena_id)}`, 'data-testid': 'subpoena-link' }, 'The subpoena enforced'));
  if (kind === 'subpoenas' && c.detainer_id)
    links.push(h('a', { href: `/detainers/${encodeURIComponent(c.detainer_id)}` }, 'The detainer'));
  if (c.person_id)
    links.push(h('a', { href: `/people/${encodeURIComponent(c.person_id)}` }, 'The person'));
  return links.length ? h('ul', { class: 'related', 'data-testid': 'related' }, links.map((a) => h('li', null, a))) : null;
}

function pdfLinks(c, base) {
  const pre = ['draft', 'in_review', 'ready_to_sign'].includes(c.state);
  if (!pre && !c.signed_at) return null;
  const href = `${base}/document.pdf`;
  return h('p', { 'data-testid': 'pdf-links' },
    h('a', { href, target: '_blank', rel: 'noopener', 'data-testid': 'pdf-view' },
      pre ? 'Preview the subpoena (PDF, not signed, not valid)' : 'The subpoena as issued (PDF)'),
    ' · ',
    h('a', { href, download: `${c.number}${pre ? '-preview' : ''}.pdf`, 'data-testid': 'pdf-download' }, 'Download'));
}

const HOLD_WRITERS = ['agency_counsel', 'doj_attorney'];

// A sentence: `s` with a full stop unless it ends with one already.
const sentence = (s) => (/[.!?]$/.test(s) ? s : `${s}.`);

function holdLine(x, released) {
  const by = x.placed_by?.role ? ` by ${label(x.placed_by.role)}` : '';
  const text = sentence(`Placed ${fmtInstant(x.placed_at)}${by}: ${x.reason}`);
  if (!released) return text;
  const rby = x.released_by?.role ? ` by ${label(x.released_by.role)}` : '';
  return `${text} ${sentence(`Released ${fmtInstant(x.released_at)}${rby}: ${x.release_reason}`)}`;
}

// The legal hold of a case: the one in force, the earlier ones, and the
// form to place or release one for those who may.
function holdPanel(c, holds, ctx) {
  const path = `/api/v1/cases/${encodeURIComponent(c.id)}/hold`;
  const may = ctx.me.roles.some((r) => HOLD_WRITERS.includes(r));
  const reload = () => ctx.navigate(location.pathname, { replace: true });
  const reason = { name: 'reason', label: 'Reason', type: 'textarea', required: true,
    hint: 'Why the records must be kept (a litigation, an investigation); up to 1,000 characters.' };
  const earlier = holds.history.filter((x) => x.released_at);
  return h('section', { class: 'panel', 'data-testid': 'hold' }, h('h2', null, 'Legal hold'),
    holds.hold
      ? h('p', { class: 'notice', 'data-testid': 'hold-in-force' },
        h('strong', null, 'On legal hold. '), holdLine(holds.hold, false),
        ' Nothing of this case is purged while the hold is in force.')
      : h('p', { 'data-testid': 'no-hold' }, 'No legal hold is in force.'),
    earlier.length ? h('details', { 'data-testid': 'hold-history' }, h('summary', null, `Earlier holds (${earlier.length})`),
      h('ul', null, earlier.map((x) => h('li', null, holdLine(x, true))))) : null,
    may && !holds.hold ? form({
      testid: 'hold-place', submit: 'Place a legal hold', fields: [reason],
      onSubmit: async (v) => {
        await post(path, { reason: v.reason });
        notify('Legal hold placed.');
        reload();
      },
    }) : null,
    may && holds.hold ? form({
      testid: 'hold-release', submit: 'Release the hold', fields: [{ ...reason, hint: 'Why the records need no longer be kept.' }],
      onSubmit: async (v) => {
        await api('DELETE', path, { reason: v.reason });
        notify('Legal hold released.');
        reload();
      },
    }) : null);
}

export async function casePage(ctx) {
  const { kind, id } = ctx.params;
  const base = `/api/v1/${kind}/${encodeURIComponent(id)}`;
  let c;
  let hist;
  let docList;
  try {
    [c, hist, docList] = await Promise.all([
      get(base), get(base + '/history'),
      get('/api/v1/documents' + query({ case_id: id })).catch(() => ({ items: [] })),
    ]);
  } catch (err) {
    if (err.status !== 404) throw err;
    // Out of scope reads exactly like a missing id (docs/api.md).
    return h('div', { class: 'panel' }, h('h1', null, 'Not found'),
      h('p', { role: 'alert', 'data-testid': 'case-not-found' },
        `There is no such ${kind === 'enforcements' ? 'enforcement case' : kind.slice(0, -1)}, or it is not one you may see.`),
      h('p', null, h('a', { href: `/${kind}` }, `All ${KINDS[kind].title.toLowerCase()}`)));
  }
  const holds = await get(`/api/v1/cases/${encodeURIComponent(id)}/hold`).catch(() => null);
  const docs = docList.items;
  const extra = {};
  if (kind === 'enforcements' && c.allowed_actions?.includes('enter_order') && c.subpoena_id)
    extra.subpoena = await get(`/api/v1/subpoenas/${encodeURIComponent(c.subpoena_id)}`).catch(() => null);
  const showManifest = kind === 'subpoenas' && (c.responded_at || docs.some((d) => d.kind === 'production'));
  const manifest = showManifest ? await get(`${base}/manifest`).catch(() => null) : null;
  const actions = await Promise.all((c.allowed_actions || []).map((a) => actionForm(kind, c, a, ctx, docs, extra)));
  const summary = SUMMARY.filter((k) => c[k] !== undefined && c[k] !== null && c[k] !== '');
  const canUpload = !ctx.me.roles.every((r) => r === 'auditor');
  return h('div', { class: 'case' },
    h('p', { class: 'crumbs' }, h('a', { href: `/${kind}` }, KINDS[kind].title)),
    h('h1', null, c.number),
    h('p', { class: 'case-state' }, h('span', { class: `badge state-${c.state}`, 'data-testid': 'case-state' }, label(c.state)),
      c.overdue ? h('strong', { class: 'badge badge-overdue' }, 'Overdue') : null,
      c.noncompliant ? h('strong', { class: 'badge badge-overdue' }, 'Not complied') : null,
      holds?.hold ? h('strong', { class: 'badge', 'data-testid': 'hold-badge' }, 'Legal hold') : null,
      c.over_detention ? h('strong', { class: 'badge badge-overdue', 'data-testid': 'over-detention' },
        'Held past the hold limit') : null),
    c.over_detention ? h('p', { class: 'notice', role: 'alert' },
      `The hold limit ended ${fmtInstant(c.max_hold_until)}: the person may be held on this detainer no longer. `
      + 'Record the release (or transfer) now.') : null,
    related(kind, c),
    h('div', { class: 'case-grid' },
      h('section', { class: 'panel' }, h('h2', null, 'Summary'),
        h('dl', { class: 'facts', 'data-testid': 'summary' }, summary.flatMap((k) => [h('dt', null, label(k)), h('dd', { 'data-testid': `fact-${k}` }, fmt(c[k]))]),
          c.signed_by ? [h('dt', null, 'Signed by'), h('dd', null, [c.signed_by.name, c.signed_by.title].filter(Boolean).join(', '))] : null,
          c.facility ? [h('dt', null, 'Facility'), h('dd', null, c.facility.name)] : null,
          c.contempt ? [h('dt', null, 'Contempt'), h('dd', null, `${label(c.contempt.kind)} from ${fmtDate(c.contempt.starts_on)}`,
            c.contempt.per_day_cents ? `, ${dollars(c.contempt.per_day_cents)} a day` : '',
            c.contempt.fixed_cents ? `, ${dollars(c.contempt.fixed_cents)}` : '',
            c.contempt.purged_on ? `; purged ${fmtDate(c.contempt.purged_on)}` : '')] : null,
          c.accrued_cents !== undefined && c.accrued_cents !== null
            ? [h('dt', null, 'Accrued'), h('dd', { 'data-testid': 'accrued' }, `${dollars(c.accrued_cents)} (${c.accrued_cents} cents)`)] : null),
        c.return_date_explain?.length ? h('details', { 'data-testid': 'return-explain' }, h('summary', null, 'How the return date was counted'),
          h('ul', { class: 'explain' }, c.return_date_explain.map((l) => h('li', null, l)))) : null),
      h('section', { class: 'panel' }, h('h2', null, 'Deadlines'), deadlines(c))),
    c.items ? h('section', { class: 'panel' }, h('h2', null, 'Items'), h('div', { class: 'table-wrap' }, itemsTable(c.items))) : null,
    h('section', { class: 'panel', 'data-testid': 'actions' }, h('h2', null, 'Actions'),
      actions.length ? actions : h('p', null, 'Nothing for you to do on this case now.')),
    h('section', { class: 'panel' }, h('h2', null, 'Documents'),
      kind === 'subpoenas' ? pdfLinks(c, base) : null,
      documentsList(docs),
      canUpload ? uploadForm(kind, c, ctx) : null),
    manifest ? h('section', { class: 'panel' }, h('h2', null, 'Production manifest'), manifestView(manifest)) : null,
    holds ? holdPanel(c, holds, ctx) : null,
    h('section', { class: 'panel' }, h('h2', null, 'Timeline'),
      h('ol', { class: 'timeline', 'data-testid': 'timeline' }, hist.items.map((e) => h('li', null,
        h('time', { datetime: e.at }, fmtInstant(e.at)), ' ', h('strong', null, label(e.action)),
        e.role ? ` by ${e.role.split(',').map(label).join(', ')}` : '')))));
}

export { manifestView };
