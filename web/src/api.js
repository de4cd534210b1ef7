// api.js: the one way the UI talks to compel's API (docs/api.md).
//
// Every call is JSON over fetch with the session cookie (same origin); an
// unsafe method also sends the X-CSRF-Token that the login answered, kept
// in sessionStorage so a reload of the tab keeps it. A problem+json answer
// becomes an ApiError carrying status, code, field and detail. A 401 on
// any call but the login itself ends the session in the UI: the handler
// set by onSessionLost (main.js) shows the login page with a message
// saying whether the session expired or was never there.

const CSRF_KEY = 'compel.csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code || 'http_' + status;
    this.field = problem?.field || null;
    this.detail = problem?.detail || null;
  }
}

let sessionLost = () => {};
let stepUpPrompt = null;

// Call `fn(message)` when the API says the session is gone (401).
export function onSessionLost(fn) { sessionLost = fn; }

// Call `fn()` when an action needs the password again (401
// step_up_required: signing, an administrator's change, a new API token,
// more than step_up_minutes after the login). It resolves to true once
// the person has confirmed it (stepUp below; the action is then sent
// again, once), false when they cancelled.
export function onStepUp(fn) { stepUpPrompt = fn; }

export function hasSession() { return sessionStorage.getItem(CSRF_KEY) !== null; }

function forgetSession() { sessionStorage.removeItem(CSRF_KEY); }

// What to tell a person whose request answered 401.
function lostMessage(err, hadSession) {
  if (/expired/i.test(err.detail || '')) return 'Your session expired; log in again.';
  // The API does not always say why (an idle expiry may answer "log in
  // first"): a session this tab held and lost most likely expired.
  if (hadSession) return 'Your session expired or was ended; log in again.';
  return '';
}

// Send `method path` with `body` (JSON unless a Blob/ArrayBuffer/string,
// then sent as is with headers.Content-Type). Resolves to the parsed JSON
// (null for 204); rejects with ApiError.
export async function api(method, path, body = undefined, headers = {}, isRetry = false) {
  const h = { Accept: 'application/json', ...headers };
  const unsafe = !['GET', 'HEAD'].includes(method);
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (unsafe && csrf) h['X-CSRF-Token'] = csrf;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer) {
      payload = body;
    } else {
      payload = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(path, {
    method, headers: h, body: payload, credentials: 'same-origin',
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.ok) return json;
  const err = new ApiError(res.status, json);
  if (res.status === 401 && err.code === 'step_up_required') {
    if (stepUpPrompt && !isRetry && await stepUpPrompt())
      return api(method, path, body, headers, true);
    err.message = err.detail = 'Not done: this needs your password again.';
    throw err;
  }
  if (res.status === 423)
    err.message = err.detail = 'This account is locked; ask an administrator to unlock it.';
  // A 401 means the session is gone, except where a password is checked
  // (logging in; a wrong current password when changing it): those are
  // the form's own errors.
  const checksPassword = path === '/api/v1/session' ||
    ((path === '/api/v1/me/password' || path === '/api/v1/session/step-up') &&
     ['bad_credentials', 'mfa_required'].includes(err.code));
  if (res.status === 401 && !checksPassword) {
    const hadSession = hasSession();
    forgetSession();
    sessionLost(lostMessage(err, hadSession));
  }
  throw err;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}, headers) => api('POST', path, body, headers);
export const patch = (path, body, headers) => api('PATCH', path, body, headers);
export const del = (path) => api('DELETE', path);

// A query string from an object, leaving out empty values: "?a=1&b=x".
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

// Log in; resolves to the user. Rejects with ApiError: 401 code
// bad_credentials, 401 mfa_required (send `totp`), 423 account_locked.
export async function login(email, password, totp) {
  const body = { email, password };
  if (totp) body.totp = totp;
  const r = await api('POST', '/api/v1/session', body);
  sessionStorage.setItem(CSRF_KEY, r.csrf_token);
  return r.user;
}

// Confirm the password (and the second factor's code) of this session's
// account again; rejects with ApiError 401 bad_credentials, 401
// mfa_required (send `totp`), 423 account_locked.
export async function stepUp(password, totp) {
  const body = { password };
  if (totp) body.totp = totp;
  return api('POST', '/api/v1/session/step-up', body);
}

export async function logout() {
  try { await api('DELETE', '/api/v1/session'); } finally { forgetSession(); }
}
