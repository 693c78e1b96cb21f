//! The app's state as a reducer: `State` + `Action` + `Reducible`. No DOM access here, so it is
//! tested natively with plain `#[test]`s; components only dispatch actions and render.

use crate::examples::{self, Example};
use crate::lessons::{
    Ask, CourseState, LessonRef, Lessons, PendingCheck, Report, SharedLesson, Source,
};
use crate::rule_docs;
use crate::scenario_text;
use crate::sim_view::{PendingRun, SimRun};
use crate::wire::{Checked, CourseView, NotRun, Reply};
use apim_policy::export::{self, ApiVersion, ExportOptions, Target};
use apim_policy::lint::LintOptions;
use apim_policy::scenario::{Scenario, ScenarioError};
use apim_policy::{Diagnostic, Fix, LineIndex, Severity, catalog};
use serde::Serialize;
use serde_json::Value;
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
    /// The in-app rule page (`#rule/APIM0105`), when the code is in the core's registry.
    pub doc_url: Option<String>,
    /// 1-based; the column counts Unicode scalar values (as the CLI prints them).
    pub line: usize,
    pub column: usize,
    /// UTF-16 offsets into the editor text (what the browser counts).
    pub from: usize,
    pub to: usize,
}

/// Light or dark, or whatever the operating system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
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

/// The side panel's tabs. The tab bar renders [`TABS`], so another panel is one more variant,
/// one more entry and one more arm in `components::side_panel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TabId {
    Problems,
    Outline,
    Simulate,
    Export,
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
        id: TabId::Outline,
        label: "Outline",
    },
    TabSpec {
        id: TabId::Simulate,
        label: "Simulate",
    },
    TabSpec {
        id: TabId::Export,
        label: "Export",
    },
    TabSpec {
        id: TabId::Example,
        label: "Example",
    },
];

impl TabId {
    pub fn as_str(self) -> &'static str {
        match self {
            TabId::Problems => "problems",
            TabId::Outline => "outline",
            TabId::Simulate => "simulate",
            TabId::Export => "export",
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// How the policy is exported, and the scope it is linted at. Part of the workspace (autosaved,
/// in share links): the scope changes which diagnostics the policy has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ExportSettings {
    pub target: Target,
    /// `None`: the document's default (`fragment` for `<fragment>`, else `api`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<export::Scope>,
    /// Names; blank means the exporter's default (from the scenario, else `my-api` …).
    pub service: String,
    pub product: String,
    pub api: String,
    pub operation: String,
    pub fragment: String,
    /// Only the resources, to paste into an existing template.
    pub snippet: bool,
    pub api_version: ApiVersion,
}

impl ExportSettings {
    pub fn is_default(&self) -> bool {
        *self == ExportSettings::default()
    }

    /// The scope the document is attached at: the chosen one or the document's default.
    pub fn effective_scope(&self, source: &str) -> export::Scope {
        self.scope
            .unwrap_or_else(|| export::Scope::default_for(source))
    }

    /// The linter's scope for the chosen export scope (`None` lets the linter decide).
    pub fn lint_scope(&self) -> Option<catalog::Scope> {
        self.scope.map(|s| match s {
            export::Scope::Global => catalog::Scope::Global,
            export::Scope::Product => catalog::Scope::Product,
            export::Scope::Api => catalog::Scope::Api,
            export::Scope::Operation => catalog::Scope::Operation,
            export::Scope::Fragment => catalog::Scope::Fragment,
        })
    }

    pub fn options(&self) -> ExportOptions {
        let name = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        ExportOptions {
            target: self.target,
            scope: self.scope,
            service: name(&self.service),
            product: name(&self.product),
            api: name(&self.api),
            operation: name(&self.operation),
            fragment: name(&self.fragment),
            snippet: self.snippet,
            api_version: self.api_version,
        }
    }
}

/// Everything a share link carries, and what autosave keeps besides the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Workspace {
    pub policy: String,
    /// The scenario JSON as text (it may be mid-edit and invalid).
    pub scenario: String,
    /// The example this work started from, for the "About this example" tab.
    pub example: Option<String>,
    /// Left out when it is the default, so links and saved copies stay short.
    #[serde(skip_serializing_if = "ExportSettings::is_default")]
    pub export: ExportSettings,
    /// A share link of a lesson: which one, and the student's progress in it (the policy and
    /// scenario are their text). Never autosaved (the playground's workspace has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson: Option<SharedLesson>,
}

// Reading back what was saved or shared. These types are written with serde's derives but
// read by hand from a `serde_json::Value` (which the app parses anyway): derived
// deserializers cost the first load about 4 KB gzipped. The rules are serde's: a missing
// field takes its default (only `policy` is required), an unknown one is ignored, and a field
// of the wrong type makes the whole value unreadable (`Err` with the field's name).

/// The string field `key`, `Ok(None)` when absent (or null).
fn opt_str<'a>(v: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{key}` is not a string")),
    }
}

fn string(v: &Value, key: &str) -> Result<String, String> {
    Ok(opt_str(v, key)?.unwrap_or_default().to_string())
}

fn object(v: &Value) -> Result<&Value, String> {
    if v.is_object() {
        Ok(v)
    } else {
        Err("expected a JSON object".to_string())
    }
}

