//! The examples gallery: every example is a folder `examples/<id>/` with `policy.xml`,
//! `scenario.json` (the CLI's scenario format) and `README.md` (a `# Title` line and a few
//! sentences). The READMEs are embedded here with `include_str!` (the gallery lists titles and
//! summaries); the policies and scenarios are embedded only for the default example in the web
//! app (the first visit and Reset show it at once): the others are [`FILE`] next to
//! `index.html` (`static/examples.json`, generated from the folders and kept current by this
//! module's tests), fetched the first time another example is chosen, which keeps about 8 KB
//! gzipped out of the first load. Native builds (the tests) embed every text. The tests below
//! check that each example still lints clean and that its scenario has a request, so no
//! example can silently rot.

/// The other examples' texts, relative to the page (trunk copies `static/examples.json` there).
pub const FILE: &str = "examples.json";

/// One gallery entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// The folder name; also the `data-example` attribute and the share-link reference.
    pub id: &'static str,
    /// The policy and scenario, when they are compiled in (see the module's note).
    texts: Option<(&'static str, &'static str)>,
    pub readme: &'static str,
    /// Set when the example exists to show an error: why the policy is wrong. Such a policy
    /// may lint with errors; every other example must lint without any.
    pub about_an_error: Option<&'static str>,
}

// The default example's texts are always compiled in; the others only natively.
macro_rules! texts {
    ($id:literal) => {
        Some((
            include_str!(concat!("../examples/", $id, "/policy.xml")),
            include_str!(concat!("../examples/", $id, "/scenario.json")),
        ))
    };
}
#[cfg(target_arch = "wasm32")]
macro_rules! texts_of {
    // DEFAULT_EXAMPLE (the browser tests' Reset checks that the web app has its texts).
    ("seed-named-value") => {
        texts!("seed-named-value")
    };
    ($id:literal) => {
        None
    };
}
#[cfg(not(target_arch = "wasm32"))]
macro_rules! texts_of {
    ($id:literal) => {
        texts!($id)
    };
}

// `tt`, not `literal`: `texts_of!` must see the literal itself to match the default's id.
macro_rules! example {
    ($id:tt) => {
        example!($id, None)
    };
    ($id:tt, $about:expr) => {
        Example {
            id: $id,
            texts: texts_of!($id),
            readme: include_str!(concat!("../examples/", $id, "/README.md")),
            about_an_error: $about,
        }
    };
}

/// In gallery order: the seed's walkthrough first, then one example per common task.
pub const EXAMPLES: &[Example] = &[
    example!(
        "seed-blog",
        Some("<key-vault-configuration> is not an APIM policy (the blog post's step 4)")
    ),
    example!("seed-named-value"),
    example!("seed-permission-revoked"),
    example!("keyvault-send-request"),
    example!("jwt-hs256"),
    example!("rate-limit-by-key"),
    example!("cors-preflight"),
    example!("mock-response"),
    example!("backend-routing"),
    example!("azure-openai-keyvault"),
    example!("priority-pool-failover"),
    example!("on-error"),
    example!("fragment"),
];

/// What a first visit (and Reset) shows: the seed walkthrough's fix.
pub const DEFAULT_EXAMPLE: &str = "seed-named-value";

pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

pub fn default_example() -> &'static Example {
    find(DEFAULT_EXAMPLE)
        .or(EXAMPLES.first())
        .unwrap_or(&FALLBACK)
}

/// The default example's policy and scenario (always compiled in).
pub fn default_texts() -> (&'static str, &'static str) {
    default_example()
        .texts()
        .or(FALLBACK.texts)
        .unwrap_or_default()
}

/// Only reachable if the list above were emptied; keeps `default_example` total.
const FALLBACK: Example = Example {
    id: "empty",
    texts: Some((
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>\n",
        "{}",
    )),
    readme: "# Empty policy\n",
    about_an_error: None,
};

impl Example {
    /// The policy and scenario, when compiled in; else they are in [`FILE`] ([`read_texts`]).
    pub fn texts(&self) -> Option<(&'static str, &'static str)> {
        self.texts
    }

