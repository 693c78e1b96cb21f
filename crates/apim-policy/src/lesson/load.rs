//! Reading lessons, course folders and bundles, with file:line:column on every error.

use super::check::{self, CheckError, Env};
use super::jsonpos::{self, Seg};
use super::{Course, Lesson, LoadError, Step, Workspace};
use crate::scenario::Scenario;
use crate::text::LineIndex;
use serde::Deserialize;
use serde_json::Value;

/// The `format` field of a bundle.
pub const BUNDLE_FORMAT: &str = "apim-policy-course";

/// Resolves a path relative to the course folder (`01-intro/start.xml`) to the file's text.
pub type Reader<'a> = &'a dyn Fn(&str) -> Result<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    id: String,
    title: String,
    #[serde(default)]
    text: Option<String>,
    text_file: Option<String>,
    start: RawWorkspace,
    solution: RawWorkspace,
    steps: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkspace {
    policy: Option<String>,
    policy_file: Option<String>,
    scenario: Option<Value>,
    scenario_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    title: String,
    #[serde(default)]
    text: String,
    hint: Option<String>,
    check: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    lessons: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBundle {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    format: String,
    version: u32,
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    lessons: Vec<Value>,
}

/// A region of a file: the lesson's JSON is `text[base..]` of the file `file`.
struct Src<'a> {
    file: &'a str,
    whole: &'a str,
    base: usize,
    /// The lesson's own text.
    text: &'a str,
    /// The folder of the lesson file, relative to the course (`""` or `01-intro/`).
    dir: String,
}

impl Src<'_> {
    fn at_offset(&self, offset: usize, message: impl Into<String>) -> LoadError {
        let lc = LineIndex::new(self.whole).line_col(self.base + offset);
        LoadError {
            file: self.file.to_string(),
            line: lc.line,
            column: lc.column,
            message: message.into(),
        }
    }

    fn at(&self, ptr: &[Seg], message: impl Into<String>) -> LoadError {
        let offset = jsonpos::locate(self.text, ptr).map(|(s, _)| s).unwrap_or(0);
        self.at_offset(offset, message)
    }

    fn place(&self, ptr: &[Seg]) -> String {
        let e = self.at(ptr, "");
        format!("{}:{}:{}", e.file, e.line, e.column)
    }

    fn serde(&self, e: &serde_json::Error, what: &str) -> LoadError {
        let offset = serde_offset(self.text, e.line(), e.column());
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or("invalid JSON");
        self.at_offset(offset, format!("{what}: {msg}"))
    }

    fn check_error(&self, e: &CheckError) -> LoadError {
        let mut offset = jsonpos::locate(self.text, &e.pointer)
            .map(|(s, _)| s)
            .unwrap_or(0);
        if let Some(inner) = e.inner_offset {
            // The string's opening quote, then the path's bytes (exact when it has no escapes).
            offset += 1 + inner;
        }
        self.at_offset(offset, e.message.clone())
    }

    fn join(&self, name: &str) -> String {
        let name = name.strip_prefix("./").unwrap_or(name);
        format!("{}{name}", self.dir)
    }
}

