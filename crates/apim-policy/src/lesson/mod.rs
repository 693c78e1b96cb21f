//! Workshop lessons: guided exercises whose steps are checked automatically.
//!
//! A **lesson** is a JSON file (`docs/lesson.schema.json`, guide in `docs/lessons.md`): an id,
//! a title, Markdown text, a starting policy and scenario, a solution, and numbered steps, each
//! with a title, Markdown text, a hint and a **check**: declarative data ([`check`]) that this
//! module evaluates with the linter, the tree, the simulator and the exporter. A **course** is
//! a folder with `course.json` (id, title, description, the lessons in order) and one lesson
//! file per lesson, whose policies and scenarios may live beside it (`start.xml`,
//! `solution.xml`, `scenario.json`); or one self-contained **bundle** (everything inline) that
//! a static host serves and the app loads.
//!
//! ```text
//! load_lesson(file, text, read)  -> Result<Lesson, Vec<LoadError>>
//! load_course(file, text, read)  -> Course            (good lessons + per-file errors)
//! load_bundle(file, text)        -> Course
//! load_any(file, text, read)     -> Course            (a lesson, a course.json or a bundle)
//! bundle(&course)                -> String            (the self-contained JSON)
//! check(&lesson, policy, scenario_json) -> LessonReport (one StepResult per step)
//! validate(&lesson)              -> Vec<String>       (solution passes, start fails)
//! ```
//!
//! Everything is plain data: no I/O (the caller passes `read`, which resolves a path relative
//! to the course folder, so the CLI reads files and the app reads an uploaded folder or
//! answers "not available" for a bundle), no panics, and every error carries the file, line
//! and column. The results ([`LessonReport`], [`LoadError`]) serialise with serde, and a
//! [`Lesson`] serialises to its self-contained JSON (what a bundle holds).
//!
//! Where things go: a new check kind is a variant in `check.rs` (with its fields and its
//! parsing in `parse_node`), its evaluation in `eval.rs`, an entry in `check::KINDS`, the
//! schema and the guide. The path syntax of `match` checks is `path.rs`.

pub mod check;
mod eval;
mod jsonpos;
mod load;
pub mod path;

pub use check::KINDS;
pub use eval::{check, describe, resource_types};
pub use load::{BUNDLE_FORMAT, Reader, bundle, load_any, load_bundle, load_course, load_lesson};

use crate::scenario::Scenario;
use serde::Serialize;

/// One lesson, with every file it referenced read in.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub text: String,
    /// What the student starts from.
    pub start: Workspace,
    /// A policy (and scenario) that passes every step.
    pub solution: Workspace,
    pub steps: Vec<Step>,
    /// Where it was read from (`01-not-a-policy/lesson.json`, or `bundle.json#/lessons/0`).
    pub file: String,
    /// The starting scenario, parsed (checks with `"scenario": "lesson"` use it).
    pub start_scenario: Option<Scenario>,
    /// The lesson as one self-contained JSON value (file references replaced by their text).
    raw: serde_json::Value,
}

impl Serialize for Lesson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl Lesson {
    /// What a lesson view shows, as plain serialisable data (the checks stay in the core).
    pub fn view(&self) -> LessonView {
        LessonView {
            id: self.id.clone(),
            title: self.title.clone(),
            text: self.text.clone(),
            start: self.start.clone(),
            solution: self.solution.clone(),
            steps: self
                .steps
                .iter()
                .map(|s| StepView {
                    title: s.title.clone(),
                    text: s.text.clone(),
                    hint: s.hint.clone(),
                    check: describe(&s.check.check),
                })
                .collect(),
        }
    }
}

/// A lesson as the app's lesson view needs it: texts, the starting point and the solution
/// (scenarios as JSON text), the steps without their checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LessonView {
    pub id: String,
    pub title: String,
    pub text: String,
    pub start: Workspace,
    pub solution: Workspace,
    pub steps: Vec<StepView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StepView {
    pub title: String,
    pub text: String,
    pub hint: Option<String>,
    /// A one-line statement of what the check requires (for tooltips and screen readers).
    pub check: String,
}

/// A policy and a scenario (as JSON text, `None` when the lesson has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Workspace {
    pub policy: String,
    pub scenario: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: String,
    /// Markdown.
    pub text: String,
    /// Markdown, shown on request.
    pub hint: Option<String>,
    pub check: check::Node,
}

/// A course: its description and the lessons that loaded, with the errors of those that did
/// not (and of the course file itself).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Course {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub lessons: Vec<Lesson>,
    pub errors: Vec<LoadError>,
}

/// A problem in a lesson or course file: `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// How one step fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    /// Ran, and something is still wrong (`problems` says what).
    Failed,
    /// Could not be checked: the policy does not parse, the scenario is invalid, the simulator
    /// or the exporter refused (`problems` says why). Never counts as passed.
    CouldNotRun,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::CouldNotRun => "could_not_run",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepResult {
    /// 1-based.
    pub step: usize,
    pub title: String,
    pub status: Status,
    /// What is still wrong, or why the step could not be checked; empty when passed.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonReport {
    pub lesson: String,
    /// Every step passed.
    pub passed: bool,
    pub steps: Vec<StepResult>,
}

/// Check a lesson itself: its solution passes every step and its starting point does not pass
/// the first. Each problem is one sentence naming the lesson and the step.
pub fn validate(lesson: &Lesson) -> Vec<String> {
    let mut problems = Vec::new();
    let solution_scenario = lesson
        .solution
        .scenario
        .as_deref()
        .or(lesson.start.scenario.as_deref());
    let solved = check(lesson, &lesson.solution.policy, solution_scenario);
    for s in &solved.steps {
        if s.status != Status::Passed {
            problems.push(format!(
                "{}: the solution does not pass step {} ({}): {} {}",
                lesson.file,
                s.step,
                s.title,
                s.status.as_str().replace('_', " "),
                s.problems.join("; ")
            ));
        }
    }
    let started = check(
        lesson,
        &lesson.start.policy,
        lesson.start.scenario.as_deref(),
    );
    if let Some(first) = started.steps.first()
        && first.status == Status::Passed
    {
        problems.push(format!(
            "{}: the starting point already passes step 1 ({}): the student has nothing to do there",
            lesson.file, first.title
        ));
    }
    if lesson.steps.is_empty() {
        problems.push(format!("{}: the lesson has no steps", lesson.file));
    }
    problems
}
