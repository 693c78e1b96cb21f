// Loaded on first use (apim-editor.js, `loadSearch`): the search panel, selection-match
// highlighting and the selection commands, none of which the first paint needs.
export {
  search, searchKeymap, highlightSelectionMatches, openSearchPanel, findNext, findPrevious,
  selectSelectionMatches, gotoLine, selectNextOccurrence,
} from '@codemirror/search';
