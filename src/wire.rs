//! What crosses between the app and its web worker (`src/worker.rs`), as JSON text in both
//! directions. The worker is a separate wasm module that holds the simulator
//! (`apim_policy::sim` with the expression interpreter, the mock Key Vault, JWT, Liquid) and the
//! exporter and importer (`apim_policy::export`); the page loads it when the Simulate or the
//! Export tab is first opened, so the first load carries the editor and the linter alone.
//!
//! A [`Job`] carries a ticket that its [`Answer`] repeats. Jobs are written and read with
//! serde's derives; answers are written with serde's and read back in the app by
//! [`read_answer`], a few lines over `serde_json::Value` that cost the app's first load far
//! less code than derived deserializers for these nested types. A simulation's [`Reply`] holds the
//! core's output in the contract's shape plus, for each trace step, what the editor needs and
//! the contract's JSON leaves out: the element's byte span and the document it is in. Both
//! binaries compile this module; [`answer`] is the worker's whole job and runs natively in the
//! tests.

use apim_policy::export::{ExportOptions, Scope, Target};
use apim_policy::scenario::{Headers, KeyVaultRef, NamedValue, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A job for the worker; the answer carries the same ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub ticket: u64,
    pub task: Task,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Task {
    Simulate(Request),
    /// `apim_policy::export::export` of the policy.
    Export {
        source: String,
        /// The last valid scenario, as `Scenario::to_json_pretty` writes it (the app already
        /// has that serializer; a second, compact one would only add code).
        scenario: String,
        options: ExportOptions,
    },
    /// `apim_policy::export::import_arm` of a pasted template.
    ImportArm(String),
    /// Read a course: one file (a bundle, a lesson, a `course.json`) or a folder's files, by
    /// their paths (`my-course/01-intro/lesson.json`). `name` is what the user picked.
    LoadCourse {
        name: String,
        files: Vec<(String, String)>,
    },
    /// `apim_policy::lesson::check` of the student's work against a lesson (its
    /// self-contained JSON, as [`LessonView::json`] has it).
    LessonCheck {
        id: u64,
        lesson: String,
        policy: String,
        scenario: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub ticket: u64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Outcome {
    Simulated(Reply),
    /// The file, or the reasons it would not deploy.
    Exported(Result<ExportedFile, Vec<Note>>),
    Imported(Result<Imported, Vec<Note>>),
    CourseLoaded(CourseView),
    LessonChecked(Checked),
    /// The worker could not be loaded, stopped, or did not understand the job.
    Failed(String),
}

/// One generated file (`ExportOutput`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedFile {
    pub text: String,
    pub file_name: String,
    pub target: Target,
    /// Warnings and notes.
    pub notes: Vec<Note>,
}

/// A diagnostic of the exporter or importer, with its line in the policy when it has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub code: String,
    pub severity: String,
    pub message: String,
    pub help: Option<String>,
    pub line: Option<usize>,
}

/// What an ARM template holds (`Import`), with its named values already in the scenario's
/// shape (secret values are never in templates).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    pub policies: Vec<ImportedPolicy>,
    pub named_values: Vec<NamedValue>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedPolicy {
    pub scope: Scope,
    pub service: Option<String>,
    pub product: Option<String>,
    pub api: Option<String>,
    pub operation: Option<String>,
    pub fragment: Option<String>,
    pub xml: String,
    /// "api 'orders' of service 'apim'".
    pub description: String,
    /// Where it was found: `resources[2]`.
    pub source: String,
}

/// A simulation to run: the policy, the scenario JSON as typed, whether to reveal secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub policy: String,
    pub scenario: String,
    pub reveal_secrets: bool,
}

/// The answer to [`Request`] `id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub id: u64,
    pub result: Result<Vec<RequestResult>, NotRun>,
}

/// Why the simulation could not run (`SimError`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotRun {
    pub message: String,
    /// Where in the scenario JSON, for scenario problems (1-based).
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// One request's result, as the contract's output has it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestResult {
    /// `forwarded`, `returned` or `error`.
    pub outcome: String,
    pub backend_request: Option<Http>,
    pub response: Http,
    /// `context.Variables`, each value as JSON text.
    pub variables: Vec<(String, String)>,
    pub trace: Vec<TraceStep>,
    pub error: Option<ErrorInfo>,
}

