# Writes the AI-gateway and backend-pool fixtures (<name>.policy.xml + <name>.scenario.json) in
# this folder: token limits, token metrics, the semantic cache, content safety, backend pools and
# circuit breakers. Run: python3 gen_ai_fixtures.py (standard library only), then review the
# snapshot diffs of tests/sim.rs. The scenario fields are documented in docs/scenario.md.
import json, os
out = os.path.dirname(os.path.abspath(__file__))

API = {"name": "openai", "path": "openai",
       "service_url": "https://contoso-aoai.openai.azure.com/openai",
       "operation": {"name": "chat-completions", "method": "POST",
                     "url_template": "/deployments/{deployment}/chat/completions"}}
URL = "https://contoso.azure-api.net/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
# Estimate (docs/scenario.md): 28 chars -> 7, 29 chars -> 8, 2 messages -> 8 + 3: 26 tokens.
CHAT = {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                     {"role": "user", "content": "What is Azure API Management?"}]}
def chat(user="What is Azure API Management?", system="You are a helpful assistant."):
    return json.dumps({"messages": [{"role": "system", "content": system},
                                    {"role": "user", "content": user}]})
def completion(text="A gateway for APIs.", prompt=24, completion=6, name=None):
    body = {"id": "chatcmpl-1", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion}}
    if name:
        body["served_by"] = name
    return json.dumps(body)
def resp(status=200, body=None, headers=None):
    h = {"Content-Type": ["application/json"]}
    h.update(headers or {})
    return {"status": status, "headers": h, "body": completion() if body is None else body}
BACKEND = resp()
def req(at="2026-01-01T00:00:00Z", body=None, headers=None, **kw):
    h = {"Content-Type": ["application/json"]}
    h.update(headers or {})
    r = {"method": "POST", "url": URL, "headers": h, "body": chat() if body is None else body,
         "ip": "203.0.113.7", "at": at}
    r.update(kw)
    return r
def at(seconds):
    m, s = divmod(seconds, 60)
    h, m = divmod(m, 60)
    return f"2026-01-01T{h:02d}:{m:02d}:{s:02d}Z"
def sc(**kw):
    s = {"api": API, "backend": BACKEND}
    s.update(kw)
    return s
def wrap(inbound="", backend="<base />", outbound="<base />", onerror="<base />"):
    return f"""<policies>
    <inbound>
        <base />
{inbound}
    </inbound>
    <backend>
        {backend}
    </backend>
    <outbound>
        {outbound}
    </outbound>
    <on-error>
        {onerror}
    </on-error>
</policies>
"""
cases = {}

cases["llm-token-limit-tpm-exceeded"] = (wrap('''        <llm-token-limit counter-key="@(context.Request.IpAddress)" tokens-per-minute="50"
            estimate-prompt-tokens="false"
            remaining-tokens-header-name="x-remaining-tokens" remaining-tokens-variable-name="remainingTokens"
            tokens-consumed-header-name="x-tokens-consumed" tokens-consumed-variable-name="consumedTokens"
            retry-after-variable-name="retryAfter" />''', outbound='''<base />
        <set-header name="x-consumed-in-outbound" exists-action="override">
            <value>@(context.Variables["consumedTokens"].ToString())</value>
        </set-header>'''),
    sc(requests=[req(at(0)), req(at(10)), req(at(20))]))

cases["llm-token-limit-quota-exceeded"] = (wrap('''        <llm-token-limit counter-key="@(context.Request.IpAddress)" token-quota="50"
            token-quota-period="Hourly" estimate-prompt-tokens="false"
            remaining-quota-tokens-header-name="x-remaining-quota-tokens"
            remaining-quota-tokens-variable-name="remainingQuotaTokens"
            retry-after-header-name="x-retry-after" />'''),
    sc(requests=[req(at(600)), req(at(1200)), req(at(1800))]))

