// The editor bridge: CodeMirror 6 set up for APIM policy XML, exposed to the Rust app as one
// global, `window.ApimEditor` (plus `window.ApimCodec` for share links).
//
// scripts/build-editor.mjs bundles this file with esbuild into static/vendor/apim-editor.js (git
// ignored), which trunk copies into dist/ and index.html loads as a classic script before the
// wasm starts. Rust binds it with `#[wasm_bindgen(js_namespace = ApimEditor)]` (src/bridge.rs),
// so native builds never need the bundle.
//
// Completion and hover call back into Rust (`callbacks.complete` / `callbacks.hover`, which run
// the core's apim_policy::ide with the current scenario); their documentation arrives as HTML
// that Rust rendered from the core's Markdown with everything escaped.
//
// Positions crossing this bridge are UTF-16 offsets (what CodeMirror counts); the Rust side
// converts the core's byte offsets once, with apim_policy::LineIndex.
//
// Search (lazy-search.js) and completion (lazy-complete.js) are separate chunks, loaded the
// first time they are used (`onDemand` below), so the page is editable sooner.
import { Compartment, EditorState, Prec, Transaction } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLineGutter, highlightSpecialChars,
  drawSelection, dropCursor, rectangularSelection, crosshairCursor, highlightActiveLine,
  ViewPlugin, Decoration, hoverTooltip,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  foldGutter, foldKeymap, indentOnInput, syntaxHighlighting, bracketMatching, HighlightStyle,
} from '@codemirror/language';
import { lintGutter, setDiagnostics as cmSetDiagnostics, lintKeymap } from '@codemirror/lint';
import { xml } from '@codemirror/lang-xml';
import { tags as t } from '@lezer/highlight';
import { scanPolicyTokens } from './tokens.js';

