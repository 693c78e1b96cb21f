//! The app's state as a reducer: `State` + `Action` + `Reducible`. No DOM access here, so it is
//! tested natively with plain `#[test]`s; components only dispatch actions.

use apim_policy::{Diagnostic, LineIndex, Severity};
use std::rc::Rc;
use yew::Reducible;

/// The policy shown on first visit: the seed walkthrough's policy, fixed to use a Key
/// Vault-backed named value.
pub const SAMPLE_POLICY: &str = include_str!("../examples/sample.xml");

/// One row of the problems list: a diagnostic with its position already converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub line: usize,
    pub column: usize,
    /// UTF-16 offsets into the editor text (what the browser counts).
    pub from: usize,
    pub to: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub source: String,
    pub problems: Vec<Problem>,
}

pub enum Action {
    /// The editor's text changed.
    Edit(String),
}

impl State {
    pub fn new(source: String) -> Self {
        let problems = problems_of(&source);
        State { source, problems }
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
        State::new(SAMPLE_POLICY.to_string())
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Edit(source) if source == self.source => self,
            Action::Edit(source) => Rc::new(State::new(source)),
        }
    }
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

    #[test]
    fn the_sample_policy_is_clean() {
        let state = State::default();
        assert_eq!(state.problems, vec![], "{:?}", state.problems);
        assert_eq!(state.summary(), "No problems");
    }

    #[test]
    fn editing_recomputes_problems_with_lines() {
        let state = Rc::new(State::default());
        let broken =
            "<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>".to_string();
        let state = state.reduce(Action::Edit(broken));
        assert_eq!(state.problems.len(), 1, "{:?}", state.problems);
        assert_eq!(state.problems[0].line, 4);
        assert_eq!(state.summary(), "1 error, 0 warnings");
    }

    #[test]
    fn problem_offsets_are_utf16() {
        let state = State::new("<p a=\"😀\">\n</q>".to_string());
        let state = State {
            problems: state
                .problems
                .into_iter()
                .filter(|p| p.code == "APIM0003")
                .collect(),
            ..state
        };
        assert_eq!(state.problems.len(), 1);
        // The mismatched name `q` starts after `<p a="` (6 units) + the emoji (2) + `">\n</` (5).
        assert_eq!(state.problems[0].from, 13);
        assert_eq!(state.problems[0].line, 2);
    }
}
