//! `apim-policy fmt [--check] PATH...`: rewrite policy files in the canonical layout.
//!
//! Files are rewritten in place only when formatting changes them; `-` formats standard input
//! to standard output. With `--check` nothing is written: the files that would change are
//! listed on stdout. Exit codes: 0 all formatted (or, with `--check`, nothing would change);
//! 1 a file would change (`--check`) or cannot be formatted (syntax errors, not UTF-8); 2 an
//! I/O problem (a path that cannot be read or written).
//!
//! Files are read as bytes and must be UTF-8: a lossy decode would corrupt them on write.

use apim_policy::LineIndex;
use apim_policy::format::{FormatError, format};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Do not write; list the files whose formatting would change and exit 1 if any.
    #[arg(long)]
    check: bool,
    /// Files, folders (every *.xml below) or - for standard input (formatted to stdout).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Default)]
struct Outcome {
    io_errors: usize,
    refused: usize,
    changed: usize,
    unchanged: usize,
}

pub fn run(args: &Args) -> ExitCode {
    let mut outcome = Outcome::default();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            stdin(args.check, &mut outcome);
        } else if path.is_dir() {
            let mut files = Vec::new();
            if let Err(e) = crate::input::collect_xml(path, &mut files) {
                eprintln!("error: {}: {e}", path.display());
                outcome.io_errors += 1;
                continue;
            }
            files.sort();
            for file in files {
                one_file(&file, args.check, &mut outcome);
            }
        } else {
            one_file(path, args.check, &mut outcome);
        }
    }
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    eprintln!(
        "{} file(s) {verb}, {} already formatted, {} not formatted{}",
        outcome.changed,
        outcome.unchanged,
        outcome.refused,
        if outcome.io_errors > 0 {
            format!(", {} I/O error(s)", outcome.io_errors)
        } else {
            String::new()
        }
    );
    if outcome.io_errors > 0 {
        ExitCode::from(2)
    } else if outcome.refused > 0 || (args.check && outcome.changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn one_file(path: &Path, check: bool, outcome: &mut Outcome) {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: {name}: {e}");
            outcome.io_errors += 1;
            return;
        }
    };
    let Some(text) = utf8(&name, bytes, outcome) else {
        return;
    };
    let formatted = match format(&text) {
        Ok(formatted) => formatted,
        Err(e) => {
            refuse(&name, &text, &e, outcome);
            return;
        }
    };
    if formatted == text {
        outcome.unchanged += 1;
        return;
    }
    outcome.changed += 1;
    if check {
        println!("{name}");
    } else if let Err(e) = std::fs::write(path, formatted) {
        eprintln!("error: {name}: {e}");
        outcome.io_errors += 1;
    }
}

fn stdin(check: bool, outcome: &mut Outcome) {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("error: <stdin>: {e}");
        outcome.io_errors += 1;
        return;
    }
    let Some(text) = utf8("<stdin>", bytes, outcome) else {
        return;
    };
    match format(&text) {
        Ok(formatted) => {
            if formatted == text {
                outcome.unchanged += 1;
            } else {
                outcome.changed += 1;
                if check {
                    println!("<stdin>");
                }
            }
            if !check {
                let mut out = std::io::stdout().lock();
                if let Err(e) = out
                    .write_all(formatted.as_bytes())
                    .and_then(|()| out.flush())
                {
                    eprintln!("error: <stdout>: {e}");
                    outcome.io_errors += 1;
                }
            }
        }
        Err(e) => refuse("<stdin>", &text, &e, outcome),
    }
}

fn utf8(name: &str, bytes: Vec<u8>, outcome: &mut Outcome) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            eprintln!("{name}: not formatted: not valid UTF-8 (byte {at})");
            outcome.refused += 1;
            None
        }
    }
}

fn refuse(name: &str, text: &str, e: &FormatError, outcome: &mut Outcome) {
    outcome.refused += 1;
    match e.span {
        Some(span) => {
            let at = LineIndex::new(text).line_col(span.start);
            eprintln!("{name}:{}:{}: {}", at.line, at.column, e.message);
        }
        None => eprintln!("{name}: {}", e.message),
    }
}
