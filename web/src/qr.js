// qr.js: a small QR code encoder (ISO/IEC 18004), enough for an otpauth://
// URI: byte mode, error correction level M, versions 1 to 10 (up to 213
// bytes). qrMatrix gives the modules; qrSvg draws them as one SVG path
// (no inline style, so the CSP holds).
//
// Steps: data bits (mode, count, bytes, terminator, padding) -> codewords
// split in blocks, each with Reed-Solomon error correction over GF(256)
// (polynomial 0x11D) -> interleaved -> placed in the zig-zag order around
// the function patterns (finders, timing, alignment, format and version
// information) -> the mask of the 8 with the lowest penalty is applied.
import { svg } from './ui.js';

// Per version 1..10 at level M: codewords in all, error correction
// codewords per block, blocks.
const TOTAL = [26, 44, 70, 100, 134, 172, 196, 242, 292, 346];
const ECC_PER_BLOCK = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
const BLOCKS = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
// Centers of the alignment patterns per version (none for version 1).
const ALIGN = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38],
  [6, 24, 42], [6, 26, 46], [6, 28, 50]];
const LEVEL_M_BITS = 0; // format bits of level M

// Product in GF(256) modulo x^8 + x^4 + x^3 + x^2 + 1.
function gfMul(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

// Coefficients (highest first, leading 1 left out) of the generator
// polynomial (x - a^0)(x - a^1)...(x - a^(degree-1)).
function rsGenerator(degree) {
  const g = new Array(degree).fill(0);
  g[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      g[j] = gfMul(g[j], root);
      if (j + 1 < degree) g[j] ^= g[j + 1];
    }
    root = gfMul(root, 2);
  }
  return g;
}

// The error correction codewords of `data`: remainder of data * x^n / g.
function rsRemainder(data, g) {
  const r = new Array(g.length).fill(0);
  for (const b of data) {
    const factor = b ^ r.shift();
    r.push(0);
    g.forEach((coef, i) => { r[i] ^= gfMul(coef, factor); });
  }
  return r;
}

function dataCodewords(v) {
  return TOTAL[v - 1] - ECC_PER_BLOCK[v - 1] * BLOCKS[v - 1];
}

// The codewords of `bytes` in version `v`, data and error correction
// interleaved as placed in the symbol.
function codewords(bytes, v) {
  const capacity = dataCodewords(v);
  const bits = [];
  const put = (value, n) => { for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0b0100, 4);
  put(bytes.length, v < 10 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, capacity * 8 - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8)
    data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) data.push(pad);

  const nBlocks = BLOCKS[v - 1];
  const ecc = ECC_PER_BLOCK[v - 1];
  const shortLen = Math.floor(TOTAL[v - 1] / nBlocks);
  const nShort = nBlocks - (TOTAL[v - 1] % nBlocks);
  const g = rsGenerator(ecc);
  const blocks = [];
  for (let i = 0, at = 0; i < nBlocks; i++) {
    const len = shortLen - ecc + (i < nShort ? 0 : 1);
    const d = data.slice(at, at + len);
    at += len;
    blocks.push({ d, e: rsRemainder(d, g) });
  }
  const out = [];
  for (let i = 0; i <= shortLen - ecc; i++)
    for (const b of blocks) if (i < b.d.length) out.push(b.d[i]);
  for (let i = 0; i < ecc; i++)
    for (const b of blocks) out.push(b.e[i]);
  return out;
}

const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

// The symbol of version `v` holding `words`, before masking: modules[y][x]
// and which modules are function patterns.
function layout(v, words) {
  const size = 17 + 4 * v;
  const m = Array.from({ length: size }, () => new Array(size).fill(false));
  const fn = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (x, y, dark) => { m[y][x] = dark; fn[y][x] = true; };

  for (let i = 0; i < size; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); }
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        const x = cx + dx;
        const y = cy + dy;
        if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, d !== 2 && d !== 4);
      }
    }
  }
  const a = ALIGN[v - 1];
  a.forEach((cy, i) => a.forEach((cx, j) => {
    const last = a.length - 1;
    if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
    for (let dy = -2; dy <= 2; dy++)
      for (let dx = -2; dx <= 2; dx++) set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
  }));
  drawFormat(m, fn, 0); // reserve the format areas; redrawn with the mask
  if (v >= 7) {
    let rem = v;
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
    const bits = (v << 12) | rem;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const p = size - 11 + (i % 3);
      const q = Math.floor(i / 3);
      set(p, q, dark);
      set(q, p, dark);
    }
  }
  // Data: two-module columns from the right, alternately up and down,
  // skipping the vertical timing column.
  let bit = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let k = 0; k < size; k++) {
      const y = upward ? size - 1 - k : k;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (fn[y][x] || bit >= words.length * 8) continue;
        m[y][x] = ((words[bit >>> 3] >>> (7 - (bit & 7))) & 1) === 1;
        bit++;
      }
    }
  }
  return { size, m, fn };
}