/// A unit enum field, by the names `as_str` gives its variants.
fn variant<T: Copy>(
    v: &Value,
    key: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<Option<T>, String> {
    match opt_str(v, key)? {
        None => Ok(None),
        Some(s) => all
            .iter()
            .copied()
            .find(|t| name(*t) == s)
            .map(Some)
            .ok_or_else(|| format!("unknown `{key}` “{s}”")),
    }
}

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

impl Settings {
    /// What [`storage`](crate::storage) kept under `settings`.
    pub fn read(v: &Value) -> Result<Settings, String> {
        let v = object(v)?;
        let d = Settings::default();
        Ok(Settings {
            theme: variant(
                v,
                "theme",
                &[Theme::System, Theme::Light, Theme::Dark],
                Theme::name,
            )?
            .unwrap_or(d.theme),
            tab: opt_str(v, "tab")?.map_or(d.tab, str::to_string),
            side_width: match v.get("side_width") {
                None => d.side_width,
                Some(n) => n
                    .as_u64()
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or("`side_width` is not a number from 0 to 255")?,
            },
        })
    }
}

impl ExportSettings {
    pub fn read(v: &Value) -> Result<ExportSettings, String> {
        use export::Scope;
        let v = object(v)?;
        Ok(ExportSettings {
            target: variant(
                v,
                "target",
                &[Target::Arm, Target::Bicep, Target::Terraform],
                Target::as_str,
            )?
            .unwrap_or_default(),
            scope: variant(
                v,
                "scope",
                &[
                    Scope::Global,
                    Scope::Product,
                    Scope::Api,
                    Scope::Operation,
                    Scope::Fragment,
                ],
                Scope::as_str,
            )?,
            service: string(v, "service")?,
            product: string(v, "product")?,
            api: string(v, "api")?,
            operation: string(v, "operation")?,
            fragment: string(v, "fragment")?,
            snippet: match v.get("snippet") {
                None => false,
                Some(b) => b.as_bool().ok_or("`snippet` is not true or false")?,
            },
            api_version: variant(
                v,
                "api_version",
                &[ApiVersion::V2022_08_01, ApiVersion::V2024_05_01],
                ApiVersion::as_str,
            )?
            .unwrap_or_default(),
        })
    }
}

impl Workspace {
    /// A saved workspace or a share link's: `policy` is required.
    pub fn read(v: &Value) -> Result<Workspace, String> {
        let v = object(v)?;
        Ok(Workspace {
            policy: opt_str(v, "policy")?
                .ok_or("missing field `policy`")?
                .to_string(),
            scenario: string(v, "scenario")?,
            example: opt_str(v, "example")?.map(str::to_string),
            export: match v.get("export") {
                None => ExportSettings::default(),
                Some(e) => ExportSettings::read(e).map_err(|e| format!("export: {e}"))?,
            },
            lesson: v.get("lesson").and_then(SharedLesson::read),
        })
    }
}

impl Workspace {
    /// An example's workspace, from its texts (compiled in, or fetched from `examples::FILE`).
    pub fn of_example(e: &Example, (policy, scenario): (&str, &str)) -> Self {
        Workspace {
            policy: policy.to_string(),
            scenario: scenario.to_string(),
            example: Some(e.id.to_string()),
            export: ExportSettings::default(),
            lesson: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub source: Rc<str>,
    pub problems: Rc<Vec<Problem>>,
    /// The scenario JSON exactly as typed or loaded: never rewritten behind the user's back.
    pub scenario: Rc<str>,
    /// The last valid scenario read from [`State::scenario`] (the form, the linter and the
    /// exporter use it); the empty scenario until one was valid.
    pub scenario_model: Rc<Scenario>,
    /// Why the current scenario text is not valid, with its line and column.
    pub scenario_error: Option<ScenarioError>,
    pub export: ExportSettings,
    /// What the linter, completion and hover know: the scenario's named values and fragments
    /// and the export scope.
    pub options: Rc<LintOptions>,
    pub example: Option<&'static Example>,
    /// The example whose texts the app is fetching (`examples::FILE`), once chosen.
    pub fetching_example: Option<&'static str>,
    /// Bumps on every change of the workspace (policy, scenario, export settings), from typing
    /// or not: autosave keys on it.
    pub version: u64,
    /// Bumps when `source` is replaced from outside the editor (example, reset, share link,
    /// quick fix, format), telling the editor to take the new text.
    pub revision: u64,
    pub settings: Settings,
    /// A short message for the status line (a share link that could not be read, …).
    pub notice: Option<String>,
    /// The rule whose page is open (`#rule/APIM0105`).
    pub rule: Option<&'static str>,
    /// Show secret values in simulation results (off at every start; not saved).
    pub reveal_secrets: bool,
    /// The last simulation (Run), until another workspace is loaded.
    pub sim: Option<Rc<SimRun>>,
    /// The run the simulator's worker is working on (the app sends it when this changes).
    pub pending: Option<Rc<PendingRun>>,
    /// How many runs there have been (each run's id).
    pub runs: u64,
    /// Workshop mode: the course, the lesson in the editor, the student's progress.
    pub lessons: Rc<Lessons>,
    /// The playground's workspace, parked while a lesson is in the editor.
    pub playground: Option<Rc<Workspace>>,
}

pub enum Action {
    /// The user edited the text in the editor.
    Edit(String),
    LoadExample(&'static str),
    /// The texts of an example that is not compiled in, fetched by the app (or why not).
    ExampleFetched(&'static str, Result<(String, String), String>),
    /// Reset: back to the default example (the component asks for confirmation first).
    Reset,
    /// A share link was opened.
    LoadShared(Workspace),
    /// Replace the policy from outside the editor (a rule's example, an imported template),
    /// optionally with the export settings that go with it. The scenario stays.
    LoadPolicy {
        policy: String,
        export: Option<ExportSettings>,
        notice: String,
    },
    /// The scenario JSON was edited (typed, uploaded).
    EditScenarioJson(String),
    /// The scenario form changed a value: the JSON is rewritten from the model by the function
    /// that comes with it ([`Action::set_scenario`] passes `scenario_text::write`): the panels
    /// that send this are lazy, and so the JSON writer's code (serde's serializer) stays in
    /// their chunks, out of the first load.
    SetScenario(Rc<Scenario>, fn(&Scenario, &str) -> String),
    SetExport(ExportSettings),
    /// Format the policy with the core's formatter (or say why not).
    Format,
    /// Ctrl/Cmd+Enter or the Run button.
    Run,
    /// The simulator's worker answered.
    SimDone(Reply),
    /// The simulator's worker could not be loaded or stopped: the pending run fails with this.
    SimFailed(String),
    /// Open (`Some(code)`) or close the rule page.
    ShowRule(Option<String>),
    SetRevealSecrets(bool),
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
    /// The header's Lessons button: open the course list, or close the view and put the
    /// playground's text back in the editor.
    ToggleLessons,
    /// Show the course list (the lesson stays in the editor).
    ShowCourseList,
    /// Open a course from elsewhere (`?course=`, a file or folder; the files for those).
    OpenCourse(Source, Option<Rc<Vec<(String, String)>>>),
    /// The worker read the course asked for by load `n`.
    CourseLoaded(u64, Rc<CourseView>),
    CourseFailed(u64, String),
    /// Put a lesson of the open course in the editor (the student's text, else its start).
    OpenLesson(String),
    /// The Check button, Ctrl/Cmd+Shift+Enter.
    CheckLesson,
    LessonChecked(Checked),
    CheckFailed(String),
    /// Open (`Some`) or close the confirmation of Show solution / Reset.
    AskLesson(Option<Ask>),
    /// Replace the student's text by the solution (the view asks first).
    ShowSolution,
    /// Back to the lesson's starting point (the view asks first).
    ResetLesson,
    /// Swap the text a reset, the solution or a shared link replaced back in.
    RestoreAttempt,
    NextLesson,
}

impl Action {
    /// A form's new scenario model, written as JSON with `scenario_text::write`.
    pub fn set_scenario(model: Rc<Scenario>) -> Action {
        Action::SetScenario(model, scenario_text::write)
    }
}

impl State {
    /// A state holding `source` alone (tests; the app starts from [`State::restore`]).
    #[cfg(test)]
    pub fn new(source: String) -> Self {
        let mut state = State::from_workspace(Workspace {
            policy: source,
            ..Workspace::default()
        });
        state.example = None;
        state
    }

    pub fn from_workspace(w: Workspace) -> Self {
        let (model, error) = match scenario_text::parse(&w.scenario) {
            Ok(s) => (s, None),
            Err(e) => (Scenario::default(), Some(e)),
        };
        let options = Rc::new(scenario_text::lint_options(&model, w.export.lint_scope()));
        let problems = problems_of(&w.policy, &options);
        State {
            source: w.policy.into(),
            problems: Rc::new(problems),
            scenario: w.scenario.into(),
            scenario_model: Rc::new(model),
            scenario_error: error,
            export: w.export,
            options,
            example: w.example.as_deref().and_then(examples::find),
            fetching_example: None,
            version: 0,
            revision: 0,
            settings: Settings::default(),
            notice: None,
            rule: None,
            reveal_secrets: false,
            sim: None,
            pending: None,
            runs: 0,
            lessons: Rc::new(Lessons::default()),
            playground: None,
        }
    }

    /// The state at startup: the autosaved workspace and settings, or the default example.
    pub fn restore(saved: Option<Workspace>, settings: Option<Settings>) -> Self {
        let workspace = saved.unwrap_or_else(|| {
            Workspace::of_example(examples::default_example(), examples::default_texts())
        });
        let mut state = State::from_workspace(workspace);
        state.settings = settings.unwrap_or_default();
        state
    }

    pub fn workspace(&self) -> Workspace {
        Workspace {
            policy: self.source.to_string(),
            scenario: self.scenario.to_string(),
            example: self.example.map(|e| e.id.to_string()),
            export: self.export.clone(),
            lesson: None,
        }
    }

    /// The free playground's workspace (what autosave keeps under `workspace`): parked while a
    /// lesson is in the editor.
    pub fn playground_workspace(&self) -> Workspace {
        match (&self.lessons.current, &self.playground) {
            (Some(_), Some(w)) => (**w).clone(),
            _ => self.workspace(),
        }
    }

    /// The state at startup with the saved lessons: a lesson that was in the editor is again,
    /// with the playground parked.
    pub fn with_lessons(mut self, lessons: Lessons) -> Self {
        let text = lessons
            .current
            .as_ref()
            .and_then(|c| lessons.progress.get(&c.key()).cloned());
        let mut lessons = lessons;
        match text {
            Some(p) => {
                let playground = self.workspace();
                self.load(Workspace {
                    policy: p.policy,
                    scenario: p.scenario,
                    ..Workspace::default()
                });
                self.playground = Some(Rc::new(playground));
                self.version = 0;
                self.revision = 0;
            }
            None => lessons.current = None,
        }
        if lessons.open {
            lessons.request_load();
        }
        self.lessons = Rc::new(lessons);
        self
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
        self.problems = Rc::new(problems_of(&source, &self.options));
        self.source = source.into();
        self.version += 1;
        self.revision += 1;
    }

    fn load(&mut self, w: Workspace) {
        let revision = self.revision;
        let version = self.version;
        let (settings, notice, rule) = (self.settings.clone(), self.notice.take(), self.rule);
        let (reveal_secrets, runs) = (self.reveal_secrets, self.runs);
        let (lessons, playground) = (self.lessons.clone(), self.playground.take());
        *self = State::from_workspace(w);
        self.lessons = lessons;
        self.playground = playground;
        self.settings = settings;
        self.notice = notice;
        self.rule = rule;
        self.reveal_secrets = reveal_secrets;
        self.runs = runs;
        self.version = version + 1;
        self.revision = revision + 1;
    }

    /// An example's workspace, keeping the export target and style the user chose (the scope
    /// and names belong to the policy and start over).
    fn with_export_preferences(&self, mut w: Workspace) -> Workspace {
        w.export.target = self.export.target;
        w.export.snippet = self.export.snippet;
        w.export.api_version = self.export.api_version;
        w
    }

    /// New scenario text: read it, and re-lint when what the linter knows changed.
    fn set_scenario_text(&mut self, text: String) {
        match scenario_text::parse(&text) {
            Ok(model) => {
                self.scenario_error = None;
                if *self.scenario_model != model {
                    self.scenario_model = Rc::new(model);
                    self.relint();
                }
            }
            Err(e) => self.scenario_error = Some(e),
        }
        self.scenario = text.into();
        self.version += 1;
    }

    /// Recompute the lint options (scenario, scope) and, if they changed, the problems.
    fn relint(&mut self) {
        let options = scenario_text::lint_options(&self.scenario_model, self.export.lint_scope());
        if options != *self.options {
            self.options = Rc::new(options);
            self.problems = Rc::new(problems_of(&self.source, &self.options));
        }
    }

    /// Ask for a run of the current policy and scenario (the JSON's error stops it at once);
    /// the app hands [`State::pending`] to the simulator's worker.
    fn run(&mut self) {
        self.runs += 1;
        let run = PendingRun {
            id: self.runs,
            source: self.source.clone(),
            scenario: self.scenario.clone(),
            reveal_secrets: self.reveal_secrets,
        };
        match &self.scenario_error {
            Some(e) => {
                self.sim = Some(Rc::new(SimRun::invalid_scenario(&run, e)));
                self.pending = None;
            }
            None => self.pending = Some(Rc::new(run)),
        }
    }

    fn lessons_mut(&mut self) -> &mut Lessons {
        Rc::make_mut(&mut self.lessons)
    }

    /// Put a lesson's text in the editor: the playground is parked on the way in, and the
    /// text of a lesson already there goes into its progress.
    fn enter_lesson(&mut self, lesson: LessonRef, policy: String, scenario: String) {
        let (source, scenario_now) = (self.source.clone(), self.scenario.clone());
        if self.lessons.current.is_none() {
            self.playground = Some(Rc::new(self.workspace()));
        }
        let l = self.lessons_mut();
        l.stash(&source, &scenario_now);
        l.current = Some(lesson);
        l.listing = false;
        l.report = None;
        l.pending = None;
        let export = self.with_export_preferences(Workspace::default()).export;
        self.load(Workspace {
            policy,
            scenario,
            example: None,
            export,
            lesson: None,
        });
    }

    /// Leave lesson mode: the lesson's text into its progress, the playground back.
    fn leave_lesson(&mut self) {
        if self.lessons.current.is_none() {
            return;
        }
        let (source, scenario) = (self.source.clone(), self.scenario.clone());
        let l = self.lessons_mut();
        l.stash(&source, &scenario);
        l.current = None;
        l.report = None;
        l.pending = None;
        let playground = self.playground.take();
        self.load(playground.map(|w| (*w).clone()).unwrap_or_default());
    }

    /// Replace the current lesson's text (solution, reset, restore), keeping what it replaces.
    fn replace_lesson_text(&mut self, policy: String, scenario: String, clear_passed: bool) {
        let Some(cur) = self.lessons.current.clone() else {
            return;
        };
        let before = (self.source.to_string(), self.scenario.to_string());
        let l = self.lessons_mut();
        let p = Rc::make_mut(&mut l.progress).entry(cur.key()).or_default();
        p.previous = Some(before);
        if clear_passed {
            p.passed.clear();
        }
        l.report = None;
        l.pending = None;
        l.asking = None;
        let w = Workspace {
            policy,
            scenario,
            export: self.export.clone(),
            ..Workspace::default()
        };
        self.load(w);
    }

    fn open_lesson(&mut self, id: &str) {
        let Some(course) = self.lessons.course().cloned() else {
            return;
        };
        let Some(lesson) = course.lessons.iter().find(|l| l.id == id) else {
            self.notice = Some(format!("The course has no lesson “{id}”."));
            return;
        };
        let r = LessonRef {
            course: course.id.clone(),
            lesson: lesson.id.clone(),
        };
        if self.lessons.current.as_ref() == Some(&r) {
            self.lessons_mut().listing = false;
            return;
        }
        let (policy, scenario) = match self.lessons.progress.get(&r.key()) {
            Some(p) if !p.policy.is_empty() => (p.policy.clone(), p.scenario.clone()),
            _ => (lesson.start_policy.clone(), lesson.start_scenario.clone()),
        };
        let steps = lesson.steps.len();
        self.enter_lesson(r.clone(), policy, scenario);
        Rc::make_mut(&mut self.lessons_mut().progress)
            .entry(r.key())
            .or_default()
            .steps = steps;
    }

    /// A share link with a lesson: open its course, and the student's text as the lesson's.
    fn open_shared_lesson(&mut self, w: Workspace, shared: SharedLesson) {
        let (source, files) = shared.source();
        let course = if shared.json.is_some() {
            shared.lesson.clone()
        } else {
            shared.course.clone()
        };
        let r = LessonRef {
            course,
            lesson: shared.lesson.clone(),
        };
        // The shared text becomes the lesson's; what this browser had for it can come back.
        let previous = self
            .lessons
            .progress
            .get(&r.key())
            .filter(|p| !p.policy.is_empty() && (p.policy != w.policy || p.scenario != w.scenario))
            .map(|p| (p.policy.clone(), p.scenario.clone()));
        self.enter_lesson(r.clone(), w.policy, w.scenario);
        let l = self.lessons_mut();
        l.open = true;
        if l.source != source || files.is_some() || l.course().is_none() {
            l.source = source;
            l.files = files.map(Rc::new);
            l.request_load();
        }
        let p = Rc::make_mut(&mut l.progress).entry(r.key()).or_default();
        p.passed = shared.passed;
        if previous.is_some() {
            p.previous = previous;
        }
    }

    fn format(&mut self) {
        match apim_policy::format::format(&self.source) {
            Ok(text) if *text == *self.source => {
                self.notice = Some("The policy is already formatted.".to_string());
            }
            Ok(text) => {
                self.replace_source(text);
                self.notice = None;
            }
            Err(e) => {
                let mut message = e.message.clone();
                if let Some(first) = message.get(..1) {
                    message = first.to_ascii_uppercase() + message.get(1..).unwrap_or("");
                }
                if let Some(span) = e.span {
                    let pos = LineIndex::new(&self.source).line_col(span.start);
                    message = format!("{message}, line {} column {}", pos.line, pos.column);
                }
                self.notice = Some(format!("{message}. Nothing was changed."));
            }
        }
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
                let problems = problems_of(&source, &next.options);
                // Typing usually leaves the problems as they were: keeping the same Rc spares
                // the problems list and the editor's markers an update.
                if problems != *self.problems {
                    next.problems = Rc::new(problems);
                }
                next.source = source.into();
                next.version += 1;
            }
            Action::LoadExample(id) => match examples::find(id) {
                Some(e) => match e.texts() {
                    Some(texts) => {
                        next.fetching_example = None;
                        next.leave_lesson();
                        next.load(self.with_export_preferences(Workspace::of_example(e, texts)));
                    }
                    // The app fetches `examples::FILE` and answers with `ExampleFetched`.
                    None => next.fetching_example = Some(e.id),
                },
                None => next.notice = Some(format!("There is no example called “{id}”.")),
            },
            Action::ExampleFetched(id, texts) => {
                if self.fetching_example == Some(id) {
                    next.fetching_example = None;
                    match (examples::find(id), texts) {
                        (Some(e), Ok((policy, scenario))) => {
                            next.leave_lesson();
                            next.load(self.with_export_preferences(Workspace::of_example(
                                e,
                                (&policy, &scenario),
                            )));
                        }
                        (_, Err(why)) => {
                            next.notice =
                                Some(format!("The example “{id}” could not be loaded: {why}."));
                        }
                        (None, Ok(_)) => {}
                    }
                }
            }
            Action::Reset => {
                next.fetching_example = None;
                next.leave_lesson();
                next.load(Workspace::of_example(
                    examples::default_example(),
                    examples::default_texts(),
                ));
            }
            Action::LoadShared(mut w) => match w.lesson.take() {
                Some(shared) => {
                    next.open_shared_lesson(w, shared);
                    next.notice =
                        Some("Opened the shared lesson with its policy and scenario.".to_string());
                }
                None => {
                    next.leave_lesson();
                    next.load(w);
                    next.notice = Some("Loaded the shared policy and scenario.".to_string());
                }
            },
            Action::LoadPolicy {
                policy,
                export,
                notice,
            } => {
                if let Some(export) = export {
                    next.export = export;
                    next.relint();
                }
                next.example = None;
                next.replace_source(policy);
                next.notice = Some(notice);
            }
            Action::EditScenarioJson(text) if *text == *self.scenario => return self,
            Action::EditScenarioJson(text) => next.set_scenario_text(text),
            Action::SetScenario(model, _) if *model == *self.scenario_model => return self,
            Action::SetScenario(model, write) => {
                let text = write(&model, &self.scenario);
                next.set_scenario_text(text);
            }
            Action::SetExport(export) if export == self.export => return self,
            Action::SetExport(export) => {
                next.export = export;
                next.version += 1;
                next.relint();
            }
            Action::Format => next.format(),
            Action::Run => {
                next.run();
                // The results show in the Simulate tab, wherever Ctrl/Cmd+Enter was pressed.
                TabId::Simulate.as_str().clone_into(&mut next.settings.tab);
            }
            Action::SimDone(reply) => match &self.pending {
                Some(run) if run.id == reply.id => {
                    next.sim = Some(Rc::new(SimRun::finished(run, reply)));
                    next.pending = None;
                }
                // An answer to a run that a newer one (or another workspace) replaced.
                _ => return self,
            },
            Action::SimFailed(message) => match &self.pending {
                Some(run) => {
                    let why = NotRun {
                        message,
                        line: None,
                        column: None,
                    };
                    next.sim = Some(Rc::new(SimRun::failed(run, why)));
                    next.pending = None;
                }
                None => return self,
            },
            Action::SetRevealSecrets(on) if on == self.reveal_secrets => return self,
            Action::SetRevealSecrets(on) => {
                next.reveal_secrets = on;
                // Results on screen follow the toggle: run again with secrets shown or hidden.
                if next.sim.is_some() || next.pending.is_some() {
                    next.run();
                }
            }
            Action::ShowRule(None) => next.rule = None,
            Action::ShowRule(Some(code)) => match apim_policy::lint::rule(&code) {
                Some(rule) => next.rule = Some(rule.code),
                None => next.notice = Some(format!("There is no rule {code}.")),
            },
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
            Action::ToggleLessons if self.lessons.open => {
                next.leave_lesson();
                let l = next.lessons_mut();
                l.open = false;
                l.listing = false;
                next.version += 1;
            }
            Action::ToggleLessons => {
                let l = next.lessons_mut();
                l.open = true;
                l.listing = true;
                if matches!(l.course, CourseState::NotLoaded | CourseState::Failed(_)) {
                    l.request_load();
                }
                next.version += 1;
            }
            Action::ShowCourseList => next.lessons_mut().listing = true,
            Action::OpenCourse(source, files) => {
                let l = next.lessons_mut();
                // The same hosted course again (a reload of a `?course=` link): the lesson the
                // student was in stays open.
                let same = files.is_none() && source == l.source && l.current.is_some();
                l.open = true;
                l.listing = !same;
                l.source = source;
                l.files = files;
                l.request_load();
                next.version += 1;
            }
            Action::CourseLoaded(n, course) if n == self.lessons.load => {
                let l = next.lessons_mut();
                l.course = CourseState::Loaded(course.clone());
                let missing = l.current.as_ref().filter(|c| {
                    c.course != course.id || !course.lessons.iter().any(|x| x.id == c.lesson)
                });
                if missing.is_some() {
                    // The text stays in the editor and in its progress; the list shows.
                    l.listing = true;
                }
                let progress = Rc::make_mut(&mut l.progress);
                for lesson in &course.lessons {
                    if let Some(p) = progress.get_mut(&format!("{}/{}", course.id, lesson.id)) {
                        p.steps = lesson.steps.len();
                    }
                }
            }
            Action::CourseFailed(n, why) if n == self.lessons.load => {
                next.lessons_mut().course = CourseState::Failed(why);
            }
            Action::CourseLoaded(..) | Action::CourseFailed(..) => return self,
            Action::OpenLesson(id) => next.open_lesson(&id),
            Action::NextLesson => {
                let following = self.lessons.lesson().and_then(|(i, _)| {
                    self.lessons
                        .course()?
                        .lessons
                        .get(i + 1)
                        .map(|l| l.id.clone())
                });
                match following {
                    Some(id) => next.open_lesson(&id),
                    None => return self,
                }
            }
            Action::CheckLesson => {
                let Some((_, lesson)) = self.lessons.lesson() else {
                    return self;
                };
                let json: Rc<str> = lesson.json.as_str().into();
                let (policy, scenario) = (self.source.clone(), self.scenario.clone());
                let l = next.lessons_mut();
                l.checks += 1;
                let id = l.checks;
                if let Some(current) = l.current.clone() {
                    l.pending = Some(Rc::new(PendingCheck {
                        id,
                        lesson: current,
                        json,
                        policy,
                        scenario,
                    }));
                }
            }
            Action::LessonChecked(c) => {
                let Some(pending) = self.lessons.pending.clone().filter(|p| p.id == c.id) else {
                    return self;
                };
                let l = next.lessons_mut();
                if let Ok(steps) = &c.result {
                    l.record(&pending.lesson, steps);
                }
                l.report = Some(Rc::new(Report {
                    id: pending.id,
                    lesson: pending.lesson.clone(),
                    policy: pending.policy.clone(),
                    scenario: pending.scenario.clone(),
                    result: c.result,
                }));
                l.pending = None;
                next.version += 1;
            }
            Action::CheckFailed(why) => {
                let Some(pending) = self.lessons.pending.clone() else {
                    return self;
                };
                let l = next.lessons_mut();
                l.report = Some(Rc::new(Report {
                    id: pending.id,
                    lesson: pending.lesson.clone(),
                    policy: pending.policy.clone(),
                    scenario: pending.scenario.clone(),
                    result: Err(why),
                }));
                l.pending = None;
            }
            Action::AskLesson(ask) => next.lessons_mut().asking = ask,
            Action::ShowSolution => {
                let Some((_, lesson)) = self.lessons.lesson() else {
                    return self;
                };
                let (p, s) = (
                    lesson.solution_policy.clone(),
                    lesson.solution_scenario.clone(),
                );
                next.replace_lesson_text(p, s, false);
            }
            Action::ResetLesson => {
                let Some((_, lesson)) = self.lessons.lesson() else {
                    return self;
                };
                let (p, s) = (lesson.start_policy.clone(), lesson.start_scenario.clone());
                next.replace_lesson_text(p, s, true);
            }
            Action::RestoreAttempt => {
                let previous = self
                    .lessons
                    .current
                    .as_ref()
                    .and_then(|c| self.lessons.progress.get(&c.key())?.previous.clone());
                match previous {
                    Some((p, s)) => next.replace_lesson_text(p, s, false),
                    None => return self,
                }
            }
        }
        Rc::new(next)
    }
}

/// Apply a fix's byte-range edits; `None` when they overlap or do not fit the text.
pub fn apply_fix(source: &str, fix: &Fix) -> Option<String> {
    let mut edits: Vec<_> = fix.edits.iter().collect();
    apim_policy::sort::sort_by_key(&mut edits, |e| (e.start, e.end));
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

/// What the editor's lint keeps between keystrokes.
#[derive(Default)]
struct EditorLint {
    /// The C# checks of the last text linted: a keystroke changes at most a few expressions,
    /// so the next lint redoes only those (`lint_cached` answers exactly what `lint_with` does).
    expressions: apim_policy::lint::ExpressionCache,
    /// The last text linted, with its options and problems: the editor lints a user edit as
    /// part of the edit (`bridge`'s `lint` callback), then reports the same text
    /// (`Action::Edit`), which is not linted twice.
    last: Option<(String, LintOptions, Vec<Problem>)>,
}

thread_local! {
    static EDITOR_LINT: std::cell::RefCell<EditorLint> = std::cell::RefCell::default();
}

/// The problems of `source` under `options`, one per diagnostic of the linter, positioned for
/// the problems list (line/column) and the editor (UTF-16 offsets).
pub fn problems_of(source: &str, options: &LintOptions) -> Vec<Problem> {
    EDITOR_LINT.with(|memo| match memo.try_borrow_mut() {
        Ok(mut memo) => {
            if let Some((_, _, problems)) = memo
                .last
                .as_ref()
                .filter(|(s, o, _)| s == source && o == options)
            {
                return problems.clone();
            }
            let diagnostics =
                apim_policy::lint::lint_cached(source, options, &mut memo.expressions);
            let problems = to_problems(source, diagnostics);
            memo.last = Some((source.to_string(), options.clone(), problems.clone()));
            problems
        }
        Err(_) => to_problems(source, apim_policy::lint::lint_with(source, options)),
    })
}

fn to_problems(source: &str, diagnostics: Vec<Diagnostic>) -> Vec<Problem> {
    let index = LineIndex::new(source);
    diagnostics
        .into_iter()
        .map(|d| {
            let pos = index.line_col(d.span.start);
            Problem {
                code: d.code,
                severity: d.severity,
                message: d.message,
                help: d.help,
                fix: d.fix,
                doc_url: rule_docs::href(d.code),
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
        assert_eq!(state.problems[0].doc_url, rule_docs::href("APIM0003"));
        assert_eq!(state.summary(), "1 error, 0 warnings");
        assert_eq!(state.version, 1);
        assert_eq!(
            state.revision, 0,
            "typing must not push the text back into the editor"
        );
    }

    #[test]
    fn unchanged_problems_keep_their_rc() {
        let state = Rc::new(State::default());
        let mut text = state.source.to_string();
        text.push_str("\n<!-- more -->");
        let next = state.clone().reduce(Action::Edit(text));
        assert!(Rc::ptr_eq(&state.problems, &next.problems));
        assert_eq!(next.version, 1);
    }

    #[test]
    fn an_unchanged_edit_is_a_no_op() {
        let state = Rc::new(State::default());
        let same = state.source.to_string();
        let next = state.clone().reduce(Action::Edit(same));
        assert!(Rc::ptr_eq(&state, &next));
    }

    /// In the web app only the default example's texts are compiled in: choosing another one
    /// waits for the app's fetch of `examples.json`, whose answer loads it (or says why not).
    #[test]
    fn a_fetched_example_loads_when_its_texts_arrive_and_only_then() {
        let mut state = State::new("<policies/>".to_string());
        state.fetching_example = Some("jwt-hs256");
        let revision = state.revision;
        // An answer for another example (an older choice) changes nothing.
        let same = reduce(
            state.clone(),
            Action::ExampleFetched("cors-preflight", Ok(("<x/>".into(), "{}".into()))),
        );
        assert_eq!(
            (&*same.source, same.fetching_example),
            ("<policies/>", Some("jwt-hs256"))
        );
        let failed = reduce(
            state.clone(),
            Action::ExampleFetched("jwt-hs256", Err("examples.json: HTTP 404".into())),
        );
        assert_eq!(&*failed.source, "<policies/>");
        assert_eq!(failed.fetching_example, None);
        assert!(failed.notice.as_deref().unwrap().contains("HTTP 404"));
        let e = examples::find("jwt-hs256").unwrap();
        let (policy, scenario) = e.texts().unwrap();
        let loaded = reduce(
            state,
            Action::ExampleFetched("jwt-hs256", Ok((policy.into(), scenario.into()))),
        );
        assert_eq!(&*loaded.source, policy);
        assert_eq!(&*loaded.scenario, scenario);
        assert_eq!(loaded.example.map(|e| e.id), Some("jwt-hs256"));
        assert_eq!(loaded.fetching_example, None);
        assert!(loaded.revision > revision, "the editor takes the new text");
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
            export: ExportSettings {
                target: Target::Bicep,
                ..ExportSettings::default()
            },
            lesson: None,
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
        let read = |json: &str| Settings::read(&serde_json::from_str(json).unwrap());
        let s = read(r#"{"theme":"dark","tab":"simulate-v9","extra":1}"#).unwrap();
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.tab(), TabId::Problems);
        assert_eq!(s.side_width(), SIDE_WIDTH_DEFAULT);
        let s = read(r#"{"side_width":3}"#).unwrap();
        assert_eq!(s.side_width(), SIDE_WIDTH_MIN);
        assert_eq!(read("{}").unwrap(), Settings::default());
        // What serde's derive refused is refused (the app then starts with the defaults).
        assert!(read(r#"{"theme":"purple"}"#).unwrap_err().contains("theme"));
        assert!(read(r#"{"side_width":-1}"#).is_err());
        assert!(read(r#"{"tab":3}"#).unwrap_err().contains("`tab`"));
        assert!(read("[]").is_err());
    }

    /// Saved workspaces and share links round-trip through serde's `Serialize` and the
    /// hand-written readers, every field included.
    #[test]
    fn workspaces_and_export_settings_read_back_what_was_written() {
        let w = Workspace {
            policy: "<policies/>".into(),
            scenario: "{ \"x\": 1 }".into(),
            example: Some("jwt-hs256".into()),
            export: ExportSettings {
                target: Target::Terraform,
                scope: Some(export::Scope::Operation),
                service: "svc".into(),
                product: "p".into(),
                api: "a".into(),
                operation: "o".into(),
                fragment: "f".into(),
                snippet: true,
                api_version: ApiVersion::V2024_05_01,
            },
            lesson: None,
        };
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(Workspace::read(&json).unwrap(), w);
        for scope in [
            export::Scope::Global,
            export::Scope::Product,
            export::Scope::Api,
            export::Scope::Fragment,
        ] {
            let e = ExportSettings {
                scope: Some(scope),
                ..ExportSettings::default()
            };
            assert_eq!(
                ExportSettings::read(&serde_json::to_value(&e).unwrap()).unwrap(),
                e
            );
        }
        let short = Workspace::read(&serde_json::json!({ "policy": "x" })).unwrap();
        assert_eq!(
            short,
            Workspace {
                policy: "x".into(),
                ..Workspace::default()
            }
        );
        for (bad, why) in [
            (
                serde_json::json!({ "scenario": "" }),
                "missing field `policy`",
            ),
            (
                serde_json::json!({ "policy": 1 }),
                "`policy` is not a string",
            ),
            (
                serde_json::json!({ "policy": "", "export": { "target": "pulumi" } }),
                "export: unknown `target` “pulumi”",
            ),
            (
                serde_json::json!({ "policy": "", "export": { "snippet": "yes" } }),
                "`snippet`",
            ),
            (serde_json::json!("x"), "expected a JSON object"),
        ] {
            let err = Workspace::read(&bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn restore_prefers_the_autosaved_workspace() {
        let saved = Workspace {
            policy: "<policies/>".into(),
            scenario: String::new(),
            example: Some("cors-preflight".into()),
            export: ExportSettings::default(),
            lesson: None,
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

    #[test]
    fn the_last_lint_is_reused_only_for_the_same_text_and_options() {
        let unknown = LintOptions::default();
        let declared = crate::scenario_text::lint_options(
            &crate::scenario_text::parse(r#"{"named_values": [{"name": "other", "value": "x"}]}"#)
                .unwrap(),
            None,
        );
        let codes = |p: &[Problem]| p.iter().map(|p| p.code).collect::<Vec<_>>();
        // Unknown named values are not checked; declared ones are.
        assert!(!codes(&problems_of(KV_POLICY, &unknown)).contains(&"APIM0602"));
        let with_scenario = problems_of(KV_POLICY, &declared);
        assert!(
            codes(&with_scenario).contains(&"APIM0602"),
            "{with_scenario:?}"
        );
        assert_eq!(problems_of(KV_POLICY, &declared), with_scenario);
        assert!(!codes(&problems_of(KV_POLICY, &unknown)).contains(&"APIM0602"));
        let broken = KV_POLICY.replace("</policies>", "</policie>");
        assert_ne!(problems_of(&broken, &declared), with_scenario);
        assert_eq!(problems_of(KV_POLICY, &declared), with_scenario);
    }

    const KV_POLICY: &str = "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-api-key}}</value>\n    </set-header>\n  </inbound>\n</policies>";

    fn codes(state: &State) -> Vec<&'static str> {
        state.problems.iter().map(|p| p.code).collect()
    }

    #[test]
    fn undefined_named_values_are_reported_once_the_scenario_declares_some() {
        let state = State::new(KV_POLICY.to_string());
        assert!(
            !codes(&state).contains(&"APIM0602"),
            "unknown names are not checked"
        );
        let state = reduce(
            state,
            Action::EditScenarioJson(
                r#"{"named_values": [{"name": "other", "value": "1"}]}"#.into(),
            ),
        );
        assert!(codes(&state).contains(&"APIM0602"), "{:?}", codes(&state));
        assert_eq!(state.version, 1);
        // Declaring it (through the form's model) clears the problem and rewrites the JSON.
        let mut model = (*state.scenario_model).clone();
        model.named_values[0].name = "backend-api-key".into();
        let state = reduce(state, Action::set_scenario(Rc::new(model)));
        assert!(!codes(&state).contains(&"APIM0602"), "{:?}", codes(&state));
        assert!(
            state.scenario.contains("\"name\": \"backend-api-key\""),
            "{}",
            state.scenario
        );
        assert_eq!(state.revision, 0, "the policy text was not replaced");
    }

    #[test]
    fn invalid_scenario_json_is_kept_with_its_position_and_the_last_valid_model_stays() {
        let state = reduce(State::default(), Action::Edit(KV_POLICY.into()));
        let before = state.scenario_model.clone();
        let broken = "{\n  \"named_values\": [\n    {\"name\": }\n  ]\n}";
        let state = reduce(state, Action::EditScenarioJson(broken.into()));
        assert_eq!(&*state.scenario, broken);
        let err = state.scenario_error.clone().unwrap();
        assert_eq!(err.line, 3);
        assert_eq!(state.scenario_model, before);
        assert!(!codes(&state).contains(&"APIM0602"));
        // The form's model is unchanged, so a form event changes nothing.
        let same = Rc::new(state);
        let next = same.clone().reduce(Action::set_scenario(before.clone()));
        assert!(Rc::ptr_eq(&same, &next));
        // Blank JSON is the empty scenario.
        let state = reduce((*next).clone(), Action::EditScenarioJson(String::new()));
        assert!(state.scenario_error.is_none());
        assert_eq!(*state.scenario_model, Scenario::default());
    }

    #[test]
    fn without_a_chosen_scope_scope_problems_are_warnings_that_say_the_scope_was_assumed() {
        // Like the CLI without --scope: a product policy is not an error before the user says
        // where it goes; choosing a scope makes it one (or makes it right).
        let policy = "<policies>\n  <inbound>\n    <base />\n    <quota calls=\"10\" renewal-period=\"60\" />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>";
        let state = State::new(policy.to_string());
        assert_eq!(state.options.scope, None);
        let quota: Vec<_> = state
            .problems
            .iter()
            .filter(|p| p.code == "APIM0107")
            .collect();
        assert_eq!(quota.len(), 1, "{:?}", state.problems);
        assert_eq!(quota[0].severity, apim_policy::Severity::Warning);
        assert!(
            quota[0].message.contains("(scope api assumed"),
            "{:?}",
            quota[0]
        );
        let at = |scope| {
            let settings = ExportSettings {
                scope: Some(scope),
                ..ExportSettings::default()
            };
            reduce(state.clone(), Action::SetExport(settings))
        };
        let api = at(export::Scope::Api);
        let quota: Vec<_> = api
            .problems
            .iter()
            .filter(|p| p.code == "APIM0107")
            .collect();
        assert_eq!(quota[0].severity, apim_policy::Severity::Error, "{quota:?}");
        assert!(!quota[0].message.contains("assumed"), "{quota:?}");
        assert!(at(export::Scope::Product).problems.is_empty());
    }

    #[test]
    fn the_export_scope_is_the_lint_scope() {
        let policy = "<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>";
        let state = State::new(policy.to_string());
        assert!(!codes(&state).contains(&"APIM0404"), "{:?}", codes(&state));
        let global = ExportSettings {
            scope: Some(export::Scope::Global),
            ..ExportSettings::default()
        };
        let state = reduce(state, Action::SetExport(global.clone()));
        assert_eq!(state.options.scope, Some(catalog::Scope::Global));
        assert!(
            state.problems.iter().any(|p| p.message.contains("base")),
            "<base /> at the global scope is reported: {:?}",
            state.problems
        );
        assert_eq!(state.workspace().export, global);
        let json = serde_json::to_string(&state.workspace()).unwrap();
        assert!(json.contains("\"scope\":\"global\""), "{json}");
        assert!(
            !serde_json::to_string(&State::default().workspace())
                .unwrap()
                .contains("export")
        );
        assert_eq!(state.export.effective_scope(policy), export::Scope::Global);
        assert_eq!(
            ExportSettings::default().effective_scope("<fragment/>"),
            export::Scope::Fragment
        );
    }

    #[test]
    fn examples_keep_the_chosen_export_target_but_not_the_scope() {
        let settings = ExportSettings {
            target: Target::Terraform,
            scope: Some(export::Scope::Product),
            api: "x".into(),
            snippet: true,
            ..ExportSettings::default()
        };
        let state = reduce(State::default(), Action::SetExport(settings));
        let state = reduce(state, Action::LoadExample("cors-preflight"));
        assert_eq!(state.export.target, Target::Terraform);
        assert!(state.export.snippet);
        assert_eq!(state.export.scope, None);
        assert_eq!(state.export.api, "");
    }

    #[test]
    fn format_replaces_the_text_or_says_why_not() {
        let state = State::new("<policies><inbound><base/></inbound></policies>".into());
        let state = reduce(state, Action::Format);
        assert_eq!(
            &*state.source,
            "<policies>\n    <inbound>\n        <base />\n    </inbound>\n</policies>\n"
        );
        assert_eq!((state.version, state.revision), (1, 1));
        let state = reduce(state, Action::Format);
        assert_eq!(
            state.notice.as_deref(),
            Some("The policy is already formatted.")
        );
        assert_eq!(state.revision, 1);

        let broken = "<policies>\n  <inbound>\n</policies>";
        let state = reduce(state, Action::Edit(broken.into()));
        let state = reduce(state, Action::Format);
        assert_eq!(&*state.source, broken, "nothing changes");
        let notice = state.notice.unwrap();
        assert!(
            notice.starts_with("Not formatted: the document has syntax errors"),
            "{notice}"
        );
        assert!(notice.contains("line 2"), "{notice}");
    }

    #[test]
    fn rule_pages_open_for_known_codes_only_and_examples_load_as_policies() {
        let state = reduce(State::default(), Action::ShowRule(Some("APIM0105".into())));
        assert_eq!(state.rule, Some("APIM0105"));
        let state = reduce(state, Action::ShowRule(Some("NOPE".into())));
        assert_eq!(state.rule, Some("APIM0105"));
        assert!(state.notice.as_deref().unwrap().contains("NOPE"));
        let state = reduce(state, Action::ShowRule(None));
        assert_eq!(state.rule, None);

        let bad = apim_policy::lint::doc("APIM0105").unwrap().bad.source;
        let state = reduce(
            state,
            Action::LoadPolicy {
                policy: bad.into(),
                export: None,
                notice: "loaded".into(),
            },
        );
        assert!(codes(&state).contains(&"APIM0105"));
        assert!(state.example.is_none());
        assert_eq!(state.revision, 1);
        assert!(state.scenario.contains("key_vault"), "the scenario stays");
    }

    /// What the app does with a pending run: the worker's answer, computed natively.
    fn finish_run(state: State) -> State {
        let run = state.pending.clone().expect("a pending run");
        let reply = crate::wire::testing::simulate_natively(&run.request());
        reduce(state, Action::SimDone(reply))
    }

    #[test]
    fn run_simulates_the_workspace_and_reveal_re_runs_it() {
        let state = State::default();
        assert!(!state.reveal_secrets);
        assert!(state.sim.is_none());
        let state = reduce(state, Action::Run);
        assert_eq!(state.settings.tab(), TabId::Simulate);
        assert_eq!(state.pending.as_ref().map(|p| p.id), Some(1));
        let state = finish_run(state);
        assert!(state.pending.is_none());
        let run = state.sim.clone().unwrap();
        assert_eq!(run.id, 1);
        let r = &run.result.as_ref().unwrap()[0];
        assert_eq!((r.outcome.as_str(), r.response.status), ("forwarded", 200));
        let key = |state: &State| {
            let run = state.sim.clone().unwrap();
            let b = run.result.clone().unwrap()[0]
                .backend_request
                .clone()
                .unwrap();
            b.headers.get("x-api-key").unwrap()[0].clone()
        };
        assert_eq!(key(&state), "***");
        let state = finish_run(reduce(state, Action::SetRevealSecrets(true)));
        assert_eq!(key(&state), "s3cr3t-from-vault");
        assert_eq!(state.sim.as_ref().unwrap().id, 2);
        assert!(state.sim.as_ref().unwrap().revealed);

        // Typing leaves the result, which then describes an older text.
        let edited = format!("{}\n", state.source);
        let state = reduce(state, Action::Edit(edited));
        let run = state.sim.clone().unwrap();
        assert!(run.is_stale(&state.source, &state.scenario));

        // An answer to a replaced run is dropped; a worker failure fails the pending run.
        let state = reduce(state, Action::Run);
        let stale_reply =
            crate::wire::testing::simulate_natively(&state.pending.clone().unwrap().request());
        let state = reduce(state, Action::Run);
        let same = Rc::new(state);
        assert!(Rc::ptr_eq(
            &same,
            &same.clone().reduce(Action::SimDone(stale_reply))
        ));
        let state = reduce(
            (*same).clone(),
            Action::SimFailed("the simulator stopped".into()),
        );
        assert!(state.pending.is_none());
        assert_eq!(
            state
                .sim
                .clone()
                .unwrap()
                .result
                .clone()
                .unwrap_err()
                .message,
            "the simulator stopped"
        );

        // An invalid scenario stops the run with its position; loading an example clears it.
        let state = reduce(state, Action::EditScenarioJson("{\n  \"request\": ".into()));
        let state = reduce(state, Action::Run);
        assert!(state.pending.is_none());
        let err = state.sim.clone().unwrap().result.clone().unwrap_err();
        assert_eq!(err.line, Some(2));
        let state = reduce(state, Action::LoadExample("seed-permission-revoked"));
        assert!(state.sim.is_none());
        assert!(state.reveal_secrets, "the toggle stays as the user set it");
        let state = finish_run(reduce(state, Action::Run));
        assert_eq!(state.sim.as_ref().unwrap().id, 6);
        let error = state.sim.clone().unwrap().result.clone().unwrap()[0]
            .error
            .clone()
            .unwrap();
        assert_eq!(error.reason, "Forbidden");
        assert!(error.message.contains("Grant"), "{}", error.message);
    }

    fn course() -> Rc<CourseView> {
        use crate::wire::{LessonView, StepView};
        let lesson = |id: &str, start: &str, solution: &str| LessonView {
            id: id.into(),
            title: format!("Lesson {id}"),
            text: "Do it.".into(),
            start_policy: start.into(),
            start_scenario: "{}".into(),
            solution_policy: solution.into(),
            solution_scenario: "{\"now\": \"2026-01-01T00:00:00Z\"}".into(),
            steps: vec![StepView {
                title: "one".into(),
                text: String::new(),
                hint: Some("h".into()),
            }],
            json: format!("{{\"id\":\"{id}\"}}"),
        };
        Rc::new(CourseView {
            id: "c".into(),
            title: "C".into(),
            lessons: vec![
                lesson("a", "<a/>", "<a-done/>"),
                lesson("b", "<b/>", "<b-done/>"),
            ],
            ..CourseView::default()
        })
    }

    fn with_course() -> State {
        let state = reduce(State::default(), Action::ToggleLessons);
        assert!(state.lessons.open && state.lessons.listing);
        assert_eq!(state.lessons.course, CourseState::Loading);
        let n = state.lessons.load;
        let stale = reduce(state.clone(), Action::CourseLoaded(n + 1, course()));
        assert_eq!(
            stale.lessons.course,
            CourseState::Loading,
            "an older load's answer drops"
        );
        reduce(state, Action::CourseLoaded(n, course()))
    }

    #[test]
    fn a_lesson_parks_the_playground_and_leaving_brings_it_back() {
        let state = reduce(State::default(), Action::Edit("<mine/>".into()));
        let state = reduce(state, Action::ToggleLessons);
        let n = state.lessons.load;
        let state = reduce(state, Action::CourseLoaded(n, course()));
        let state = reduce(state, Action::OpenLesson("a".into()));
        assert_eq!(&*state.source, "<a/>");
        assert_eq!(&*state.scenario, "{}");
        assert_eq!(
            state.playground_workspace().policy,
            "<mine/>",
            "autosave keeps the playground"
        );
        let rev = state.revision;
        let state = reduce(state, Action::Edit("<a>typed</a>".into()));
        // Another lesson: the first one's text goes into its progress.
        let state = reduce(state, Action::NextLesson);
        assert_eq!(&*state.source, "<b/>");
        assert!(state.revision > rev);
        assert_eq!(state.lessons.progress["c/a"].policy, "<a>typed</a>");
        let state = reduce(state, Action::OpenLesson("a".into()));
        assert_eq!(&*state.source, "<a>typed</a>");
        assert_eq!(state.lessons.progress["c/b"].policy, "<b/>");
        let saved = state.lessons.saved(&state.source, &state.scenario);
        assert_eq!(saved.current.as_ref().map(|c| c.key()), Some("c/a".into()));
        // Leaving: the playground's text is back, the lesson's is kept.
        let state = reduce(state, Action::ToggleLessons);
        assert!(!state.lessons.open && state.lessons.current.is_none());
        assert_eq!(&*state.source, "<mine/>");
        assert_eq!(state.lessons.progress["c/a"].policy, "<a>typed</a>");
        // And a reload restores the lesson mode from what was saved.
        let restored = State::restore(Some(state.workspace()), None)
            .with_lessons(Lessons::restore(saved, None));
        assert_eq!(&*restored.source, "<a>typed</a>");
        assert_eq!(restored.playground_workspace().policy, "<mine/>");
        assert_eq!(restored.lessons.course, CourseState::Loading);
    }

    #[test]
    fn an_example_in_lesson_mode_goes_to_the_playground_and_the_lesson_text_stays() {
        let state = reduce(with_course(), Action::OpenLesson("a".into()));
        let state = reduce(state, Action::Edit("<a>typed</a>".into()));
        let state = reduce(state, Action::LoadExample("jwt-hs256"));
        assert!(state.lessons.current.is_none());
        assert!(state.source.contains("validate-jwt"));
        assert_eq!(state.lessons.progress["c/a"].policy, "<a>typed</a>");
    }

    #[test]
    fn solution_reset_and_restore_keep_the_students_text() {
        let state = reduce(with_course(), Action::OpenLesson("a".into()));
        let state = reduce(state, Action::Edit("<a>mine</a>".into()));
        let state = reduce(state, Action::ShowSolution);
        assert_eq!(&*state.source, "<a-done/>");
        assert!(state.scenario.contains("2026"));
        let p = &state.lessons.progress["c/a"];
        assert_eq!(
            p.previous.as_ref().map(|p| p.0.as_str()),
            Some("<a>mine</a>")
        );
        let state = reduce(state, Action::RestoreAttempt);
        assert_eq!(&*state.source, "<a>mine</a>");
        let mut state = reduce(state, Action::ResetLesson);
        assert_eq!((&*state.source, &*state.scenario), ("<a/>", "{}"));
        Rc::make_mut(&mut Rc::make_mut(&mut state.lessons).progress)
            .get_mut("c/a")
            .unwrap()
            .passed = vec![1];
        let state = reduce(state, Action::ResetLesson);
        assert!(state.lessons.progress["c/a"].passed.is_empty());
    }

    #[test]
    fn checks_are_answered_by_id_and_recorded() {
        use crate::wire::StepOutcome;
        let state = reduce(with_course(), Action::OpenLesson("b".into()));
        let state = reduce(state, Action::CheckLesson);
        let pending = state.lessons.pending.clone().unwrap();
        assert_eq!(
            (&*pending.json, &*pending.policy),
            ("{\"id\":\"b\"}", "<b/>")
        );
        let other = reduce(
            state.clone(),
            Action::LessonChecked(Checked {
                id: pending.id + 1,
                result: Ok(vec![]),
            }),
        );
        assert!(other.lessons.report.is_none());
        let state = reduce(
            state,
            Action::LessonChecked(Checked {
                id: pending.id,
                result: Ok(vec![StepOutcome {
                    status: "passed".into(),
                    problems: vec![],
                }]),
            }),
        );
        assert!(state.lessons.pending.is_none());
        assert_eq!(state.lessons.report.as_ref().unwrap().passed(), 1);
        assert!(state.lessons.progress["c/b"].solved());
        // The report says which check it answers (the view's `data-checks`): a new check does
        // not change it until its answer arrives.
        let answered = state.lessons.report.as_ref().unwrap().id;
        assert_eq!(answered, pending.id);
        let state = reduce(state, Action::CheckLesson);
        assert_eq!(state.lessons.report.as_ref().unwrap().id, answered);
        let state = reduce(state, Action::CheckFailed("gone".into()));
        let report = state.lessons.report.clone().unwrap();
        assert_eq!(report.result, Err("gone".into()));
        assert_eq!(report.id, answered + 1);
        assert!(
            state.lessons.progress["c/b"].solved(),
            "a failure is not a check"
        );
        // Outside lesson mode there is nothing to check.
        let state = reduce(state, Action::ToggleLessons);
        let state = reduce(state, Action::CheckLesson);
        assert!(state.lessons.pending.is_none());
    }

    #[test]
    fn a_shared_lesson_opens_with_its_text_and_what_was_here_can_come_back() {
        let state = reduce(with_course(), Action::OpenLesson("a".into()));
        let state = reduce(state, Action::Edit("<a>trainer</a>".into()));
        let state = reduce(state, Action::ToggleLessons);
        let shared = Workspace {
            policy: "<a>student</a>".into(),
            scenario: "{}".into(),
            lesson: Some(SharedLesson {
                course: "c".into(),
                lesson: "a".into(),
                passed: vec![1],
                ..SharedLesson::default()
            }),
            ..Workspace::default()
        };
        let state = reduce(state, Action::LoadShared(shared));
        assert!(state.lessons.open);
        assert_eq!(&*state.source, "<a>student</a>");
        assert_eq!(state.lessons.source, Source::Builtin);
        let p = &state.lessons.progress["c/a"];
        assert_eq!(p.passed, vec![1]);
        assert_eq!(
            p.previous.as_ref().map(|p| p.0.as_str()),
            Some("<a>trainer</a>")
        );
        // A lesson from a file travels whole and opens as a one-lesson course.
        let from_file = Workspace {
            policy: "<x/>".into(),
            lesson: Some(SharedLesson {
                course: "mine".into(),
                lesson: "l".into(),
                json: Some("{\"id\":\"l\"}".into()),
                ..SharedLesson::default()
            }),
            ..Workspace::default()
        };
        let state = reduce(state, Action::LoadShared(from_file));
        assert!(matches!(state.lessons.source, Source::File(_)));
        assert_eq!(state.lessons.files.as_ref().unwrap()[0].1, "{\"id\":\"l\"}");
        assert_eq!(state.lessons.current.as_ref().unwrap().key(), "l/l");
        assert_eq!(state.lessons.course, CourseState::Loading);
        assert_eq!(
            state.playground_workspace().policy,
            State::default().source.to_string()
        );
    }
}
