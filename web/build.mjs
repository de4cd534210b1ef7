// build.mjs: bundle the web UI into dist/ (run by `npm run build`, which
// `make web` calls).
//
//   dist/index.html                 the app's shell (never cached stale)
//   dist/assets/main-<hash>.js      src/main.js and all it imports, minified
//   dist/assets/style-<hash>.css    src/style.css
//   dist/favicon.svg ...            everything in public/, copied as is
//   every .html .js .css .svg also as a .gz sibling, which compel serves to
//   browsers that accept gzip
//
// The names under assets/ carry a hash of their content, so the server
// lets browsers cache them for a year; index.html names the current ones.
// The build fails when the compressed JavaScript passes BUDGET_JS_GZ.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync,
  statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const BUDGET_JS_GZ = 150 * 1024;

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, 'src/main.js'), join(here, 'src/style.css')],
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['es2020'],
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

// The output file made from each entry point.
const outputs = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (meta.entryPoint) outputs[basename(meta.entryPoint)] = basename(file);
}
const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('%APP_JS%', `/assets/${outputs['main.js']}`)
  .replace('%APP_CSS%', `/assets/${outputs['style.css']}`);
writeFileSync(join(dist, 'index.html'), html);
if (existsSync(join(here, 'public')))
  cpSync(join(here, 'public'), dist, { recursive: true });

// Precompress, and measure what a browser downloads.
let jsGz = 0;
function compress(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { compress(path); continue; }
    if (!/\.(html|js|css|svg|json)$/.test(name)) continue;
    const gz = gzipSync(readFileSync(path), { level: 9 });
    writeFileSync(path + '.gz', gz);
    if (name.endsWith('.js')) jsGz += gz.length;
    console.log(`web: ${relative(here, path)} ${statSync(path).size} bytes,` +
      ` ${gz.length} gzipped`);
  }
}
compress(dist);
console.log(`web: JavaScript shipped: ${jsGz} bytes gzipped` +
  ` (budget ${BUDGET_JS_GZ})`);
if (jsGz > BUDGET_JS_GZ) {
  console.error('web: the JavaScript is over its budget');
  process.exit(1);
}
