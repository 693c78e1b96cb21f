//! `apim-policy lint`: print each file's diagnostics.

use crate::input::read_inputs;
use apim_policy::{LineIndex, Severity, render};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders (every *.xml below) or - for standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    let inputs = match read_inputs(&args.paths) {
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
