//! The app's state as a reducer: `State` + `Action` + `Reducible`. No DOM access here, so it is
//! tested natively with plain `#[test]`s; components only dispatch actions and render.

use crate::examples::{self, Example};
use crate::rule_docs;
use apim_policy::{Diagnostic, Fix, LineIndex, Severity};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use yew::Reducible;

/// One row of the problems list: a diagnostic with its position already converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub doc_url: Option<&'static str>,
    /// 1-based; the column counts Unicode scalar values (as the CLI prints them).
    pub line: usize,
    pub column: usize,
    /// UTF-16 offsets into the editor text (what the browser counts).
    pub from: usize,
    pub to: usize,
}

/// Light or dark, or whatever the operating system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn is_dark(self, system_dark: bool) -> bool {
        match self {
            Theme::System => system_dark,
            Theme::Light => false,
            Theme::Dark => true,
        }
    }

    /// The value of `<html data-theme>`; `None` lets CSS follow `prefers-color-scheme`.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }
}

/// The side panel's tabs. The tab bar renders [`TABS`], so a panel that lands later (outline,
/// Simulate, Export) is one more variant, one more entry and one more arm in
/// `components::side_panel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TabId {
    Problems,
    Example,
}

pub struct TabSpec {
    pub id: TabId,
    pub label: &'static str,
}

pub const TABS: &[TabSpec] = &[
    TabSpec {
        id: TabId::Problems,
        label: "Problems",
    },
    TabSpec {
        id: TabId::Example,
        label: "About this example",
    },
];

impl TabId {
    pub fn as_str(self) -> &'static str {
        match self {
            TabId::Problems => "problems",
            TabId::Example => "example",
        }
    }

    pub fn parse(s: &str) -> Option<TabId> {
        TABS.iter().map(|t| t.id).find(|t| t.as_str() == s)
    }
}

pub const SIDE_WIDTH_MIN: u8 = 20;
pub const SIDE_WIDTH_MAX: u8 = 70;
pub const SIDE_WIDTH_DEFAULT: u8 = 38;

/// UI settings, persisted as one JSON object. Unknown or missing fields fall back to defaults,
/// so an older or newer saved copy never breaks loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub theme: Theme,
    /// The selected tab's id (a string, so a tab that no longer exists is simply ignored).
    pub tab: String,
    /// The side panel's share of the window width, in percent.
    pub side_width: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::System,
            tab: TabId::Problems.as_str().to_string(),
            side_width: SIDE_WIDTH_DEFAULT,
        }
    }
}

impl Settings {
    pub fn tab(&self) -> TabId {
        TabId::parse(&self.tab).unwrap_or(TabId::Problems)
    }

    pub fn side_width(&self) -> u8 {
        self.side_width.clamp(SIDE_WIDTH_MIN, SIDE_WIDTH_MAX)
    }
}

/// Everything a share link carries, and what autosave keeps besides the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Workspace {
    pub policy: String,
    /// The scenario JSON as text (it may be mid-edit and invalid).
    #[serde(default)]
    pub scenario: String,
    /// The example this work started from, for the "About this example" tab.
    #[serde(default)]
    pub example: Option<String>,
}

