//! Editor intelligence through the public API: a table of completion contexts (a document with
//! a `|` cursor → labels that must and must not be offered), the outline of a realistic policy
//! (snapshot), and robustness: completion and hover at every offset of every prefix of a few
//! documents, and at sampled offsets of the whole corpus, never panic and stay in range.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::ide::{self, CompletionKind, OutlineItem};
use apim_policy::lint::{LintOptions, NamedValueInfo};
use apim_policy::syntax;
use std::path::Path;

const REALISTIC: &str = include_str!("ide/realistic.xml");

fn options() -> LintOptions {
    LintOptions {
        scope: None,
        named_values: Some(vec![
            NamedValueInfo {
                name: "tenant-id".into(),
                value: Some("contoso.onmicrosoft.com".into()),
                ..NamedValueInfo::default()
            },
            NamedValueInfo {
                name: "orders-api-key".into(),
                secret: true,
                ..NamedValueInfo::default()
            },
            NamedValueInfo {
                name: "backend-us".into(),
                value: Some("https://us.contoso.com".into()),
                ..NamedValueInfo::default()
            },
        ]),
        fragments: Some(vec!["common-logging".into(), "cors-defaults".into()]),
        backends: None,
    }
}

/// (document with `|`, labels that must be offered, labels that must not).
const CASES: &[(&str, &[&str], &[&str])] = &[
    // Elements after `<`, by section.
    (
        "<policies><inbound>\n<|\n</inbound></policies>",
        &["base", "set-header", "validate-jwt", "cors"],
        &["forward-request", "when", "inbound"],
    ),
    (
        "<policies><inbound/><backend>\n<|</backend></policies>",
        &["forward-request", "retry", "limit-concurrency"],
        &["validate-jwt", "cors"],
    ),
    (
        "<policies><outbound>\n<|</outbound></policies>",
        &["cache-store", "set-body", "xml-to-json"],
        &["rewrite-uri", "cache-lookup"],
    ),
    (
        "<policies><on-error>\n<|</on-error></policies>",
        &["set-status", "return-response", "trace"],
        &["forward-request"],
    ),
    // A partial name; the rest of the document is still there and unclosed tags do not matter.
    (
        "<policies>\n  <inbound>\n    <base />\n    <set-h|\n  </inbound>\n  <outbound />\n</policies>",
        &["set-header"],
        &[],
    ),
    (
        "<policies>\n  <inbound>\n    <rate|",
        &["rate-limit", "rate-limit-by-key"],
        &[],
    ),
    // Nested containers: when, otherwise, retry, and a choose's children.
    (
        "<policies><inbound><choose><when condition=\"true\">\n<|\n</when></choose></inbound></policies>",
        &["set-header", "base"],
        &["when"],
    ),
    (
        "<policies><inbound><choose>\n<|\n</choose></inbound></policies>",
        &["when", "otherwise"],
        &["set-header"],
    ),
    (
        "<policies><backend><retry condition=\"true\" count=\"3\" interval=\"1\">\n<|</retry></backend></policies>",
        &["forward-request"],
        &["validate-jwt"],
    ),
    // Declared children of a policy.
    (
        "<policies><inbound><validate-jwt header-name=\"Authorization\">\n<|\n</validate-jwt></inbound></policies>",
        &["openid-config", "audiences", "issuers", "required-claims"],
        &["set-header"],
    ),
    (
        "<policies><inbound><cors><|</cors></inbound></policies>",
        &["allowed-origins", "allowed-methods", "allowed-headers"],
        &[],
    ),
    (
        "<policies><inbound><return-response><|</return-response></inbound></policies>",
        &["set-status", "set-header", "set-body"],
        &["forward-request"],
    ),
    // Sections and roots.
    (
        "<policies>\n<inbound><base/></inbound>\n<|\n</policies>",
        &["backend", "outbound", "on-error"],
        &["inbound", "set-header"],
    ),
    ("|", &["policies", "fragment"], &["inbound"]),
    (
        "<fragment>\n<|\n</fragment>",
        &["set-header", "choose"],
        &["base", "inbound"],
    ),
    // Attributes: not those present, on half-typed tags too.
    (
        "<policies><inbound><set-header |",
        &["name", "exists-action"],
        &[],
    ),
    (
        "<policies><inbound><set-header name=\"a\" |>",
        &["exists-action", "id"],
        &["name"],
    ),
    (
        "<policies><inbound><rate-limit-by-key calls=\"1\" c|",
        &["counter-key"],
        &["calls"],
    ),
    (
        "<policies><backend><forward-request |/></backend></policies>",
        &["timeout", "buffer-request-body", "follow-redirects"],
        &[],
    ),
    // Values.
    (
        "<policies><inbound><set-header name=\"a\" exists-action=\"|\"",
        &["override", "skip", "append", "delete"],
        &[],
    ),
    (
        "<policies><inbound><cors allow-credentials=\"t|\"></cors></inbound></policies>",
        &["true", "false"],
        &[],
    ),
    (
        "<policies><inbound><include-fragment fragment-id=\"|\" /></inbound></policies>",
        &["common-logging", "cors-defaults"],
        &["@(…)"],
    ),
    (
        "<policies><inbound><validate-jwt header-name=\"Authorization\"><openid-config url=\"|\"/></validate-jwt></inbound></policies>",
        &["@(…)"],
        &["true"],
    ),
    // Named values: attributes, text, inside expressions.
    (
        "<policies><inbound><set-backend-service base-url=\"{{|\" /></inbound></policies>",
        &["backend-us", "tenant-id", "orders-api-key"],
        &[],
    ),
    (
        "<policies><inbound><set-header name=\"a\"><value>Bearer {{ord|}}</value></set-header></inbound></policies>",
        &["orders-api-key"],
        &[],
    ),
    (
        "<policies><inbound><set-variable name=\"a\" value=\"@(&quot;{{ten|&quot;)\" /></inbound></policies>",
        &["tenant-id"],
        &[],
    ),
    // context members, complete and half-typed expressions.
    (
        "<policies><inbound><set-variable name=\"a\" value=\"@(context.|)\" /></inbound></policies>",
        &[
            "Request",
            "Response",
            "Variables",
            "Subscription",
            "LastError",
        ],
        &["As"],
    ),
    (
        "<policies><inbound><set-variable name=\"a\" value=\"@(context.Request.|\" /></inbound></policies>",
        &["Headers", "Body", "Url", "IpAddress", "Method"],
        &[],
    ),
    (
        "<policies><inbound><when condition=\"@(context.Request.Headers.Get|\"",
        &["GetValueOrDefault"],
        &[],
    ),
    (
        "<policies><inbound><set-header name=\"h\"><value>@(context.Request.Url.|)</value></set-header></inbound></policies>",
        &["Host", "Path", "Query", "QueryString"],
        &[],
    ),
    (
        "<policies><inbound><set-variable name=\"q\" value=\"@(context.Request.Url.Query.|)\" /></inbound></policies>",
        &["GetValueOrDefault"],
        &[],
    ),
    (
        "<policies><outbound><set-body>@{\n    var r = ((IResponse)context.Variables[\"stock\"]);\n    return r.|\n}</set-body></outbound></policies>",
        &["Body", "StatusCode", "Headers"],
        &[],
    ),
    (
        "<policies><outbound><set-body>@(context.Response.Body.As<JObject>(preserveContent: true).|)</set-body></outbound></policies>",
        &["SelectToken", "Value"],
        &[],
    ),
    (
        "<policies><on-error><set-body>@(context.LastError.|)</set-body></on-error></policies>",
        &["Message", "Reason", "Source", "PolicyId"],
        &[],
    ),
    (
        "<policies><inbound><set-variable name=\"a\" value=\"@(context.Variables.GetValueOrDefault<string>(&quot;x&quot;).|)\" /></inbound></policies>",
        &["Length", "AsJwt"],
        &[],
    ),
    (
        "<policies><inbound><set-variable name=\"t\" value=\"@(DateTime.UtcNow.|)\" /></inbound></policies>",
        &["AddSeconds", "ToString"],
        &[],
    ),
    (
        "<policies><inbound><set-variable name=\"t\" value=\"@(c|)\" /></inbound></policies>",
        &["context"],
        &[],
    ),
    // Places where nothing fits.
    (
        "<policies><!-- <| --></policies>",
        &[],
        &["set-header", "inbound"],
    ),
    (
        "<policies><inbound><set-body><![CDATA[ <| ]]></set-body></inbound></policies>",
        &[],
        &["set-header"],
    ),
    (
        "<policies><inbound><set-variable name=\"a\" value=\"@(&quot;context.|&quot;)\" /></inbound></policies>",
        &[],
        &["Request"],
    ),
];

