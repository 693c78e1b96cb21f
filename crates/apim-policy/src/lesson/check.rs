//! The checks a lesson step runs, as data, and how they are read from a lesson file's JSON.
//!
//! Every check is an object with a `kind`; combinators (`all`, `any`, `not`) hold other
//! checks. Any check may carry `message`, the text shown when it fails (instead of the
//! generated one). The kinds are listed in [`KINDS`] and documented in `docs/lessons.md`.
//! A new kind: a variant here, its field struct, an arm in [`parse_node`] and one in
//! `eval.rs`, a `KINDS` entry, the schema (`docs/lesson.schema.json`) and the guide.

use super::jsonpos::Seg;
use super::path::Path;
use crate::scenario::Scenario;
use serde::Deserialize;
use serde_json::Value;

/// Every check kind, in the guide's order.
pub const KINDS: &[&str] = &[
    "all",
    "any",
    "not",
    "lint-no-errors",
    "lint-has",
    "lint-lacks",
    "policy-present",
    "policy-absent",
    "match",
    "simulate",
    "export",
    "named-value",
    "key-vault-access",
];

/// One check with its optional failure message.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub check: Check,
    /// Shown instead of the generated text when the check fails.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    LintNoErrors { scenario: ScenarioRef },
    LintHas { code: String, scenario: ScenarioRef },
    LintLacks { code: String, scenario: ScenarioRef },
    PolicyPresent(PolicyCount),
    PolicyAbsent(PolicyCount),
    Match(MatchCheck),
    Simulate(Box<SimCheck>),
    Export(ExportCheck),
    NamedValue(NamedValueCheck),
    KeyVaultAccess(VaultAccessCheck),
}