// Colours come from CSS custom properties (static/app.css), so the light/dark switch is pure CSS.
const highlightStyle = HighlightStyle.define([
  { tag: [t.tagName, t.angleBracket], color: 'var(--syn-tag)' },
  { tag: t.attributeName, color: 'var(--syn-attr)' },
  { tag: t.attributeValue, color: 'var(--syn-string)' },
  { tag: [t.string, t.content], color: 'var(--syn-text)' },
  { tag: t.comment, color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [t.processingInstruction, t.documentMeta], color: 'var(--syn-meta)' },
  { tag: t.invalid, color: 'var(--error)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', color: 'var(--fg)', backgroundColor: 'var(--editor-bg)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', fontSize: 'var(--editor-font-size)', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-gutters': { backgroundColor: 'var(--gutter-bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)', color: 'var(--fg)' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--selection)',
  },
  '.cm-matchingBracket': { backgroundColor: 'var(--bracket-match)', outline: '1px solid var(--border-strong)' },
  '.cm-searchMatch': { backgroundColor: 'var(--search-match)' },
  '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--fg)' },
  '.cm-panels input, .cm-panels button': { font: 'inherit' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border-strong)' },
  '.cm-tooltip-lint': { maxWidth: '36rem' },
  '.cm-diagnostic': { padding: '.35rem .6rem' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--error)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warning)' },
  '.cm-diagnostic-info': { borderLeftColor: 'var(--info)' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--muted)' },
  '.cm-panel.cm-search label': { fontSize: '.85rem' },
  // Policy expressions and named values (see tokens.js).
  '.cm-apim-expr': { backgroundColor: 'var(--expr-bg)', color: 'var(--expr-fg)', borderRadius: '2px' },
  '.cm-apim-expr span': { color: 'inherit' },
  '.cm-apim-expr-delim, .cm-apim-expr .cm-apim-expr-delim': { color: 'var(--expr-delim)', fontWeight: '700' },
  '.cm-apim-expr .cm-apim-expr-string': { color: 'var(--expr-string)' },
  '.cm-apim-named-value, .cm-apim-expr .cm-apim-named-value': {
    backgroundColor: 'var(--named-bg)', color: 'var(--named-fg)', borderRadius: '3px', fontWeight: '600',
  },
  '.cm-apim-diagnostic': { display: 'grid', gap: '.3rem', fontFamily: 'system-ui, sans-serif', fontSize: '.85rem', lineHeight: '1.4' },
  '.cm-apim-help': { color: 'var(--muted)' },
  '.cm-apim-doc-inline code': { fontFamily: 'var(--mono)', fontSize: '.8rem', backgroundColor: 'var(--panel-strong)', padding: '0 .2rem', borderRadius: '3px' },
  '.cm-apim-diagnostic a': { color: 'var(--accent)' },
  // Completion list and documentation, hover docs.
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--mono)', fontSize: '.85rem', maxHeight: '16rem' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li': { padding: '.1rem .5rem .1rem .25rem' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-fg)' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li[aria-selected] .cm-completionDetail': { color: 'var(--accent-fg)' },
  '.cm-completionDetail': { color: 'var(--muted)', fontStyle: 'normal', marginLeft: '.75rem', fontFamily: 'system-ui, sans-serif', fontSize: '.78rem' },
  '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: '700' },
  '.cm-completionIcon': { opacity: '.8', width: '1.1em' },
  '.cm-tooltip.cm-completionInfo': { padding: '0', maxWidth: '28rem' },
  '.cm-apim-doc': {
    padding: '.4rem .65rem', maxWidth: '32rem', fontFamily: 'system-ui, sans-serif', fontSize: '.85rem', lineHeight: '1.45',
  },
  '.cm-apim-doc p': { margin: '.25rem 0' },
  '.cm-apim-doc ul': { margin: '.25rem 0', paddingLeft: '1.2rem' },
  '.cm-apim-doc a': { color: 'var(--accent)' },
  '.cm-apim-doc code': { fontFamily: 'var(--mono)', fontSize: '.8rem', backgroundColor: 'var(--panel-strong)', padding: '0 .25rem', borderRadius: '3px' },
  '.cm-apim-doc pre': { margin: '.25rem 0', padding: '.35rem .5rem', backgroundColor: 'var(--panel-strong)', borderRadius: '4px', whiteSpace: 'pre-wrap' },
  '.cm-apim-doc pre code': { padding: '0', backgroundColor: 'transparent' },
});

/**
 * The text of a CodeMirror document, made once per document: a keystroke's lint, the
 * expression scan and the `onChange` report all read the same new document, which is
 * immutable, so its string is kept (weakly, it goes with the document).
 */
const texts = new WeakMap();
function docText(doc) {
  let text = texts.get(doc);
  if (text === undefined) {
    text = doc.toString();
    texts.set(doc, text);
  }
  return text;
}

// `@(…)` / `@{…}` policy expressions and `{{named values}}` as decorations over the XML
// highlighting. The scan runs over the whole document (expressions span lines and attribute
// quotes, and a 1,000-line policy scans in well under a millisecond), but decorations are made
// only for what is in view: CodeMirror compares decoration sets on every update, and a set for
// the whole document made each keystroke cost milliseconds on large policies.
const marks = {
  expr: Decoration.mark({ class: 'cm-apim-expr' }),
  delim: Decoration.mark({ class: 'cm-apim-expr-delim' }),
  string: Decoration.mark({ class: 'cm-apim-expr-string' }),
  named: Decoration.mark({ class: 'cm-apim-named-value' }),
};

function policyDecorations(view, tokens) {
  const ranges = [];
  for (const { from, to } of view.visibleRanges) {
    for (const tok of tokens) {
      if (tok.to > from && tok.from < to && tok.to > tok.from) {
        ranges.push(marks[tok.kind].range(Math.max(tok.from, from), Math.min(tok.to, to)));
      }
    }
  }
  return Decoration.set(ranges, true);
}

