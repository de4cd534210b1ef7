// cases.js: what the case pages share: the kinds of case, their states,
// and the fields each action takes (API.md). Phase 2 pages refine these.

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

const sel = (name, values, required = true) => ({ name, type: 'select', required, options: values.map((v) => [v]) });
const date = (name, required = true) => ({ name, type: 'date', required });
const instant = (name, required = true) => ({ name, type: 'datetime-local', required });
const text = (name, required = true) => ({ name, required });
const GROUNDS = ['relevance', 'already_in_possession', 'too_indefinite', 'tenth_amendment', 'privilege', 'other'];

// The fields of each action, by name; an action not listed takes none.
// `respond` is built from the subpoena's items (case.js).
export const ACTION_FIELDS = {
  serve: [instant('served_at'), sel('method', ['personal', 'certified_mail', 'email', 'courier']),
    text('served_to'), { name: 'return_days', type: 'number', required: false,
      hint: 'Days to respond (e.g. 14), counted by the rules; or give a return date.' },
    date('return_date', false)],
  extend: [date('return_date'), text('reason')],
  refuse: [text('reason')],
  withdraw: [text('reason')],
  decline: [text('reason')],
  cancel: [text('reason')],
  release: [instant('released_at'), { name: 'notice_given', type: 'checkbox' }],
  transfer: [instant('transferred_at')],
  set_release_time: [instant('otherwise_release_at')],
  file_petition: [text('court'), text('district'), text('docket_number'), date('filed_on')],
  issue_show_cause: [date('hearing_on'), date('response_due')],
  enter_order: [sel('result', ['enforced', 'enforced_in_part', 'denied']), date('entered_on'),
    { name: 'compliance_days', type: 'number', required: false }, date('compliance_due', false)],
  hold_in_contempt: [sel('kind', ['civil', 'criminal']),
    { name: 'per_day_cents', type: 'number', required: false, label: 'Per day (cents)' },
    { name: 'fixed_cents', type: 'number', required: false, label: 'Fixed (cents)' }, date('starts_on')],
  purge: [date('purged_on')],
  respond_ground: GROUNDS,
};
