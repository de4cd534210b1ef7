// charts.js: SVG charts and the tables the statistics pages share
// (people, jurisdictions, reports). No canvas, no data: images, no style
// attributes (the CSP forbids them): shapes are SVG elements whose colors
// come from classes in style.css (.chart-s0 ... .chart-s4).
//
//   barChart(spec)     horizontal bars, optionally stacked by series
//   lineChart(spec)    one line per series over labelled periods
//   dataTable(spec)    a table with th scope, sortable when asked
//   fmtCount / fmtRate / fmtDays / getPath   number display helpers
//
// Every chart is a <figure>: the <svg> has role="img" with a <title> and a
// <desc> (aria-labelledby), a caption in words, a legend in HTML, and the
// same numbers as a table in a <details>, for screen readers and for
// anyone who wants the values. Flagged rows (a small sample) say so in
// words next to the bar or point, never by color alone.
import { h, nextId, svg } from './ui.js';

// ---- numbers -------------------------------------------------------------

// `o` at "a.b.c"; undefined when a step is missing.
export function getPath(o, path) {
  return path.split('.').reduce((at, k) => (at == null ? undefined : at[k]), o);
}

// A count: "12"; null/undefined: "—" (the public export's withheld cells
// are null too: `withheld` words them).
export function fmtCount(v, withheld = '—') {
  return v === null || v === undefined ? withheld : String(v);
}

// A rate 0..1 as a percentage with at most one decimal: 0.4 -> "40%",
// 0.33335 -> "33.3%"; null: "—".
export function fmtRate(v, withheld = '—') {
  if (v === null || v === undefined) return withheld;
  return `${Number((v * 100).toFixed(1))}%`;
}

// A number of days: 1 -> "1 day", 22 -> "22 days"; null: "—".
export function fmtDays(v, withheld = '—') {
  if (v === null || v === undefined) return withheld;
  return `${v} ${v === 1 ? 'day' : 'days'}`;
}

// ---- tables --------------------------------------------------------------

// A table of `rows`. spec: {columns: [{key, label, value?: (row) => sort
// value, render?: (row) => node|string, numeric?: bool}], rows, caption?,
// sortable?: bool, testid?, rowTestid?, rowHref?: (row) => path (links the
// first cell)}. The first column is the row header (th scope="row").
// Sortable columns are buttons and set aria-sort; numbers sort as numbers,
// empty values last.
export function dataTable(spec) {
  let sortKey = null;
  let dir = 1;
  const tbody = h('tbody');
  const val = (col, row) => (col.value ? col.value(row) : getPath(row, col.key));
  function draw() {
    const col = spec.columns.find((c) => c.key === sortKey);
    const rows = !col ? spec.rows : [...spec.rows].sort((a, b) => {
      const x = val(col, a);
      const y = val(col, b);
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === 'number' && typeof y === 'number'
        ? x - y : String(x).localeCompare(String(y))) * dir;
    });
    tbody.replaceChildren(...rows.map((row) => h('tr', { 'data-testid': spec.rowTestid || null },
      spec.columns.map((c, i) => {
        const content = c.render ? c.render(row) : fmtCount(val(c, row));
        const attrs = { class: c.numeric ? 'num' : null, 'data-key': c.key };
        if (i > 0) return h('td', attrs, content);
        return h('th', { ...attrs, scope: 'row' },
          spec.rowHref ? h('a', { href: spec.rowHref(row) }, content) : content);
      }))));
  }
  const heads = spec.columns.map((c) => {
    const th = h('th', { scope: 'col', class: c.numeric ? 'num' : null });
    if (!spec.sortable) { th.append(c.label); return th; }
    th.setAttribute('aria-sort', 'none');
    const b = h('button', { type: 'button', class: 'sort' }, c.label);
    b.addEventListener('click', () => {
      dir = sortKey === c.key ? -dir : 1;
      sortKey = c.key;
      for (const other of th.parentNode.children)
        if (other.hasAttribute('aria-sort')) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      draw();
    });
    th.append(b);
    return th;
  });
  draw();
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data-table', 'data-testid': spec.testid || null },
      spec.caption ? h('caption', null, spec.caption) : null,
      h('thead', null, h('tr', null, heads)), tbody));
}

// ---- the parts every chart has -------------------------------------------

