// WEFT UI kit (spec §6.5): eleven custom elements with open shadow roots, dark theme, accent #5b8af5.
// Injected at document start into every WEFT page; each element is defined only if the name is still free.
(() => {
  'use strict';
  if (typeof customElements === 'undefined') return;

  const ACCENT = '#5b8af5';
  const BASE = `:host { box-sizing: border-box; font-family: system-ui, 'DejaVu Sans', sans-serif; color: #e6e8ee;
    --weft-accent: ${ACCENT}; --weft-surface: #1f232b; --weft-surface-2: #2a2f3a; --weft-border: #3a4050;
    --weft-danger: #e5534b; --weft-success: #3fb950; --weft-warning: #d29922; }
    *, *::before, *::after { box-sizing: inherit; }`;

  const sheetCache = new Map();
  const supportsSheets = (() => {
    try { return 'adoptedStyleSheets' in Document.prototype && typeof new CSSStyleSheet().replaceSync === 'function'; }
    catch (e) { return false; }
  })();

  // Shadow root with the element's CSS: constructable stylesheets where the engine has them, else a <style>.
  function attach(host, css, html) {
    const root = host.attachShadow({ mode: 'open' });
    const text = BASE + css;
    if (supportsSheets) {
      let sheet = sheetCache.get(text);
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(text); sheetCache.set(text, sheet); }
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement('style');
      style.textContent = text;
      root.appendChild(style);
    }
    const template = document.createElement('template');
    template.innerHTML = html;  // fixed markup of the kit only, never app strings
    root.appendChild(template.content);
    return root;
  }

  // Custom element constructors must not add attributes (the parser rejects such elements): defaults such as roles are
  // set when the element is connected.
  function defaults(el, attrs) {
    for (const [k, v] of Object.entries(attrs)) if (!el.hasAttribute(k)) el.setAttribute(k, v);
  }

  function define(name, cls) {
    if (!customElements.get(name)) customElements.define(name, cls);
  }

  define('weft-button', class extends HTMLElement {
    static get observedAttributes() { return ['disabled']; }
    constructor() {
      super();
      const root = attach(this, `
        :host { display: inline-block; }
        button { font: inherit; font-size: 14px; padding: 8px 16px; border-radius: 8px; border: 1px solid transparent;
          background: var(--weft-accent); color: #fff; cursor: pointer; min-width: 40px; }
        button:hover { filter: brightness(1.1); }
        button:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
        :host([variant="secondary"]) button { background: var(--weft-surface-2); border-color: var(--weft-border); color: #e6e8ee; }
        :host([variant="destructive"]) button { background: var(--weft-danger); }
        :host([disabled]) button { opacity: .5; cursor: default; filter: none; }`,
        '<button part="button" type="button"><slot></slot></button>');
      this._button = root.querySelector('button');
      this.addEventListener('click', (e) => { if (this.hasAttribute('disabled')) { e.stopImmediatePropagation(); e.preventDefault(); } }, true);
    }
    attributeChangedCallback() { this._button.disabled = this.hasAttribute('disabled'); }
    get disabled() { return this.hasAttribute('disabled'); }
    set disabled(v) { this.toggleAttribute('disabled', Boolean(v)); }
    focus(options) { this._button.focus(options); }
  });

  define('weft-card', class extends HTMLElement {
    constructor() {
      super();
      attach(this, `:host { display: block; background: var(--weft-surface); border: 1px solid var(--weft-border);
        border-radius: 12px; padding: 16px; }`, '<slot></slot>');
    }
  });

  define('weft-list', class extends HTMLElement {
    constructor() {
      super();
      attach(this, `:host { display: flex; flex-direction: column; gap: 2px; }`, '<slot></slot>');
    }
    connectedCallback() { defaults(this, { role: 'list' }); }
  });

  define('weft-list-item', class extends HTMLElement {
    constructor() {
      super();
      attach(this, `:host { display: flex; align-items: center; gap: 8px; padding: 8px 12px; border-radius: 8px; }
        :host(:hover) { background: var(--weft-surface-2); }`, '<slot></slot>');
    }
    connectedCallback() { defaults(this, { role: 'listitem' }); }
  });

  define('weft-menu', class extends HTMLElement {
    constructor() {
      super();
      attach(this, `:host { display: flex; flex-direction: column; min-width: 160px; padding: 4px; border-radius: 10px;
        background: var(--weft-surface); border: 1px solid var(--weft-border); box-shadow: 0 8px 24px rgba(0,0,0,.4); }`,
        '<slot></slot>');
    }
    connectedCallback() { defaults(this, { role: 'menu' }); }
  });

  define('weft-menu-item', class extends HTMLElement {
    constructor() {
      super();
      attach(this, `:host { display: block; padding: 8px 12px; border-radius: 6px; cursor: pointer; }
        :host(:hover), :host(:focus-visible) { background: var(--weft-accent); color: #fff; outline: none; }
        :host([destructive]) { color: var(--weft-danger); }
        :host([destructive]:hover) { background: var(--weft-danger); color: #fff; }`, '<slot></slot>');
    }
    connectedCallback() { defaults(this, { role: 'menuitem', tabindex: '0' }); }
  });

  define('weft-dialog', class extends HTMLElement {
    constructor() {
      super();
      const root = attach(this, `:host { display: none; position: fixed; inset: 0; z-index: 1000; }
        :host([open]) { display: flex; align-items: center; justify-content: center; }
        .backdrop { position: absolute; inset: 0; background: rgba(0,0,0,.55); }
        .panel { position: relative; background: var(--weft-surface); border: 1px solid var(--weft-border);
          border-radius: 14px; padding: 20px; min-width: 240px; max-width: 90vw; max-height: 90vh; overflow: auto; }`,
        '<div class="backdrop" part="backdrop"></div><div class="panel" part="panel" role="dialog"><slot></slot></div>');
      root.querySelector('.backdrop').addEventListener('click', () => this.removeAttribute('open'));
    }
    get open() { return this.hasAttribute('open'); }
    set open(v) { this.toggleAttribute('open', Boolean(v)); }
  });

  define('weft-icon', class extends HTMLElement {
    static get observedAttributes() { return ['size', 'name']; }
    constructor() {
      super();
      attach(this, `:host { display: inline-block; width: var(--icon-size); height: var(--icon-size);
        line-height: var(--icon-size); text-align: center; font-size: calc(var(--icon-size) * .8); }`, '<slot></slot>');
    }
    connectedCallback() { this._apply(); }
    attributeChangedCallback() { if (this.isConnected) this._apply(); }
    _apply() {
      const size = parseInt(this.getAttribute('size') || '20', 10);
      this.style.setProperty('--icon-size', `${Number.isFinite(size) && size > 0 ? size : 20}px`);
      if (this.hasAttribute('name')) this.setAttribute('aria-label', this.getAttribute('name'));
    }
  });

  define('weft-progress', class extends HTMLElement {
    static get observedAttributes() { return ['value', 'max', 'indeterminate']; }
    constructor() {
      super();
      const root = attach(this, `:host { display: block; height: 6px; border-radius: 3px; background: var(--weft-surface-2);
          overflow: hidden; }
        .bar { height: 100%; background: var(--weft-accent); width: 0; transition: width .2s; }
        :host([indeterminate]) .bar { width: 30%; animation: slide 1.2s infinite ease-in-out; }
        @keyframes slide { from { transform: translateX(-100%); } to { transform: translateX(340%); } }`,
        '<div class="bar" part="bar"></div>');
      this._bar = root.querySelector('.bar');
    }
    connectedCallback() { defaults(this, { role: 'progressbar' }); this._apply(); }
    attributeChangedCallback() { if (this.isConnected) this._apply(); }
    _apply() {
      const max = Number(this.getAttribute('max') ?? 100) || 100;
      const value = Math.min(Math.max(Number(this.getAttribute('value') ?? 0) || 0, 0), max);
      if (!this.hasAttribute('indeterminate')) this._bar.style.width = `${(value / max) * 100}%`;
      else this._bar.style.width = '';
      this.setAttribute('aria-valuemax', String(max));
      this.setAttribute('aria-valuenow', String(value));
    }
  });

  define('weft-input', class extends HTMLElement {
    static get observedAttributes() { return ['placeholder', 'type', 'value', 'disabled']; }
    constructor() {
      super();
      const root = attach(this, `:host { display: inline-block; }
        input { font: inherit; font-size: 14px; width: 100%; padding: 8px 10px; border-radius: 8px; color: #e6e8ee;
          background: var(--weft-surface-2); border: 1px solid var(--weft-border); }
        input:focus { outline: none; border-color: var(--weft-accent); }
        input:disabled { opacity: .5; }`, '<input part="input">');
      this._input = root.querySelector('input');
      this._input.type = 'text';
      this._input.addEventListener('input', () => {
        this.dispatchEvent(new CustomEvent('weft:input', { detail: this._input.value, bubbles: true, composed: true }));
      });
    }
    attributeChangedCallback(name, _old, value) {
      if (name === 'placeholder') this._input.placeholder = value ?? '';
      else if (name === 'type') this._input.type = value || 'text';
      else if (name === 'value') this._input.value = value ?? '';
      else if (name === 'disabled') this._input.disabled = value !== null;
    }
    get value() { return this._input.value; }
    set value(v) { this._input.value = v == null ? '' : String(v); }
    focus(options) { this._input.focus(options); }
  });

  define('weft-label', class extends HTMLElement {
    constructor() {
      super();
      attach(this, `:host { display: inline-block; font-size: 12px; padding: 2px 8px; border-radius: 999px;
          background: var(--weft-surface-2); color: #c9ccd4; }
        :host([variant="success"]) { background: rgba(63,185,80,.18); color: var(--weft-success); }
        :host([variant="warning"]) { background: rgba(210,153,34,.18); color: var(--weft-warning); }
        :host([variant="error"]) { background: rgba(229,83,75,.18); color: var(--weft-danger); }
        :host([variant="neutral"]) { background: var(--weft-surface-2); color: #c9ccd4; }`, '<slot></slot>');
    }
  });
})();