const policyTokens = ViewPlugin.fromClass(class {
  constructor(view) {
    this.tokens = scanPolicyTokens(docText(view.state.doc));
    this.decorations = policyDecorations(view, this.tokens);
  }

  update(update) {
    if (update.docChanged) this.tokens = scanPolicyTokens(docText(update.state.doc));
    if (update.docChanged || update.viewportChanged) {
      this.decorations = policyDecorations(update.view, this.tokens);
    }
  }
}, { decorations: (v) => v.decorations });

function renderDiagnostic(d) {
  return () => {
    const box = document.createElement('div');
    box.className = 'cm-apim-diagnostic';
    const head = box.appendChild(document.createElement('div'));
    head.className = 'cm-apim-doc-inline';
    const code = head.appendChild(document.createElement('strong'));
    code.textContent = d.code;
    head.appendChild(document.createTextNode(' '));
    // HTML that Rust rendered from the message's Markdown, every piece of text escaped.
    const message = head.appendChild(document.createElement('span'));
    message.innerHTML = d.message_html ?? '';
    if (d.help) {
      // HTML that Rust rendered from the help's Markdown, every piece of text escaped.
      const help = box.appendChild(document.createElement('div'));
      help.className = 'cm-apim-help cm-apim-doc-inline';
      help.innerHTML = d.help;
    }
    if (d.doc_url) {
      // An in-page link (#rule/CODE): the app opens the rule's page, offline.
      const link = box.appendChild(document.createElement('a'));
      link.href = d.doc_url;
      link.textContent = `About ${d.code}`;
    }
    return box;
  };
}

function docElement(html, className = 'cm-apim-doc') {
  const box = document.createElement('div');
  box.className = className;
  // Safe: Rust escaped every piece of text (src/markdown.rs).
  box.innerHTML = html;
  return box;
}

// Characters after which completion opens by itself with nothing typed yet: `<` (elements),
// `{` (named values), `.` (members), a quote (values) and a space inside a start tag
// (attributes). Elsewhere it waits for a letter or Ctrl-Space.
const TRIGGERS = '<{."\' ';

/** `f(value)`, or a promise of it when `value` is a promise: the Rust side answers completion
 * and hover at once, except the first time, while their code loads (src/bridge.rs, `ide`). */
const then = (value, f) => (value && typeof value.then === 'function' ? value.then(f) : f(value));

/**
 * A CodeMirror completion source answered by the core (apim_policy::ide::complete), with the
 * completion chunk's module `cm`. `entry.implicit` makes the next query count as one CodeMirror
 * started by itself on typing (see `onDemand`).
 */
function policyCompletions(callbacks, cm, entry) {
  return (context) => {
    const explicit = context.explicit && !entry.implicit;
    entry.implicit = false;
    if (!callbacks?.complete) return null;
    return then(callbacks.complete(context.state.doc.toString(), context.pos),
      (json) => completionResult(context, explicit, json, cm));
  };
}

/** The CodeMirror result for the core's completion JSON at `context`. */
function completionResult(context, explicit, json, cm) {
  if (!json) return null;
  const result = JSON.parse(json);
  if (!explicit && result.from === context.pos) {
    const before = context.state.sliceDoc(Math.max(0, context.pos - 1), context.pos);
    if (!before || !TRIGGERS.includes(before)) return null;
    if (before === ' ' && !result.items.every((i) => i.type === 'property')) return null;
  }
  const n = result.items.length;
  return {
    from: result.from,
    to: result.to,
    // The core's list does not depend on the word typed so far (CodeMirror filters it), so
    // it stays valid while the word grows: no re-query, and Enter applies at once.
    validFor: /^[\w.:-]*$/,
    options: result.items.map((item, i) => ({
      label: item.label,
      type: item.type,
      detail: item.detail || undefined,
      info: item.info ? () => docElement(item.info) : undefined,
      // The core's snippets use CodeMirror's template syntax (${1}, ${2:default}).
      apply: item.snippet ? cm.snippet(item.apply) : item.apply,
      // Keep the core's order among equally good matches.
      boost: n > 1 ? Math.round(99 - (198 * i) / (n - 1)) : 0,
    })),
  };
}

