// Loaded on first use (apim-editor.js, `loadComplete`: when the editor is first focused or
// edited): CodeMirror's completion and, from the same package, bracket closing.
export {
  autocompletion, startCompletion, snippet, closeBrackets, closeBracketsKeymap, insertBracket,
} from '@codemirror/autocomplete';
