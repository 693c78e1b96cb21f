//! `apim-policy lint`: report each file's problems as text, JSON or SARIF; `--fix` applies the
//! safe fixes in place first.

use crate::input::{Input, read_inputs, scope_from_file};
use apim_policy::catalog::Scope;
use apim_policy::lint::{self, LintOptions};
use apim_policy::render::{self, FileReport};
use apim_policy::scenario::Scenario;
use apim_policy::{Diagnostic, LineIndex, Severity};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    Global,
    Workspace,
    Product,
    Api,
    Operation,
    Fragment,
}

impl From<ScopeArg> for Scope {
    fn from(s: ScopeArg) -> Scope {
        match s {
            ScopeArg::Global => Scope::Global,
            ScopeArg::Workspace => Scope::Workspace,
            ScopeArg::Product => Scope::Product,
            ScopeArg::Api => Scope::Api,
            ScopeArg::Operation => Scope::Operation,
            ScopeArg::Fragment => Scope::Fragment,
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// A scenario file: the named values and fragments that exist (references to others are errors).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Where the documents are attached. Without it, each file's scope is read from its place
    /// in an APIOps folder (policy.xml at the root: global, products/<p>/policy.xml: product,
    /// apis/<a>/policy.xml: api, apis/<a>/operations/<o>/policy.xml: operation, policy
    /// fragments/<f>/policy.xml: fragment, workspaces/<w>/policy.xml: workspace); a <fragment>
    /// root is a fragment; any other file is checked as an api policy, and the problems that
    /// depend on the scope are then warnings that say the scope was assumed.
    #[arg(long, value_enum, verbatim_doc_comment)]
    scope: Option<ScopeArg>,
    /// Apply the safe fixes to the files, then report what is left.
    #[arg(long)]
    fix: bool,
    /// Files, folders (every *.xml below) or - for standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    let mut inputs = match read_inputs(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let options = match &args.scenario {
        Some(path) => match read_scenario(path) {
            Ok(s) => LintOptions::from_scenario(&s),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        },
        None => LintOptions::default(),
    };
    // An explicit --scope wins; otherwise each file's path may tell.
    let given = args.scope.map(Scope::from);
    let options_for = |input: &Input| LintOptions {
        scope: given.or_else(|| input.path.as_deref().and_then(scope_from_file)),
        ..options.clone()
    };

    if args.fix {
        for input in &mut inputs {
            let options = options_for(input);
            match fix_file(input, &options) {
                Ok(0) => {}
                Ok(n) => eprintln!("{}: applied {n} fix(es)", input.name),
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            }
        }
    }

    let results: Vec<Vec<Diagnostic>> = inputs
        .iter()
        .map(|i| {
            let mut d = lint::lint_with(&i.text, &options_for(i));
            if let Some(at) = i.invalid_utf8_at {
                d.insert(0, lint::invalid_utf8(at));
            }
            d
        })
        .collect();
    let reports: Vec<FileReport<'_>> = inputs
        .iter()
        .zip(&results)
        .map(|(i, d)| FileReport {
            path: &i.name,
            source: &i.text,
            diagnostics: d,
        })
        .collect();
    let all = || results.iter().flatten();
    let errors = all().filter(|d| d.severity == Severity::Error).count();
    let warnings = all().filter(|d| d.severity == Severity::Warning).count();
    match args.format {
        Format::Text => {
            for r in &reports {
                let index = LineIndex::new(r.source);
                for d in r.diagnostics {
                    println!("{}", render::render_text(r.path, &index, d));
                }
            }
            eprintln!(
                "{} file(s) checked: {errors} error(s), {warnings} warning(s)",
                inputs.len()
            );
        }
        Format::Json => println!("{}", render::render_json(&reports)),
        Format::Sarif => println!(
            "{}",
            render::render_sarif(&reports, env!("CARGO_PKG_VERSION"))
        ),
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn read_scenario(path: &std::path::Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Scenario::from_json(&text).map_err(|e| {
        format!(
            "{}:{}:{}: invalid scenario: {}",
            path.display(),
            e.line,
            e.column,
            e.message
        )
    })
}

/// Apply the safe fixes (repeatedly: one fix can make room for another) and write the file.
fn fix_file(input: &mut Input, options: &LintOptions) -> Result<usize, String> {
    if input.invalid_utf8_at.is_some() {
        // Writing the text back would replace the invalid bytes: leave the file alone.
        eprintln!("{}: not valid UTF-8, not fixed", input.name);
        return Ok(0);
    }
    let mut total = 0;
    for _ in 0..10 {
        let safe: Vec<Diagnostic> = lint::lint_with(&input.text, options)
            .into_iter()
            .filter(|d| d.fix.is_some() && lint::rule(d.code).is_some_and(|r| r.fix_safe))
            .collect();
        let (text, applied) = apim_policy::fix::apply_all(&input.text, &safe);
        if applied == 0 {
            break;
        }
        input.text = text;
        total += applied;
    }
    if total > 0 {
        match &input.path {
            Some(path) => {
                std::fs::write(path, &input.text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => print!("{}", input.text),
        }
    }
    Ok(total)
}