/// A request (`first` = method and URL) or a response (`first` = status and reason).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Http {
    pub first: String,
    pub status: u16,
    pub headers: Headers,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStep {
    pub section: String,
    pub policy: String,
    pub line: Option<usize>,
    pub message: String,
    /// Byte span of the element in its document.
    pub span: Option<(usize, usize)>,
    /// Where the element is: `None` for the simulated policy (the editor's text), else
    /// `global scope`, `fragment name`, or `gateway` (empty for the gateway's own steps).
    pub origin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorInfo {
    pub source: String,
    pub reason: String,
    pub message: String,
    pub scope: String,
    pub section: String,
    pub path: String,
    pub policy_id: String,
}

/// A course as the lesson view shows it: every lesson's text, steps and starting point, and
/// the files that did not load.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CourseView {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub lessons: Vec<LessonView>,
    pub errors: Vec<CourseError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct LessonView {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub text: String,
    pub start_policy: String,
    /// Empty when the lesson has no scenario.
    pub start_scenario: String,
    pub solution_policy: String,
    /// The solution's own scenario, else the starting one.
    pub solution_scenario: String,
    pub steps: Vec<StepView>,
    /// The lesson as one self-contained JSON document (checks and share links carry it).
    pub json: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct StepView {
    pub title: String,
    /// Markdown.
    pub text: String,
    /// Markdown.
    pub hint: Option<String>,
}

/// A lesson or course file that did not load: `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The answer to [`Task::LessonCheck`] `id`: one result per step, or why nothing could be
/// checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub id: u64,
    pub result: Result<Vec<StepOutcome>, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepOutcome {
    /// `passed`, `failed` or `could_not_run`.
    pub status: String,
    /// What is still wrong, or why the step could not be checked.
    pub problems: Vec<String>,
}

/// The worker's job: read a [`Job`], do it, write the [`Answer`]. (The app's binary calls it
/// only in its tests.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn answer(job: &str) -> String {
    let answer = match serde_json::from_str::<Job>(job) {
        Ok(job) => Answer {
            ticket: job.ticket,
            outcome: match job.task {
                Task::Simulate(r) => Outcome::Simulated(Reply {
                    id: r.id,
                    result: simulate(&r),
                }),
                Task::Export {
                    source,
                    scenario,
                    options,
                } => Outcome::Exported(match Scenario::from_json(&scenario) {
                    Ok(scenario) => export(&source, &scenario, &options),
                    Err(e) => Err(vec![Note {
                        code: String::new(),
                        severity: "error".into(),
                        message: format!("the scenario could not be read: {}", e.message),
                        help: None,
                        line: None,
                    }]),
                }),
                Task::ImportArm(text) => Outcome::Imported(import_arm(&text)),
                Task::LoadCourse { name, files } => {
                    Outcome::CourseLoaded(course_view(&load_course(&name, &files)))
                }
                Task::LessonCheck {
                    id,
                    lesson,
                    policy,
                    scenario,
                } => Outcome::LessonChecked(Checked {
                    id,
                    result: check_lesson(&lesson, &policy, &scenario),
                }),
            },
        },
        Err(e) => Answer {
            ticket: 0,
            outcome: Outcome::Failed(format!("the worker could not read the job: {e}")),
        },
    };
    serde_json::to_string(&answer).unwrap_or_default()
}

/// Read what the user opened: one file (a bundle, a course's `course.json`, or one lesson) or
/// the files of a course folder (the one holding `course.json` nearest the top).
fn load_course(name: &str, files: &[(String, String)]) -> apim_policy::lesson::Course {
    use apim_policy::lesson::{self, Course, LoadError};
    let error = |file: &str, message: String| Course {
        errors: vec![LoadError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message,
        }],
        ..Course::default()
    };
    if let [(file, text)] = files {
        let file = file.rsplit('/').next().unwrap_or(file);
        let alone = |p: &str| -> Result<String, String> {
            Err(format!(
                "'{p}' is not here: open the course's whole folder, or a bundle written by \
                 `apim-policy lesson bundle`"
            ))
        };
        return lesson::load_any(file, text, &alone);
    }
    // A folder: paths are relative to the folder that was picked, `course.json` is the top.
    let Some((top, text)) = files
        .iter()
        .filter(|(p, _)| p == "course.json" || p.ends_with("/course.json"))
        .min_by_key(|(p, _)| p.matches('/').count())
    else {
        return error(
            name,
            format!(
                "the folder '{name}' has no course.json (a course folder lists its lessons there)"
            ),
        );
    };
    let prefix = top.get(..top.len() - "course.json".len()).unwrap_or("");
    let read = |p: &str| -> Result<String, String> {
        let want = format!("{prefix}{p}");
        files
            .iter()
            .find(|(f, _)| *f == want)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| "no such file in the folder".to_string())
    };
    lesson::load_course("course.json", text, &read)
}

