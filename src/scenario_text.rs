//! The scenario as the app keeps it: JSON text (what the user typed, possibly mid-edit and
//! invalid, never thrown away) plus the last valid [`Scenario`] read from it, which the form,
//! the linter and the exporter use. Pure functions, tested natively.

use apim_policy::catalog;
use apim_policy::lint::LintOptions;
use apim_policy::scenario::{Headers, Scenario, ScenarioError};
use serde_json::Value;

/// The top-level fields the core's scenario model reads and writes (the contract's and the
/// documented extensions, `docs/scenario.md`). Others are kept as they are when the form
/// rewrites the JSON.
const KNOWN_FIELDS: &[&str] = apim_policy::scenario::FIELDS;

/// Read scenario JSON; blank text is the empty scenario.
pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    if text.trim().is_empty() {
        return Ok(Scenario::default());
    }
    Scenario::from_json(text)
}

/// The JSON the form writes for `scenario`: the contract's field order, two-space indents, and
/// any top-level fields of `previous` the contract does not define (a `description`, a newer
/// tool's field) kept at the end, so editing through the form never loses them.
pub fn write(scenario: &Scenario, previous: &str) -> String {
    let mut json = scenario.to_json_pretty();
    let extras: Vec<(String, Value)> = match serde_json::from_str::<Value>(previous) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter(|(k, _)| !KNOWN_FIELDS.contains(&k.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    if !extras.is_empty() {
        let body = json.trim_end().strip_suffix('}').unwrap_or("{").trim_end();
        let mut out = body.to_string();
        let empty = out == "{";
        for (i, (key, value)) in extras.iter().enumerate() {
            if i > 0 || !empty {
                out.push(',');
            }
            let value = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
            let key = serde_json::to_string(key).unwrap_or_else(|_| "\"\"".into());
            out.push_str("\n  ");
            out.push_str(&key);
            out.push_str(": ");
            out.push_str(&value.replace('\n', "\n  "));
        }
        out.push_str("\n}");
        json = out;
    }
    json.push('\n');
    json
}

/// What the linter knows from the scenario and the scope the policy is attached at. A scenario
/// that declares no named values says nothing about which exist, so references are then not
/// checked (likewise fragments); once it declares some, every other `{{name}}` is an error, as
/// `apim-policy lint --scenario` reports it.
pub fn lint_options(scenario: &Scenario, scope: Option<catalog::Scope>) -> LintOptions {
    let mut options = LintOptions::from_scenario(scenario);
    if scenario.named_values.is_empty() {
        options.named_values = None;
    }
    if scenario.fragments.is_empty() {
        options.fragments = None;
    }
    options.scope = scope;
    options
}

/// Headers as the form's text: one `Name: value` line per value.
pub fn headers_text(headers: &Headers) -> String {
    let mut out = String::new();
    for (name, values) in headers.iter() {
        for v in values {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(v);
            out.push('\n');
        }
        if values.is_empty() {
            out.push_str(name);
            out.push_str(":\n");
        }
    }
    out
}

/// The inverse of [`headers_text`]. Lines without a `:` (being typed) and blank lines are
/// skipped; a repeated name adds a value.
pub fn parse_headers(text: &str) -> Headers {
    let mut headers = Headers::default();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        headers.append(name, value.trim().to_string());
    }
    headers
}

/// The lines of `text` that [`parse_headers`] skips (1-based), for a hint under the field.
pub fn skipped_header_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            !l.trim().is_empty() && l.split_once(':').is_none_or(|(n, _)| n.trim().is_empty())
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// A download name: `<example or api>.scenario.json`.
pub fn file_name(scenario: &Scenario, example: Option<&str>) -> String {
    let base = example
        .map(str::to_string)
        .or_else(|| scenario.api.as_ref().map(|a| a.name.clone()))
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "playground".to_string());
    let safe: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{safe}.scenario.json")
}