impl Workspace {
    pub fn of_example(e: &Example) -> Self {
        Workspace {
            policy: e.policy.to_string(),
            scenario: e.scenario.to_string(),
            example: Some(e.id.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub source: Rc<str>,
    pub problems: Rc<Vec<Problem>>,
    pub scenario: Rc<str>,
    pub example: Option<&'static Example>,
    /// Bumps on every change of `source`, from typing or not: autosave keys on it.
    pub version: u64,
    /// Bumps when `source` is replaced from outside the editor (example, reset, share link,
    /// quick fix), telling the editor to take the new text.
    pub revision: u64,
    pub settings: Settings,
    /// A short message for the status line (a share link that could not be read, …).
    pub notice: Option<String>,
}

pub enum Action {
    /// The user edited the text in the editor.
    Edit(String),
    LoadExample(&'static str),
    /// Reset: back to the default example (the component asks for confirmation first).
    Reset,
    /// A share link was opened.
    LoadShared(Workspace),
    /// Flip between light and dark; `system_dark` is what `prefers-color-scheme` says now.
    ToggleTheme {
        system_dark: bool,
    },
    SelectTab(TabId),
    SetSideWidth(u8),
    /// Apply the quick fix of `problems[i]`.
    ApplyFix(usize),
    Notify(String),
    DismissNotice,
}

impl State {
    /// A state holding `source` alone (tests; the app starts from [`State::restore`]).
    #[cfg(test)]
    pub fn new(source: String) -> Self {
        let mut state = State::from_workspace(Workspace {
            policy: source,
            scenario: String::new(),
            example: None,
        });
        state.example = None;
        state
    }

    pub fn from_workspace(w: Workspace) -> Self {
        let problems = problems_of(&w.policy);
        State {
            source: w.policy.into(),
            problems: Rc::new(problems),
            scenario: w.scenario.into(),
            example: w.example.as_deref().and_then(examples::find),
            version: 0,
            revision: 0,
            settings: Settings::default(),
            notice: None,
        }
    }

    /// The state at startup: the autosaved workspace and settings, or the default example.
    pub fn restore(saved: Option<Workspace>, settings: Option<Settings>) -> Self {
        let workspace = saved.unwrap_or_else(|| Workspace::of_example(examples::default_example()));
        let mut state = State::from_workspace(workspace);
        state.settings = settings.unwrap_or_default();
        state
    }

    pub fn workspace(&self) -> Workspace {
        Workspace {
            policy: self.source.to_string(),
            scenario: self.scenario.to_string(),
            example: self.example.map(|e| e.id.to_string()),
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }

    /// "2 errors, 1 warning" / "No problems".
    pub fn summary(&self) -> String {
        let errors = self.count(Severity::Error);
        let warnings = self.count(Severity::Warning);
        let infos = self.count(Severity::Info);
        if errors + warnings + infos == 0 {
            return "No problems".to_string();
        }
        let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
        if infos > 0 {
            parts.push(plural(infos, "info"));
        }
        parts.join(", ")
    }

    /// Replace the text from outside the editor.
    fn replace_source(&mut self, source: String) {
        self.problems = Rc::new(problems_of(&source));
        self.source = source.into();
        self.version += 1;
        self.revision += 1;
    }

    fn load(&mut self, w: Workspace) {
        self.replace_source(w.policy);
        self.scenario = w.scenario.into();
        self.example = w.example.as_deref().and_then(examples::find);
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Default for State {
    fn default() -> Self {
        State::restore(None, None)
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(source) if *source == *self.source => return self,
            Action::Edit(source) => {
                next.problems = Rc::new(problems_of(&source));
                next.source = source.into();
                next.version += 1;
            }
            Action::LoadExample(id) => match examples::find(id) {
                Some(e) => next.load(Workspace::of_example(e)),
                None => next.notice = Some(format!("There is no example called “{id}”.")),
            },
            Action::Reset => next.load(Workspace::of_example(examples::default_example())),
            Action::LoadShared(w) => {
                next.load(w);
                next.notice = Some("Loaded the shared policy and scenario.".to_string());
            }
            Action::ToggleTheme { system_dark } => {
                let dark = !next.settings.theme.is_dark(system_dark);
                // Landing on what the system prefers means following the system again.
                next.settings.theme = if dark == system_dark {
                    Theme::System
                } else if dark {
                    Theme::Dark
                } else {
                    Theme::Light
                };
            }
            Action::SelectTab(tab) => tab.as_str().clone_into(&mut next.settings.tab),
            Action::SetSideWidth(w) => {
                next.settings.side_width = w.clamp(SIDE_WIDTH_MIN, SIDE_WIDTH_MAX);
            }
            Action::ApplyFix(i) => {
                let fixed = self
                    .problems
                    .get(i)
                    .and_then(|p| p.fix.as_ref())
                    .and_then(|fix| apply_fix(&self.source, fix));
                match fixed {
                    Some(source) => next.replace_source(source),
                    None => next.notice = Some("That fix no longer applies.".to_string()),
                }
            }
            Action::Notify(message) => next.notice = Some(message),
            Action::DismissNotice => next.notice = None,
        }
        Rc::new(next)
    }
}

/// Apply a fix's byte-range edits; `None` when they overlap or do not fit the text.
pub fn apply_fix(source: &str, fix: &Fix) -> Option<String> {
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for e in edits {
        if e.start < at || e.end < e.start {
            return None;
        }
        out.push_str(source.get(at..e.start)?);
        source.get(e.start..e.end)?;
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(source.get(at..)?);
    Some(out)
}

fn problems_of(source: &str) -> Vec<Problem> {
    let index = LineIndex::new(source);
    apim_policy::lint(source)
        .into_iter()
        .map(|d: Diagnostic| {
            let pos = index.line_col(d.span.start);
            Problem {
                code: d.code,
                severity: d.severity,
                message: d.message,
                help: d.help,
                fix: d.fix,
                doc_url: rule_docs::doc_url(d.code),
                line: pos.line,
                column: pos.column,
                from: index.utf16_offset(d.span.start),
                to: index.utf16_offset(d.span.end),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use apim_policy::Edit;

    fn reduce(state: State, action: Action) -> State {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn the_default_state_is_the_seed_fix_and_clean() {
        let state = State::default();
        assert_eq!(state.example.map(|e| e.id), Some("seed-named-value"));
        assert!(state.source.contains("{{backend-api-key}}"));
        assert!(state.scenario.contains("key_vault"));
        assert_eq!(*state.problems, vec![], "{:?}", state.problems);
        assert_eq!(state.summary(), "No problems");
    }

    #[test]
    fn editing_recomputes_problems_with_lines() {
        let broken = "<policies>
  <inbound>
    <base />
  </outbound>
</policies>"
            .to_string();
        let state = reduce(State::default(), Action::Edit(broken));
        assert_eq!(state.problems.len(), 1, "{:?}", state.problems);
        assert_eq!(state.problems[0].line, 4);
        assert_eq!(state.problems[0].doc_url, rule_docs::doc_url("APIM0003"));
        assert_eq!(state.summary(), "1 error, 0 warnings");
        assert_eq!(state.version, 1);
        assert_eq!(
            state.revision, 0,
            "typing must not push the text back into the editor"
        );
    }

    #[test]
    fn an_unchanged_edit_is_a_no_op() {
        let state = Rc::new(State::default());
        let same = state.source.to_string();
        let next = state.clone().reduce(Action::Edit(same));
        assert!(Rc::ptr_eq(&state, &next));
    }

    #[test]
    fn problem_offsets_are_utf16() {
        let state = State::new("<p a=\"😀\">\n</q>".to_string());
        let mismatched: Vec<&Problem> = state
            .problems
            .iter()
            .filter(|p| p.code == "APIM0003")
            .collect();
        assert_eq!(mismatched.len(), 1);
        // The mismatched name `q` starts after `<p a="` (6 units) + the emoji (2) + `">\n</` (5).
        assert_eq!(mismatched[0].from, 13);
        assert_eq!(mismatched[0].line, 2);
    }

    #[test]
    fn problem_offsets_count_accents_and_emoji_once_per_utf16_unit() {
        // 'é' is 2 bytes / 1 unit, '🔑' 4 bytes / 2 units: bytes and UTF-16 differ by 1 + 2.
        let text = "<policies>\n  <!-- café 🔑 -->\n  <inbound>\n  </outbound>\n</policies>";
        let state = State::new(text.to_string());
        let p = state
            .problems
            .iter()
            .find(|p| p.code == "APIM0003")
            .unwrap();
        // The diagnostic points at the end tag's name, after `</`.
        let byte = text.find("</outbound>").unwrap() + 2;
        assert_eq!(p.line, 4);
        assert_eq!(p.from, byte - 3);
        assert_eq!(p.from, text[..byte].encode_utf16().count());
    }

    #[test]
    fn examples_reset_and_share_links_replace_the_text_and_bump_the_revision() {
        let state = reduce(State::default(), Action::Edit("<x/>".into()));
        let state = reduce(state, Action::LoadExample("jwt-hs256"));
        assert_eq!(state.example.map(|e| e.id), Some("jwt-hs256"));
        assert!(state.source.contains("validate-jwt"));
        assert!(state.scenario.contains("Bearer "));
        assert_eq!((state.version, state.revision), (2, 1));

        let state = reduce(state, Action::LoadExample("no-such-example"));
        assert!(state.notice.as_deref().unwrap().contains("no-such-example"));
        assert_eq!(state.revision, 1);

        let state = reduce(state, Action::Reset);
        assert_eq!(state.example.map(|e| e.id), Some("seed-named-value"));
        assert_eq!(state.revision, 2);

        let shared = Workspace {
            policy: "<policies/>".into(),
            scenario: "{}".into(),
            example: None,
        };
        let state = reduce(state, Action::LoadShared(shared.clone()));
        assert_eq!(state.workspace(), shared);
        assert_eq!(state.revision, 3);
        assert!(state.example.is_none());
    }

    #[test]
    fn the_theme_toggle_flips_and_returns_to_following_the_system() {
        let state = State::default();
        assert_eq!(state.settings.theme, Theme::System);
        let state = reduce(state, Action::ToggleTheme { system_dark: false });
        assert_eq!(state.settings.theme, Theme::Dark);
        let state = reduce(state, Action::ToggleTheme { system_dark: false });
        assert_eq!(state.settings.theme, Theme::System);
        let state = reduce(state, Action::ToggleTheme { system_dark: true });
        assert_eq!(state.settings.theme, Theme::Light);
        assert_eq!(state.settings.theme.attribute(), Some("light"));
    }

    #[test]
    fn tabs_and_side_width_are_settings() {
        let state = reduce(State::default(), Action::SelectTab(TabId::Example));
        assert_eq!(state.settings.tab(), TabId::Example);
        let state = reduce(state, Action::SetSideWidth(5));
        assert_eq!(state.settings.side_width, SIDE_WIDTH_MIN);
        let state = reduce(state, Action::SetSideWidth(250));
        assert_eq!(state.settings.side_width, SIDE_WIDTH_MAX);
    }

    #[test]
    fn saved_settings_tolerate_unknown_and_missing_fields() {
        let s: Settings =
            serde_json::from_str(r#"{"theme":"dark","tab":"simulate-v9","extra":1}"#).unwrap();
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.tab(), TabId::Problems);
        assert_eq!(s.side_width(), SIDE_WIDTH_DEFAULT);
        let s: Settings = serde_json::from_str(r#"{"side_width":3}"#).unwrap();
        assert_eq!(s.side_width(), SIDE_WIDTH_MIN);
    }

    #[test]
    fn restore_prefers_the_autosaved_workspace() {
        let saved = Workspace {
            policy: "<policies/>".into(),
            scenario: String::new(),
            example: Some("cors-preflight".into()),
        };
        let state = State::restore(Some(saved), None);
        assert_eq!(&*state.source, "<policies/>");
        assert_eq!(state.example.map(|e| e.id), Some("cors-preflight"));
    }

    #[test]
    fn quick_fixes_apply_byte_edits() {
        let fix = Fix {
            message: "rename".into(),
            edits: vec![
                Edit {
                    start: 1,
                    end: 2,
                    text: "é".into(),
                },
                Edit {
                    start: 4,
                    end: 4,
                    text: "!".into(),
                },
            ],
        };
        assert_eq!(apply_fix("abcd", &fix).as_deref(), Some("aécd!"));
        let overlapping = Fix {
            message: String::new(),
            edits: vec![
                Edit {
                    start: 0,
                    end: 3,
                    text: String::new(),
                },
                Edit {
                    start: 2,
                    end: 4,
                    text: String::new(),
                },
            ],
        };
        assert_eq!(apply_fix("abcd", &overlapping), None);
        let outside = Fix {
            message: String::new(),
            edits: vec![Edit {
                start: 3,
                end: 9,
                text: String::new(),
            }],
        };
        assert_eq!(apply_fix("abcd", &outside), None);
        // Inside a multi-byte character.
        let split = Fix {
            message: String::new(),
            edits: vec![Edit {
                start: 1,
                end: 1,
                text: String::new(),
            }],
        };
        assert_eq!(apply_fix("é", &split), None);

        let mut state = State::new("<a>".into());
        Rc::make_mut(&mut state.problems).push(Problem {
            code: "TEST",
            severity: Severity::Warning,
            message: String::new(),
            help: None,
            fix: Some(Fix {
                message: "close it".into(),
                edits: vec![Edit {
                    start: 2,
                    end: 2,
                    text: " /".into(),
                }],
            }),
            doc_url: None,
            line: 1,
            column: 1,
            from: 0,
            to: 0,
        });
        let last = state.problems.len() - 1;
        let state = reduce(state, Action::ApplyFix(last));
        assert_eq!(&*state.source, "<a />");
        assert_eq!(state.revision, 1);
        let state = reduce(state, Action::ApplyFix(99));
        assert!(state.notice.is_some());
    }
}
