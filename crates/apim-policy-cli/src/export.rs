//! `apim-policy export`: write a policy as an ARM template, Bicep or Terraform on stdout.
//!
//! The text goes to stdout exactly as the core writes it (redirect it to the suggested file
//! name); warnings, notes and refusals go to stderr. Exit codes: 0 exported, 1 the export was
//! refused (or the scenario is invalid), 2 usage or I/O problem.

use apim_policy::export::{self, ApiVersion, ExportOptions, Scope, Target};
use apim_policy::scenario::Scenario;
use apim_policy::{Diagnostic, LineIndex, Severity, render};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
enum TargetArg {
    Arm,
    Bicep,
    Terraform,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScopeArg {
    Global,
    Product,
    Api,
    Operation,
    Fragment,
}

#[derive(clap::Args)]
pub struct Args {
    /// What to write.
    #[arg(long, value_enum)]
    target: TargetArg,
    /// The scenario with the named values, identity, Key Vaults and fragments.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Where the policy is attached [default: fragment when the root is <fragment>, else api].
    #[arg(long, value_enum)]
    scope: Option<ScopeArg>,
    /// The API Management service [default: apim-service].
    #[arg(long, value_name = "NAME")]
    service: Option<String>,
    /// The product (product scope) [default: the scenario's product, else starter].
    #[arg(long, value_name = "NAME")]
    product: Option<String>,
    /// The API (api and operation scopes) [default: the scenario's API, else my-api].
    #[arg(long, value_name = "NAME")]
    api: Option<String>,
    /// The operation (operation scope) [default: the scenario's operation, else my-operation].
    #[arg(long, value_name = "NAME")]
    operation: Option<String>,
    /// The fragment's name (fragment scope) [default: the file's name without .xml].
    #[arg(long, value_name = "NAME")]
    fragment: Option<String>,
    /// Only the resources, to paste into an existing template.
    #[arg(long)]
    snippet: bool,
    /// The Microsoft.ApiManagement API version of the resources.
    #[arg(long, value_name = "VERSION", default_value = "2022-08-01", value_parser = ["2022-08-01", "2024-05-01"])]
    api_version: String,
    /// The policy document (a file, or - for standard input).
    policy: PathBuf,
}

fn read_policy(path: &Path) -> Result<(String, String), String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("<stdin>: {e}"))?;
        return Ok(("<stdin>".into(), text));
    }
    if path.is_dir() {
        return Err(format!(
            "{}: is a folder; export takes one policy file",
            path.display()
        ));
    }
    let input = crate::input::read_file(path)?;
    Ok((input.name, input.text))
}

/// `common-headers.xml` or `common-headers.policy.xml` → `common-headers`.
fn fragment_name_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".xml").unwrap_or(name);
    let stem = stem.strip_suffix(".policy").unwrap_or(stem);
    (!stem.is_empty() && path.as_os_str() != "-").then(|| stem.to_string())
}

/// Print a diagnostic on stderr: with the source frame when it points into the document.
pub fn print_diagnostic(name: &str, index: &LineIndex<'_>, d: &Diagnostic) {
    if export::is_located(d) {
        eprint!("{}", render::render_text(name, index, d));
    } else {
        eprintln!("{}[{}]: {}", d.severity, d.code, d.message);
        if let Some(help) = &d.help {
            eprintln!("  = help: {help}");
        }
    }
}

pub fn run(args: &Args) -> ExitCode {
    let (name, source) = match read_policy(&args.policy) {
        Ok(read) => read,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let scenario = match &args.scenario {
        None => None,
        Some(path) => {
            let text = match crate::input::read_file(path) {
                Ok(input) => input.text,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            };
            match Scenario::from_json(&text) {
                Ok(s) => Some(s),
                Err(e) => {
                    eprintln!("error: {}: invalid scenario: {e}", path.display());
                    return ExitCode::from(1);
                }
            }
        }
    };
    let options = ExportOptions {
        target: match args.target {
            TargetArg::Arm => Target::Arm,
            TargetArg::Bicep => Target::Bicep,
            TargetArg::Terraform => Target::Terraform,
        },
        scope: args.scope.map(|s| match s {
            ScopeArg::Global => Scope::Global,
            ScopeArg::Product => Scope::Product,
            ScopeArg::Api => Scope::Api,
            ScopeArg::Operation => Scope::Operation,
            ScopeArg::Fragment => Scope::Fragment,
        }),
        service: args.service.clone(),
        product: args.product.clone(),
        api: args.api.clone(),
        operation: args.operation.clone(),
        fragment: args
            .fragment
            .clone()
            .or_else(|| fragment_name_of(&args.policy)),
        snippet: args.snippet,
        api_version: ApiVersion::parse(&args.api_version).unwrap_or_default(),
    };
    let index = LineIndex::new(&source);
    match export::export(&source, &options, scenario.as_ref()) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(out.text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                eprintln!("error: <stdout>: {e}");
                return ExitCode::from(2);
            }
            for d in &out.diagnostics {
                print_diagnostic(&name, &index, d);
            }
            let warnings = out
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            eprintln!(
                "exported {name} as {} ({}): {warnings} warning(s); suggested file name: {}",
                options.target.as_str(),
                if options.snippet {
                    "snippet"
                } else {
                    "full template"
                },
                out.file_name
            );
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            for d in &diagnostics {
                print_diagnostic(&name, &index, d);
            }
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            eprintln!("export refused: {errors} error(s) in {name}");
            ExitCode::from(1)
        }
    }
}