/// Which scenario a check uses.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioRef {
    /// The student's scenario (what they edit; the lesson's starting scenario if they have none).
    Student,
    /// The lesson's own starting scenario, whatever the student changed.
    Lesson,
    /// No scenario (lint without named values; export without them).
    None,
    /// A scenario written in the check (or read from its `scenario_file`).
    Inline(Box<Scenario>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCount {
    pub policy: String,
    pub section: Option<String>,
    pub min: usize,
    pub max: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchCheck {
    pub path_text: String,
    pub path: Path,
    pub min: usize,
    pub max: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpect {
    pub name: String,
    pub equals: Option<String>,
    pub contains: Option<String>,
    #[serde(default)]
    pub absent: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlExpect {
    pub equals: Option<String>,
    pub starts_with: Option<String>,
    pub contains: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyExpect {
    pub equals: Option<String>,
    pub contains: Option<String>,
    pub not_contains: Option<String>,
    /// A JSON path (`$.items[0].id`) into the body, compared with `json_equals`.
    pub json_path: Option<String>,
    pub json_equals: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableExpect {
    pub name: String,
    pub equals: Option<Value>,
    #[serde(default)]
    pub absent: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceExpect {
    pub policy: Option<String>,
    pub section: Option<String>,
    pub message_contains: Option<String>,
    #[serde(default)]
    pub absent: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpect {
    pub reason: Option<String>,
    pub message_contains: Option<String>,
    #[serde(default)]
    pub absent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    ResponseHeaders,
    ResponseBody,
    Trace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeName {
    Forwarded,
    Returned,
    Error,
}

impl OutcomeName {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeName::Forwarded => "forwarded",
            OutcomeName::Returned => "returned",
            OutcomeName::Error => "error",
        }
    }
}

/// The expectations of a `simulate` check, all optional; every one given must hold.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimExpect {
    /// 1-based request of a `requests` sequence; default: the last one.
    pub request: Option<usize>,
    pub outcome: Option<OutcomeName>,
    pub status: Option<u16>,
    pub backend_called: Option<bool>,
    pub response_header: Option<HeaderExpect>,
    pub backend_header: Option<HeaderExpect>,
    /// The URL the backend was called with.
    pub backend_url: Option<UrlExpect>,
    pub body: Option<BodyExpect>,
    pub variable: Option<VariableExpect>,
    pub trace: Option<TraceExpect>,
    pub error: Option<ErrorExpect>,
    /// Where no secret value (masked `***` in the output) may appear.
    #[serde(default)]
    pub secret_not_in: Vec<Place>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimCheck {
    pub scenario: ScenarioRef,
    pub expect: SimExpect,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportCheck {
    pub target: crate::export::Target,
    pub resource_type: String,
    pub scenario: ScenarioRef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamedValueType {
    Plain,
    Secret,
    KeyVault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentifierForm {
    Versionless,
    Versioned,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedValueCheck {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Option<NamedValueType>,
    pub identifier: Option<IdentifierForm>,
    /// `"system"`: no `identity_client_id`; `"user"`: one is set; any other text: that client id.
    pub identity: Option<String>,
    #[serde(default)]
    pub absent: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultAccessCheck {
    pub vault: String,
    /// `"system"` (default) or a user-assigned identity's client id.
    pub identity: Option<String>,
    pub permissions: Vec<String>,
    pub model: Option<crate::scenario::VaultAccess>,
}

/// A problem found while reading a check: where (a JSON pointer, plus a byte offset inside the
/// string at that pointer for path errors) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    pub pointer: Vec<Seg>,
    /// Byte offset inside the string value (path syntax errors).
    pub inner_offset: Option<usize>,
    pub message: String,
}

/// Reads a check's `scenario_file` (relative to the lesson) at a JSON pointer.
pub type ScenarioReader<'a> = &'a dyn Fn(&str, &[Seg]) -> Result<Scenario, CheckError>;

/// What the reader needs from the lesson around the check.
pub struct Env<'a> {
    /// The lesson has a starting scenario (`"scenario": "lesson"` needs one).
    pub has_lesson_scenario: bool,
    /// Reads a `scenario_file` (relative to the lesson); `Err` is the reason.
    pub read_scenario: ScenarioReader<'a>,
}

fn err(pointer: &[Seg], message: impl Into<String>) -> CheckError {
    CheckError {
        pointer: pointer.to_vec(),
        inner_offset: None,
        message: message.into(),
    }
}

fn child(ptr: &[Seg], seg: Seg) -> Vec<Seg> {
    let mut p = ptr.to_vec();
    p.push(seg);
    p
}

fn key(ptr: &[Seg], k: &str) -> Vec<Seg> {
    child(ptr, Seg::Key(k.into()))
}

/// Read a step's `check`: one check object, or an array of them (all must hold).
pub fn parse_step_check(
    value: &Value,
    ptr: &[Seg],
    env: &Env<'_>,
) -> Result<Node, Vec<CheckError>> {
    match value {
        Value::Array(items) => Ok(Node {
            check: Check::All(parse_list(items, ptr, env)?),
            message: None,
        }),
        _ => parse_node(value, ptr, env),
    }
}

fn parse_list(items: &[Value], ptr: &[Seg], env: &Env<'_>) -> Result<Vec<Node>, Vec<CheckError>> {
    if items.is_empty() {
        return Err(vec![err(ptr, "an empty list of checks: give at least one")]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match parse_node(item, &child(ptr, Seg::Index(i)), env) {
            Ok(n) => out.push(n),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Deserialize `obj` (without `kind` and `message`) into `T`, naming the pointer on failure.
fn fields<T: serde::de::DeserializeOwned>(
    obj: &serde_json::Map<String, Value>,
    ptr: &[Seg],
    kind: &str,
) -> Result<T, Vec<CheckError>> {
    serde_json::from_value(Value::Object(obj.clone()))
        .map_err(|e| vec![err(ptr, format!("check '{kind}': {e}"))])
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LintFields {
    code: Option<String>,
    scenario: Option<Value>,
    scenario_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFields {
    policy: String,
    section: Option<String>,
    min: Option<usize>,
    max: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchFields {
    path: String,
    min: Option<usize>,
    max: Option<usize>,
    #[serde(default)]
    absent: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportFields {
    target: crate::export::Target,
    resource_type: String,
    scenario: Option<Value>,
    scenario_file: Option<String>,
}

#[derive(Deserialize)]
struct ScenarioOnly {
    scenario: Option<Value>,
    scenario_file: Option<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

fn scenario_ref(
    scenario: Option<&Value>,
    scenario_file: Option<&str>,
    default: ScenarioRef,
    ptr: &[Seg],
    env: &Env<'_>,
) -> Result<ScenarioRef, Vec<CheckError>> {
    match (scenario, scenario_file) {
        (Some(_), Some(_)) => Err(vec![err(
            &key(ptr, "scenario_file"),
            "give either 'scenario' or 'scenario_file', not both",
        )]),
        (None, Some(file)) => {
            let p = key(ptr, "scenario_file");
            (env.read_scenario)(file, &p)
                .map(|s| ScenarioRef::Inline(Box::new(s)))
                .map_err(|e| vec![e])
        }
        (None, None) => Ok(default),
        (Some(Value::String(s)), None) => match s.as_str() {
            "student" => Ok(ScenarioRef::Student),
            "none" => Ok(ScenarioRef::None),
            "lesson" if env.has_lesson_scenario => Ok(ScenarioRef::Lesson),
            "lesson" => Err(vec![err(
                &key(ptr, "scenario"),
                "\"scenario\": \"lesson\" needs the lesson to have a starting scenario (start.scenario or start.scenario_file)",
            )]),
            other => Err(vec![err(
                &key(ptr, "scenario"),
                format!(
                    "unknown scenario '{other}': use \"student\", \"lesson\", \"none\" or a scenario object"
                ),
            )]),
        },
        (Some(v @ Value::Object(_)), None) => serde_json::from_value::<Scenario>(v.clone())
            .map(|s| ScenarioRef::Inline(Box::new(s)))
            .map_err(|e| vec![err(&key(ptr, "scenario"), format!("invalid scenario: {e}"))]),
        (Some(_), None) => Err(vec![err(
            &key(ptr, "scenario"),
            "'scenario' is \"student\", \"lesson\", \"none\" or a scenario object",
        )]),
    }
}

fn check_code(code: &str, ptr: &[Seg]) -> Result<String, Vec<CheckError>> {
    let known = crate::lint::registry::rules()
        .iter()
        .any(|r| r.code == code)
        || crate::lint::registry::docs().iter().any(|d| d.code == code);
    if known {
        Ok(code.to_string())
    } else {
        Err(vec![err(
            &key(ptr, "code"),
            format!("'{code}' is not a diagnostic code of this linter (see docs/rules.md)"),
        )])
    }
}

fn section_name(section: Option<String>, ptr: &[Seg]) -> Result<Option<String>, Vec<CheckError>> {
    match section {
        Some(s) if !matches!(s.as_str(), "inbound" | "backend" | "outbound" | "on-error") => {
            Err(vec![err(
                &key(ptr, "section"),
                format!("'{s}' is not a section: use inbound, backend, outbound or on-error"),
            )])
        }
        other => Ok(other),
    }
}

fn min_max(
    min: Option<usize>,
    max: Option<usize>,
    ptr: &[Seg],
) -> Result<(usize, Option<usize>), Vec<CheckError>> {
    let min = min.unwrap_or(1);
    match max {
        Some(m) if m < min => Err(vec![err(
            &key(ptr, "max"),
            format!("max ({m}) is below min ({min})"),
        )]),
        _ => Ok((min, max)),
    }
}

/// Read one check object.
pub fn parse_node(value: &Value, ptr: &[Seg], env: &Env<'_>) -> Result<Node, Vec<CheckError>> {
    let Value::Object(obj) = value else {
        return Err(vec![err(ptr, "a check is an object with a \"kind\"")]);
    };
    let mut obj = obj.clone();
    let kind = match obj.remove("kind") {
        Some(Value::String(k)) => k,
        Some(_) => return Err(vec![err(&key(ptr, "kind"), "\"kind\" is a string")]),
        None => {
            return Err(vec![err(
                ptr,
                format!(
                    "this check has no \"kind\"; the kinds are {}",
                    KINDS.join(", ")
                ),
            )]);
        }
    };
    let message = match obj.remove("message") {
        None => None,
        Some(Value::String(m)) => Some(m),
        Some(_) => return Err(vec![err(&key(ptr, "message"), "\"message\" is a string")]),
    };
    let check = match kind.as_str() {
        "all" | "any" => {
            let checks = obj.remove("checks");
            if let Some(extra) = obj.keys().next() {
                return Err(vec![err(
                    &key(ptr, extra),
                    format!("check '{kind}': unknown field '{extra}', expected 'checks'"),
                )]);
            }
            let Some(Value::Array(items)) = checks else {
                return Err(vec![err(
                    ptr,
                    format!("check '{kind}' needs \"checks\": a list of checks"),
                )]);
            };
            let list = parse_list(&items, &key(ptr, "checks"), env)?;
            if kind == "all" {
                Check::All(list)
            } else {
                Check::Any(list)
            }
        }
        "not" => {
            let inner = obj.remove("check");
            if let Some(extra) = obj.keys().next() {
                return Err(vec![err(
                    &key(ptr, extra),
                    format!("check 'not': unknown field '{extra}', expected 'check'"),
                )]);
            }
            let Some(inner) = inner else {
                return Err(vec![err(
                    ptr,
                    "check 'not' needs \"check\": the check that must fail",
                )]);
            };
            Check::Not(Box::new(parse_node(&inner, &key(ptr, "check"), env)?))
        }
        "lint-no-errors" | "lint-has" | "lint-lacks" => {
            let f: LintFields = fields(&obj, ptr, &kind)?;
            let scenario = scenario_ref(
                f.scenario.as_ref(),
                f.scenario_file.as_deref(),
                ScenarioRef::Student,
                ptr,
                env,
            )?;
            match (kind.as_str(), f.code) {
                ("lint-no-errors", None) => Check::LintNoErrors { scenario },
                ("lint-no-errors", Some(_)) => {
                    return Err(vec![err(
                        &key(ptr, "code"),
                        "check 'lint-no-errors' takes no code (use lint-has / lint-lacks)",
                    )]);
                }
                (_, None) => {
                    return Err(vec![err(
                        ptr,
                        format!("check '{kind}' needs \"code\", such as \"APIM0105\""),
                    )]);
                }
                ("lint-has", Some(code)) => Check::LintHas {
                    code: check_code(&code, ptr)?,
                    scenario,
                },
                (_, Some(code)) => Check::LintLacks {
                    code: check_code(&code, ptr)?,
                    scenario,
                },
            }
        }
        "policy-present" | "policy-absent" => {
            let f: PolicyFields = fields(&obj, ptr, &kind)?;
            let section = section_name(f.section, ptr)?;
            if kind == "policy-absent" {
                if f.min.is_some() || f.max.is_some() {
                    return Err(vec![err(
                        ptr,
                        "check 'policy-absent' takes no min/max (use policy-present with max)",
                    )]);
                }
                Check::PolicyAbsent(PolicyCount {
                    policy: f.policy,
                    section,
                    min: 0,
                    max: Some(0),
                })
            } else {
                let (min, max) = min_max(f.min, f.max, ptr)?;
                Check::PolicyPresent(PolicyCount {
                    policy: f.policy,
                    section,
                    min,
                    max,
                })
            }
        }
        "match" => {
            let f: MatchFields = fields(&obj, ptr, &kind)?;
            let path = Path::parse(&f.path).map_err(|e| {
                vec![CheckError {
                    pointer: key(ptr, "path"),
                    inner_offset: Some(e.offset),
                    message: format!("bad path: {}", e.message),
                }]
            })?;
            let (min, max) = if f.absent {
                if f.min.is_some() || f.max.is_some() {
                    return Err(vec![err(
                        ptr,
                        "check 'match': give either absent or min/max",
                    )]);
                }
                (0, Some(0))
            } else {
                min_max(f.min, f.max, ptr)?
            };
            Check::Match(MatchCheck {
                path_text: f.path,
                path,
                min,
                max,
            })
        }
        "simulate" => {
            let f: ScenarioOnly = fields(&obj, ptr, &kind)?;
            let scenario = scenario_ref(
                f.scenario.as_ref(),
                f.scenario_file.as_deref(),
                ScenarioRef::Student,
                ptr,
                env,
            )?;
            let expect: SimExpect = fields(&f.rest, ptr, &kind)?;
            if let Some(0) = expect.request {
                return Err(vec![err(
                    &key(ptr, "request"),
                    "requests are counted from 1",
                )]);
            }
            if let Some(b) = &expect.body
                && let Some(p) = &b.json_path
            {
                if let Err(m) = super::eval::json_path_segments(p) {
                    return Err(vec![err(
                        &child(&key(ptr, "body"), Seg::Key("json_path".into())),
                        format!("bad JSON path: {m}"),
                    )]);
                }
                if b.json_equals.is_none() {
                    return Err(vec![err(
                        &key(ptr, "body"),
                        "json_path needs json_equals (the value expected there)",
                    )]);
                }
            }
            Check::Simulate(Box::new(SimCheck { scenario, expect }))
        }
        "export" => {
            let f: ExportFields = fields(&obj, ptr, &kind)?;
            let scenario = scenario_ref(
                f.scenario.as_ref(),
                f.scenario_file.as_deref(),
                ScenarioRef::Student,
                ptr,
                env,
            )?;
            Check::Export(ExportCheck {
                target: f.target,
                resource_type: f.resource_type,
                scenario,
            })
        }
        "named-value" => Check::NamedValue(fields(&obj, ptr, &kind)?),
        "key-vault-access" => Check::KeyVaultAccess(fields(&obj, ptr, &kind)?),
        other => {
            return Err(vec![err(
                &key(ptr, "kind"),
                format!(
                    "unknown check kind '{other}'; the kinds are {}",
                    KINDS.join(", ")
                ),
            )]);
        }
    };
    Ok(Node { check, message })
}
