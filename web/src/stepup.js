// stepup.js: the dialog that asks for the password again before signing
// or an administrator's change, when the login (or the last confirmation)
// is older than the server's step_up_minutes (docs/api.md "Step-up").
//
// api.js calls askStepUp on a 401 step_up_required and sends the action
// again once it resolves to true. A modal <dialog>: focus goes to the
// password field, Escape or Cancel resolves to false, and a wrong password
// says so in the dialog (it counts toward the lockout, like a login).
import { stepUp } from './api.js';
import { h, nextId } from './ui.js';

export function askStepUp() {
  return new Promise((resolve) => {
    const titleId = nextId('stepup-title');
    const pwId = nextId('stepup-pw');
    const codeId = nextId('stepup-code');
    const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'stepup-error' });
    const password = h('input', {
      id: pwId, type: 'password', required: true, autocomplete: 'current-password',
      'data-testid': 'stepup-password',
    });
    const code = h('input', {
      id: codeId, type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
      maxlength: 16, 'data-testid': 'stepup-totp',
    });
    const codeField = h('div', { class: 'field', hidden: true },
      h('label', { for: codeId }, 'Code from your authenticator app'), code);
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'stepup-submit' }, 'Confirm');
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    const cancel = h('button', { type: 'button', 'data-testid': 'stepup-cancel', onclick: () => finish(false) }, 'Cancel');
    const formEl = h('form', { novalidate: true },
      h('h2', { id: titleId }, 'Confirm it is you'),
      h('p', null, 'Signing and administration need your password again when you logged in a while ago.'),
      h('div', { class: 'field' }, h('label', { for: pwId }, 'Password'), password),
      codeField,
      error,
      h('div', { class: 'form-actions' }, submit, cancel));
    formEl.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!password.value) {
        error.textContent = 'Enter your password.';
        password.focus();
        return;
      }
      submit.disabled = true;
      try {
        await stepUp(password.value, code.value.trim() || undefined);
        finish(true);
      } catch (err) {
        if (err.code === 'mfa_required') {
          codeField.hidden = false;
          error.textContent = 'Enter the 6-digit code of your authenticator app.';
          code.focus();
        } else if (err.code === 'bad_credentials') {
          error.textContent = 'The password or code is wrong.';
          password.value = '';
          password.focus();
        } else {
          // Locked, or the session ended: the page says what happened.
          finish(false);
          throw err;
        }
      } finally {
        submit.disabled = false;
      }
    });
    const dialog = h('dialog', { class: 'stepup', 'aria-labelledby': titleId, 'data-testid': 'stepup' }, formEl);
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    password.focus();
  });
}
