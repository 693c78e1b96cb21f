//! `apim-policy`: the playground's core as a command for CI pipelines.
//!
//! This crate only parses arguments, reads files and prints; all policy knowledge is in the
//! `apim-policy` crate. Exit codes (../shared/spec/cli-and-scenario.md): 0 success, 1 the input
//! has errors, 2 usage or I/O problem.

use apim_policy::{LineIndex, Severity, render};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "apim-policy",
    version,
    about = "Validate Azure API Management policies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report problems in policy documents (files, folders of *.xml, or - for stdin).
    Lint {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint { paths } => lint(&paths),
    }
}

struct Input {
    name: String,
    text: String,
}

fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("<stdin>: {e}"))?;
            inputs.push(Input {
                name: "<stdin>".into(),
                text,
            });
        } else if path.is_dir() {
            let mut files = Vec::new();
            collect_xml(path, &mut files).map_err(|e| format!("{}: {e}", path.display()))?;
            files.sort();
            for file in files {
                inputs.push(read_file(&file)?);
            }
        } else {
            inputs.push(read_file(path)?);
        }
    }
    Ok(inputs)
}

fn read_file(path: &Path) -> Result<Input, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Invalid UTF-8 is reported by the linter's position, not refused: keep the text lossless
    // where it is valid.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(Input {
        name: path.display().to_string(),
        text,
    })
}

fn collect_xml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_xml(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn lint(paths: &[PathBuf]) -> ExitCode {
    let inputs = match read_inputs(paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut errors = 0;
    let mut warnings = 0;
    for input in &inputs {
        let index = LineIndex::new(&input.text);
        for d in apim_policy::lint(&input.text) {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => {}
            }
            println!("{}", render::render_text(&input.name, &index, &d));
        }
    }
    eprintln!(
        "{} file(s) checked: {errors} error(s), {warnings} warning(s)",
        inputs.len()
    );
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