// Draw the 15 format bits (level M, `mask`) in both places, and the dark
// module.
function drawFormat(m, fn, mask) {
  const size = m.length;
  const data = (LEVEL_M_BITS << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  const bitAt = (i) => ((bits >>> i) & 1) === 1;
  const set = (x, y, dark) => { m[y][x] = dark; fn[y][x] = true; };
  for (let i = 0; i <= 5; i++) set(8, i, bitAt(i));
  set(8, 7, bitAt(6));
  set(8, 8, bitAt(7));
  set(7, 8, bitAt(8));
  for (let i = 9; i < 15; i++) set(14 - i, 8, bitAt(i));
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bitAt(i));
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, bitAt(i));
  set(8, size - 8, true);
}

// The penalty score of a masked symbol (ISO/IEC 18004 8.8.2).
function penalty(m) {
  const size = m.length;
  let score = 0;
  const lines = [];
  for (let i = 0; i < size; i++) {
    lines.push(m[i]);
    lines.push(m.map((row) => row[i]));
  }
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) { run++; continue; }
      if (run >= 5) score += 3 + run - 5;
      run = 1;
    }
    // A finder-like 1:1:3:1:1 run with four light modules on one side
    // (the quiet zone counts as light).
    const s = '0000' + line.map((d) => (d ? '1' : '0')).join('') + '0000';
    for (const pat of ['10111010000', '00001011101'])
      for (let i = s.indexOf(pat); i >= 0; i = s.indexOf(pat, i + 1)) score += 40;
  }
  let dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (m[y][x]) dark++;
      if (x + 1 < size && y + 1 < size && m[y][x] === m[y][x + 1] &&
          m[y][x] === m[y + 1][x] && m[y][x] === m[y + 1][x + 1]) score += 3;
    }
  }
  score += 10 * Math.floor(Math.abs((dark * 100) / (size * size) - 50) / 5);
  return score;
}

// The modules of the QR code of `text` (UTF-8): an array of rows of
// booleans (true = dark), quiet zone not included. Throws past 213 bytes.
export function qrMatrix(text) {
  const bytes = [...new TextEncoder().encode(text)];
  let v = 1;
  while (v <= 10 && 4 + (v < 10 ? 8 : 16) + 8 * bytes.length > dataCodewords(v) * 8) v++;
  if (v > 10) throw new Error('qr: the text is too long for a version 10 code');
  const { size, m, fn } = layout(v, codewords(bytes, v));
  let best = null;
  MASKS.forEach((mask, k) => {
    const t = m.map((row) => row.slice());
    const tfn = fn.map((row) => row.slice());
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) if (!fn[y][x] && mask(x, y)) t[y][x] = !t[y][x];
    drawFormat(t, tfn, k);
    const p = penalty(t);
    if (!best || p < best.p) best = { p, t };
  });
  return best.t;
}

// An <svg> of the QR code of `text`, with a 4-module quiet zone; scales
// to its container (CSS sets the size). `title` is its accessible name.
export function qrSvg(text, { title = 'QR code' } = {}) {
  const m = qrMatrix(text);
  const n = m.length + 8;
  let d = '';
  m.forEach((row, y) => row.forEach((dark, x) => { if (dark) d += `M${x + 4} ${y + 4}h1v1h-1z`; }));
  return svg('svg', { viewBox: `0 0 ${n} ${n}`, role: 'img', 'aria-label': title,
    'shape-rendering': 'crispEdges', 'data-modules': m.length },
  svg('title', null, title),
  svg('rect', { width: n, height: n, fill: '#fff' }),
  svg('path', { d, fill: '#000' }));
}