/// serde_json's 1-based line and *byte* column as a byte offset into `text` (on a character
/// boundary), so that [`LineIndex`] can turn it into a character column.
fn serde_offset(text: &str, line: usize, column: usize) -> usize {
    let idx = LineIndex::new(text);
    let start = idx.line_start(line.max(1) - 1);
    let mut at = (start + column.max(1) - 1).min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn key(ptr: &[Seg], k: &str) -> Vec<Seg> {
    let mut p = ptr.to_vec();
    p.push(Seg::Key(k.into()));
    p
}

/// The text of an inline JSON value as written, its continuation lines dedented.
fn value_text(text: &str, ptr: &[Seg]) -> Option<String> {
    let (s, e) = jsonpos::locate(text, ptr)?;
    let slice = text.get(s..e)?;
    let mut lines = slice.lines();
    let first = lines.next().unwrap_or("");
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let last_indent = rest
        .last()
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(0);
    // Keep the object's own indentation: continuation lines lose the closing brace's indent.
    let cut = indent.min(last_indent);
    let mut out = first.to_string();
    for l in rest {
        out.push('\n');
        out.push_str(
            l.get(cut.min(l.len() - l.trim_start().len())..)
                .unwrap_or(l),
        );
    }
    out.push('\n');
    Some(out)
}

/// Read a `*_file` reference: `(text, the raw JSON replacement)`.
fn read_ref(src: &Src<'_>, read: Reader<'_>, name: &str, ptr: &[Seg]) -> Result<String, LoadError> {
    if name.starts_with('/') || name.contains('\\') || name.contains(':') {
        return Err(src.at(
            ptr,
            format!(
                "'{name}' must be a path relative to the lesson file, with '/' between folders"
            ),
        ));
    }
    read(&src.join(name)).map_err(|e| src.at(ptr, format!("cannot read '{}': {e}", src.join(name))))
}

/// A scenario file's text, parsed; errors name that file and where it was referenced.
fn read_scenario_file(
    src: &Src<'_>,
    read: Reader<'_>,
    name: &str,
    ptr: &[Seg],
) -> Result<(String, Scenario, Value), LoadError> {
    let text = read_ref(src, read, name, ptr)?;
    let file = src.join(name);
    match serde_json::from_str::<Value>(&text)
        .and_then(|v| serde_json::from_value::<Scenario>(v.clone()).map(|s| (s, v)))
    {
        Ok((s, v)) => Ok((text, s, v)),
        Err(e) => {
            // Shape errors from from_value have no position; find it with from_str.
            let (line, column) = match serde_json::from_str::<Scenario>(&text) {
                Err(e2) => (e2.line(), e2.column()),
                Ok(_) => (e.line(), e.column()),
            };
            let lc = LineIndex::new(&text).line_col(serde_offset(&text, line, column));
            let (line, column) = (lc.line, lc.column);
            let msg = e.to_string();
            Err(LoadError {
                file,
                line,
                column,
                message: format!(
                    "invalid scenario: {} (referenced at {})",
                    msg.split(" at line ").next().unwrap_or("invalid JSON"),
                    src.place(ptr)
                ),
            })
        }
    }
}

struct Loaded {
    workspace: Workspace,
    scenario: Option<Scenario>,
}

fn workspace(
    src: &Src<'_>,
    read: Reader<'_>,
    w: &RawWorkspace,
    ptr: &[Seg],
    raw: &mut serde_json::Map<String, Value>,
    errors: &mut Vec<LoadError>,
) -> Loaded {
    let policy = match (&w.policy, &w.policy_file) {
        (Some(_), Some(_)) => {
            errors.push(src.at(
                &key(ptr, "policy_file"),
                "give either 'policy' or 'policy_file', not both",
            ));
            String::new()
        }
        (Some(p), None) => p.clone(),
        (None, Some(f)) => match read_ref(src, read, f, &key(ptr, "policy_file")) {
            Ok(t) => {
                raw.remove("policy_file");
                raw.insert("policy".into(), Value::String(t.clone()));
                t
            }
            Err(e) => {
                errors.push(e);
                String::new()
            }
        },
        (None, None) => {
            errors.push(src.at(
                ptr,
                "a policy is required: 'policy' (the XML inline) or 'policy_file'",
            ));
            String::new()
        }
    };
    let mut scenario = None;
    let mut scenario_text = None;
    match (&w.scenario, &w.scenario_file) {
        (Some(_), Some(_)) => {
            errors.push(src.at(
                &key(ptr, "scenario_file"),
                "give either 'scenario' or 'scenario_file', not both",
            ));
        }
        (Some(v), None) => match serde_json::from_value::<Scenario>(v.clone()) {
            Ok(s) => {
                scenario = Some(s);
                scenario_text = value_text(src.text, &key(ptr, "scenario"));
            }
            Err(e) => errors.push(src.at(&key(ptr, "scenario"), format!("invalid scenario: {e}"))),
        },
        (None, Some(f)) => match read_scenario_file(src, read, f, &key(ptr, "scenario_file")) {
            Ok((text, s, v)) => {
                raw.remove("scenario_file");
                raw.insert("scenario".into(), v);
                scenario = Some(s);
                scenario_text = Some(text);
            }
            Err(e) => errors.push(e),
        },
        (None, None) => {}
    }
    Loaded {
        workspace: Workspace {
            policy,
            scenario: scenario_text,
        },
        scenario,
    }
}

/// Replace every `scenario_file` inside a check by the scenario it names (for bundles).
fn inline_check_files(v: &mut Value, files: &[(Vec<Seg>, Value)], here: &mut Vec<Seg>) {
    if let Value::Object(map) = v {
        if map.contains_key("scenario_file")
            && let Some((_, scenario)) = files.iter().find(|(p, _)| p == here)
        {
            map.remove("scenario_file");
            map.insert("scenario".into(), scenario.clone());
        }
        for (k, child) in map.iter_mut() {
            here.push(Seg::Key(k.clone()));
            inline_check_files(child, files, here);
            here.pop();
        }
    } else if let Value::Array(items) = v {
        for (i, child) in items.iter_mut().enumerate() {
            here.push(Seg::Index(i));
            inline_check_files(child, files, here);
            here.pop();
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn lesson_at(src: &Src<'_>, read: Reader<'_>) -> Result<Lesson, Vec<LoadError>> {
    let raw: RawLesson =
        serde_json::from_str(src.text).map_err(|e| vec![src.serde(&e, "invalid lesson")])?;
    let mut raw_value: Value =
        serde_json::from_str(src.text).map_err(|e| vec![src.serde(&e, "invalid lesson")])?;
    let mut errors = Vec::new();
    if !valid_id(&raw.id) {
        errors.push(src.at(
            &[Seg::Key("id".into())],
            format!(
                "lesson id '{}' must be 1-64 characters of a-z, 0-9 and '-' (it appears in links)",
                raw.id
            ),
        ));
    }
    let Some(obj) = raw_value.as_object_mut() else {
        return Err(vec![src.at_offset(0, "a lesson is a JSON object")]);
    };
    obj.remove("$schema");
    let text = match (&raw.text, &raw.text_file) {
        (Some(_), Some(_)) => {
            errors.push(src.at(
                &[Seg::Key("text_file".into())],
                "give either 'text' or 'text_file', not both",
            ));
            String::new()
        }
        (Some(t), None) => t.clone(),
        (None, Some(f)) => match read_ref(src, read, f, &[Seg::Key("text_file".into())]) {
            Ok(t) => {
                obj.remove("text_file");
                obj.insert("text".into(), Value::String(t.clone()));
                t
            }
            Err(e) => {
                errors.push(e);
                String::new()
            }
        },
        (None, None) => String::new(),
    };
    let mut start_raw = obj
        .get("start")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let start = workspace(
        src,
        read,
        &raw.start,
        &[Seg::Key("start".into())],
        &mut start_raw,
        &mut errors,
    );
    obj.insert("start".into(), Value::Object(start_raw));
    let mut sol_raw = obj
        .get("solution")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let solution = workspace(
        src,
        read,
        &raw.solution,
        &[Seg::Key("solution".into())],
        &mut sol_raw,
        &mut errors,
    );
    obj.insert("solution".into(), Value::Object(sol_raw));
    if raw.steps.is_empty() {
        errors.push(src.at(
            &[Seg::Key("steps".into())],
            "a lesson needs at least one step",
        ));
    }
    let files = std::cell::RefCell::new(Vec::<(Vec<Seg>, Value)>::new());
    let read_scenario = |name: &str, ptr: &[Seg]| -> Result<Scenario, CheckError> {
        match read_scenario_file(src, read, name, ptr) {
            Ok((_, s, v)) => {
                let owner = ptr
                    .split_last()
                    .map(|(_, p)| p.to_vec())
                    .unwrap_or_default();
                files.borrow_mut().push((owner, v));
                Ok(s)
            }
            Err(e) => Err(CheckError {
                pointer: ptr.to_vec(),
                inner_offset: None,
                message: if e.file == src.file {
                    e.message
                } else {
                    format!("{e}")
                },
            }),
        }
    };
    let env = Env {
        has_lesson_scenario: start.scenario.is_some(),
        read_scenario: &read_scenario,
    };
    let mut steps = Vec::new();
    for (i, s) in raw.steps.iter().enumerate() {
        let ptr = vec![
            Seg::Key("steps".into()),
            Seg::Index(i),
            Seg::Key("check".into()),
        ];
        match check::parse_step_check(&s.check, &ptr, &env) {
            Ok(node) => steps.push(Step {
                title: s.title.clone(),
                text: s.text.clone(),
                hint: s.hint.clone(),
                check: node,
            }),
            Err(es) => errors.extend(es.iter().map(|e| src.check_error(e))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // The checks' scenario files, inlined: pointers are relative to the lesson root.
    let files = files.into_inner();
    if !files.is_empty() {
        inline_check_files(&mut raw_value, &files, &mut Vec::new());
    }
    Ok(Lesson {
        id: raw.id,
        title: raw.title,
        text,
        start: start.workspace,
        solution: solution.workspace,
        steps,
        file: src.file.to_string(),
        start_scenario: start.scenario,
        raw: raw_value,
    })
}

/// Read one lesson file. `file` is its path relative to the course folder (used in errors and
/// to resolve its `*_file` references through `read`).
pub fn load_lesson(file: &str, text: &str, read: Reader<'_>) -> Result<Lesson, Vec<LoadError>> {
    let dir = match file.rfind('/') {
        Some(i) => file.get(..=i).unwrap_or("").to_string(),
        None => String::new(),
    };
    let src = Src {
        file,
        whole: text,
        base: 0,
        text,
        dir,
    };
    lesson_at(&src, read)
}

fn check_duplicates(course: &mut Course, positions: &[(String, usize, usize)]) {
    let mut seen: Vec<String> = Vec::new();
    let mut keep = Vec::new();
    for (lesson, (file, line, column)) in std::mem::take(&mut course.lessons)
        .into_iter()
        .zip(positions)
    {
        if seen.contains(&lesson.id) {
            course.errors.push(LoadError {
                file: file.clone(),
                line: *line,
                column: *column,
                message: format!(
                    "another lesson of this course already has the id '{}'",
                    lesson.id
                ),
            });
        } else {
            seen.push(lesson.id.clone());
            keep.push(lesson);
        }
    }
    course.lessons = keep;
}

fn id_position(file: &str, whole: &str, base: usize, text: &str) -> (String, usize, usize) {
    let off = jsonpos::locate(text, &[Seg::Key("id".into())])
        .map(|(s, _)| s)
        .unwrap_or(0);
    let lc = LineIndex::new(whole).line_col(base + off);
    (file.to_string(), lc.line, lc.column)
}

/// Read a course folder from its `course.json` (`file` is its name, e.g. `course.json`);
/// `read` resolves the lessons' paths relative to the folder. A lesson entry is a lesson file
/// (`01-intro.json`) or a folder holding `lesson.json` (`01-intro`). Lessons that fail to load
/// are left out and their errors listed; the others load.
pub fn load_course(file: &str, text: &str, read: Reader<'_>) -> Course {
    let whole = Src {
        file,
        whole: text,
        base: 0,
        text,
        dir: String::new(),
    };
    let raw: RawCourse = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            return Course {
                errors: vec![whole.serde(&e, "invalid course file")],
                ..Course::default()
            };
        }
    };
    let mut course = Course {
        id: raw.id,
        title: raw.title,
        description: raw.description,
        ..Course::default()
    };
    let mut positions = Vec::new();
    for (i, entry) in raw.lessons.iter().enumerate() {
        let ptr = [Seg::Key("lessons".into()), Seg::Index(i)];
        let entry = entry.trim_end_matches('/');
        let path = if entry.to_ascii_lowercase().ends_with(".json") {
            entry.to_string()
        } else {
            format!("{entry}/lesson.json")
        };
        match read_ref(&whole, read, &path, &ptr) {
            Err(e) => course.errors.push(e),
            Ok(lesson_text) => match load_lesson(&path, &lesson_text, read) {
                Ok(l) => {
                    positions.push(id_position(&path, &lesson_text, 0, &lesson_text));
                    course.lessons.push(l);
                }
                Err(es) => course.errors.extend(es),
            },
        }
    }
    check_duplicates(&mut course, &positions);
    course
}

/// Read a bundle (see [`bundle`]). Its lessons are self-contained; a lesson that fails to
/// load is left out and its errors listed with positions in the bundle file.
pub fn load_bundle(file: &str, text: &str) -> Course {
    let whole = Src {
        file,
        whole: text,
        base: 0,
        text,
        dir: String::new(),
    };
    let raw: RawBundle = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            return Course {
                errors: vec![whole.serde(&e, "invalid course bundle")],
                ..Course::default()
            };
        }
    };
    let mut course = Course {
        id: raw.id,
        title: raw.title,
        description: raw.description,
        ..Course::default()
    };
    if raw.format != BUNDLE_FORMAT || raw.version != 1 {
        course.errors.push(whole.at(
            &[Seg::Key("format".into())],
            format!(
                "this is not a version 1 '{BUNDLE_FORMAT}' bundle (format '{}', version {})",
                raw.format, raw.version
            ),
        ));
        return course;
    }
    let no_files = |p: &str| -> Result<String, String> {
        Err(format!(
            "a bundle is self-contained: '{p}' must be inline (write the bundle with `apim-policy lesson bundle`)"
        ))
    };
    let mut positions = Vec::new();
    for i in 0..raw.lessons.len() {
        let ptr = [Seg::Key("lessons".into()), Seg::Index(i)];
        let Some((s, e)) = jsonpos::locate(text, &ptr) else {
            course
                .errors
                .push(whole.at(&ptr, "cannot find this lesson in the bundle"));
            continue;
        };
        let lesson_text = text.get(s..e).unwrap_or("");
        let name = format!("{file}#/lessons/{i}");
        let src = Src {
            file,
            whole: text,
            base: s,
            text: lesson_text,
            dir: String::new(),
        };
        match lesson_at(&src, &no_files) {
            Ok(mut l) => {
                l.file = name;
                positions.push(id_position(file, text, s, lesson_text));
                course.lessons.push(l);
            }
            Err(es) => course.errors.extend(es),
        }
    }
    check_duplicates(&mut course, &positions);
    course
}

/// The course as one self-contained JSON bundle: every lesson with its files inline.
pub fn bundle(course: &Course) -> String {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        format: &'a str,
        version: u32,
        id: &'a str,
        title: &'a str,
        description: &'a str,
        lessons: &'a [Lesson],
    }
    let out = Out {
        format: BUNDLE_FORMAT,
        version: 1,
        id: &course.id,
        title: &course.title,
        description: &course.description,
        lessons: &course.lessons,
    };
    serde_json::to_string_pretty(&out).unwrap_or_default() + "\n"
}

/// Read whatever `text` is: a bundle (it has `format`), a `course.json` (its `lessons` are
/// paths) or a single lesson (a course of one). For front ends that are handed "a course
/// file" without knowing which kind.
pub fn load_any(file: &str, text: &str, read: Reader<'_>) -> Course {
    let shape: Option<Value> = serde_json::from_str(text).ok();
    let has = |k: &str| shape.as_ref().is_some_and(|v| v.get(k).is_some());
    let lessons_are_paths = shape
        .as_ref()
        .and_then(|v| v.get("lessons"))
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().all(Value::is_string));
    if has("format") {
        return load_bundle(file, text);
    }
    if has("lessons") && lessons_are_paths && !has("steps") {
        return load_course(file, text, read);
    }
    match load_lesson(file, text, read) {
        Ok(l) => Course {
            id: l.id.clone(),
            title: l.title.clone(),
            lessons: vec![l],
            ..Course::default()
        },
        Err(errors) => Course {
            errors,
            ..Course::default()
        },
    }
}