// Charts are drawn at the width they are shown at (one SVG unit = one CSS
// pixel), so text keeps its size from 360 px to 1920 px: a ResizeObserver
// draws the chart again when its box changes width. Before the box is
// laid out the chart is drawn 640 wide.
function responsive(draw) {
  const box = h('div', { class: 'chart-box' });
  let drawn = 0;
  const paint = (width) => {
    const w = Math.round(Math.min(1400, Math.max(280, width)));
    if (w === drawn) return;
    drawn = w;
    box.replaceChildren(draw(w));
  };
  paint(640);
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver((entries) => {
      const width = entries[entries.length - 1].contentRect.width;
      if (width > 0) paint(width);
    }).observe(box);
  }
  return box;
}

function frame(spec, W, height, body) {
  const titleId = nextId('chart-t');
  const descId = nextId('chart-d');
  return svg('svg', {
    viewBox: `0 0 ${W} ${height}`, width: W, height, class: 'chart-svg', role: 'img',
    'aria-labelledby': `${titleId} ${descId}`, focusable: 'false',
  }, svg('title', { id: titleId }, spec.title), svg('desc', { id: descId }, spec.desc), body);
}

function legend(series) {
  if (series.length < 2) return null;
  return h('ul', { class: 'chart-legend' }, series.map((s, i) =>
    h('li', null, h('span', { class: `chart-swatch chart-s${s.color ?? i}`, 'aria-hidden': 'true' }), s.label)));
}

function figure(spec, chart, table) {
  return h('figure', { class: 'chart', 'data-testid': spec.testid || null },
    h('figcaption', null, h('strong', null, spec.title),
      spec.caption ? h('span', { class: 'chart-note' }, ' ', spec.caption) : null),
    chart, legend(spec.series || []),
    spec.flagNote ? h('p', { class: 'chart-flags' }, spec.flagNote) : null,
    h('details', { class: 'chart-data' }, h('summary', null, 'Show the numbers as a table'), table));
}

function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }

// ---- bars ----------------------------------------------------------------

// Horizontal bars, one row per item, stacked by series. spec: {title,
// desc, caption?, series: [{key, label, color?}], rows: [{label, values:
// {key: number|null}, flag?: 'small sample'}], format?: (n) => text,
// max?, rowLabel?, testid?, flagNote?}. The total of each row is written
// at the end of its bar, and the row's flag (words) under its label.
export function barChart(spec) {
  const fmt = spec.format || fmtCount;
  const series = spec.series;
  const total = (r) => series.reduce((s, se) => s + (r.values[se.key] || 0), 0);
  const max = spec.max ?? Math.max(1, ...spec.rows.map(total));
  const rowH = 36;
  const top = 8;
  const height = top * 2 + Math.max(1, spec.rows.length) * rowH;
  const draw = (W) => {
    const labelW = Math.round(Math.min(220, W * 0.38));
    const valueW = 56;
    const scale = (W - labelW - valueW) / max;
    const chars = Math.floor((labelW - 12) / 7);
    const g = spec.rows.map((r, i) => {
      const y = top + i * rowH;
      let x = labelW;
      const bars = series.map((se, si) => {
        const v = r.values[se.key] || 0;
        const w = v * scale;
        const rect = v > 0 ? svg('rect', {
          x: x.toFixed(1), y: y + 6, width: Math.max(w, 1).toFixed(1), height: rowH - 16,
          class: `chart-bar chart-s${se.color ?? si}${r.flag ? ' chart-flagged' : ''}`,
        }, svg('title', null, `${r.label}: ${se.label} ${fmt(r.values[se.key])}`)) : null;
        x += w;
        return rect;
      });
      return svg('g', { class: 'chart-row' },
        svg('text', { x: labelW - 8, y: y + (r.flag ? 15 : 22), class: 'chart-label', 'text-anchor': 'end' },
          svg('title', null, r.label), clip(r.label, chars)),
        r.flag ? svg('text', { x: labelW - 8, y: y + 30, class: 'chart-flag', 'text-anchor': 'end' }, r.flag) : null,
        bars,
        svg('text', { x: (x + 6).toFixed(1), y: y + 22, class: 'chart-value' },
          series.every((se) => r.values[se.key] === null || r.values[se.key] === undefined)
            ? fmt(null) : fmt(series.length > 1 ? total(r) : r.values[series[0].key])));
    });
    const body = spec.rows.length
      ? [svg('line', { x1: labelW, x2: labelW, y1: top, y2: height - top, class: 'chart-axis' }), g]
      : svg('text', { x: W / 2, y: height / 2 + 5, 'text-anchor': 'middle', class: 'chart-label' }, 'No data');
    return frame(spec, W, height, body);
  };
  const table = dataTable({
    columns: [{ key: 'label', label: spec.rowLabel || 'Row', render: (r) => r.label },
      ...series.map((se) => ({ key: se.key, label: se.label, numeric: true,
        value: (r) => r.values[se.key], render: (r) => fmt(r.values[se.key]) })),
      ...(spec.rows.some((r) => r.flag) ? [{ key: 'flag', label: 'Note', render: (r) => r.flag || '' }] : [])],
    rows: spec.rows,
  });
  return figure(spec, responsive(draw), table);
}

