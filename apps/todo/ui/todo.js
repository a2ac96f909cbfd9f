// Todo page: renders the list the component sends; every change is a request, never a local edit.
'use strict';

const form = document.getElementById('add');
const input = document.getElementById('text');
const list = document.getElementById('items');
const statusEl = document.getElementById('status');
const clearButton = document.getElementById('clear');
let ipc = null;

function setStatus(text, isError = false) {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
}

function render(items) {
  list.replaceChildren(...items.map((item) => {
    const li = document.createElement('li');
    li.classList.toggle('done', item.done);
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = `item-${item.id}`;
    box.checked = item.done;
    box.addEventListener('change', () => ipc.send({ op: 'toggle', id: item.id }));
    const label = document.createElement('label');
    label.htmlFor = box.id;
    label.textContent = item.text;  // app text is inserted as text, never markup
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Remove ${item.text}`);
    remove.addEventListener('click', () => ipc.send({ op: 'remove', id: item.id }));
    li.append(box, label, remove);
    return li;
  }));
  const open = items.filter((it) => !it.done).length;
  setStatus(items.length === 0 ? 'nothing to do' : `${open} of ${items.length} open`);
  clearButton.disabled = !items.some((it) => it.done);
}

function onReply(payload) {
  let msg;
  try {
    msg = JSON.parse(payload);
  } catch {
    return;
  }
  if (msg?.op === 'items' && Array.isArray(msg.items)) render(msg.items);
  else if (msg?.op === 'error') setStatus(`error: ${msg.message}`, true);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!ipc || input.value.trim() === '') return;
  ipc.send({ op: 'add', text: input.value });
  input.value = '';
});
clearButton.addEventListener('click', () => ipc && ipc.send({ op: 'clear-done' }));

const waitForBridge = setInterval(() => {
  if (!window.weftIpc) return;
  clearInterval(waitForBridge);
  ipc = window.weftIpc;
  ipc.onmessage = onReply;
  input.disabled = false;
  form.querySelector('button').disabled = false;
  input.focus();
  ipc.send({ op: 'list' });
}, 50);
