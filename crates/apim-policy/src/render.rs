//! Rendering diagnostics for people and machines: a rustc-style terminal frame with the source
//! line and a caret underline, and the JSON shape of the CLI contract.

use crate::diagnostic::Diagnostic;
use crate::text::LineIndex;
use std::fmt::Write;

/// Render one diagnostic as text:
///
/// ```text
/// error[APIM0001]: XML syntax error: …
///   --> policy.xml:4:3
///    |
///  4 |   </outbound>
///    |   ^^^^^^^^^^^
///    = help: …
/// ```
pub fn render_text(path: &str, index: &LineIndex<'_>, d: &Diagnostic) -> String {
    let mut out = String::new();
    let start = index.line_col(d.span.start);
    let end = index.line_col(d.span.end);
    let line_text = index.line_text(start.line);
    let gutter = start.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{}[{}]: {}", d.severity, d.code, d.message);
    let _ = writeln!(out, "{pad}--> {path}:{}:{}", start.line, start.column);
    let _ = writeln!(out, "{pad} |");
    let shown: String = line_text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let _ = writeln!(out, "{} | {}", start.line, shown);
    let line_chars = line_text.chars().count();
    let first = start.column.saturating_sub(1).min(line_chars);
    let last = if end.line == start.line {
        end.column.saturating_sub(1)
    } else {
        line_chars
    };
    let width = last.saturating_sub(first).max(1);
    let _ = writeln!(out, "{pad} | {}{}", " ".repeat(first), "^".repeat(width));
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    if let Some(fix) = &d.fix {
        let _ = writeln!(out, "{pad} = fix: {}", fix.message);
    }
    out
}

/// One file's diagnostics for the JSON and SARIF renderers.
pub struct FileReport<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub diagnostics: &'a [Diagnostic],
}

fn diagnostic_json(index: &LineIndex<'_>, d: &Diagnostic) -> serde_json::Value {
    let start = index.line_col(d.span.start);
    let end = index.line_col(d.span.end);
    let mut v = serde_json::json!({
        "code": d.code,
        "severity": d.severity.as_str(),
        "message": d.message,
        "help": d.help.clone().unwrap_or_default(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
    });
    if let (Some(fix), Some(obj)) = (&d.fix, v.as_object_mut()) {
        obj.insert(
            "fix".into(),
            serde_json::json!({
                "message": fix.message,
                "edits": fix.edits.iter().map(|e| serde_json::json!({"start": e.start, "end": e.end, "text": e.text})).collect::<Vec<_>>(),
            }),
        );
    }
    v
}

/// The `lint --format json` document of the CLI contract.
pub fn render_json(files: &[FileReport<'_>]) -> String {
    let mut counts = [0usize; 3];
    let files_json: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let index = LineIndex::new(f.source);
            for d in f.diagnostics {
                if let Some(c) = counts.get_mut(d.severity as usize) {
                    *c += 1;
                }
            }
            serde_json::json!({
                "path": f.path,
                "diagnostics": f.diagnostics.iter().map(|d| diagnostic_json(&index, d)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let [errors, warnings, infos] = counts;
    let doc = serde_json::json!({
        "files": files_json,
        "summary": {"files": files.len(), "errors": errors, "warnings": warnings, "infos": infos},
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// SARIF 2.1.0, as GitHub code scanning accepts it: one run, the rules that fired with their
/// documentation, one result per diagnostic (columns in Unicode code points), fixes included.
pub fn render_sarif(files: &[FileReport<'_>], tool_version: &str) -> String {
    let mut rule_ids: Vec<&'static str> = files
        .iter()
        .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
        .collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<serde_json::Value> = rule_ids
        .iter()
        .map(
            |code| match (crate::lint::rule(code), crate::lint::doc(code)) {
                (Some(r), Some(d)) => serde_json::json!({
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": d.explanation},
                    "help": {"text": d.explanation, "markdown": d.explanation},
                    "defaultConfiguration": {"level": sarif_level(r.severity)},
                }),
                _ => serde_json::json!({"id": code}),
            },
        )
        .collect();
    let mut results = Vec::new();
    for f in files {
        let index = LineIndex::new(f.source);
        let uri = f.path.replace('\\', "/");
        for d in f.diagnostics {
            let start = index.line_col(d.span.start);
            let end = index.line_col(d.span.end);
            let region = serde_json::json!({
                "startLine": start.line, "startColumn": start.column,
                "endLine": end.line, "endColumn": end.column,
            });
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\n\n");
                message.push_str(help);
            }
            let mut result = serde_json::json!({
                "ruleId": d.code,
                "ruleIndex": rule_ids.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": sarif_level(d.severity),
                "message": {"text": message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
            });
            if let (Some(fix), Some(obj)) = (&d.fix, result.as_object_mut()) {
                let replacements: Vec<serde_json::Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let s = index.line_col(e.start);
                        let t = index.line_col(e.end);
                        serde_json::json!({
                            "deletedRegion": {"startLine": s.line, "startColumn": s.column, "endLine": t.line, "endColumn": t.column},
                            "insertedContent": {"text": e.text},
                        })
                    })
                    .collect();
                obj.insert(
                    "fixes".into(),
                    serde_json::json!([{
                        "description": {"text": fix.message},
                        "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
                    }]),
                );
            }
            results.push(result);
        }
    }
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "apim-policy",
                "version": tool_version,
                "informationUri": "https://learn.microsoft.com/azure/api-management/api-management-policies",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn sarif_level(s: crate::Severity) -> &'static str {
    match s {
        crate::Severity::Error => "error",
        crate::Severity::Warning => "warning",
        crate::Severity::Info => "note",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint;

    #[test]
    fn text_frame_points_at_the_error() {
        let src = "<policies>\n  <inbound>\n  </outbound>\n</policies>\n";
        let idx = LineIndex::new(src);
        let d = lint(src);
        let mismatch = d.iter().find(|d| d.code == "APIM0003").unwrap();
        let text = render_text("p.xml", &idx, mismatch);
        assert!(
            text.starts_with(
                "error[APIM0003]: `</outbound>` does not match the open element <inbound>\n"
            ),
            "{text}"
        );
        assert!(text.contains("--> p.xml:3:5"), "{text}");
        assert!(text.contains("3 |   </outbound>"), "{text}");
        assert!(text.contains("  |     ^^^^^^^^\n"), "{text}");
        assert!(text.contains("= fix: Change to </inbound>"), "{text}");
    }
}
