// The runtime benchmark's V8 column: runs the core module of bench/runtime_compute.c (the same wasm32-wasip1 module
// the component wraps) under Node's WebAssembly with Node's WASI preview 1, /ro preopened. It prints the workload's own
// `<name> <result> <ns>` lines, like the native and component runs.
//   node runtime_v8.mjs <runtime_compute core.wasm> <directory holding bench.txt>
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [corePath, roDir] = process.argv.slice(2);
// argv[0] given: Node's args_get fails (EINVAL) on an empty argument list, and wasi-libc then exits 71.
const wasi = new WASI({ version: 'preview1', args: ['runtime_compute'], preopens: { '/ro': roDir },
                        returnOnExit: true });
const module = await WebAssembly.compile(await readFile(corePath));
const imports = wasi.getImportObject();
// weft:app/ipc.recv (the host-call workload, which the V8 run leaves at 0 calls): none -> option::none.
for (const { module: name, name: field, kind } of WebAssembly.Module.imports(module))
  if (kind === 'function' && !(name in imports && field in imports[name]))
    (imports[name] ??= {})[field] = (ret) => { new Uint8Array(instance.exports.memory.buffer)[ret] = 0; };
const instance = await WebAssembly.instantiate(module, imports);
process.exitCode = wasi.start(instance);
