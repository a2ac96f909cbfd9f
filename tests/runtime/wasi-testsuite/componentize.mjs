// Turns WASI preview-1 test modules into components with jco's bundled preview1 command adapter, all in one Node
// process (one `sdk/jco new` per module costs about 1.5 s of Node start-up, 72 of them would dominate the suite).
// Usage: node componentize.mjs <repo root> <output dir> <module.wasm>...; each output is <output dir>/<lang>/<name>.wasm
// where <lang> is the folder under the testsuite root (c, rust, assemblyscript).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, outputDir, ...modules] = process.argv.slice(2);
const jcoDir = join(root, 'node_modules', '@bytecodealliance', 'jco');
const { componentNew } = await import(pathToFileURL(join(jcoDir, 'dist', 'api.js')).href);
const adapter = await readFile(join(jcoDir, 'lib', 'wasi_snapshot_preview1.command.wasm'));

for (const module of modules) {
  // .../<lang>/testsuite/wasm32-wasip1/<name>.wasm
  const parts = module.split(sep);
  const lang = parts[parts.length - 4];
  const target = join(outputDir, lang, basename(module));
  await mkdir(join(outputDir, lang), { recursive: true });
  const component = await componentNew(await readFile(module), [['wasi_snapshot_preview1', adapter]]);
  // Written under a temporary name first so an interrupted run never leaves a truncated component behind.
  await writeFile(target + '.tmp', component);
  await rename(target + '.tmp', target);
}