#[test]
fn completion_contexts() {
    let opts = options();
    let mut failures = Vec::new();
    for (marked, must, must_not) in CASES {
        let offset = marked.find('|').unwrap();
        let src = marked.replacen('|', "", 1);
        let c = ide::complete(&src, offset, &opts);
        let labels: Vec<&str> = c.items.iter().map(|i| i.label.as_str()).collect();
        for m in *must {
            if !labels.contains(m) {
                failures.push(format!("{marked:?}: missing {m} in {labels:?}"));
            }
        }
        for m in *must_not {
            if labels.contains(m) {
                failures.push(format!("{marked:?}: unexpected {m}"));
            }
        }
        assert!(
            c.from <= offset && offset <= c.to && c.to <= src.len(),
            "{marked:?}: {c:?}"
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn completion_items_are_well_formed() {
    let opts = options();
    let src = REALISTIC;
    for offset in 0..=src.len() {
        if !src.is_char_boundary(offset) {
            continue;
        }
        let c = ide::complete(src, offset, &opts);
        for item in &c.items {
            assert!(!item.label.is_empty());
            assert!(!item.insert_text.is_empty(), "{item:?}");
            if item.snippet {
                assert!(item.insert_text.contains("${"), "{item:?}");
            }
            if item.kind == CompletionKind::NamedValue {
                assert!(!item.documentation.contains("secret-value"));
            }
        }
    }
}

fn render_outline(items: &[OutlineItem], src: &str, depth: usize, out: &mut String) {
    for i in items {
        let line = src[..i.selection_span.start].matches('\n').count() + 1;
        out.push_str(&format!(
            "{}{:?} {} (line {line}, `{}`)\n",
            "  ".repeat(depth),
            i.kind,
            i.label,
            &src[i.selection_span.start..i.selection_span.end]
        ));
        render_outline(&i.children, src, depth + 1, out);
    }
}

#[test]
fn outline_of_a_realistic_policy() {
    let doc = syntax::parse(REALISTIC);
    let mut out = String::new();
    render_outline(&ide::outline(&doc), REALISTIC, 0, &mut out);
    insta::assert_snapshot!(out);
}

/// Completion at every offset of the full text, and at the end of every prefix (what the
/// editor sees while the document is being typed), plus hover at the same places.
fn never_panics_on(src: &str) {
    let opts = options();
    for end in 0..=src.len() {
        if !src.is_char_boundary(end) {
            continue;
        }
        let prefix = &src[..end];
        let c = ide::complete(prefix, end, &opts);
        assert!(c.from <= c.to && c.to <= prefix.len());
        assert!(prefix.is_char_boundary(c.from) && prefix.is_char_boundary(c.to));
        let _ = ide::hover(prefix, end.saturating_sub(1), &opts);
        if end % 3 == 0 {
            let _ = ide::outline(&syntax::parse(prefix));
        }
        let c = ide::complete(src, end, &opts);
        assert!(c.from <= c.to && c.to <= src.len());
        if let Some(h) = ide::hover(src, end, &opts) {
            assert!(h.span.start <= h.span.end && h.span.end <= src.len());
        }
    }
    // Offsets past the end and inside characters are clamped.
    let _ = ide::complete(src, src.len() + 10, &opts);
    let _ = ide::hover(src, usize::MAX, &opts);
}

#[test]
fn never_panics_on_every_prefix() {
    never_panics_on(REALISTIC);
    never_panics_on(
        "<policies>\n  <inbound>\n    <set-header name=\"é😀\" exists-action=\"@(context.Request.Headers.GetValueOrDefault(\"a\", $\"{context.User?.Email}\"))\">\n      <value><![CDATA[x]]>{{nv}}</value>\n    </set-header>\n    <!-- c --><?pi x?>\n  </inbound>\n</policies>",
    );
    never_panics_on(
        "<a b='1' c=\"@{ return \"<\"; }\" d=@( e>f</a></g><</ <!-- <![CDATA[ <? <!DOCTYPE x [ <!ENTITY y 'z'> ]>",
    );
}

#[test]
fn never_panics_on_the_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut stack = vec![dir];
    let opts = options();
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            files += 1;
            let src = std::fs::read_to_string(&path).unwrap();
            let doc = syntax::parse(&src);
            let _ = ide::outline(&doc);
            // Sampled offsets keep this under a few seconds in debug builds; the prefix test
            // above covers every offset of its documents.
            for offset in (0..=src.len()).step_by(61) {
                let c = ide::complete(&src, offset, &opts);
                assert!(c.from <= c.to && c.to <= src.len(), "{}", path.display());
                if offset % 7 == 0 {
                    let _ = ide::hover(&src, offset, &opts);
                }
            }
        }
    }
    assert_eq!(files, 175);
}

