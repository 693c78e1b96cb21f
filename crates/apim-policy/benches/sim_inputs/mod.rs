//! The simulation bench's inputs, shared by `benches/simulate.rs` and
//! `examples/profile_sim.rs` (so a profile measures exactly what the bench reports).

use apim_policy::scenario::Scenario;

/// The 51-policy pipeline (counting each policy element, `choose`'s branches included):
/// set-header, set-variable with expressions, choose, rate-limit-by-key, cache values, named
/// values incl. a Key Vault one, a Liquid set-body in outbound.
pub fn pipeline() -> String {
    let mut inbound = String::new();
    for i in 0..8 {
        inbound.push_str(&format!(
            r#"        <set-header name="X-H{i}" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("Accept", "") + "-{i}")</value></set-header>
        <set-variable name="v{i}" value="@(context.Request.MatchedParameters["id"] + "{i}")" />
        <choose>
            <when condition="@(context.Variables.GetValueOrDefault<string>("v{i}", "").Length > 2)">
                <set-query-parameter name="q{i}" exists-action="override"><value>{{{{plain}}}}</value></set-query-parameter>
            </when>
        </choose>
"#
        ));
    }
    format!(
        r#"<policies>
    <inbound>
        <base />
{inbound}        <set-header name="X-Key" exists-action="override"><value>{{{{kv-key}}}}</value></set-header>
        <rate-limit-by-key calls="1000000" renewal-period="60" counter-key="@(context.Request.IpAddress)" />
        <cache-lookup-value key="k" variable-name="cached" />
        <cache-store-value key="k" value="@("value")" duration="60" />
        <set-body>@{{ var o = context.Request.Body.As<JObject>(preserveContent: true); o["seen"] = true; return o.ToString(); }}</set-body>
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
        <set-body template="liquid">{{"id": "{{{{body.id}}}}", "status": "{{{{body.status | Upcase}}}}"}}</set-body>
        <set-header name="X-Out" exists-action="override"><value>done</value></set-header>
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>"#
    )
}

/// The scenario the pipeline runs in: one request, a Key Vault named value, a JSON backend.
pub fn scenario() -> Scenario {
    Scenario::from_json(
        r#"{
  "api": {"name": "orders", "path": "orders", "service_url": "https://backend.contoso.com/api",
          "operation": {"name": "get-order", "method": "POST", "url_template": "/items/{id}"}},
  "named_values": [
    {"name": "plain", "value": "p"},
    {"name": "kv-key", "key_vault": {"secret_identifier": "https://kv.vault.azure.net/secrets/k"}}
  ],
  "key_vaults": [{"name": "kv", "apim_permissions": ["get"], "secrets": [{"name": "k", "value": "s3cr3t-value"}]}],
  "backend": {"status": 200, "headers": {"Content-Type": ["application/json"]}, "body": "{\"id\":\"42\",\"status\":\"shipped\"}"},
  "request": {"method": "POST", "url": "https://contoso.azure-api.net/orders/items/42",
              "headers": {"Accept": ["application/json"], "Content-Type": ["application/json"]},
              "body": "{\"a\":1}"}
}"#,
    )
    .expect("the bench scenario is valid")
}

/// The pipeline's scenario with `n` copies of its request (shared rate-limit/cache state).
pub fn scenario_of(n: usize) -> Scenario {
    let mut s = scenario();
    let req = s.request.take().expect("the bench scenario has a request");
    s.requests = vec![req; n];
    s
}

/// Regions in the long policy's routing table.
const REGIONS: usize = 29;

