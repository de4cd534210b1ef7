// not_found.js: a path the router does not know.
import { h } from '../ui.js';

export async function notFoundPage() {
  return h('div', { class: 'panel' },
    h('h1', null, 'Page not found'),
    h('p', null, 'There is no page at this address. ', h('a', { href: '/' }, 'Go home'), '.'));
}