    /// The policy (natively every example has its texts; the tests read them).
    #[cfg(test)]
    pub fn policy(&self) -> &'static str {
        self.texts.map(|t| t.0).unwrap_or_default()
    }

    #[cfg(test)]
    pub fn scenario(&self) -> &'static str {
        self.texts.map(|t| t.1).unwrap_or_default()
    }

    /// The README's `# ` heading, without inline-code backticks.
    pub fn title(&self) -> String {
        self.readme
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap_or(self.id)
            .replace('`', "")
    }

    /// The README's paragraphs after the title, each joined onto one line.
    pub fn paragraphs(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = String::new();
        for line in self.readme.lines() {
            let line = line.trim();
            if line.starts_with("# ") {
                continue;
            }
            if line.is_empty() {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }

    /// The first sentence of the first paragraph: the gallery's one-line summary.
    pub fn summary(&self) -> String {
        let first = self.paragraphs().into_iter().next().unwrap_or_default();
        match first.find(". ") {
            Some(i) => first.get(..=i).unwrap_or(&first).to_string(),
            None => first,
        }
    }
}

/// A piece of README text: the READMEs use only `inline code` and *emphasis*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run<'a> {
    Text(&'a str),
    Code(&'a str),
    Emphasis(&'a str),
}

/// Split a paragraph into runs, for rendering without parsing HTML. An unpaired `*` stays text.
pub fn inline_runs(paragraph: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    for (i, piece) in paragraph.split('`').enumerate() {
        if i % 2 == 1 {
            out.push(Run::Code(piece));
            continue;
        }
        let parts: Vec<&str> = piece.split('*').collect();
        // An even number of parts means the last '*' has no partner.
        let paired = if parts.len().is_multiple_of(2) {
            parts.len() - 1
        } else {
            parts.len()
        };
        for (j, part) in parts.into_iter().enumerate() {
            if j == paired {
                out.push(Run::Text("*"));
                out.push(Run::Text(part));
            } else if j % 2 == 1 {
                out.push(Run::Emphasis(part));
            } else {
                out.push(Run::Text(part));
            }
        }
    }
    out.retain(|r| !matches!(r, Run::Text("") | Run::Code("") | Run::Emphasis("")));
    out
}

/// The policy and scenario of example `id` in [`FILE`]'s text: `{"<id>": {"policy": …,
/// "scenario": …}, …}`.
pub fn read_texts(file: &str, id: &str) -> Result<(String, String), String> {
    let v: serde_json::Value =
        serde_json::from_str(file).map_err(|e| format!("{FILE} is not readable: {e}"))?;
    let e = v
        .get(id)
        .ok_or_else(|| format!("{FILE} has no example “{id}”"))?;
    let text = |k: &str| {
        e.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("{FILE}'s example “{id}” has no {k}"))
    };
    Ok((text("policy")?, text("scenario")?))
}

/// The requests a scenario sends, as `(method, url)` pairs, for the example's description.
/// Empty when the scenario is not valid JSON or has none.
pub fn requests_of(scenario: &str) -> Vec<(String, String)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(scenario) else {
        return Vec::new();
    };
    let several = v.get("requests").and_then(|r| r.as_array());
    v.get("request")
        .into_iter()
        .chain(several.into_iter().flatten())
        .map(|r| {
            let field = |k: &str| r.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            (field("method"), field("url"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use apim_policy::Severity;
    use std::collections::HashSet;

    /// What `static/examples.json` must hold: every example's texts (the default one's too,
    /// so the file is the whole gallery), in gallery order.
    fn examples_json() -> String {
        let mut map = serde_json::Map::new();
        for e in EXAMPLES {
            let mut entry = serde_json::Map::new();
            entry.insert("policy".into(), e.policy().into());
            entry.insert("scenario".into(), e.scenario().into());
            map.insert(e.id.into(), entry.into());
        }
        let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap();
        text.push('\n');
        text
    }

    /// `static/examples.json` is current (`UPDATE_DOCS=1 cargo test -p apim-playground
    /// examples_json` rewrites it), and the app's reader finds every example's texts in it.
    #[test]
    fn examples_json_is_current_and_readable() {
        let want = examples_json();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/static/examples.json");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "static/examples.json is stale: run `UPDATE_DOCS=1 cargo test -p apim-playground examples_json`"
        );
        for e in EXAMPLES {
            let (policy, scenario) = read_texts(&have, e.id).unwrap();
            assert_eq!(
                (policy.as_str(), scenario.as_str()),
                e.texts().unwrap(),
                "{}",
                e.id
            );
        }
        assert!(
            read_texts(&have, "nope")
                .unwrap_err()
                .contains("no example “nope”")
        );
        assert!(
            read_texts("{", "jwt-hs256")
                .unwrap_err()
                .contains("not readable")
        );
        assert!(
            read_texts(r#"{"x":{"policy":"p"}}"#, "x")
                .unwrap_err()
                .contains("no scenario")
        );
        assert_eq!(default_texts(), default_example().texts().unwrap());
    }

    #[test]
    fn every_folder_is_listed_and_ids_are_unique() {
        let listed: HashSet<&str> = EXAMPLES.iter().map(|e| e.id).collect();
        assert_eq!(listed.len(), EXAMPLES.len(), "duplicate example ids");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                let name = entry.file_name().into_string().unwrap();
                assert!(
                    listed.contains(name.as_str()),
                    "examples/{name} is not listed in src/examples.rs"
                );
            }
        }
        assert!(find(DEFAULT_EXAMPLE).is_some());
    }

    #[test]
    fn every_example_lints_clean_unless_it_is_about_an_error() {
        for e in EXAMPLES {
            let errors: Vec<_> = apim_policy::lint(e.policy())
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            if e.about_an_error.is_none() {
                assert!(
                    errors.is_empty(),
                    "example {} has errors: {errors:#?}",
                    e.id
                );
            }
        }
    }

    #[test]
    fn every_scenario_is_json_with_a_request() {
        for e in EXAMPLES {
            let v: serde_json::Value = serde_json::from_str(e.scenario())
                .unwrap_or_else(|err| panic!("examples/{}/scenario.json: {err}", e.id));
            let single = v.get("request").is_some_and(|r| r.is_object());
            let several = v
                .get("requests")
                .and_then(|r| r.as_array())
                .is_some_and(|r| !r.is_empty() && r.iter().all(|r| r.is_object()));
            assert!(
                single || several,
                "examples/{}/scenario.json has no request",
                e.id
            );
            for r in v
                .get("request")
                .into_iter()
                .chain(v["requests"].as_array().into_iter().flatten())
            {
                assert!(
                    r["method"].is_string() && r["url"].is_string(),
                    "{}: {r}",
                    e.id
                );
            }
        }
    }

    #[test]
    fn every_readme_has_a_title_and_an_explanation() {
        for e in EXAMPLES {
            assert!(
                e.readme.starts_with("# "),
                "examples/{}/README.md must start with '# Title'",
                e.id
            );
            let paragraphs = e.paragraphs();
            assert!(!paragraphs.is_empty(), "{}", e.id);
            assert!(!e.summary().is_empty(), "{}", e.id);
            assert!(e.summary().len() <= paragraphs[0].len());
        }
        let blog = find("seed-blog").unwrap();
        assert_eq!(blog.title(), "The blog's policy: <key-vault-configuration>");
    }

    #[test]
    fn the_seed_walkthrough_is_what_the_issue_describes() {
        let blog = find("seed-blog").unwrap();
        assert!(
            blog.policy()
                .contains("<key-vault-configuration resourceId=")
        );
        let fix = find("seed-named-value").unwrap();
        assert!(fix.policy().contains("{{backend-api-key}}"));
        let scenario: serde_json::Value = serde_json::from_str(fix.scenario()).unwrap();
        assert!(scenario["named_values"][0]["key_vault"]["secret_identifier"].is_string());
        assert_eq!(
            scenario["key_vaults"][0]["apim_permissions"],
            serde_json::json!(["get", "list"])
        );
        let revoked = find("seed-permission-revoked").unwrap();
        assert_eq!(revoked.policy(), fix.policy());
        let scenario: serde_json::Value = serde_json::from_str(revoked.scenario()).unwrap();
        assert_eq!(
            scenario["key_vaults"][0]["apim_permissions"],
            serde_json::json!([])
        );
        let fragment = find("fragment").unwrap();
        let scenario: serde_json::Value = serde_json::from_str(fragment.scenario()).unwrap();
        let xml = scenario["fragments"][0]["xml"].as_str().unwrap();
        assert!(apim_policy::lint(xml).is_empty());
        assert!(fragment.policy().contains(&format!(
            "fragment-id=\"{}\"",
            scenario["fragments"][0]["name"].as_str().unwrap()
        )));
    }

    #[test]
    fn requests_of_lists_single_and_sequenced_requests() {
        let cors = find("cors-preflight").unwrap();
        assert_eq!(
            requests_of(cors.scenario()),
            vec![(
                "OPTIONS".to_string(),
                "https://contoso.azure-api.net/shop/orders".to_string()
            )]
        );
        assert_eq!(
            requests_of(find("rate-limit-by-key").unwrap().scenario()).len(),
            5
        );
        assert!(requests_of("{").is_empty());
    }

    #[test]
    fn inline_runs_find_code_and_emphasis() {
        use Run::*;
        assert_eq!(
            inline_runs("use `a` and *b*, not `*c*`."),
            vec![
                Text("use "),
                Code("a"),
                Text(" and "),
                Emphasis("b"),
                Text(", not "),
                Code("*c*"),
                Text(".")
            ]
        );
        assert_eq!(
            inline_runs("2 * 3"),
            vec![Text("2 "), Text("*"), Text(" 3")]
        );
    }
}