fn course_view(course: &apim_policy::lesson::Course) -> CourseView {
    CourseView {
        id: course.id.clone(),
        title: course.title.clone(),
        description: course.description.clone(),
        lessons: course
            .lessons
            .iter()
            .map(|l| {
                let start_scenario = l.start.scenario.clone().unwrap_or_default();
                LessonView {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    text: l.text.clone(),
                    start_policy: l.start.policy.clone(),
                    solution_policy: l.solution.policy.clone(),
                    solution_scenario: l
                        .solution
                        .scenario
                        .clone()
                        .unwrap_or_else(|| start_scenario.clone()),
                    start_scenario,
                    steps: l
                        .steps
                        .iter()
                        .map(|s| StepView {
                            title: s.title.clone(),
                            text: s.text.clone(),
                            hint: s.hint.clone(),
                        })
                        .collect(),
                    json: serde_json::to_string(l).unwrap_or_default(),
                }
            })
            .collect(),
        errors: course
            .errors
            .iter()
            .map(|e| CourseError {
                file: e.file.clone(),
                line: e.line,
                column: e.column,
                message: e.message.clone(),
            })
            .collect(),
    }
}

fn check_lesson(lesson: &str, policy: &str, scenario: &str) -> Result<Vec<StepOutcome>, String> {
    use apim_policy::lesson;
    let inline = |p: &str| -> Result<String, String> { Err(format!("'{p}' is not inline")) };
    let lesson = lesson::load_lesson("lesson.json", lesson, &inline).map_err(|errors| {
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        format!("the lesson could not be read: {first}")
    })?;
    let report = lesson::check(&lesson, policy, Some(scenario));
    Ok(report
        .steps
        .into_iter()
        .map(|s| StepOutcome {
            status: s.status.as_str().to_string(),
            problems: s.problems,
        })
        .collect())
}

fn notes(list: &[apim_policy::Diagnostic], source: &str) -> Vec<Note> {
    let index = apim_policy::LineIndex::new(source);
    list.iter()
        .map(|d| Note {
            code: d.code.to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
            line: apim_policy::export::is_located(d).then(|| index.line_col(d.span.start).line),
        })
        .collect()
}

fn export(
    source: &str,
    scenario: &Scenario,
    options: &ExportOptions,
) -> Result<ExportedFile, Vec<Note>> {
    match apim_policy::export::export(source, options, Some(scenario)) {
        Ok(out) => Ok(ExportedFile {
            notes: notes(&out.diagnostics, source),
            text: out.text,
            file_name: out.file_name,
            target: options.target,
        }),
        Err(reasons) => Err(notes(&reasons, source)),
    }
}