/// A 1,000-line policy: 77 blocks of headers, conditions and expression blocks.
fn thousand_lines() -> String {
    let mut s = String::from("<policies>\n    <inbound>\n        <base />\n");
    for i in 0..77 {
        s.push_str(&format!(
            r#"        <set-header name="x-h{i}" exists-action="override">
            <value>@(context.Request.Headers.GetValueOrDefault("a{i}", ""))</value>
        </set-header>
        <choose>
            <when condition="@(context.Variables.GetValueOrDefault<int>("n") == {i})">
                <set-variable name="v{i}" value="@{{
                    var body = context.Request.Body.As<JObject>(preserveContent: true);
                    return body.ToString();
                }}" />
                <!-- branch {i} -->
            </when>
        </choose>
        <set-backend-service base-url="{{{{backend-us}}}}" />
"#
        ));
    }
    s.push_str(
        "    </inbound>\n    <backend>\n        <forward-request />\n    </backend>\n</policies>\n",
    );
    s
}

/// Run with `cargo test --release -p apim-policy --test ide timings -- --ignored --nocapture`.
#[test]
#[ignore = "timing measurement; run in release"]
fn timings() {
    let opts = options();
    let base = thousand_lines();
    eprintln!(
        "document: {} lines, {} bytes",
        base.lines().count(),
        base.len()
    );
    let end = base.rfind("    </inbound>").unwrap();
    let cases = [
        (
            "tag name near the end",
            format!("{}        <set-h\n{}", &base[..end], &base[end..]),
            end + 13,
        ),
        (
            "attribute name near the end",
            format!("{}        <set-header \n{}", &base[..end], &base[end..]),
            end + 20,
        ),
        (
            "enum value near the end",
            format!(
                "{}        <set-header name=\"a\" exists-action=\"\" />\n{}",
                &base[..end],
                &base[end..]
            ),
            end + 50,
        ),
        (
            "context member near the end",
            format!(
                "{}        <set-variable name=\"z\" value=\"@(context.Request.)\" />\n{}",
                &base[..end],
                &base[end..]
            ),
            end + 61,
        ),
        (
            "named value near the end",
            format!(
                "{}        <set-backend-service base-url=\"{{{{\" />\n{}",
                &base[..end],
                &base[end..]
            ),
            end + 45,
        ),
    ];
    let runs = 200;
    for (what, src, offset) in &cases {
        let c = ide::complete(src, *offset, &opts);
        assert!(!c.items.is_empty(), "{what}: no items");
        let t = std::time::Instant::now();
        for _ in 0..runs {
            std::hint::black_box(ide::complete(std::hint::black_box(src), *offset, &opts));
        }
        eprintln!("complete, {what}: {:?}", t.elapsed() / runs);
    }
    let hovers = [
        ("policy name", base.rfind("<set-header").unwrap() + 3),
        ("context member", base.rfind("Headers.Get").unwrap() + 2),
        ("named value", base.rfind("{{backend-us}}").unwrap() + 4),
    ];
    for (what, offset) in hovers {
        assert!(ide::hover(&base, offset, &opts).is_some(), "{what}");
        let t = std::time::Instant::now();
        for _ in 0..runs {
            std::hint::black_box(ide::hover(std::hint::black_box(&base), offset, &opts));
        }
        eprintln!("hover, {what}: {:?}", t.elapsed() / runs);
    }
    let t = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(ide::outline(&syntax::parse(std::hint::black_box(&base))));
    }
    eprintln!("parse + outline: {:?}", t.elapsed() / runs);
    let messy = base.replace("        ", "  ");
    let t = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(apim_policy::format::format(std::hint::black_box(&messy)).unwrap());
    }
    eprintln!("format (re-indenting every line): {:?}", t.elapsed() / runs);
}
