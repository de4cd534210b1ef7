// account.js: the person's own account: who they are, and the second
// factor: POST /api/v1/me/totp gives a secret, shown as a QR code and as
// text to type, confirmed with a first code (POST /api/v1/me/totp/confirm).
import { get, post } from '../api.js';
import { qrSvg } from '../qr.js';
import { form, h, label, notify } from '../ui.js';

function enrolment(ctx, area) {
  const start = h('button', { type: 'button', class: 'primary', 'data-testid': 'totp-start' },
    'Set up a second factor');
  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      const r = await post('/api/v1/me/totp', {});
      area.replaceChildren(
        h('p', null, 'Scan this code with your authenticator app, or type the key below into it.'),
        h('figure', { class: 'qr', 'data-testid': 'totp-qr' },
          qrSvg(r.otpauth_uri, { title: 'QR code for your authenticator app' })),
        h('p', null, 'Key: ', h('code', { class: 'secret', 'data-testid': 'totp-secret' },
          r.secret.replace(/(.{4})/g, '$1 ').trim())),
        form({
          testid: 'totp-confirm', submit: 'Turn on',
          fields: [{ name: 'code', label: 'Code from the app', autocomplete: 'one-time-code',
            inputmode: 'numeric', required: true }],
          onSubmit: async (v) => {
            await post('/api/v1/me/totp/confirm', { code: v.code || '' });
            notify('The second factor is on: logging in now asks for a code.');
            ctx.navigate('/account', { replace: true });
          },
        }));
    } catch (err) {
      notify(err.message, 'error');
      start.disabled = false;
    }
  });
  return start;
}

export async function accountPage(ctx) {
  const me = await get('/api/v1/me');
  const area = h('div', { 'data-testid': 'totp-area' });
  area.append(me.totp_enabled
    ? h('p', { 'data-testid': 'totp-on' }, 'On: logging in asks for a code from your authenticator app.')
    : enrolment(ctx, area));
  return h('div', null,
    h('h1', null, 'Account'),
    h('section', { class: 'panel' },
      h('dl', { class: 'facts' },
        h('dt', null, 'Name'), h('dd', null, me.name),
        h('dt', null, 'Email'), h('dd', null, me.email),
        h('dt', null, 'Organization'), h('dd', null, me.org?.name || '—'),
        h('dt', null, 'Roles'), h('dd', null, me.roles.map(label).join(', ')))),
    h('section', { class: 'panel', 'aria-labelledby': 'totp-h' },
      h('h2', { id: 'totp-h' }, 'Second factor'), area));
}
