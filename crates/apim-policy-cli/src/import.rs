//! `apim-policy import`: print the policies (and named values) an ARM template or an APIOps
//! artifacts folder holds, so they can be pasted into the playground.
//!
//! Each policy is printed as its document preceded by one `<!-- … -->` line saying what and
//! where it is (so a single imported policy is itself a valid document); the named values
//! follow in a closing comment, secrets never shown. Problems go to stderr. Exit codes: 0 all
//! policies imported, 1 some could not be (or none was found), 2 usage or I/O problem.

use apim_policy::Severity;
use apim_policy::export::{self, Import, ImportedValue};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An ARM template (JSON), an APIOps artifacts folder, or - for standard input.
    path: PathBuf,
}

/// The files of an APIOps folder that hold policies or named values (relative paths with `/`),
/// sorted. Other artifacts (API specifications can be large) are not read.
fn read_folder(root: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if !name.eq_ignore_ascii_case("policy.xml") && name != "namedValueInformation.json" {
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let key: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let text = crate::input::read_file(&path)?.text;
            out.push((key.join("/"), text));
        }
    }
    out.sort();
    Ok(out)
}

/// Text safe inside an XML comment (which may not contain `--`).
fn comment_safe(text: &str) -> String {
    let mut out = text.replace('\n', " ");
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    out
}

fn print_import(import: &Import) {
    let total = import.policies.len();
    for (i, p) in import.policies.iter().enumerate() {
        let refs = if p.named_value_refs.is_empty() {
            String::new()
        } else {
            format!("; named values: {}", p.named_value_refs.join(", "))
        };
        let format = match p.format {
            export::PolicyFormat::Rawxml => "rawxml",
            export::PolicyFormat::Xml => "xml, shown as rawxml",
        };
        println!(
            "<!-- {}/{total}: {} from {} ({format}){} -->",
            i + 1,
            comment_safe(&p.describe()),
            comment_safe(&p.source),
            comment_safe(&refs)
        );
        println!("{}", p.xml.trim_end_matches('\n'));
        if i + 1 < total || !import.named_values.is_empty() {
            println!();
        }
    }
    if import.named_values.is_empty() {
        return;
    }
    println!("<!-- named values found:");
    for nv in &import.named_values {
        let what = match &nv.value {
            ImportedValue::Plain { value } => format!("plain: {value}"),
            ImportedValue::Secret { parameter: Some(p) } => {
                format!("secret, from parameter {p} (value not shown)")
            }
            ImportedValue::Secret { parameter: None } => "secret (value not shown)".into(),
            ImportedValue::KeyVault {
                secret_identifier,
                identity_client_id,
            } => match identity_client_id {
                Some(id) => format!("Key Vault: {secret_identifier} (identity client id {id})"),
                None => format!("Key Vault: {secret_identifier} (system-assigned identity)"),
            },
            ImportedValue::Expression { expression } => {
                format!("set at deployment: {expression}")
            }
        };
        println!(
            "  {}: {}",
            comment_safe(&nv.display_name),
            comment_safe(&what)
        );
    }
    println!("-->");
}

pub fn run(args: &Args) -> ExitCode {
    let path = &args.path;
    let result = if path.as_os_str() == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("error: <stdin>: {e}");
            return ExitCode::from(2);
        }
        export::import_arm(&text)
    } else if path.is_dir() {
        match read_folder(path) {
            Ok(files) => export::import_apiops(&files),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
    } else {
        match crate::input::read_file(path) {
            Ok(input) => export::import_arm(&input.text),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
    };
    let name = path.display().to_string();
    let import = match result {
        Ok(import) => import,
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{}[{}]: {name}: {}", d.severity, d.code, d.message);
            }
            eprintln!("import failed: nothing imported from {name}");
            return ExitCode::from(1);
        }
    };
    print_import(&import);
    for d in &import.diagnostics {
        eprintln!("{}[{}]: {}", d.severity, d.code, d.message);
        if let Some(help) = &d.help {
            eprintln!("  = help: {help}");
        }
    }
    let errors = import
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    eprintln!(
        "{} polic{} and {} named value(s) imported from {name}; {errors} could not be imported",
        import.policies.len(),
        if import.policies.len() == 1 {
            "y"
        } else {
            "ies"
        },
        import.named_values.len()
    );
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