/** Hover documentation from the core (apim_policy::ide::hover). */
function policyHover(callbacks) {
  return hoverTooltip((view, pos) => {
    if (!callbacks?.hover) return null;
    return then(callbacks.hover(view.state.doc.toString(), pos), (json) => {
      if (!json) return null;
      const hover = JSON.parse(json);
      return {
        pos: hover.from,
        end: hover.to,
        above: true,
        create: () => ({ dom: docElement(hover.html, 'cm-apim-doc cm-apim-hover') }),
      };
    });
  }, { hoverTime: 350 });
}

/** The editors created so far, by handle, so Rust holds plain numbers. */
const views = new Map();
let nextHandle = 1;

function view(handle) {
  const v = views.get(handle);
  if (!v) throw new Error(`ApimEditor: no editor ${handle}`);
  return v;
}

// The chunks loaded on first use: each import runs once, whichever editor asks first.
const once = (load) => { let p; return () => (p ??= load()); };
const loadSearch = once(() => import('./lazy-search.js'));
const loadComplete = once(() => import('./lazy-complete.js'));

/** Where each editor's search and completion extensions go once their chunk has loaded. */
const searchSlot = new Compartment();
const completeSlot = new Compartment();

/**
 * Load a chunk for the editor `entry` (at most once per editor), put its extensions in the
 * editor, then run `after(module)`. Before it has loaded, the slot holds stand-in key
 * bindings that call this. A failed load (the page went offline) is logged, runs `after(null)`
 * and is retried on the next use. `entry.loaded[kind]` is the module once its extensions are
 * in; `entry.pending[kind]` the callbacks waiting while it loads.
 */
function onDemand(entry, kind, after) {
  const loaded = entry.loaded[kind];
  if (loaded) {
    after?.(loaded);
    return;
  }
  if (entry.pending[kind]) {
    if (after) entry.pending[kind].push(after);
    return;
  }
  entry.pending[kind] = after ? [after] : [];
  const waiting = () => {
    const callbacks = entry.pending[kind];
    entry.pending[kind] = undefined;
    return callbacks;
  };
  const [load, slot] = kind === 'search' ? [loadSearch, searchSlot] : [loadComplete, completeSlot];
  load().then((cm) => {
    if (!views.has(entry.handle)) return;
    const extensions = kind === 'search'
      ? [cm.search({ top: true }), cm.highlightSelectionMatches(), keymap.of(cm.searchKeymap)]
      : [
        cm.closeBrackets(),
        keymap.of(cm.closeBracketsKeymap),
        cm.autocompletion({ override: [policyCompletions(entry.callbacks, cm, entry)], icons: true }),
      ];
    entry.view.dispatch({ effects: slot.reconfigure(extensions) });
    entry.loaded[kind] = cm;
    for (const f of waiting()) f(cm);
    // Typing while the completion chunk loaded: open the list as CodeMirror would have on
    // that keystroke (`implicit`: not as an explicit Ctrl-Space).
    if (kind === 'complete' && entry.typed && entry.view.hasFocus) {
      entry.implicit = true;
      cm.startCompletion(entry.view);
    }
  }).catch((e) => {
    console.warn(`editor: the ${kind} code did not load:`, e);
    for (const f of waiting()) f(null);
  });
}

/** Stand-in key bindings for a chunk's commands: load it, then run `command` on the editor. */
function stubs(entry, kind, bindings) {
  const run = (command) => (target) => {
    onDemand(entry, kind, (cm) => cm?.[command](target));
    return true;
  };
  return keymap.of(bindings.map(({ key, mac, command, shift, preventDefault }) => ({
    key, mac, preventDefault, run: run(command), shift: shift ? run(shift) : undefined,
  })));
}