fn import_arm(text: &str) -> Result<Imported, Vec<Note>> {
    use apim_policy::export::ImportedValue;
    let import = apim_policy::export::import_arm(text).map_err(|d| notes(&d, ""))?;
    let named_values = import
        .named_values
        .iter()
        .map(|nv| {
            let name = if nv.display_name.is_empty() {
                nv.name.clone()
            } else {
                nv.display_name.clone()
            };
            match &nv.value {
                ImportedValue::Plain { value } => NamedValue {
                    name,
                    value: Some(value.clone()),
                    ..NamedValue::default()
                },
                ImportedValue::Expression { expression } => NamedValue {
                    name,
                    value: Some(expression.clone()),
                    ..NamedValue::default()
                },
                ImportedValue::Secret { .. } => NamedValue {
                    name,
                    value: Some(String::new()),
                    secret: true,
                    ..NamedValue::default()
                },
                ImportedValue::KeyVault {
                    secret_identifier,
                    identity_client_id,
                } => NamedValue {
                    name,
                    key_vault: Some(KeyVaultRef {
                        secret_identifier: secret_identifier.clone(),
                        identity_client_id: identity_client_id.clone(),
                    }),
                    ..NamedValue::default()
                },
            }
        })
        .collect();
    Ok(Imported {
        policies: import
            .policies
            .iter()
            .map(|p| ImportedPolicy {
                scope: p.scope,
                service: p.service.clone(),
                product: p.product.clone(),
                api: p.api.clone(),
                operation: p.operation.clone(),
                fragment: p.fragment.clone(),
                xml: p.xml.clone(),
                description: p.describe(),
                source: p.source.clone(),
            })
            .collect(),
        named_values,
        notes: notes(&import.diagnostics, ""),
    })
}

fn simulate(r: &Request) -> Result<Vec<RequestResult>, NotRun> {
    use apim_policy::scenario::Scenario;
    use apim_policy::sim::{self, SimOptions};
    let scenario = if r.scenario.trim().is_empty() {
        Scenario::default()
    } else {
        Scenario::from_json(&r.scenario).map_err(|e| NotRun {
            message: format!("the scenario JSON has an error: {}", e.message),
            line: Some(e.line),
            column: Some(e.column),
        })?
    };
    let options = SimOptions {
        reveal_secrets: r.reveal_secrets,
    };
    match sim::simulate(&r.policy, &scenario, &options) {
        Ok(out) => Ok(out.results().iter().map(convert).collect()),
        Err(e) => Err(NotRun {
            message: e.message,
            line: e.line,
            column: e.column,
        }),
    }
}

fn convert(r: &apim_policy::sim::RequestResult) -> RequestResult {
    use apim_policy::sim::DocRef;
    RequestResult {
        outcome: r.outcome.as_str().to_string(),
        backend_request: r.backend_request.as_ref().map(|b| Http {
            first: format!("{} {}", b.method, b.url),
            status: 0,
            headers: b.headers.clone(),
            body: b.body.clone(),
        }),
        response: Http {
            first: format!("{} {}", r.response.status, r.response.reason),
            status: r.response.status,
            headers: r.response.headers.clone(),
            body: r.response.body.clone(),
        },
        variables: r
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        trace: r
            .trace
            .iter()
            .map(|t| TraceStep {
                section: t.section.to_string(),
                policy: t.policy.to_string(),
                line: t.line,
                message: t.message.clone(),
                span: t.span.map(|s| (s.start, s.end)),
                origin: match &t.doc {
                    DocRef::Policy => None,
                    DocRef::Gateway if t.section == "gateway" => Some(String::new()),
                    doc => Some(doc.label()),
                },
            })
            .collect(),
        error: r.error.as_ref().map(|e| ErrorInfo {
            source: e.source.clone(),
            reason: e.reason.clone(),
            message: e.message.clone(),
            scope: e.scope.clone(),
            section: e.section.clone(),
            path: e.path.clone(),
            policy_id: e.policy_id.clone(),
        }),
    }
}

/// Read an [`Answer`] as the worker writes it (serde's JSON of these types).
#[cfg_attr(not(test), allow(dead_code))]
pub fn read_answer(text: &str) -> Result<Answer, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let ticket = v.get("ticket").and_then(Value::as_u64).ok_or("no ticket")?;
    let outcome = v.get("outcome").ok_or("no outcome")?;
    let outcome = if let Some(r) = outcome.get("Simulated") {
        Outcome::Simulated(Reply {
            id: r.get("id").and_then(Value::as_u64).unwrap_or(0),
            result: result(r.get("result"), |ok| list(ok, request_result), not_run)?,
        })
    } else if let Some(r) = outcome.get("Exported") {
        Outcome::Exported(result(Some(r), exported_file, |e| list(e, note))?)
    } else if let Some(r) = outcome.get("Imported") {
        Outcome::Imported(result(Some(r), imported, |e| list(e, note))?)
    } else if let Some(c) = outcome.get("CourseLoaded") {
        Outcome::CourseLoaded(course(c))
    } else if let Some(c) = outcome.get("LessonChecked") {
        Outcome::LessonChecked(Checked {
            id: c.get("id").and_then(Value::as_u64).unwrap_or(0),
            result: result(
                c.get("result"),
                |ok| {
                    list(ok, |s| StepOutcome {
                        status: text_of(s, "status"),
                        problems: strings(s.get("problems")),
                    })
                },
                |e| e.as_str().unwrap_or_default().to_string(),
            )?,
        })
    } else {
        Outcome::Failed(text_of(outcome, "Failed"))
    };
    Ok(Answer { ticket, outcome })
}

