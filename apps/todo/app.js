// org.weft.demo.todo — a WEFT app component written in JavaScript (componentize-js). The list lives in the
// component's memory for the life of the session; the page renders only what the replies say.
//
// Requests (one JSON object per IPC message) and replies:
//   {"op":"list"}                      → {"op":"items","items":[{"id":N,"text":T,"done":B}…]}
//   {"op":"add","text":T}              → items (T trimmed, 1..kMaxTextLength UTF-16 units, ≤ kMaxItems items)
//   {"op":"toggle","id":N}             → items
//   {"op":"remove","id":N}             → items
//   {"op":"clear-done"}                → items
//   a request that cannot be done      → {"op":"error","message":M}
//   anything that is not a request     → no reply
import { ready } from 'weft:app/notify@0.1.0';
import { send, recv } from 'weft:app/ipc@0.1.0';

const kMaxItems = 100;
const kMaxTextLength = 200;
const kIdlePollMs = 10;

let items = [];
let nextId = 1;

function reply(message) {
  try {
    send(JSON.stringify(message));
  } catch (e) {
    console.error(`todo: sending a reply failed: ${e}`);
  }
}

function find(id) {
  const item = items.find((it) => it.id === id);
  if (!item) throw new Error(`no item ${JSON.stringify(id)}`);
  return item;
}

const handlers = {
  list() {},
  add(req) {
    if (typeof req.text !== 'string') throw new Error('add needs a text string');
    const text = req.text.trim();
    if (text.length === 0) throw new Error('an item needs some text');
    if (text.length > kMaxTextLength) throw new Error(`an item is at most ${kMaxTextLength} characters`);
    if (items.length >= kMaxItems) throw new Error(`the list holds at most ${kMaxItems} items`);
    items.push({ id: nextId++, text, done: false });
  },
  toggle(req) {
    const item = find(req.id);
    item.done = !item.done;
  },
  remove(req) {
    find(req.id);
    items = items.filter((it) => it.id !== req.id);
  },
  'clear-done'() {
    items = items.filter((it) => !it.done);
  },
};

function handle(payload) {
  let req;
  try {
    req = JSON.parse(payload);
  } catch {
    return;
  }
  if (req === null || typeof req !== 'object' || typeof req.op !== 'string') return;
  const handler = Object.hasOwn(handlers, req.op) ? handlers[req.op] : null;
  if (!handler) {
    reply({ op: 'error', message: `unknown op '${req.op}'` });
    return;
  }
  try {
    handler(req);
  } catch (e) {
    reply({ op: 'error', message: e.message });
    return;
  }
  reply({ op: 'items', items });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const run = {
  async run() {
    ready();
    for (;;) {
      const payload = recv();
      if (payload === undefined) {
        await sleep(kIdlePollMs);
        continue;
      }
      handle(payload);
    }
  },
};
