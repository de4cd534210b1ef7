// login.js: the login page. Email and password; when the API answers
// 401 mfa_required the code field appears and the form is sent again with
// it. Wrong credentials, a locked account (423) and an expired session
// (the message main.js passes in ctx.message) are said in words.
import { get, login } from '../api.js';
import { field, form, h } from '../ui.js';

export async function loginPage(ctx) {
  const totp = field({
    name: 'totp', label: 'Authentication code', autocomplete: 'one-time-code',
    inputmode: 'numeric', hint: 'The 6-digit code your authenticator app shows for compel.',
  });
  totp.hidden = true;
  totp.querySelector('input').disabled = true;

  const f = form({
    testid: 'login',
    submit: 'Log in',
    fields: [
      { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'username' },
      { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
      totp,
    ],
    onSubmit: async (v) => {
      try {
        await login(v.email || '', v.password || '', v.totp);
      } catch (err) {
        if (err.code === 'mfa_required') {
          totp.hidden = false;
          totp.querySelector('input').disabled = false;
          err.detail = 'Enter the 6-digit code from your authenticator app.';
        }
        throw err;
      }
      ctx.loggedIn(await get('/api/v1/me'));
      const next = ctx.query.get('next');
      ctx.navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    },
  });
  return h('div', { class: 'panel narrow' },
    h('h1', null, 'Log in to compel'),
    ctx.message ? h('p', { class: 'notice', role: 'alert', 'data-testid': 'login-message' }, ctx.message) : null,
    f);
}