// ---- lines ---------------------------------------------------------------

// A round upper bound for an axis: 1, 2, 5 x 10^n.
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
}

// Lines over periods. spec: {title, desc, caption?, periods: [labels],
// series: [{key, label, values: [number|null per period], color?}],
// format?: (n) => text, max?: number (else a round max of the data),
// flags?: [text|null per period] (e.g. 'small sample'), testid?,
// flagNote?}. A null value leaves a gap. A flagged period's points are
// hollow, its axis label is marked with "*", and the note says which
// periods are flagged in words.
export function lineChart(spec) {
  const fmt = spec.format || fmtCount;
  const n = spec.periods.length;
  const left = 64;
  const right = 20;
  const top = 12;
  const bottom = 36;
  const height = 240;
  const plotH = height - top - bottom;
  const all = spec.series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = spec.max ?? niceMax(Math.max(0, ...all));
  const Y = (v) => top + plotH - (v / max) * plotH;
  const flags = spec.flags || [];
  const draw = (W) => {
    const step = n > 1 ? (W - left - right) / (n - 1) : 0;
    const X = (i) => (n > 1 ? left + i * step : (W + left - right) / 2);
    const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => svg('g', null,
      svg('line', { x1: left, x2: W - right, y1: Y(f * max), y2: Y(f * max), class: f ? 'chart-gridline' : 'chart-axis' }),
      svg('text', { x: left - 6, y: Y(f * max) + 4, 'text-anchor': 'end', class: 'chart-tick' }, fmt(f * max))));
    // Label every k-th period, counted back from the last, ~70 px apart.
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor((W - left - right) / 70))));
    const xLabels = spec.periods.map((p, i) => ((n - 1 - i) % every ? null
      : svg('text', { x: X(i).toFixed(1), y: height - bottom + 18, 'text-anchor': 'middle', class: 'chart-tick' },
        p + (flags[i] ? '*' : ''))));
    const lines = spec.series.map((s, si) => {
      const cls = `chart-s${s.color ?? si}`;
      // Consecutive non-null points form one segment.
      const segs = [];
      let cur = [];
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) { if (cur.length) segs.push(cur); cur = []; } else cur.push([X(i), Y(v)]);
      });
      if (cur.length) segs.push(cur);
      return svg('g', { class: `chart-series ${cls}` },
        segs.filter((sg) => sg.length > 1).map((sg) => svg('polyline', {
          class: 'chart-line', points: sg.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '),
        })),
        s.values.map((v, i) => (v === null || v === undefined ? null : svg('circle', {
          cx: X(i).toFixed(1), cy: Y(v).toFixed(1), r: 4.5,
          class: `chart-point${flags[i] ? ' chart-point-flagged' : ''}`,
        }, svg('title', null, `${spec.periods[i]}: ${s.label} ${fmt(v)}${flags[i] ? ` (${flags[i]})` : ''}`)))));
    });
    return frame(spec, W, height, [grid, xLabels, lines]);
  };
  const table = dataTable({
    columns: [{ key: 'period', label: 'Period', render: (r) => r.period },
      ...spec.series.map((s) => ({ key: s.key, label: s.label, numeric: true, render: (r) => fmt(r[s.key]) })),
      ...(flags.some(Boolean) ? [{ key: 'flag', label: 'Note', render: (r) => r.flag || '' }] : [])],
    rows: spec.periods.map((p, i) => Object.fromEntries([['period', p], ['flag', flags[i]],
      ...spec.series.map((s) => [s.key, s.values[i]])])),
  });
  return figure(spec, responsive(draw), table);
}
