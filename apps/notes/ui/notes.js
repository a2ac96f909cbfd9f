// Notes page (spec §8.2). The component stores the text and its revision; this page edits a copy and saves it
// against the revision it last saw, so a save never silently overwrites what another window stored.
'use strict';

const editor = document.getElementById('editor');
const saveButton = document.getElementById('save');
const discardButton = document.getElementById('discard');
const statusEl = document.getElementById('status');
const charsEl = document.getElementById('chars');

const SAVED_NOTICE_MS = 1500;

let ipc = null;
let loaded = false;       // a first `loaded` reply arrived: saving is allowed from then on
let rev = null;           // revision of the stored text this editor is based on
let savedText = '';       // the text stored at `rev`
let nextSeq = 1;
let pendingSeq = null;    // seq of the save in flight, or null
let pendingText = '';
let clearTimer = null;

function setStatus(text, isError = false) {
  clearTimeout(clearTimer);
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
}

function updateChars() {
  // String length counts UTF-16 code units, as the spec's `N chars` does.
  charsEl.textContent = `${editor.value.length} chars`;
}

function updateButtons() {
  saveButton.disabled = !loaded || pendingSeq !== null;
  discardButton.disabled = !loaded;
}

function requestLoad() {
  ipc.send({ op: 'load' });
}

function save() {
  if (!loaded || pendingSeq !== null) return;
  pendingSeq = nextSeq++;
  pendingText = editor.value;
  ipc.send({ op: 'save', seq: pendingSeq, base: rev, text: pendingText });
  setStatus('saving…');
  updateButtons();
}

function discard() {
  if (!loaded) return;
  editor.value = savedText;
  updateChars();
  setStatus('reloading…');
  requestLoad();
}

function onLoaded(msg) {
  if (typeof msg.rev !== 'string' || typeof msg.text !== 'string') return;
  // Replace the editor only if the user has not changed it since the last saved text.
  if (!loaded || editor.value === savedText) {
    editor.value = msg.text;
    savedText = msg.text;
    rev = msg.rev;
    updateChars();
  }
  if (!loaded) {
    loaded = true;
    editor.readOnly = false;
    editor.placeholder = 'Write something…';
    editor.focus();
  }
  if (pendingSeq === null) setStatus('');
  updateButtons();
}

function onSaveReply(msg) {
  if (pendingSeq === null || msg.seq !== pendingSeq) return;  // only the reply to our save completes it
  pendingSeq = null;
  if (msg.op === 'saved') {
    rev = msg.rev;
    savedText = pendingText;
    setStatus('saved');
    clearTimer = setTimeout(() => setStatus(''), SAVED_NOTICE_MS);
  } else if (msg.conflict === true) {
    setStatus('Not saved: another window changed the notes. Copy your text, then use Discard to reload.', true);
  } else {
    setStatus(`error: ${msg.message}`, true);
  }
  updateButtons();
}

function onReply(payload) {
  let msg;
  try {
    msg = JSON.parse(payload);
  } catch {
    return;
  }
  if (!msg || typeof msg !== 'object') return;
  if (msg.op === 'loaded') onLoaded(msg);
  else if (msg.op === 'saved' || (msg.op === 'error' && 'seq' in msg)) onSaveReply(msg);
  else if (msg.op === 'error') setStatus(`error: ${msg.message}`, true);
}

editor.addEventListener('input', updateChars);
saveButton.addEventListener('click', save);
discardButton.addEventListener('click', discard);
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === 's' || event.key === 'S')) {
    event.preventDefault();  // never the engine's own "save page"
    save();
  }
});

// The bridge is injected at document start, but poll (50 ms) in case the page loads before it exists.
const waitForBridge = setInterval(() => {
  if (!window.weftIpc) return;
  clearInterval(waitForBridge);
  ipc = window.weftIpc;
  ipc.onmessage = onReply;
  setStatus('loading…');
  requestLoad();
}, 50);
updateChars();
