// cases.js: what the case pages share: the kinds of case, their states,
// the fields each action takes (API.md), the subpoena item categories and
// objection grounds in plain English, and the document kinds.

export const KINDS = {
  subpoenas: {
    title: 'Subpoenas',
    states: ['draft', 'in_review', 'ready_to_sign', 'signed', 'served', 'responded',
      'referred', 'closed', 'withdrawn'],
  },
  detainers: {
    title: 'Detainers',
    states: ['lodged', 'acknowledged', 'honored', 'declined', 'released',
      'transferred', 'cancelled'],
  },
  enforcements: {
    title: 'Enforcement cases',
    states: ['referred', 'petition_filed', 'show_cause_issued', 'order_entered',
      'complied', 'contempt_motion', 'in_contempt', 'purged', 'dismissed', 'settled', 'closed'],
  },
};

// The items a subpoena may ask for (API.md), with the words the PDF uses.
export const CATEGORIES = [
  ['home_address', 'Home address'], ['work_address', 'Work address'],
  ['phone', 'Telephone numbers'], ['employer', 'Employer'], ['vehicle', 'Vehicles'],
  ['date_place_of_birth', 'Date and place of birth'], ['bond_record', 'Bond record'],
  ['id_documents', 'Identity documents'], ['charges', 'Charges'],
  ['emergency_contacts', 'Emergency contacts'], ['release_date', 'Release date'],
  ['other', 'Other records'],
];
export const categoryLabel = (c) => (CATEGORIES.find(([v]) => v === c) || [c, c])[1];

// The grounds of an objection or a withholding (API.md `respond`).
export const GROUND_LABELS = [
  ['relevance', 'Not relevant'], ['already_in_possession', 'Already in the agency\'s possession'],
  ['too_indefinite', 'Too indefinite'], ['tenth_amendment', 'Tenth Amendment'],
  ['privilege', 'Privileged'], ['other', 'Other ground'],
];

// The kinds of document, with the cases each belongs to (docs/documents.md).
export const DOC_KINDS = {
  subpoenas: [['proof_of_service', 'Proof of service'], ['production', 'Production'],
    ['correspondence', 'Correspondence'], ['other', 'Other']],
  enforcements: [['court_order', 'Court order'], ['petition', 'Petition'],
    ['correspondence', 'Correspondence'], ['other', 'Other']],
  detainers: [['correspondence', 'Correspondence'], ['other', 'Other']],
};

// What a guard that wants a paper on file means, in words, and the
// control that takes the paper.
export const DOC_GUARDS = {
  proof_of_service_required: ['proof_of_service_document_id',
    'Serving needs the date and time, the method, who received it and a proof of service: upload the proof of service (kind "Proof of service") and choose it here.'],
  court_order_required: ['order_document_id',
    'Entering the order needs the court\'s order on file: upload it (kind "Court order") and choose it here.'],
};

const sel = (name, values, required = true) => ({ name, type: 'select', required, options: values.map((v) => [v]) });
const date = (name, required = true) => ({ name, type: 'date', required });
const instant = (name, required = true) => ({ name, type: 'datetime-local', required });
const text = (name, required = true) => ({ name, required });

// The fields of each action: `<kind>.<action>` first, then `<action>`;
// an action not listed takes none. `respond` has its own page
// (pages/respond.js); the documents an action needs (serve, enter_order)
// and the DOJ office of `refer` are added by pages/case.js.
export const ACTION_FIELDS = {
  serve: [{ ...instant('served_at'), label: 'Served at' },
    { ...sel('method', ['personal', 'certified_mail', 'email', 'courier']), label: 'Method of service' },
    { ...text('served_to'), label: 'Served to (person or office)' },
    { name: 'return_days', type: 'number', required: false, label: 'Days to respond',
      hint: 'Counted from the day of service under FRCP 6(a)(1) on the recipient\'s calendar. Give this or a return date, not both.' },
    { ...date('return_date', false), label: 'Or a return date' }],
  extend: [{ ...date('return_date'), label: 'New return date' }, text('reason')],
  return: [{ name: 'reason', type: 'textarea', required: false }],
  refuse: [{ name: 'reason', type: 'textarea', required: true }],
  withdraw: [{ name: 'reason', type: 'textarea', required: true }],
  decline: [text('reason')],
  cancel: [text('reason')],
  release: [instant('released_at'), { name: 'notice_given', type: 'checkbox', label: 'Notice given to the agency' }],
  transfer: [instant('transferred_at')],
  set_release_time: [{ ...instant('otherwise_release_at'), label: 'Would otherwise be released at' }],
  file_petition: [text('court'), text('district'), text('docket_number'), date('filed_on')],
  issue_show_cause: [{ ...date('hearing_on'), label: 'Hearing on' }, { ...date('response_due'), label: 'Response due' }],
  enter_order: [sel('result', ['enforced', 'enforced_in_part', 'denied']), date('entered_on'),
    { name: 'compliance_days', type: 'number', required: false, label: 'Days to comply',
      hint: 'Give this or a compliance date (neither for a denial).' },
    { ...date('compliance_due', false), label: 'Or comply by' }],
  hold_in_contempt: [sel('kind', ['civil', 'criminal']),
    { name: 'per_day_cents', type: 'number', required: false, label: 'Per day, in cents (civil)' },
    { name: 'fixed_cents', type: 'number', required: false, label: 'Fixed, in cents (criminal)' }, date('starts_on')],
  purge: [date('purged_on')],
  'enforcements.dismiss': [text('reason', false)],
  'enforcements.settle': [text('reason', false)],
  'enforcements.close': [text('reason', false)],
};

export const actionFields = (kind, action) =>
  ACTION_FIELDS[`${kind}.${action}`] || ACTION_FIELDS[action] || [];

// "$1,500.00" for 150000 cents.
export const dollars = (cents) => (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
