//! `apim-policy simulate --scenario FILE [--format json|text] [--reveal-secrets] POLICY`:
//! run the scenario's request(s) through the policy and print the result.
//!
//! Exit codes (shared/spec/cli-and-scenario.md): 0 whenever the simulation ran, whatever its
//! outcome; 1 when it could not run (the policy has errors APIM would reject, or the scenario
//! is invalid), with the reason on stderr; 2 usage or I/O problem. Secrets are masked on
//! stdout *and* stderr unless `--reveal-secrets`.

use apim_policy::scenario::Scenario;
use apim_policy::sim::{self, Masker, RequestResult, SimOptions, SimOutput};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Default, clap::ValueEnum)]
enum Format {
    #[default]
    Json,
    Text,
}

#[derive(clap::Args)]
pub struct Args {
    /// The scenario: request(s), named values, Key Vaults, mocks (JSON).
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Print secret values instead of ***.
    #[arg(long)]
    reveal_secrets: bool,
    /// The policy document (the innermost scope: operation or API), or - for standard input.
    policy: PathBuf,
}

fn read(path: &std::path::Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("<stdin>: {e}"))?;
        return Ok(text);
    }
    if path.is_dir() {
        return Err(format!(
            "{}: is a folder; simulate takes one policy file",
            path.display()
        ));
    }
    crate::input::read_file(path).map(|i| i.text)
}

pub fn run(args: &Args) -> ExitCode {
    let policy = match read(&args.policy) {
        Ok(t) => t,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    let scenario_text = match read(&args.scenario) {
        Ok(t) => t,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::from_json(&scenario_text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}: invalid scenario: {e}", args.scenario.display());
            return ExitCode::from(1);
        }
    };
    let masker = if args.reveal_secrets {
        Masker::default()
    } else {
        sim::masker_for(&scenario)
    };
    let options = SimOptions {
        reveal_secrets: args.reveal_secrets,
    };
    match sim::simulate(&policy, &scenario, &options) {
        Ok(out) => {
            let text = match args.format {
                Format::Json => out.to_json_pretty() + "\n",
                Format::Text => render_text(&out),
            };
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                eprintln!("error: <stdout>: {e}");
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", masker.mask(&e.to_string()));
            ExitCode::from(1)
        }
    }
}

/// The readable form: per request, the trace table, the outcome, the backend request and the
/// response.
fn render_text(out: &SimOutput) -> String {
    let results = out.results();
    let mut s = String::new();
    for (i, r) in results.iter().enumerate() {
        if results.len() > 1 {
            let _ = writeln!(s, "=== request {} of {} ===", i + 1, results.len());
        }
        render_one(&mut s, r);
        if i + 1 < results.len() {
            s.push('\n');
        }
    }
    s
}

fn render_one(s: &mut String, r: &RequestResult) {
    let rows: Vec<[String; 4]> = r
        .trace
        .iter()
        .map(|t| {
            let line = match t.line {
                Some(l) => match &t.doc {
                    sim::DocRef::Policy => l.to_string(),
                    other => format!("{l} ({})", other.label()),
                },
                None => "-".into(),
            };
            [
                t.section.to_string(),
                t.policy.to_string(),
                line,
                t.message.clone(),
            ]
        })
        .collect();
    let headers = ["SECTION", "POLICY", "LINE", "MESSAGE"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()).take(3) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: [&str; 4]| {
        let mut l = String::new();
        for (k, cell) in cells.iter().enumerate() {
            if k < 3 {
                let w = widths.get(k).copied().unwrap_or(0);
                let _ = write!(l, "{cell:<w$}  ");
            } else {
                l.push_str(cell);
            }
        }
        let _ = writeln!(s, "{}", l.trim_end());
    };
    line(headers);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3]]);
    }
    let _ = writeln!(s, "\noutcome: {}", r.outcome.as_str());
    if let Some(e) = &r.error {
        let _ = writeln!(
            s,
            "error: {} / {}: {} (scope {}, section {}{}{})",
            e.source,
            if e.reason.is_empty() { "-" } else { &e.reason },
            e.message,
            e.scope,
            e.section,
            if e.path.is_empty() {
                String::new()
            } else {
                format!(", path {}", e.path)
            },
            if e.policy_id.is_empty() {
                String::new()
            } else {
                format!(", policy id {}", e.policy_id)
            },
        );
    }
    match &r.backend_request {
        Some(b) => {
            let _ = writeln!(s, "\nbackend request:\n  {} {}", b.method, b.url);
            for (k, vs) in b.headers.iter() {
                for v in vs {
                    let _ = writeln!(s, "  {k}: {v}");
                }
            }
            if !b.body.is_empty() {
                let _ = writeln!(s, "\n  {}", b.body.replace('\n', "\n  "));
            }
        }
        None => {
            let _ = writeln!(s, "\nbackend request: none (the backend was not called)");
        }
    }
    let _ = writeln!(
        s,
        "\nresponse:\n  {} {}",
        r.response.status, r.response.reason
    );
    for (k, vs) in r.response.headers.iter() {
        for v in vs {
            let _ = writeln!(s, "  {k}: {v}");
        }
    }
    if !r.response.body.is_empty() {
        let _ = writeln!(s, "\n  {}", r.response.body.replace('\n', "\n  "));
    }
    if !r.variables.is_empty() {
        let _ = writeln!(s, "\nvariables:");
        for (k, v) in &r.variables {
            let _ = writeln!(s, "  {k} = {v}");
        }
    }
}
