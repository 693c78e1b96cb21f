//! `apim-policy`: the playground's core as a command for CI pipelines.
//!
//! This crate only parses arguments, reads files and prints; all policy knowledge is in the
//! `apim-policy` crate. One module per subcommand. Exit codes
//! (shared/spec/cli-and-scenario.md): 0 success, 1 the input has errors, 2 usage or I/O problem.

mod fmt;
mod input;
mod lint;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "apim-policy",
    version,
    about = "Validate, simulate and export Azure API Management policies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report problems in policy documents (files, folders of *.xml, or - for stdin).
    Lint(lint::Args),
    /// Rewrite policy documents in the canonical layout (--check: only list what would change).
    Fmt(fmt::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Fmt(args) => fmt::run(&args),
    }
}