/// The byte offset of a 1-based line/column (columns count characters, as serde_json's do),
/// as a UTF-16 offset into `text`, for putting the cursor on a JSON error.
pub fn utf16_position(text: &str, line: usize, column: usize) -> usize {
    let mut units = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf16)
                .sum();
            return units + col;
        }
        units += l.encode_utf16().count();
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::EXAMPLES;

    #[test]
    fn every_example_scenario_reads_and_the_form_writes_it_back_unchanged() {
        for e in EXAMPLES {
            let s = parse(e.scenario()).unwrap_or_else(|err| panic!("{}: {err}", e.id));
            let written = write(&s, e.scenario());
            assert_eq!(parse(&written).unwrap(), s, "{}", e.id);
        }
        let seed = crate::examples::find("seed-named-value").unwrap();
        assert_eq!(
            write(&parse(seed.scenario()).unwrap(), seed.scenario()),
            seed.scenario()
        );
    }

    #[test]
    fn blank_is_empty_and_errors_have_a_position() {
        assert_eq!(parse("  \n").unwrap(), Scenario::default());
        let err = parse("{\n  \"now\": 5\n}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 10));
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn unknown_top_level_fields_survive_form_edits() {
        let text = "{\n  \"description\": \"demo\",\n  \"now\": \"2026-01-01T00:00:00Z\",\n  \"x-extra\": {\"a\": [1, 2]}\n}";
        let mut s = parse(text).unwrap();
        s.now = Some("2026-02-02T00:00:00Z".into());
        let out = write(&s, text);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["description"], "demo");
        assert_eq!(v["x-extra"]["a"][1], 2);
        assert_eq!(v["now"], "2026-02-02T00:00:00Z");
        // An empty scenario with extras is still valid JSON.
        let out = write(&Scenario::default(), "{\"description\": \"d\"}");
        assert_eq!(out, "{\n  \"description\": \"d\"\n}\n");
        assert_eq!(write(&Scenario::default(), "not json"), "{}\n");
    }

    #[test]
    fn the_ai_gateway_fields_survive_form_edits_once() {
        let ex = crate::examples::find("priority-pool-failover").unwrap();
        let mut s = parse(ex.scenario()).unwrap();
        let text = format!(
            "{}, \"content_safety\": {{\"categories\": {{\"Hate\": 4}}}}}}",
            ex.scenario().trim_end().trim_end_matches('}').trim_end()
        );
        s.content_safety = parse(&text).unwrap().content_safety;
        s.now = Some("2026-03-03T00:00:00Z".into());
        let out = write(&s, &text);
        assert_eq!(out.matches("\"backends\"").count(), 1, "{out}");
        assert_eq!(out.matches("\"content_safety\"").count(), 1, "{out}");
        let again = parse(&out).unwrap();
        assert_eq!(again.backends, s.backends);
        assert_eq!(again.backends.len(), 3);
        assert_eq!(
            again.content_safety.unwrap().categories.get("Hate"),
            Some(&4)
        );
        assert_eq!(again.now.as_deref(), Some("2026-03-03T00:00:00Z"));
    }

    #[test]
    fn named_values_are_checked_only_when_the_scenario_declares_some() {
        let empty = lint_options(&Scenario::default(), None);
        assert_eq!(empty.named_values, None);
        assert_eq!(empty.fragments, None);
        let seed = parse(
            crate::examples::find("seed-named-value")
                .unwrap()
                .scenario(),
        )
        .unwrap();
        let options = lint_options(&seed, Some(catalog::Scope::Product));
        assert_eq!(options.scope, Some(catalog::Scope::Product));
        let names: Vec<_> = options
            .named_values
            .unwrap()
            .into_iter()
            .map(|n| (n.name, n.secret))
            .collect();
        assert_eq!(names, vec![("backend-api-key".to_string(), true)]);
    }

    #[test]
    fn header_lines_round_trip_and_skip_half_typed_lines() {
        let h = parse_headers(
            "Accept: application/json\nX-Multi: a\nx-multi: b\nAuthoriz\n: nameless\n\nEmpty:",
        );
        assert_eq!(h.get("accept"), Some(&["application/json".to_string()][..]));
        assert_eq!(h.get("X-Multi").map(<[String]>::len), Some(2));
        assert_eq!(h.get("Empty"), Some(&[String::new()][..]));
        assert_eq!(
            headers_text(&h),
            "Accept: application/json\nX-Multi: a\nX-Multi: b\nEmpty: \n"
        );
        assert_eq!(parse_headers(&headers_text(&h)), h);
        assert_eq!(skipped_header_lines("A: 1\nAuthoriz\n\n: x"), vec![2, 4]);
        // A value may hold colons (URLs, times).
        assert_eq!(
            parse_headers("Referer: https://x:1/").get("referer"),
            Some(&["https://x:1/".to_string()][..])
        );
    }

    #[test]
    fn file_names_are_safe() {
        let s = Scenario::default();
        assert_eq!(
            file_name(&s, Some("seed-named-value")),
            "seed-named-value.scenario.json"
        );
        assert_eq!(file_name(&s, None), "playground.scenario.json");
        let api = parse(r#"{"api": {"name": "my api/v2", "path": "x"}}"#).unwrap();
        assert_eq!(file_name(&api, None), "my-api-v2.scenario.json");
    }

    #[test]
    fn json_error_positions_become_utf16_offsets() {
        let text = "{\n  \"é😀\": x\n}";
        // Line 2, column 9 is the `x` (columns count characters, not bytes or units).
        let at = utf16_position(text, 2, 9);
        assert_eq!(text.encode_utf16().nth(at), Some(u16::from(b'x')));
        assert_eq!(utf16_position(text, 99, 1), text.encode_utf16().count());
    }
}