/**
 * A bracket or quote typed before the completion chunk (which closes brackets) has arrived,
 * and whatever is typed after it until then: held, and typed when it arrives, so `(` still
 * becomes `()`. Only the editor's first milliseconds after its first focus can see this.
 */
function bracketsWhileLoading(entry) {
  return EditorView.inputHandler.of((view, from, to, text) => {
    if (entry.held === undefined) {
      if (text.length !== 1 || !'([{\'"'.includes(text)) return false;
      entry.held = '';
      onDemand(entry, 'complete', (cm) => {
        const held = [...entry.held];
        entry.held = undefined;
        entry.typed = false;
        for (const ch of held) {
          view.dispatch(cm?.insertBracket(view.state, ch)
            ?? view.state.update(view.state.replaceSelection(ch), { userEvent: 'input.type', scrollIntoView: true }));
        }
      });
    }
    entry.held += text;
    return true;
  });
}

// The bindings of CodeMirror's searchKeymap and of completion's start, by command name.
const SEARCH_KEYS = [
  { key: 'Mod-f', command: 'openSearchPanel' },
  { key: 'F3', command: 'findNext', shift: 'findPrevious', preventDefault: true },
  { key: 'Mod-g', command: 'findNext', shift: 'findPrevious', preventDefault: true },
  { key: 'Mod-Shift-l', command: 'selectSelectionMatches' },
  { key: 'Mod-Alt-g', command: 'gotoLine' },
  { key: 'Mod-d', command: 'selectNextOccurrence', preventDefault: true },
];
const COMPLETE_KEYS = [
  { key: 'Ctrl-Space', command: 'startCompletion' },
  { mac: 'Alt-`', command: 'startCompletion' },
  { mac: 'Alt-i', command: 'startCompletion' },
];

/**
 * What brings the chunks in besides their keys: a selection (search highlights its other
 * occurrences), and focus or the first edit for completion (which also closes brackets as you
 * type, so it loads when the editor is focused, before the first keystroke; `entry.typed` says
 * whether the latest edit was typing, which is when CodeMirror would open the list by itself).
 */
function loadOnUse(entry) {
  return EditorView.updateListener.of((u) => {
    if (!entry.loaded.search && u.selectionSet && !u.state.selection.main.empty) onDemand(entry, 'search');
    if (entry.loaded.complete) return;
    if (u.focusChanged && u.view.hasFocus) onDemand(entry, 'complete');
    const edits = u.transactions.filter((tr) => tr.docChanged && tr.annotation(Transaction.userEvent) !== Silent);
    if (!edits.length) return;
    entry.typed = edits[edits.length - 1].isUserEvent('input.type');
    onDemand(entry, 'complete');
  });
}

/** Programmatic edits are not echoed to `onChange`: Rust already knows the text it sent. */
const Silent = 'apim.silent';

/** CodeMirror diagnostics from the bridge's JSON (UTF-16 offsets, clamped to `len`). */
function toDiagnostics(json, len, callbacks) {
  return JSON.parse(json).map((d, i) => {
    const from = Math.min(Math.max(0, d.from), len);
    const to = Math.min(Math.max(from, d.to), len);
    const diagnostic = {
      from, to, severity: d.severity,
      message: d.message, renderMessage: renderDiagnostic(d),
    };
    if (d.fix && callbacks?.onFix) {
      diagnostic.actions = [{ name: d.fix, apply: () => callbacks.onFix(i) }];
    }
    return diagnostic;
  });
}

/**
 * A user edit carries its own diagnostics: `callbacks.lint(text)` lints the new text (Rust
 * keeps the result for the `onChange` that follows, so it is linted once) and the diagnostics
 * go in the edit's own transaction. Set afterwards, they cost the editor a second update and
 * layout on every keystroke.
 */
