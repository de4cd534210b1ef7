// scroll.js: wide tables scroll sideways inside `.table-wrap` (docs/web.md).
// A keyboard user can only scroll what can take focus, so while a wrap is
// narrower than its table it becomes a named, focusable region
// (tabindex 0, role region, labelled by the table's caption or the
// section's heading); when the table fits again it is a plain box, so
// no empty Tab stop is left on wide screens (WCAG 2.1.1, axe's
// scrollable-region-focusable).
const sized = new ResizeObserver((entries) => {
  for (const e of entries) update(e.target.closest('.table-wrap'));
});

function name(wrap) {
  const caption = wrap.querySelector('caption');
  if (caption) return caption.textContent.trim();
  const heading = wrap.closest('section, .panel, figure, main')?.querySelector('h1, h2, h3, h4, figcaption');
  return heading ? heading.textContent.trim() : 'Table';
}

function update(wrap) {
  if (!wrap) return;
  if (wrap.scrollWidth > wrap.clientWidth + 1) {
    if (wrap.getAttribute('tabindex') !== '0') {
      wrap.setAttribute('tabindex', '0');
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', `${name(wrap)} (scrolls sideways)`);
    }
  } else if (wrap.hasAttribute('tabindex')) {
    if (document.activeElement === wrap) return; // never pull focus away
    for (const a of ['tabindex', 'role', 'aria-label']) wrap.removeAttribute(a);
  }
}

// Watch every `.table-wrap` put under `root`, now and later; a table's
// rows arrive after its wrap, so the table is watched too.
export function watchScrollRegions(root) {
  const seen = new WeakSet();
  const scan = () => {
    for (const wrap of root.querySelectorAll('.table-wrap')) {
      if (seen.has(wrap)) { update(wrap); continue; }
      seen.add(wrap);
      sized.observe(wrap);
      if (wrap.firstElementChild) sized.observe(wrap.firstElementChild);
    }
  };
  new MutationObserver(scan).observe(root, { childList: true, subtree: true });
  scan();
}
