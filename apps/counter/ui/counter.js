// Counter page (spec §8.1): the component owns the number; this page sends requests and shows only what the
// replies say, so two views of the same session never disagree.
'use strict';

const countEl = document.getElementById('count');
const buttons = {
  decrement: document.getElementById('decrement'),
  reset: document.getElementById('reset'),
  increment: document.getElementById('increment'),
};
let ipc = null;

function show(count) {
  countEl.classList.remove('connecting');
  countEl.classList.toggle('negative', count < 0);
  countEl.textContent = String(count);
}

function request(op) {
  if (ipc) ipc.send({ op });
}

function onReply(payload) {
  let msg;
  try {
    msg = JSON.parse(payload);
  } catch {
    return;
  }
  if (msg && msg.op === 'count' && Number.isInteger(msg.count)) show(msg.count);
  else if (msg && msg.op === 'error') console.warn(`counter: ${msg.message}`);
}

function connect() {
  ipc = window.weftIpc;
  ipc.onmessage = onReply;
  for (const button of Object.values(buttons)) button.disabled = false;
  request('get');
}

for (const [op, button] of Object.entries(buttons)) button.addEventListener('click', () => request(op));

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const op = { ArrowUp: 'increment', '+': 'increment', ArrowDown: 'decrement', '-': 'decrement', r: 'reset', R: 'reset' }[event.key];
  if (!op) return;
  event.preventDefault();
  request(op);
});

countEl.classList.add('connecting');
// The bridge is injected by the host at document start, but a page may also load before it exists: poll (50 ms).
const waitForBridge = setInterval(() => {
  if (!window.weftIpc) return;
  clearInterval(waitForBridge);
  connect();
}, 50);