cases["llm-token-limit-estimate"] = (wrap('''        <llm-token-limit counter-key="all" tokens-per-minute="40" estimate-prompt-tokens="true"
            remaining-tokens-variable-name="remainingTokens" tokens-consumed-variable-name="consumedTokens" />
        <set-header name="x-estimated-in-inbound" exists-action="override">
            <value>@(context.Variables["consumedTokens"].ToString())</value>
        </set-header>''', outbound='''<base />
        <set-header name="x-consumed-in-outbound" exists-action="override">
            <value>@(context.Variables["consumedTokens"].ToString())</value>
        </set-header>'''),
    sc(requests=[req(at(0)), req(at(10))]))

cases["llm-token-limit-counter-keys"] = (wrap('''        <llm-token-limit counter-key="@(context.Request.Headers.GetValueOrDefault("x-team", "none"))"
            tokens-per-minute="50" estimate-prompt-tokens="false" remaining-tokens-header-name="x-remaining-tokens" />'''),
    sc(requests=[req(at(0), headers={"x-team": ["alpha"]}), req(at(5), headers={"x-team": ["alpha"]}),
                 req(at(10), headers={"x-team": ["beta"]}), req(at(15), headers={"x-team": ["alpha"]})]))

cases["azure-openai-token-limit-headers"] = (wrap('''        <azure-openai-token-limit counter-key="@(context.Subscription.Id)" tokens-per-minute="1000"
            estimate-prompt-tokens="true" remaining-tokens-header-name="x-remaining-tokens"
            tokens-consumed-header-name="x-tokens-consumed" />
        <azure-openai-emit-token-metric namespace="AzureOpenAI">
            <dimension name="Subscription ID" />
            <dimension name="Client IP" value="@(context.Request.IpAddress)" />
            <dimension name="API ID" />
        </azure-openai-emit-token-metric>'''),
    sc(subscription={"id": "sub-1", "name": "team-a", "key": "0123456789abcdef"},
       request=req(headers={"Ocp-Apim-Subscription-Key": ["0123456789abcdef"]})))

cases["llm-emit-token-metric"] = (wrap('''        <llm-emit-token-metric namespace="MyLLM">
            <dimension name="API ID" />
            <dimension name="Operation ID" />
            <dimension name="Deployment" value="@(context.Request.MatchedParameters["deployment"])" />
        </llm-emit-token-metric>'''),
    sc(requests=[req(at(0))], backend=resp(body=completion(prompt=19, completion=38))))

cases["llm-semantic-cache-miss-then-hit"] = (wrap('''        <llm-semantic-cache-lookup score-threshold="0.05" embeddings-backend-id="embeddings"
            embeddings-backend-auth="system-assigned">
            <vary-by>@(context.Request.Headers.GetValueOrDefault("x-team", "none"))</vary-by>
        </llm-semantic-cache-lookup>''', outbound='''<base />
        <llm-semantic-cache-store duration="60" />'''),
    sc(requests=[req(at(0), headers={"x-team": ["alpha"]}),
                 req(at(10), headers={"x-team": ["alpha"]}),
                 req(at(20), headers={"x-team": ["beta"]}),
                 req(at(30), headers={"x-team": ["alpha"]}, body=chat("Something else?")),
                 req(at(90), headers={"x-team": ["alpha"]})]))