/// serde's `Result`: `{"Ok": …}` or `{"Err": …}`.
fn result<T, E>(
    v: Option<&Value>,
    ok: impl Fn(&Value) -> T,
    err: impl Fn(&Value) -> E,
) -> Result<Result<T, E>, String> {
    let v = v.ok_or("no result")?;
    match (v.get("Ok"), v.get("Err")) {
        (Some(o), _) => Ok(Ok(ok(o))),
        (_, Some(e)) => Ok(Err(err(e))),
        _ => Err("a result is neither Ok nor Err".into()),
    }
}

fn list<T>(v: &Value, item: impl Fn(&Value) -> T) -> Vec<T> {
    v.as_array()
        .map(|items| items.iter().map(item).collect())
        .unwrap_or_default()
}

fn text_of(v: &Value, key: &str) -> String {
    opt_text(v, key).unwrap_or_default()
}

fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn opt_number(v: Option<&Value>) -> Option<usize> {
    v.and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

fn headers(v: Option<&Value>) -> Headers {
    let mut h = Headers::default();
    if let Some(map) = v.and_then(Value::as_object) {
        for (name, values) in map {
            let values = list(values, |x| x.as_str().unwrap_or_default().to_string());
            h.0.push((name.clone(), values));
        }
    }
    h
}

fn not_run(v: &Value) -> NotRun {
    NotRun {
        message: text_of(v, "message"),
        line: opt_number(v.get("line")),
        column: opt_number(v.get("column")),
    }
}

fn http(v: &Value) -> Http {
    Http {
        first: text_of(v, "first"),
        status: v
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or(0),
        headers: headers(v.get("headers")),
        body: text_of(v, "body"),
    }
}

fn request_result(v: &Value) -> RequestResult {
    RequestResult {
        outcome: text_of(v, "outcome"),
        backend_request: v.get("backend_request").filter(|b| !b.is_null()).map(http),
        response: v.get("response").map(http).unwrap_or(Http {
            first: String::new(),
            status: 0,
            headers: Headers::default(),
            body: String::new(),
        }),
        variables: v
            .get("variables")
            .map(|vars| {
                list(vars, |pair| {
                    (
                        pair.get(0)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        pair.get(1)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
            })
            .unwrap_or_default(),
        trace: v
            .get("trace")
            .map(|t| list(t, trace_step))
            .unwrap_or_default(),
        error: v.get("error").filter(|e| !e.is_null()).map(|e| ErrorInfo {
            source: text_of(e, "source"),
            reason: text_of(e, "reason"),
            message: text_of(e, "message"),
            scope: text_of(e, "scope"),
            section: text_of(e, "section"),
            path: text_of(e, "path"),
            policy_id: text_of(e, "policy_id"),
        }),
    }
}

fn trace_step(v: &Value) -> TraceStep {
    TraceStep {
        section: text_of(v, "section"),
        policy: text_of(v, "policy"),
        line: opt_number(v.get("line")),
        message: text_of(v, "message"),
        span: v
            .get("span")
            .and_then(|s| Some((opt_number(s.get(0))?, opt_number(s.get(1))?))),
        origin: opt_text(v, "origin"),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.map(|l| list(l, |x| x.as_str().unwrap_or_default().to_string()))
        .unwrap_or_default()
}

fn course(v: &Value) -> CourseView {
    let items = |key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };
    CourseView {
        id: text_of(v, "id"),
        title: text_of(v, "title"),
        description: text_of(v, "description"),
        lessons: items("lessons")
            .iter()
            .map(|l| LessonView {
                id: text_of(l, "id"),
                title: text_of(l, "title"),
                text: text_of(l, "text"),
                start_policy: text_of(l, "start_policy"),
                start_scenario: text_of(l, "start_scenario"),
                solution_policy: text_of(l, "solution_policy"),
                solution_scenario: text_of(l, "solution_scenario"),
                steps: l
                    .get("steps")
                    .map(|s| {
                        list(s, |s| StepView {
                            title: text_of(s, "title"),
                            text: text_of(s, "text"),
                            hint: opt_text(s, "hint"),
                        })
                    })
                    .unwrap_or_default(),
                json: text_of(l, "json"),
            })
            .collect(),
        errors: items("errors")
            .iter()
            .map(|e| CourseError {
                file: text_of(e, "file"),
                line: opt_number(e.get("line")).unwrap_or(1),
                column: opt_number(e.get("column")).unwrap_or(1),
                message: text_of(e, "message"),
            })
            .collect(),
    }
}

fn note(v: &Value) -> Note {
    Note {
        code: text_of(v, "code"),
        severity: text_of(v, "severity"),
        message: text_of(v, "message"),
        help: opt_text(v, "help"),
        line: opt_number(v.get("line")),
    }
}

fn exported_file(v: &Value) -> ExportedFile {
    ExportedFile {
        text: text_of(v, "text"),
        file_name: text_of(v, "file_name"),
        target: match v.get("target").and_then(Value::as_str) {
            Some("bicep") => Target::Bicep,
            Some("terraform") => Target::Terraform,
            _ => Target::Arm,
        },
        notes: v.get("notes").map(|n| list(n, note)).unwrap_or_default(),
    }
}

fn imported(v: &Value) -> Imported {
    let scope = |p: &Value| match p.get("scope").and_then(Value::as_str) {
        Some("global") => Scope::Global,
        Some("product") => Scope::Product,
        Some("operation") => Scope::Operation,
        Some("fragment") => Scope::Fragment,
        _ => Scope::Api,
    };
    Imported {
        policies: v
            .get("policies")
            .map(|ps| {
                list(ps, |p| ImportedPolicy {
                    scope: scope(p),
                    service: opt_text(p, "service"),
                    product: opt_text(p, "product"),
                    api: opt_text(p, "api"),
                    operation: opt_text(p, "operation"),
                    fragment: opt_text(p, "fragment"),
                    xml: text_of(p, "xml"),
                    description: text_of(p, "description"),
                    source: text_of(p, "source"),
                })
            })
            .unwrap_or_default(),
        named_values: v
            .get("named_values")
            .map(|nvs| {
                list(nvs, |nv| NamedValue {
                    name: text_of(nv, "name"),
                    value: opt_text(nv, "value"),
                    secret: nv.get("secret").and_then(Value::as_bool).unwrap_or(false),
                    key_vault: nv
                        .get("key_vault")
                        .filter(|k| !k.is_null())
                        .map(|k| KeyVaultRef {
                            secret_identifier: text_of(k, "secret_identifier"),
                            identity_client_id: opt_text(k, "identity_client_id"),
                        }),
                    tags: Vec::new(),
                })
            })
            .unwrap_or_default(),
        notes: v.get("notes").map(|n| list(n, note)).unwrap_or_default(),
    }
}

/// For the app's tests (the worker's test build compiles this module too, unused).
#[cfg(test)]
#[allow(dead_code)]
pub mod testing {
    use super::*;

    /// What the worker answers to `task`, read back (what the app gets).
    pub fn run_natively(task: Task) -> Outcome {
        let job = serde_json::to_string(&Job { ticket: 7, task }).unwrap();
        let answer = read_answer(&answer(&job)).unwrap();
        assert_eq!(answer.ticket, 7);
        answer.outcome
    }

    /// A simulation's reply.
    pub fn simulate_natively(request: &Request) -> Reply {
        match run_natively(Task::Simulate(request.clone())) {
            Outcome::Simulated(reply) => reply,
            other => panic!("not a simulation: {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(outcome: Outcome) {
        let answer = Answer { ticket: 3, outcome };
        let text = serde_json::to_string(&answer).unwrap();
        assert_eq!(read_answer(&text).unwrap(), answer, "{text}");
    }

    #[test]
    fn answers_read_back_exactly() {
        let note = Note {
            code: "APIM0901".into(),
            severity: "warning".into(),
            message: "m é".into(),
            help: Some("h".into()),
            line: Some(4),
        };
        let mut headers = Headers::default();
        headers.append("X-A", "1".into());
        headers.append("X-A", "2".into());
        headers.append("x-b", "3".into());
        let http = Http {
            first: "200 OK".into(),
            status: 200,
            headers,
            body: "{}".into(),
        };
        round_trip(Outcome::Simulated(Reply {
            id: 9,
            result: Ok(vec![RequestResult {
                outcome: "error".into(),
                backend_request: Some(http.clone()),
                response: http,
                variables: vec![("v".into(), "\"x\"".into())],
                trace: vec![
                    TraceStep {
                        section: "inbound".into(),
                        policy: "set-header".into(),
                        line: Some(3),
                        message: "m".into(),
                        span: Some((10, 20)),
                        origin: None,
                    },
                    TraceStep {
                        section: "gateway".into(),
                        policy: "request".into(),
                        line: None,
                        message: String::new(),
                        span: None,
                        origin: Some(String::new()),
                    },
                ],
                error: Some(ErrorInfo {
                    source: "s".into(),
                    reason: "r".into(),
                    message: "m".into(),
                    scope: "api".into(),
                    section: "inbound".into(),
                    path: "p".into(),
                    policy_id: String::new(),
                }),
            }]),
        }));
        round_trip(Outcome::Simulated(Reply {
            id: 1,
            result: Err(NotRun {
                message: "no".into(),
                line: Some(2),
                column: None,
            }),
        }));
        round_trip(Outcome::Exported(Ok(ExportedFile {
            text: "t".into(),
            file_name: "f.bicep".into(),
            target: Target::Bicep,
            notes: vec![note.clone()],
        })));
        round_trip(Outcome::Exported(Err(vec![note.clone()])));
        round_trip(Outcome::Imported(Ok(Imported {
            policies: vec![ImportedPolicy {
                scope: Scope::Operation,
                service: Some("svc".into()),
                product: None,
                api: Some("orders".into()),
                operation: Some("get".into()),
                fragment: None,
                xml: "<policies/>".into(),
                description: "d".into(),
                source: "resources[0]".into(),
            }],
            named_values: vec![
                NamedValue {
                    name: "kv".into(),
                    key_vault: Some(KeyVaultRef {
                        secret_identifier: "https://v.vault.azure.net/secrets/s".into(),
                        identity_client_id: Some("c".into()),
                    }),
                    ..NamedValue::default()
                },
                NamedValue {
                    name: "s".into(),
                    value: Some(String::new()),
                    secret: true,
                    ..NamedValue::default()
                },
            ],
            notes: vec![note],
        })));
        round_trip(Outcome::Imported(Err(Vec::new())));
        round_trip(Outcome::CourseLoaded(CourseView {
            id: "c".into(),
            title: "Café ☕".into(),
            description: "**d**".into(),
            lessons: vec![LessonView {
                id: "l".into(),
                title: "t".into(),
                text: "x".into(),
                start_policy: "<policies/>".into(),
                start_scenario: "{}".into(),
                solution_policy: "<policies>\n</policies>".into(),
                solution_scenario: String::new(),
                steps: vec![
                    StepView {
                        title: "s".into(),
                        text: String::new(),
                        hint: Some("h".into()),
                    },
                    StepView {
                        title: "s2".into(),
                        text: "t2".into(),
                        hint: None,
                    },
                ],
                json: "{\"id\":\"l\"}".into(),
            }],
            errors: vec![CourseError {
                file: "b.json".into(),
                line: 3,
                column: 7,
                message: "m".into(),
            }],
        }));
        round_trip(Outcome::LessonChecked(Checked {
            id: 4,
            result: Ok(vec![
                StepOutcome {
                    status: "passed".into(),
                    problems: vec![],
                },
                StepOutcome {
                    status: "could_not_run".into(),
                    problems: vec!["the policy does not parse".into(), "é".into()],
                },
            ]),
        }));
        round_trip(Outcome::LessonChecked(Checked {
            id: 5,
            result: Err("no".into()),
        }));
        round_trip(Outcome::Failed("gone".into()));
        assert!(read_answer("{").is_err());
        assert!(read_answer("{\"ticket\": 1}").is_err());
    }
}
