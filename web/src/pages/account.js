// account.js: the person's own account: who they are, the password
// (changed with the current one; other sessions end), and the second
// factor: POST /api/v1/me/totp gives a secret, shown as a QR code and as
// text to type, confirmed with a first code (POST /api/v1/me/totp/confirm).
// API tokens for programs (create: the token is shown once; list;
// revoke) and the calendar feed's token (create: its subscribe URL is
// shown once; revoke).
import { del, get, post } from '../api.js';
import { qrSvg } from '../qr.js';
import { fmtInstant, form, h, label, notify } from '../ui.js';

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
            const required = ctx.me?.mfa_enrollment_required;
            ctx.loggedIn(await get('/api/v1/me'));
            ctx.navigate(required ? '/' : '/account', { replace: true });
          },
        }));
    } catch (err) {
      notify(err.message, 'error');
      start.disabled = false;
    }
  });
  return start;
}

// The password: POST /api/v1/me/password with the current one; the
// server ends every other session. The new one is typed twice.
function passwordSection() {
  return h('section', { class: 'panel', 'aria-labelledby': 'password-h' },
    h('h2', { id: 'password-h' }, 'Password'),
    form({
      testid: 'password-form', submit: 'Change the password',
      fields: [
        { name: 'current_password', label: 'Current password', type: 'password',
          autocomplete: 'current-password', required: true },
        { name: 'new_password', label: 'New password', type: 'password',
          autocomplete: 'new-password', required: true, hint: 'At least 12 characters.' },
        { name: 'new_password_again', label: 'New password, again', type: 'password',
          autocomplete: 'new-password', required: true },
      ],
      onSubmit: async (v, formEl) => {
        if ((v.new_password || '') !== (v.new_password_again || ''))
          throw { field: 'new_password_again', detail: 'The two new passwords differ.' };
        await post('/api/v1/me/password', { current_password: v.current_password || '',
          new_password: v.new_password || '' });
        formEl.reset();
        notify('Your password is changed. Your sessions elsewhere were ended.');
      },
    }));
}

export async function accountPage(ctx) {
  const me = await get('/api/v1/me');
  const area = h('div', { 'data-testid': 'totp-area' });
  area.append(me.totp_enabled
    ? h('p', { 'data-testid': 'totp-on' }, 'On: logging in asks for a code from your authenticator app.')
    : enrolment(ctx, area));
  // require_totp: until a second factor is on, enrolling one is all this
  // account may do (the server refuses the rest).
  const mustEnroll = me.mfa_enrollment_required;
  return h('div', null,
    h('h1', null, 'Account'),
    mustEnroll ? h('p', { class: 'notice', role: 'alert', 'data-testid': 'mfa-required' },
      'A second factor is required of every account here. Set one up under "Second factor" below; '
      + 'until then, this page is all you can use.') : null,
    h('section', { class: 'panel' },
      h('dl', { class: 'facts' },
        h('dt', null, 'Name'), h('dd', null, me.name),
        h('dt', null, 'Email'), h('dd', null, me.email),
        h('dt', null, 'Organization'), h('dd', null, me.org?.name || '—'),
        h('dt', null, 'Roles'), h('dd', null, me.roles.map(label).join(', ')))),
    passwordSection(),
    h('section', { class: 'panel', 'aria-labelledby': 'totp-h' },
      h('h2', { id: 'totp-h' }, 'Second factor'), area),
    mustEnroll ? null : await tokensSection(),
    mustEnroll ? null : feedSection());
}

// ---- API tokens -----------------------------------------------------------

function tokenState(t) {
  if (t.revoked_at) return `Revoked ${fmtInstant(t.revoked_at)}`;
  if (t.expires_at && Date.parse(t.expires_at) <= Date.now()) return 'Expired';
  return 'Active';
}

