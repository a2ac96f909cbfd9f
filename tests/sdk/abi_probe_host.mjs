// Host side of the ABI probe (probe.c), loaded by jco_runtime.mjs --host-module: answers each weft:app call with
// fixed values and prints the arguments it received as `host …` lines on stdout, in call order.
const show = (v) => JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? Array.from(x) : x));
const log = (line) => process.stdout.write(`host ${line}\n`);

let recvCount = 0;
let fetchCount = 0;
let notifyCount = 0;
let readCount = 0;

export const imports = {
  'weft:app/ipc': {
    send(payload) {
      log(`send ${show(payload)}`);
      throw 'relay busy';
    },
    recv() {
      return recvCount++ === 0 ? 'first message ünïcode' : undefined;
    },
  },
  'weft:app/fetch': {
    fetch(url, method, headers, body) {
      log(`fetch ${show([url, method, headers, body ?? null])}`);
      if (fetchCount++ === 0) {
        return { status: 201, contentType: 'application/json', body: new Uint8Array([7, 0, 200]) };
      }
      throw 'capability net:fetch is not granted';
    },
  },
  'weft:app/notifications': {
    notify(title, body, icon) {
      log(`notify ${show([title, body, icon ?? null])}`);
      if (notifyCount++ === 0) return;
      throw 'capability sys:notifications is not granted';
    },
  },
  'weft:app/clipboard': {
    read() {
      if (readCount++ === 0) return 'clip text';
      throw '';
    },
    write(text) {
      log(`clipboard write ${show(text)}`);
      throw 'capability sys:clipboard:write is not granted';
    },
  },
};
