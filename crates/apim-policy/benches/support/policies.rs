//! The generated policies the lint benches read (included by `apim-policy`'s `benches/lint.rs`
//! and `apim-policy-cli`'s `benches/lint.rs`, so both measure the same bytes).

/// One block of realistic policy statements, in the escaped `xml` format so that strict XML
/// tools (xmllint) can read the same bytes.
const BLOCK: &str = r#"        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x-tier&quot;, &quot;&quot;) == &quot;gold&quot; &amp;&amp; context.Request.Method == &quot;GET&quot;)">
                <set-header name="x-api-key" exists-action="override">
                    <value>{{backend-api-key}}</value>
                </set-header>
                <set-variable name="user" value="@(context.User?.Id ?? &quot;anonymous&quot;)" />
                <rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Subscription?.Id ?? &quot;none&quot;)" />
            </when>
            <otherwise>
                <set-query-parameter name="verbose" exists-action="skip">
                    <value>true</value>
                </set-query-parameter>
                <cache-lookup-value key="@(&quot;token-&quot; + context.Api.Id)" variable-name="token" />
            </otherwise>
        </choose>
        <set-body>@{
            var body = context.Request.Body.As&lt;JObject&gt;(preserveContent: true);
            body["received"] = DateTime.UtcNow.ToString("o");
            return body.ToString();
        }</set-body>
        <!-- a comment between policies -->
"#;

/// The issue's 3 MB policy: [`BLOCK`] repeated in `<inbound>`.
pub fn large_policy(target_bytes: usize) -> String {
    let mut s = String::with_capacity(target_bytes + 4096);
    s.push_str("<policies>\n    <inbound>\n        <base />\n");
    while s.len() < target_bytes {
        s.push_str(BLOCK);
    }
    s.push_str("    </inbound>\n    <backend>\n        <base />\n    </backend>\n    <outbound>\n        <base />\n    </outbound>\n</policies>\n");
    s
}

/// One 78-byte statement (with its line break), repeated to measure how lint cost grows.
pub const SET_HEADER: &str =
    "<set-header name=\"x-a\" exists-action=\"override\"><value>v</value></set-header>\n";

/// `copies` copies of [`SET_HEADER`] in `<inbound>`.
pub fn repeated_policy(copies: usize) -> String {
    let mut s = String::with_capacity(copies * SET_HEADER.len() + 64);
    s.push_str("<policies><inbound>\n");
    for _ in 0..copies {
        s.push_str(SET_HEADER);
    }
    s.push_str("</inbound></policies>\n");
    s
}

/// The 1,000-line policy of the browser's keystroke budget (`tests/quality.test.mjs`): 330
/// `set-header`s with an expression each, comment padding, and the other sections.
pub fn keystroke_policy() -> String {
    let mut lines: Vec<String> = vec![
        "<policies>".into(),
        "  <inbound>".into(),
        "    <base />".into(),
    ];
    let tail = [
        "  </inbound>",
        "  <backend>",
        "    <base />",
        "  </backend>",
        "  <outbound>",
        "    <base />",
        "  </outbound>",
        "  <on-error>",
        "    <base />",
        "  </on-error>",
        "</policies>",
    ];
    let mut n = 0;
    while lines.len() + 3 + tail.len() <= 1000 {
        lines.push(format!(
            "    <set-header name=\"x-header-{n}\" exists-action=\"override\">"
        ));
        lines.push(format!(
            "      <value>@(context.Request.Headers.GetValueOrDefault(\"x-in-{n}\", \"é-{n}\"))</value>"
        ));
        lines.push("    </set-header>".into());
        n += 1;
    }
    while lines.len() + tail.len() < 1000 {
        lines.push("    <!-- padding -->".into());
    }
    lines.extend(tail.iter().map(|t| t.to_string()));
    lines.join("\n")
}