cases["azure-openai-semantic-cache-ignore-system"] = (wrap('''        <azure-openai-semantic-cache-lookup score-threshold="0.1" embeddings-backend-id="embeddings"
            embeddings-backend-auth="system-assigned" ignore-system-messages="true" max-message-count="2" />''',
    outbound='''<base />
        <azure-openai-semantic-cache-store duration="120" />'''),
    sc(requests=[req(at(0)), req(at(10), body=chat(system="Answer in French.")),
                 req(at(20), body=json.dumps({"messages": [
                     {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                     {"role": "user", "content": "What is Azure API Management?"}]}))]))

cases["llm-content-safety"] = (wrap('''        <llm-content-safety backend-id="content-safety" shield-prompt="true">
            <categories output-type="FourSeverityLevels">
                <category name="Hate" threshold="2" />
                <category name="Violence" threshold="4" />
            </categories>
            <blocklists>
                <id>banned-words</id>
            </blocklists>
        </llm-content-safety>''', onerror='''<base />
        <set-header name="x-blocked-by" exists-action="override">
            <value>@(context.LastError.Source)</value>
        </set-header>'''),
    sc(content_safety={"categories": {"Hate": 1}},
       requests=[req(at(0)),
                 req(at(10), content_safety={"categories": {"Violence": 3}}),
                 req(at(20), content_safety={"categories": {"Violence": 6}}),
                 req(at(30), content_safety={"blocklist_hits": ["banned-words"]}),
                 req(at(40), content_safety={"attack_detected": True})]))

cases["llm-content-safety-eight-levels"] = (wrap('''        <llm-content-safety backend-id="content-safety">
            <categories output-type="EightSeverityLevels">
                <category name="SelfHarm" threshold="3" />
            </categories>
        </llm-content-safety>'''),
    sc(content_safety={"categories": {"SelfHarm": 3}, "attack_detected": True},
       request=req()))

def single(id, url, responses=None, response=None, breaker=None, credentials=None):
    b = {"id": id, "url": url}
    if responses is not None:
        b["responses"] = responses
    if response is not None:
        b["response"] = response
    if breaker is not None:
        b["circuit_breaker"] = {"rules": breaker}
    if credentials is not None:
        b["credentials"] = credentials
    return b
def pool(id, services):
    return {"id": id, "type": "pool", "pool": {"services": services}}
def named(name, status=200, headers=None):
    return resp(status, completion(text=f"answered by {name}", name=name), headers)
def rule(name, count, lo, hi, interval="PT1M", trip="PT1M", accept=False):
    r = {"name": name, "failure_condition": {"count": count, "interval": interval,
                                             "status_code_ranges": [{"min": lo, "max": hi}]},
         "trip_duration": trip}
    if accept:
        r["accept_retry_after"] = True
    return r
POOL_POLICY = wrap('''        <set-backend-service backend-id="openai-pool" />''')
RETRY_POLICY = wrap('''        <set-backend-service backend-id="openai-pool" />''', backend='''<retry condition="@(context.Response.StatusCode == 429)" count="2" interval="1" first-fast-retry="true">
            <forward-request buffer-request-body="true" />
        </retry>''')

cases["backend-pool-round-robin"] = (POOL_POLICY, sc(
    backends=[single("eastus", "https://eastus.openai.azure.com/openai", response=named("eastus")),
              single("westus", "https://westus.openai.azure.com/openai", response=named("westus")),
              single("swedencentral", "https://sweden.openai.azure.com/openai", response=named("swedencentral")),
              pool("openai-pool", [{"id": "eastus"}, {"id": "westus"}, {"id": "swedencentral"}])],
    requests=[req(at(i)) for i in range(4)]))

cases["backend-pool-weighted"] = (POOL_POLICY, sc(
    backends=[single("eastus", "https://eastus.openai.azure.com/openai", response=named("eastus")),
              single("westus", "https://westus.openai.azure.com/openai", response=named("westus")),
              pool("openai-pool", [{"id": "eastus", "weight": 3}, {"id": "westus", "weight": 1}])],
    requests=[req(at(i)) for i in range(4)]))

cases["backend-pool-priority-failover"] = (RETRY_POLICY, sc(
    backends=[single("primary", "https://primary.openai.azure.com/openai",
                     responses=[named("primary", 429, {"Retry-After": ["30"]}), named("primary")],
                     breaker=[rule("throttled", 1, 429, 429, trip="PT1M")]),
              single("secondary", "https://secondary.openai.azure.com/openai", response=named("secondary")),
              pool("openai-pool", [{"id": "primary", "priority": 1}, {"id": "secondary", "priority": 2}])],
    requests=[req(at(0)), req(at(30)), req(at(70))]))

# Weights within a priority group: a (weight 2) and b (weight 1) share priority 1 (a, b, a, …);
# c (priority 2) takes over only once both of them are tripped.
cases["backend-pool-priority-weighted"] = (RETRY_POLICY, sc(
    backends=[single("a", "https://a.openai.azure.com/openai",
                     responses=[named("a"), named("a", 429)],
                     breaker=[rule("throttled", 1, 429, 429)]),
              single("b", "https://b.openai.azure.com/openai",
                     responses=[named("b"), named("b"), named("b", 429)],
                     breaker=[rule("throttled", 1, 429, 429)]),
              single("c", "https://c.openai.azure.com/openai", response=named("c")),
              pool("openai-pool", [{"id": "a", "priority": 1, "weight": 2},
                                   {"id": "b", "priority": 1, "weight": 1},
                                   {"id": "c", "priority": 2}])],
    requests=[req(at(i)) for i in range(4)]))

cases["circuit-breaker-accept-retry-after"] = (RETRY_POLICY, sc(
    backends=[single("primary", "https://primary.openai.azure.com/openai",
                     responses=[named("primary", 429, {"Retry-After": ["10"]}), named("primary")],
                     breaker=[rule("throttled", 1, 429, 429, trip="PT5M", accept=True)]),
              single("secondary", "https://secondary.openai.azure.com/openai", response=named("secondary")),
              pool("openai-pool", [{"id": "primary", "priority": 1}, {"id": "secondary", "priority": 2}])],
    requests=[req(at(0)), req(at(5)), req(at(15))]))

cases["circuit-breaker-trip-503"] = (wrap('''        <set-backend-service backend-id="orders-backend" />'''), sc(
    backends=[single("orders-backend", "https://orders.contoso.com/api",
                     responses=[resp(500, '{"error":"boom"}'), resp(502, '{"error":"bad gateway"}'), resp()],
                     breaker=[rule("server-errors", 2, 500, 599, interval="PT1M", trip="PT30S")])],
    requests=[req(at(0)), req(at(5)), req(at(10)), req(at(40))]))

# The retry condition of Microsoft's AI-gateway samples: retry on 429, and on 503 unless it is
# the gateway's own "Backend pool … is temporarily unavailable".
SAMPLE_RETRY_POLICY = wrap('''        <set-backend-service backend-id="openai-pool" />''', backend='''<retry count="3" interval="0" first-fast-retry="true" condition="@(context.Response.StatusCode == 429 || (context.Response.StatusCode == 503 && !context.Response.StatusReason.Contains("Backend pool") && !context.Response.StatusReason.Contains("is temporarily unavailable")))">
            <forward-request buffer-request-body="true" />
        </retry>''')
cases["backend-pool-all-unavailable"] = (SAMPLE_RETRY_POLICY, sc(
    backends=[single("eastus", "https://eastus.openai.azure.com/openai", response=named("eastus", 429),
                     breaker=[rule("throttled", 1, 429, 429)]),
              single("westus", "https://westus.openai.azure.com/openai", response=named("westus", 429),
                     breaker=[rule("throttled", 1, 429, 429)]),
              pool("openai-pool", [{"id": "eastus"}, {"id": "westus"}])],
    request=req()))

# A literal unknown backend-id is refused when the policy is saved (APIM0605); one computed by an
# expression fails at run time.
cases["backend-id-unknown"] = (wrap('''        <set-backend-service backend-id="@(context.Request.Headers.GetValueOrDefault(&quot;x-region&quot;, &quot;nowhere&quot;))" />'''), sc(
    backends=[single("eastus", "https://eastus.openai.azure.com/openai")], request=req()))

cases["backend-credentials-named-value"] = (wrap('''        <set-backend-service backend-id="eastus" />'''), sc(
    named_values=[{"name": "eastus-key", "value": "k3y-for-eastus", "secret": True}],
    backends=[single("eastus", "https://eastus.openai.azure.com/openai",
                     credentials={"header": {"api-key": ["{{eastus-key}}"]},
                                  "query": {"code": ["fn-k3y-l1teral"]}})],
    request=req()))

for name, (policy, scenario) in cases.items():
    with open(os.path.join(out, f"{name}.policy.xml"), "w") as f:
        f.write(policy)
    with open(os.path.join(out, f"{name}.scenario.json"), "w") as f:
        f.write(json.dumps(scenario, indent=2) + "\n")
print(f"wrote {len(cases)} fixtures")
