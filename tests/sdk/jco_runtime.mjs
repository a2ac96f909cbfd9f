// A test stand-in for weft-runtime that runs an app component under jco's JavaScript host (preview2-shim), with the
// same command line, readiness and IPC behaviour (spec §4.1, §4.4) for what the demos use:
//   node jco_runtime.mjs <app_id> <sid> --module <transpiled app.js> [--ipc-socket S] [--preopen HOST::GUEST::ro|rw]…
//                        [--host-module M.mjs]
// It exists so the demo apps' protocol tests run before and independently of weft-runtime; the same tests run
// against weft-runtime when it is built. weft:app/notify and weft:app/ipc are provided; --host-module (tests only)
// adds or replaces interfaces with the `imports` object exported by M, keyed like 'weft:app/fetch'.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as shim from '@bytecodealliance/preview2-shim';
import { _setEnv, _setArgs } from '@bytecodealliance/preview2-shim/cli';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

const kMaxLineBytes = 65536;

function usage(message) {
  process.stderr.write(`jco_runtime: ${message}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const positional = [];
let modulePath = null;
let ipcSocket = null;
let hostModule = null;
const preopens = {};
for (let i = 0; i < argv.length; ++i) {
  const arg = argv[i];
  if (arg === '--module' || arg === '--ipc-socket' || arg === '--preopen' || arg === '--host-module') {
    const value = argv[++i];
    if (value === undefined) usage(`${arg} needs a value`);
    if (arg === '--module') modulePath = value;
    else if (arg === '--ipc-socket') ipcSocket = value;
    else if (arg === '--host-module') hostModule = value;
    else {
      const parts = value.split('::');
      if (parts.length < 3) usage('--preopen expects HOST::GUEST::ro|rw');
      const mode = parts.pop();
      const guest = parts.pop();
      if (mode !== 'ro' && mode !== 'rw') usage(`--preopen mode must be ro or rw, not '${mode}'`);
      preopens[guest] = parts.join('::');  // preview2-shim has no read-only preopens; the demos never need one
    }
  } else if (arg.startsWith('--')) {
    usage(`unknown argument ${arg}`);
  } else {
    positional.push(arg);
  }
}
if (positional.length !== 2 || !modulePath) usage('usage: <app_id> <sid> --module <app.js> [--ipc-socket S]');

// IPC: the component polls recv() synchronously, so the socket is read with non-blocking readSync on its fd while
// Node's own reader is paused.
let ipcFd = -1;
let ipcStream = null;
let ipcClosed = false;
let pending = Buffer.alloc(0);
if (ipcSocket) {
  const socket = net.connect(ipcSocket);
  socket.pause();  // before any data arrives: what Node's reader buffered would be invisible to readSync
  try {
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  } catch (e) {
    process.stderr.write(`jco_runtime: cannot connect to IPC socket ${ipcSocket}: ${e.message}\n`);
    process.exit(4);
  }
  ipcFd = socket._handle.fd;
  ipcStream = socket;
}

function readAvailable() {
  // whatever Node's stream machinery read before the component started looping
  for (let b; (b = ipcStream.read()) !== null;) pending = Buffer.concat([pending, b]);
  const chunk = Buffer.alloc(kMaxLineBytes + 1);
  for (;;) {
    let n;
    try {
      n = fs.readSync(ipcFd, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN' || e.code === 'EWOULDBLOCK') return;
      if (process.env.JCO_RT_DEBUG) process.stderr.write(`jco_runtime: IPC read failed: ${e.message}\n`);
      ipcClosed = true;
      return;
    }
    if (n === 0) {
      ipcClosed = true;
      return;
    }
    pending = Buffer.concat([pending, chunk.subarray(0, n)]);
  }
}

const ipc = {
  send(payload) {
    if (ipcFd < 0) throw 'IPC not connected';
    if (ipcClosed) throw 'IPC connection closed';
    if (Buffer.byteLength(payload) > kMaxLineBytes) throw `message exceeds ${kMaxLineBytes} bytes`;
    if (/[\r\n]/.test(payload)) throw 'message contains a line break';
    const line = Buffer.from(payload + '\n');
    for (let off = 0; off < line.length;) {
      try {
        off += fs.writeSync(ipcFd, line, off);
      } catch (e) {
        if (e.code !== 'EAGAIN') {
          ipcClosed = true;
          throw 'IPC connection closed';
        }
      }
    }
  },
  recv() {
    if (ipcFd < 0) return undefined;
    if (!ipcClosed) readAvailable();
    const nl = pending.indexOf(0x0a);
    if (nl < 0) {
      if (pending.length > kMaxLineBytes) {
        process.stderr.write('jco_runtime: incoming line exceeds 65536 bytes; closing IPC\n');
        process.exit(4);
      }
      if (ipcClosed) process.exit(0);  // the relay is gone: nothing more can arrive (weft-runtime ends likewise)
      return undefined;
    }
    let line = pending.subarray(0, nl).toString('utf8');
    pending = pending.subarray(nl + 1);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line;
  },
};

let ready = false;
const notify = {
  ready() {
    if (ready) return;
    ready = true;
    const line = `READY ${process.env.WEFT_READY_TOKEN ?? ''}\n`;
    const fd = process.env.WEFT_READY_FD;
    if (fd !== undefined) {
      fs.writeSync(Number(fd), line);
      fs.closeSync(Number(fd));
    } else {
      process.stdout.write(line);
    }
  },
};

_setEnv(ipcSocket ? { WEFT_IPC_SOCKET: ipcSocket } : {});
_setArgs([]);
_setPreopens(preopens);

// jco's instantiation mode asks for every imported interface by its unversioned name, e.g. 'wasi:cli/stdout'.
const extra = hostModule ? (await import(pathToFileURL(path.resolve(hostModule)).href)).imports : {};
const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const imports = new Proxy({}, {
  get(_, name) {
    if (name in extra) return extra[name];
    if (name === 'weft:app/ipc') return ipc;
    if (name === 'weft:app/notify') return notify;
    const m = /^wasi:([a-z-]+)\/([a-z-]+)$/.exec(name);
    const iface = m && shim[camel(m[1])]?.[camel(m[2])];
    if (!iface) throw new Error(`jco_runtime: import ${String(name)} is not provided`);
    return iface;
  },
});

const dir = path.dirname(path.resolve(modulePath));
const { instantiate } = await import(pathToFileURL(path.resolve(modulePath)).href);
const instance = await instantiate((name) => WebAssembly.compile(fs.readFileSync(path.join(dir, name))), imports);
const run = instance.run ?? instance['wasi:cli/run@0.2.12']?.run ?? instance['wasi:cli/run']?.run;
try {
  run.run();
  process.exit(0);
} catch (e) {
  if (e?.constructor?.name === 'ComponentError' || e?.payload !== undefined) process.exit(1);
  process.stderr.write(`trap: ${e?.message ?? e}\n`);
  process.exit(3);
}