function lintOnEdit(callbacks) {
  return EditorState.transactionExtender.of((tr) => {
    if (!tr.docChanged || !callbacks?.lint || tr.annotation(Transaction.userEvent) === Silent) return null;
    let json;
    try {
      json = callbacks.lint(docText(tr.newDoc));
    } catch (e) {
      console.warn('editor lint:', e);
      return null;
    }
    if (typeof json !== 'string') return null;
    return cmSetDiagnostics(tr.startState, toDiagnostics(json, tr.newDoc.length, callbacks));
  });
}

export const ApimEditor = {
  /**
   * Create an editor in `parent` holding `text`. `callbacks.onChange(text)` runs after every
   * user edit; `callbacks.onFix(index)` when a quick fix is chosen in a tooltip;
   * `callbacks.complete(text, pos)` / `callbacks.hover(text, pos)` return JSON (or nothing), or
   * the first time a promise of it;
   * `callbacks.lint(text)` returns the diagnostics JSON of a user edit's new text;
   * `callbacks.onFormat()` on Shift+Alt+F and `callbacks.onRun()` on Ctrl/Cmd+Enter. Returns a
   * handle.
   */
  create(parent, text, callbacks, label) {
    const handle = nextHandle++;
    const onChange = callbacks?.onChange;
    const entry = {
      handle, callbacks, view: null, mount: null, loaded: {}, pending: {}, typed: false, implicit: false,
    };
    const state = EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        foldGutter(),
        drawSelection(),
        dropCursor(),
        EditorState.allowMultipleSelections.of(true),
        indentOnInput(),
        syntaxHighlighting(highlightStyle),
        bracketMatching(),
        completeSlot.of([stubs(entry, 'complete', COMPLETE_KEYS), bracketsWhileLoading(entry)]),
        policyHover(callbacks),
        rectangularSelection(),
        crosshairCursor(),
        highlightActiveLine(),
        lintGutter(),
        lintOnEdit(callbacks),
        EditorView.lineWrapping,
        xml(),
        policyTokens,
        theme,
        EditorView.contentAttributes.of({ 'aria-label': label || 'Policy XML' }),
        // The app's own shortcuts win over CodeMirror's (Mod-Enter would insert a line).
        Prec.highest(keymap.of([
          { key: 'Mod-Enter', run: () => { callbacks?.onRun?.(); return true; } },
          { key: 'Shift-Alt-f', run: () => { callbacks?.onFormat?.(); return true; } },
        ])),
        // Tab indents; Escape then Tab (CodeMirror's tab-focus escape) moves focus on.
        // Ctrl-Space opens completion (autocompletion's own keymap, once loaded).
        keymap.of(defaultKeymap),
        searchSlot.of(stubs(entry, 'search', SEARCH_KEYS)),
        keymap.of([...historyKeymap, ...foldKeymap, ...lintKeymap, indentWithTab]),
        loadOnUse(entry),
        // Multi-line text inserted as one input (an IME commit, dictation, a test driver's
        // insertText), or any text replacing a selection that spans lines, makes Chrome's own
        // editing split or merge line elements and copy inline styles onto them, which the
        // page's CSP blocks and reports. Apply such inputs as a transaction instead. (Typing
        // into a single line stays native, so closeBrackets and autoCloseTags keep working.)
        EditorView.domEventHandlers({
          beforeinput(event, view) {
            if (event.inputType !== 'insertText' || !event.data) return false;
            const { doc, selection } = view.state;
            const spansLines = selection.ranges.some((r) => doc.lineAt(r.from).number !== doc.lineAt(r.to).number);
            if (!/[\r\n]/.test(event.data) && !spansLines) return false;
            event.preventDefault();
            view.dispatch(view.state.replaceSelection(event.data), {
              userEvent: 'input.type', scrollIntoView: true,
            });
            return true;
          },
        }),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged || !onChange) return;
          if (u.transactions.every((tr) => tr.annotation(Transaction.userEvent) === Silent)) return;
          onChange(docText(u.state.doc));
        }),
      ],
    });
    // CodeMirror injects its styles at runtime. In a document that takes a <style> element,
    // which the page's Content-Security-Policy (style-src 'self') forbids; in a shadow root it
    // uses a constructed stylesheet instead, which CSP allows. The CSS custom properties of the
    // page's theme inherit into the shadow root, so light/dark still switch in CSS alone.
    const mount = document.createElement('div');
    mount.className = 'cm-mount';
    parent.appendChild(mount);
    const root = mount.attachShadow({ mode: 'open' });
    const editor = new EditorView({ state, parent: root, root });
    Object.assign(entry, { view: editor, mount });
    views.set(handle, entry);
    // A User Timing mark: the browser tests read it for the "page load to editable" budget.
    performance.mark('apim-editor-ready');
    return handle;
  },

  /** Replace the whole text (an example, a reset, a share link). Undoable with Ctrl+Z. */
  setText(handle, text) {
    const { view: v } = view(handle);
    const old = v.state.doc.toString();
    if (old === text) return;
    // Replace only the part that differs, so a quick fix keeps the cursor and the undo step is
    // the real change.
    let start = 0;
    const max = Math.min(old.length, text.length);
    while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
    let end = 0;
    while (end < max - start && old.charCodeAt(old.length - 1 - end) === text.charCodeAt(text.length - 1 - end)) end++;
    v.dispatch({
      changes: { from: start, to: old.length - end, insert: text.slice(start, text.length - end) },
      userEvent: Silent,
    });
  },

  getText(handle) {
    return view(handle).view.state.doc.toString();
  },

  /**
   * Show diagnostics: a JSON array of {from, to, severity, code, message, help?, doc_url?,
   * fix?} with UTF-16 offsets. A `fix` (its label) adds a tooltip action that calls onFix(i).
   */
  setDiagnostics(handle, json) {
    const { view: v, callbacks } = view(handle);
    v.dispatch(cmSetDiagnostics(v.state, toDiagnostics(json, v.state.doc.length, callbacks)));
  },

  /** Select `from..to` (UTF-16 offsets), scroll it into the middle of the view and focus. */
  select(handle, from, to) {
    const { view: v } = view(handle);
    const len = v.state.doc.length;
    const anchor = Math.min(Math.max(0, from), len);
    const head = Math.min(Math.max(anchor, to), len);
    v.dispatch({
      selection: { anchor, head },
      effects: EditorView.scrollIntoView(anchor, { y: 'center' }),
    });
    v.focus();
  },

  /** Select 1-based line `n` (without its indentation), scroll it into view and focus. */
  selectLine(handle, n) {
    const { view: v } = view(handle);
    const doc = v.state.doc;
    if (n < 1 || n > doc.lines) return;
    const line = doc.line(n);
    const indent = line.text.length - line.text.trimStart().length;
    ApimEditor.select(handle, line.from + indent, line.to);
  },

  focus(handle) {
    view(handle).view.focus();
  },

  destroy(handle) {
    const entry = views.get(handle);
    if (entry) {
      entry.view.destroy();
      entry.mount.remove();
      views.delete(handle);
    }
  },
};

// Share links: the state compressed with the browser's own deflate (CompressionStream), as
// base64url. Nothing leaves the page.
function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export const ApimCodec = {
  /** text → deflate-raw → base64url */
  async encode(text) {
    const packed = await pipe(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
    return toBase64Url(packed);
  },
  /** base64url → inflate → text; rejects on malformed input. */
  async decode(token) {
    const raw = await pipe(fromBase64Url(token), new DecompressionStream('deflate-raw'));
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  },
};

window.ApimEditor = ApimEditor;
window.ApimCodec = ApimCodec;
