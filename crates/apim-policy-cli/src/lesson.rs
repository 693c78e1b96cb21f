//! `apim-policy lesson check|validate|bundle`: workshop lessons from the terminal.
//!
//! - `check LESSON --policy P.xml [--scenario S.json] [--lesson ID] [--format text|json]`: each
//!   step's result; exit 1 when a step failed or could not run.
//! - `validate PATH` (a lesson file, a course folder or a bundle): every lesson loads, its
//!   solution passes every step and its start fails the first; exit 1 otherwise.
//! - `bundle COURSE_DIR [-o FILE]`: the course as one self-contained JSON file.
//!
//! Exit 2: usage or I/O problems (a file that cannot be read, a lesson file that does not load
//! for `check`). All the logic is in `apim_policy::lesson`; this module reads files and prints.

use apim_policy::lesson::{self, Course, LessonReport, Status};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, Default, clap::ValueEnum)]
enum Format {
    #[default]
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Check a student's policy (and scenario) against every step of a lesson.
    Check(CheckArgs),
    /// Check lesson files themselves: they load, the solution passes, the start fails step 1.
    Validate(ValidateArgs),
    /// Write a course folder as one self-contained JSON bundle (for a static host).
    Bundle(BundleArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The lesson file (or a course folder or bundle, with --lesson).
    lesson: PathBuf,
    /// Which lesson of a course folder or bundle (its id).
    #[arg(long)]
    lesson_id: Option<String>,
    /// The student's policy.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The student's scenario (default: the lesson's starting scenario).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// A lesson file, a course folder (with course.json) or a bundle.
    path: PathBuf,
}

#[derive(clap::Args)]
struct BundleArgs {
    /// The course folder (with course.json).
    course: PathBuf,
    /// Where to write the bundle (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    match &args.command {
        Command::Check(a) => check(a),
        Command::Validate(a) => validate(a),
        Command::Bundle(a) => bundle(a),
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    crate::input::read_file(path).map(|i| i.text)
}

/// A reader for the core: paths relative to `dir`.
fn reader(dir: &Path) -> impl Fn(&str) -> Result<String, String> + '_ {
    move |rel: &str| {
        std::fs::read(dir.join(rel))
            .map(|b| apim_policy::text::decode(&b).text)
            .map_err(|e| e.to_string())
    }
}

fn prefixed(mut course: Course, dir: &Path) -> Course {
    if dir.as_os_str().is_empty() {
        return course;
    }
    for e in &mut course.errors {
        e.file = dir.join(&e.file).display().to_string();
    }
    for l in &mut course.lessons {
        l.file = dir.join(&l.file).display().to_string();
    }
    course
}

/// Load a lesson file, a course folder, a course.json or a bundle as a course.
fn load(path: &Path) -> Result<Course, String> {
    if path.is_dir() {
        let file = path.join("course.json");
        let text = read_text(&file)?;
        return Ok(prefixed(
            lesson::load_course("course.json", &text, &reader(path)),
            path,
        ));
    }
    let text = read_text(path)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let course = lesson::load_any(&name, &text, &reader(dir));
    Ok(prefixed(course, dir))
}

fn print_stdout(text: &str) -> Result<(), ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            eprintln!("error: <stdout>: {e}");
            ExitCode::from(2)
        })
}

fn check(a: &CheckArgs) -> ExitCode {
    let course = match load(&a.lesson) {
        Ok(c) => c,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    let chosen = match &a.lesson_id {
        Some(id) => course.lessons.iter().find(|l| l.id == *id),
        None if course.lessons.len() == 1 && course.errors.is_empty() => course.lessons.first(),
        None => None,
    };
    let Some(lesson) = chosen else {
        for e in &course.errors {
            eprintln!("error: {e}");
        }
        match &a.lesson_id {
            Some(id) => eprintln!("error: {}: no lesson '{id}' loaded", a.lesson.display()),
            None if course.lessons.len() > 1 => eprintln!(
                "error: {} holds {} lessons; choose one with --lesson-id ({})",
                a.lesson.display(),
                course.lessons.len(),
                course
                    .lessons
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => eprintln!("error: {}: the lesson does not load", a.lesson.display()),
        }
        return ExitCode::from(2);
    };
    let policy = match read_text(&a.policy) {
        Ok(t) => t,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    let scenario = match &a.scenario {
        None => None,
        Some(p) => match read_text(p) {
            Ok(t) => Some(t),
            Err(m) => {
                eprintln!("error: {m}");
                return ExitCode::from(2);
            }
        },
    };
    let report = lesson::check(lesson, &policy, scenario.as_deref());
    let text = match a.format {
        Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        Format::Text => render(&report, &lesson.title),
    };
    if let Err(code) = print_stdout(&text) {
        return code;
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn render(report: &LessonReport, title: &str) -> String {
    let passed = report
        .steps
        .iter()
        .filter(|s| s.status == Status::Passed)
        .count();
    let mut s = format!(
        "{} ({}): {passed} of {} steps passed\n",
        title,
        report.lesson,
        report.steps.len()
    );
    for step in &report.steps {
        let mark = match step.status {
            Status::Passed => "passed",
            Status::Failed => "FAILED",
            Status::CouldNotRun => "COULD NOT RUN",
        };
        s.push_str(&format!("  {}. {}: {mark}\n", step.step, step.title));
        for p in &step.problems {
            s.push_str(&format!("       - {p}\n"));
        }
    }
    s
}

fn validate(a: &ValidateArgs) -> ExitCode {
    let course = match load(&a.path) {
        Ok(c) => c,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    let mut failed = !course.errors.is_empty();
    for e in &course.errors {
        eprintln!("error: {e}");
    }
    let mut lines = String::new();
    for l in &course.lessons {
        let problems = lesson::validate(l);
        if problems.is_empty() {
            lines.push_str(&format!("ok   {} ({} steps)\n", l.id, l.steps.len()));
        } else {
            failed = true;
            lines.push_str(&format!("FAIL {}\n", l.id));
            for p in problems {
                eprintln!("error: {p}");
            }
        }
    }
    lines.push_str(&format!(
        "{} lesson{} loaded, {} error{}\n",
        course.lessons.len(),
        if course.lessons.len() == 1 { "" } else { "s" },
        course.errors.len(),
        if course.errors.len() == 1 { "" } else { "s" },
    ));
    if let Err(code) = print_stdout(&lines) {
        return code;
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn bundle(a: &BundleArgs) -> ExitCode {
    if !a.course.is_dir() {
        eprintln!(
            "error: {}: not a folder; bundle takes a course folder with course.json",
            a.course.display()
        );
        return ExitCode::from(2);
    }
    let course = match load(&a.course) {
        Ok(c) => c,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    if !course.errors.is_empty() {
        for e in &course.errors {
            eprintln!("error: {e}");
        }
        eprintln!("error: the bundle was not written: fix the errors above first");
        return ExitCode::from(1);
    }
    let text = lesson::bundle(&course);
    match &a.output {
        None => match print_stdout(&text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Some(out) => match std::fs::write(out, text) {
            Ok(()) => {
                eprintln!("wrote {} ({} lessons)", out.display(), course.lessons.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}: {e}", out.display());
                ExitCode::from(2)
            }
        },
    }
}
