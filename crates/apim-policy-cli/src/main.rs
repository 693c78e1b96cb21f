//! `apim-policy`: the playground's core as a command for CI pipelines.
//!
//! This crate only parses arguments, reads files and prints; all policy knowledge is in the
//! `apim-policy` crate. One module per subcommand. Exit codes
//! (shared/spec/cli-and-scenario.md): 0 success, 1 the input has errors, 2 usage or I/O problem.

mod export;
mod fmt;
mod import;
mod input;
mod lesson;
mod lint;
mod simulate;

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
    /// Run the scenario's request(s) through a policy and print the trace, backend request and response.
    Simulate(simulate::Args),
    /// Write a policy as an ARM template, Bicep or Terraform (with its named values and Key Vault access).
    Export(export::Args),
    /// Print the policies an ARM template or APIOps artifacts folder holds.
    Import(import::Args),
    /// Rewrite policy documents in the canonical layout (--check: only list what would change).
    Fmt(fmt::Args),
    /// Workshop lessons: check a student's work, validate lesson files, bundle a course.
    Lesson(lesson::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Lesson(args) => lesson::run(&args),
    }
}
