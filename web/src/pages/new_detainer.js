// new_detainer.js (page): lodge a detainer (/detainers/new): the person
// (found by A-number, or family name and date of birth, or created), the
// facility, the form, the basis and the hold rule (8 CFR 287.7(d)'s
// 48 hours excluding weekends and holidays unless another is chosen).
import { post } from '../api.js';
import { facilityField, personPicker } from '../picker.js';
import { form, h, notify } from '../ui.js';

const BASES = [['final_order', 'Final order of removal'], ['pending_proceedings', 'Removal proceedings pending'],
  ['biometric_match', 'Biometric match'], ['statements', 'Statements of the person']];
const HOLD_RULES = [['48h-excluding-weekends-holidays', '48 hours, excluding weekends and holidays (8 CFR 287.7(d))'],
  ['48h-clock', '48 hours by the clock'], ['frcp6-hours', '48 hours counted under FRCP 6(a)(2)']];

export async function newDetainerPage(ctx) {
  const facility = await facilityField({ name: 'facility_id', label: 'Facility', required: true });
  return h('div', null,
    h('p', { class: 'crumbs' }, h('a', { href: '/detainers' }, 'Detainers')),
    h('h1', null, 'New detainer'),
    h('section', { class: 'panel' }, form({
      testid: 'detainer-form', submit: 'Lodge the detainer',
      fields: [
        personPicker({ name: 'person_id', label: 'Person' }),
        facility,
        { name: 'form', label: 'Form', type: 'select', required: true, options: [['I-247A', 'I-247A (Immigration Detainer)']], value: 'I-247A' },
        { name: 'basis', label: 'Basis', type: 'select', required: true, options: BASES },
        { name: 'hold_rule', label: 'Hold rule', type: 'select', required: true, options: HOLD_RULES,
          value: '48h-excluding-weekends-holidays' },
      ],
      onSubmit: async (values) => {
        const d = await post('/api/v1/detainers', values);
        notify(`${d.number} lodged.`);
        ctx.navigate(`/detainers/${encodeURIComponent(d.id)}`);
      },
    })));
}