async function tokensSection() {
  const list = h('div', { 'data-testid': 'token-list' });
  const shown = h('div', { 'aria-live': 'polite' });
  async function refresh() {
    const tokens = (await get('/api/v1/tokens')).items;
    if (!tokens.length) { list.replaceChildren(h('p', null, 'No tokens.')); return; }
    const cols = ['Name', 'State', 'Created', 'Expires', 'Last used', 'Revoke'];
    list.replaceChildren(h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, tokens.map((t) => h('tr', { 'data-testid': 'row' },
        h('th', { scope: 'row' }, t.name), h('td', null, tokenState(t)),
        h('td', null, fmtInstant(t.created_at)), h('td', null, t.expires_at ? fmtInstant(t.expires_at) : 'Never'),
        h('td', null, t.last_used_at ? fmtInstant(t.last_used_at) : 'Never'),
        h('td', null, t.revoked_at ? '—' : revokeButton(t))))))));
  }
  function revokeButton(t) {
    const b = h('button', { type: 'button', class: 'secondary', 'aria-label': `Revoke the token ${t.name}`,
      'data-testid': 'token-revoke' }, 'Revoke');
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await del(`/api/v1/tokens/${encodeURIComponent(t.id)}`);
        notify(`The token "${t.name}" is revoked: programs using it are refused from now on.`);
        shown.replaceChildren();
        await refresh();
      } catch (err) {
        notify(err.message, 'error');
        b.disabled = false;
      }
    });
    return b;
  }
  const create = form({
    testid: 'token-create', submit: 'Create token',
    fields: [
      { name: 'name', label: 'Token name', required: true, hint: 'What uses it, e.g. "service robot".' },
      { name: 'expires_at', label: 'Expires at', type: 'datetime-local', hint: 'Optional; your local time.' },
    ],
    onSubmit: async (values, formEl) => {
      const t = await post('/api/v1/tokens', values);
      formEl.reset();
      shown.replaceChildren(h('div', { class: 'notice' },
        h('p', null, `Token "${t.name}" created. Copy it now: it is not shown again.`),
        h('p', null, h('code', { class: 'secret', 'data-testid': 'new-token' }, t.token)),
        h('p', { class: 'hint' }, 'Send it as the header Authorization: Bearer <token>.')));
      await refresh();
    },
  });
  await refresh();
  return h('section', { class: 'panel', 'aria-labelledby': 'tokens-h' },
    h('h2', { id: 'tokens-h' }, 'API tokens'),
    h('p', null, 'A token lets a program act as you, with your roles at each request. Revoke it when the program no longer needs it.'),
    list, h('h3', null, 'New token'), shown, create);
}

// ---- calendar feed --------------------------------------------------------

function feedSection() {
  const out = h('div', { 'aria-live': 'polite' });
  const make = h('button', { type: 'button', class: 'primary', 'data-testid': 'feed-create' }, 'Create a feed link');
  const revoke = h('button', { type: 'button', class: 'secondary', 'data-testid': 'feed-revoke' }, 'Revoke the feed');
  make.addEventListener('click', async () => {
    make.disabled = true;
    try {
      const r = await post('/api/v1/me/calendar-token', {});
      out.replaceChildren(h('div', { class: 'notice' },
        h('label', { for: 'feed-url' }, 'Subscribe URL (shown this once; treat it as a password)'),
        h('input', { id: 'feed-url', type: 'text', readonly: true, value: r.url, 'data-testid': 'feed-url' }),
        h('p', { class: 'hint' }, 'Outlook: Add calendar, From internet. Google Calendar: Other calendars, From URL. Apple Calendar: File, New Calendar Subscription.')));
      notify('Feed link created; any older link stops working.');
    } catch (err) {
      notify(err.message, 'error');
    } finally {
      make.disabled = false;
    }
  });
  revoke.addEventListener('click', async () => {
    revoke.disabled = true;
    try {
      await del('/api/v1/me/calendar-token');
      out.replaceChildren();
      notify('The calendar feed is revoked: its link answers nothing now.');
    } catch (err) {
      notify(err.message, 'error');
    } finally {
      revoke.disabled = false;
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'feed-h' },
    h('h2', { id: 'feed-h' }, 'Calendar feed'),
    h('p', null, 'Your deadlines as a calendar your calendar app subscribes to. It holds case numbers and dates, no personal data. A new link replaces the old one.'),
    h('div', { class: 'form-actions' }, make, revoke), out);
}