/// A realistic 1,000-line API policy, the size of a big production one: CORS for a list of
/// origins, request checks, tenant variables, a rate limit per tenant, a cached tenant
/// configuration, a routing table (`choose` with a branch per region, each setting the
/// backend, rewriting the URI and adding headers and a query parameter), header hygiene,
/// and an outbound section that shapes errors and the body; on-error reports the error.
/// The request of [`long_scenario`] takes the last region, so every condition is evaluated.
pub fn long_policy() -> String {
    let mut p = String::from("<policies>\n    <inbound>\n        <base />\n");
    p.push_str("        <cors allow-credentials=\"true\">\n            <allowed-origins>\n");
    for i in 0..20 {
        p.push_str(&format!(
            "                <origin>https://app{i}.contoso.com</origin>\n"
        ));
    }
    p.push_str("            </allowed-origins>\n            <allowed-methods preflight-result-max-age=\"300\">\n");
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        p.push_str(&format!("                <method>{m}</method>\n"));
    }
    p.push_str("            </allowed-methods>\n            <allowed-headers>\n");
    for h in [
        "Content-Type",
        "Accept",
        "Authorization",
        "X-Tenant",
        "X-Region",
        "X-Correlation-Id",
    ] {
        p.push_str(&format!("                <header>{h}</header>\n"));
    }
    p.push_str(
        r#"            </allowed-headers>
            <expose-headers>
                <header>X-Request-Id</header>
                <header>X-Region</header>
            </expose-headers>
        </cors>
        <check-header name="Accept" failed-check-httpcode="406" failed-check-error-message="Only JSON is served" ignore-case="true">
            <value>application/json</value>
            <value>*/*</value>
        </check-header>
        <set-variable name="requestId" value="@(context.RequestId.ToString())" />
        <set-variable name="clientIp" value="@(context.Request.IpAddress)" />
        <set-variable name="tenant" value="@(context.Request.Headers.GetValueOrDefault("X-Tenant", "default").ToLowerInvariant())" />
        <set-variable name="region" value="@(context.Request.Headers.GetValueOrDefault("X-Region", "region0"))" />
        <set-variable name="isWrite" value="@(context.Request.Method != "GET")" />
        <rate-limit-by-key calls="1000000" renewal-period="60" counter-key="@((string)context.Variables["tenant"])" increment-condition="@(context.Response.StatusCode < 500)" />
        <cache-lookup-value key="@("config-" + (string)context.Variables["tenant"])" variable-name="tenantConfig" />
        <choose>
            <when condition="@(!context.Variables.ContainsKey("tenantConfig"))">
                <set-variable name="tenantConfig" value="@("{\"tier\":\"standard\",\"tenant\":\"" + (string)context.Variables["tenant"] + "\"}")" />
                <cache-store-value key="@("config-" + (string)context.Variables["tenant"])" value="@((string)context.Variables["tenantConfig"])" duration="300" />
            </when>
        </choose>
        <set-variable name="tier" value="@{
            var config = JObject.Parse((string)context.Variables["tenantConfig"]);
            return (string)config["tier"];
        }" />
        <!-- The routing table: one branch per region. -->
        <choose>
"#,
    );
    for i in 0..REGIONS {
        p.push_str(&format!(
            r#"            <when condition="@((string)context.Variables["region"] == "region{i}")">
                <!-- region{i}: its own backend and API version -->
                <set-backend-service base-url="https://region{i}.backend.contoso.com/api" />
                <rewrite-uri template="@("/v2/items/" + context.Request.MatchedParameters["id"])" copy-unmatched-params="true" />
                <set-header name="X-Region" exists-action="override">
                    <value>region{i}</value>
                </set-header>
                <set-header name="X-Route-Id" exists-action="override">
                    <value>@((string)context.Variables["tenant"] + "-region{i}")</value>
                </set-header>
                <set-header name="X-Tier" exists-action="override">
                    <value>@((string)context.Variables["tier"])</value>
                </set-header>
                <set-query-parameter name="api-version" exists-action="skip">
                    <value>2024-{:02}-01</value>
                </set-query-parameter>
                <choose>
                    <when condition="@((bool)context.Variables["isWrite"])">
                        <set-header name="X-Write-Region" exists-action="override">
                            <value>region{i}-primary</value>
                        </set-header>
                    </when>
                    <otherwise>
                        <set-header name="X-Read-Region" exists-action="override">
                            <value>region{i}-replica</value>
                        </set-header>
                    </otherwise>
                </choose>
            </when>
"#,
            i % 12 + 1
        ));
    }
    p.push_str(
        r#"            <otherwise>
                <return-response>
                    <set-status code="400" reason="Bad Request" />
                    <set-header name="Content-Type" exists-action="override">
                        <value>application/json</value>
                    </set-header>
                    <set-body>@("{\"error\":\"unknown region " + (string)context.Variables["region"] + "\"}")</set-body>
                </return-response>
            </otherwise>
        </choose>
        <!-- Header hygiene: what clients must not send to the backends. -->
"#,
    );
    for i in 0..34 {
        p.push_str(&format!(
            "        <set-header name=\"X-Internal-{i}\" exists-action=\"delete\" />\n"
        ));
    }
    p.push_str(
        r#"        <set-header name="X-Correlation-Id" exists-action="skip">
            <value>@((string)context.Variables["requestId"])</value>
        </set-header>
        <set-header name="X-Forwarded-For" exists-action="override">
            <value>@((string)context.Variables["clientIp"])</value>
        </set-header>
        <set-header name="X-Api-Key" exists-action="override">
            <value>{{backend-key}}</value>
        </set-header>
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
        <!-- What the backends must not reveal. -->
"#,
    );
    for h in [
        "X-Powered-By",
        "X-AspNet-Version",
        "X-AspNetMvc-Version",
        "Server",
        "X-Backend-Host",
        "X-Backend-Trace",
    ] {
        p.push_str(&format!(
            "        <set-header name=\"{h}\" exists-action=\"delete\" />\n"
        ));
    }
    p.push_str(
        r#"        <set-header name="X-Request-Id" exists-action="override">
            <value>@((string)context.Variables["requestId"])</value>
        </set-header>
        <choose>
            <when condition="@(context.Response.StatusCode >= 500)">
                <set-body>@("{\"error\":\"the service is unavailable\",\"requestId\":\"" + (string)context.Variables["requestId"] + "\"}")</set-body>
            </when>
            <when condition="@(context.Response.StatusCode == 404)">
                <set-body>@("{\"error\":\"not found\"}")</set-body>
            </when>
            <otherwise>
                <set-body template="liquid">{"id": "{{body.id}}", "status": "{{body.status | Upcase}}", "region": "{{context.Variables["region"]}}"}</set-body>
            </otherwise>
        </choose>
    </outbound>
    <on-error>
        <base />
        <set-header name="X-Error-Reason" exists-action="override">
            <value>@(context.LastError.Reason)</value>
        </set-header>
        <set-body>@("{\"error\":\"" + context.LastError.Message.Replace("\"", "'") + "\"}")</set-body>
    </on-error>
</policies>
"#,
    );
    p
}

/// The scenario of [`long_policy`]: one write request for the last region.
pub fn long_scenario() -> Scenario {
    Scenario::from_json(&format!(
        r#"{{
  "api": {{"name": "orders", "path": "orders", "service_url": "https://backend.contoso.com/api",
          "operation": {{"name": "update-order", "method": "PUT", "url_template": "/items/{{id}}"}}}},
  "named_values": [{{"name": "backend-key", "value": "k-123", "secret": true}}],
  "backend": {{"status": 200, "headers": {{"Content-Type": ["application/json"], "X-Powered-By": ["ASP.NET"]}}, "body": "{{\"id\":\"42\",\"status\":\"shipped\"}}"}},
  "request": {{"method": "PUT", "url": "https://contoso.azure-api.net/orders/items/42?verbose=true",
              "headers": {{"Accept": ["application/json"], "Content-Type": ["application/json"],
                          "Origin": ["https://app3.contoso.com"], "X-Tenant": ["Fabrikam"],
                          "X-Region": ["region{}"], "X-Internal-7": ["leak"]}},
              "body": "{{\"status\":\"shipped\"}}"}}
}}"#,
        REGIONS - 1
    ))
    .expect("the long bench scenario is valid")
}
