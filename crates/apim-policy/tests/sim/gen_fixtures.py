# Writes the simulator fixtures (<name>.policy.xml + <name>.scenario.json) in this folder.
# The JWTs are computed here (HS256 with a test key, RS256 with a throwaway RSA key kept in
# $FIXTURE_RSA_KEY, default /tmp/fixture_rsa.pem, never committed). Run: python3 gen_fixtures.py
# (needs the `cryptography` package), then review the snapshot diffs of tests/sim.rs.
import json, base64, hmac, hashlib, os
from cryptography.hazmat.primitives.asymmetric import rsa, padding
from cryptography.hazmat.primitives import hashes
out = os.path.dirname(os.path.abspath(__file__))
def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def hs256(claims, key, header=None):
    h = header or {"alg":"HS256","typ":"JWT"}
    si = b64u(json.dumps(h,separators=(",",":")).encode())+"."+b64u(json.dumps(claims,separators=(",",":")).encode())
    return si+"."+b64u(hmac.new(key, si.encode(), hashlib.sha256).digest())
KEY = b"playground-demo-signing-key-32b!"
KEYB64 = base64.b64encode(KEY).decode()
NOW = 1767225600
good = {"iss":"https://login.contoso.com/","aud":"api://orders","sub":"ada@contoso.com","scope":"orders.read","iat":NOW-60,"nbf":NOW-60,"exp":NOW+3600}
# deterministic RSA key: cache it in a file so fixtures don't churn
kp = os.environ.get("FIXTURE_RSA_KEY", "/tmp/fixture_rsa.pem")
from cryptography.hazmat.primitives import serialization
if os.path.exists(kp):
    priv = serialization.load_pem_private_key(open(kp,"rb").read(), None)
else:
    priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    open(kp,"wb").write(priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
pub = priv.public_key().public_numbers()
def ib(i): return i.to_bytes((i.bit_length()+7)//8, "big")
def rs256(claims, kid="k1"):
    h={"alg":"RS256","typ":"JWT","kid":kid}
    si = b64u(json.dumps(h,separators=(",",":")).encode())+"."+b64u(json.dumps(claims,separators=(",",":")).encode())
    return si+"."+b64u(priv.sign(si.encode(), padding.PKCS1v15(), hashes.SHA256()))
JWKS = {"keys":[{"kty":"RSA","kid":"k1","use":"sig","n":b64u(ib(pub.n)),"e":b64u(ib(pub.e))}]}

API = {"name":"orders","path":"orders","service_url":"https://backend.contoso.com/api",
       "operation":{"name":"get-order","method":"GET","url_template":"/items/{id}"}}
REQ = {"method":"GET","url":"https://contoso.azure-api.net/orders/items/42","headers":{"Accept":["application/json"]}}
BACKEND = {"status":200,"headers":{"Content-Type":["application/json"]},"body":"{\"id\":\"42\",\"status\":\"shipped\"}"}
def sc(**kw):
    s = {"api":API,"backend":BACKEND,"request":REQ}
    s.update(kw)
    return s
def req(**kw):
    r = json.loads(json.dumps(REQ)); 
    h = kw.pop("headers", None)
    if h: r["headers"].update(h)
    r.update(kw); return r
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
KV_NV = [{"name":"backend-key","key_vault":{"secret_identifier":"https://contoso-kv.vault.azure.net/secrets/backend-key"}}]
def vault(**kw):
    v = {"name":"contoso-kv","access":"access-policy","apim_permissions":["get","list"],
         "secrets":[{"name":"backend-key","value":"s3cr3t-from-vault","enabled":True}]}
    v.update(kw); return [v]
KV_POLICY = wrap('''        <set-header name="X-Api-Key" exists-action="override">
            <value>{{backend-key}}</value>
        </set-header>''')
cases = {}
cases["kv-ok"] = (KV_POLICY, sc(named_values=KV_NV, key_vaults=vault()))
cases["kv-missing-get-access-policy"] = (KV_POLICY, sc(named_values=KV_NV, key_vaults=vault(apim_permissions=["list"])))
cases["kv-missing-get-rbac"] = (KV_POLICY, sc(named_values=KV_NV, key_vaults=vault(access="rbac", apim_permissions=[])))
cases["kv-unknown-user-identity"] = (KV_POLICY, sc(named_values=[{"name":"backend-key","key_vault":{"secret_identifier":"https://contoso-kv.vault.azure.net/secrets/backend-key","identity_client_id":"11111111-2222-3333-4444-555555555555"}}], key_vaults=vault()))
cases["kv-no-system-identity"] = (KV_POLICY, sc(identity={"type":"user","client_id":"aaaa"}, named_values=KV_NV, key_vaults=vault()))
cases["kv-secret-missing"] = (KV_POLICY, sc(named_values=KV_NV, key_vaults=vault(secrets=[{"name":"other","value":"zzz-other"}])))
cases["kv-secret-disabled"] = (KV_POLICY, sc(named_values=KV_NV, key_vaults=vault(secrets=[{"name":"backend-key","value":"s3cr3t-from-vault","enabled":False}])))
cases["kv-secret-expired"] = (KV_POLICY, sc(named_values=KV_NV, key_vaults=vault(secrets=[{"name":"backend-key","value":"s3cr3t-from-vault","expires":"2025-12-31T00:00:00Z"}])))
cases["kv-vault-missing"] = (KV_POLICY, sc(named_values=KV_NV, key_vaults=[]))
cases["kv-grants-per-identity-user-ok"] = (KV_POLICY, sc(identity={"type":"system-and-user","client_id":"aaaa"},
    named_values=[{"name":"backend-key","key_vault":{"secret_identifier":"https://contoso-kv.vault.azure.net/secrets/backend-key","identity_client_id":"aaaa"}}],
    key_vaults=vault(apim_permissions=[], grants={"system":[],"aaaa":["get"]})))
cases["kv-grants-per-identity-system-denied"] = (KV_POLICY, sc(identity={"type":"system-and-user","client_id":"aaaa"},
    named_values=KV_NV, key_vaults=vault(apim_permissions=[], grants={"system":["list"],"aaaa":["get","list"]})))
cases["kv-versioned-identifier-wrong-version"] = (KV_POLICY, sc(named_values=[{"name":"backend-key","key_vault":{"secret_identifier":"https://contoso-kv.vault.azure.net/secrets/backend-key/v1"}}],
    key_vaults=vault(secrets=[{"name":"backend-key","value":"s3cr3t-from-vault","version":"v2"}])))
KV_REST = wrap('''        <send-request mode="new" response-variable-name="kv" timeout="20" ignore-error="false">
            <set-url>https://contoso-kv.vault.azure.net/secrets/backend-key?api-version=7.4</set-url>
            <set-method>GET</set-method>
            <authentication-managed-identity resource="https://vault.azure.net" />
        </send-request>
        <set-variable name="kv-status" value="@(((IResponse)context.Variables["kv"]).StatusCode)" />
        <set-variable name="kv-body" value="@(((IResponse)context.Variables["kv"]).Body.As<string>(preserveContent: true))" />
        <set-header name="X-Api-Key" exists-action="override">
            <value>@(((IResponse)context.Variables["kv"]).Body.As<JObject>()["value"].ToString())</value>
        </set-header>''')
cases["kv-rest-ok"] = (KV_REST, sc(key_vaults=vault(apim_permissions=["get"])))
cases["kv-rest-forbidden"] = (KV_REST, sc(key_vaults=vault(apim_permissions=[])))
cases["kv-rest-not-found"] = (KV_REST, sc(key_vaults=vault(secrets=[])))
cases["kv-rest-no-token"] = (KV_REST.replace('            <authentication-managed-identity resource="https://vault.azure.net" />\n',''), sc(key_vaults=vault()))
cases["kv-rest-wrong-audience"] = (KV_REST.replace('resource="https://vault.azure.net"','resource="https://management.azure.com/"'), sc(key_vaults=vault()))
cases["kv-rest-http-mock-wins"] = (KV_REST, sc(key_vaults=vault(), http_mocks=[{"method":"GET","url_prefix":"https://contoso-kv.vault.azure.net/","status":200,"headers":{},"body":"{\"value\":\"from-http-mock\"}"}]))
# gateway
cases["operation-not-found"] = (wrap(""), sc(request=req(url="https://contoso.azure-api.net/orders/customers/7")))
cases["operation-not-found-on-error"] = (wrap(""), sc(scopes={"api": wrap("", onerror='''<base />
        <choose>
            <when condition='@(context.LastError.Reason == "OperationNotFound")'>
                <return-response>
                    <set-status code="404" reason="Not Found" />
                    <set-body>@("No operation at " + context.Request.OriginalUrl.Path)</set-body>
                </return-response>
            </when>
        </choose>''')}, request=req(url="https://contoso.azure-api.net/orders/customers/7")))
SUBAPI = dict(API, subscription_required=True)
SUB = {"id":"sub-1","name":"demo","key":"0123456789abcdef"}
cases["subscription-key-missing"] = (wrap(""), sc(api=SUBAPI, subscription=SUB))
cases["subscription-key-invalid"] = (wrap(""), sc(api=SUBAPI, subscription=SUB, request=req(headers={"Ocp-Apim-Subscription-Key":["wrong-key-000"]})))
cases["subscription-key-query-accepted"] = (wrap('''        <set-header name="X-Sub" exists-action="override">
            <value>@(context.Subscription.Name + "/" + context.Product.Name + "/" + context.User.Email)</value>
        </set-header>'''), sc(api=SUBAPI, subscription=SUB, product={"name":"starter"}, user={"id":"u1","email":"ada@contoso.com"},
        request=req(url="https://contoso.azure-api.net/orders/items/42?subscription-key=0123456789abcdef&verbose=true")))
# scopes
cases["scopes-base-order"] = (wrap('''        <set-header name="X-Order" exists-action="append">
            <value>operation</value>
        </set-header>'''), sc(api=SUBAPI, subscription=SUB, product={"name":"starter"}, request=req(headers={"Ocp-Apim-Subscription-Key":["0123456789abcdef"]}),
        scopes={"global":'<policies><inbound><set-header name="X-Order" exists-action="append"><value>global</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>',
                "product":'<policies><inbound><base /><set-header name="X-Order" exists-action="append"><value>product</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
                "api":'<policies><inbound><base /><set-header name="X-Order" exists-action="append"><value>api</value></set-header></inbound><backend><base /></backend><outbound><base /><set-header name="X-Api-Outbound" exists-action="override"><value>yes</value></set-header></outbound><on-error><base /></on-error></policies>'}))
cases["backend-section-missing"] = ('<policies>\n    <inbound>\n        <base />\n    </inbound>\n</policies>\n', sc())
# transformation
cases["headers-query-rewrite"] = (wrap('''        <set-header name="Accept" exists-action="delete" />
        <set-header name="X-Tag" exists-action="append">
            <value>a</value>
            <value>b</value>
        </set-header>
        <set-header name="X-Tag" exists-action="skip">
            <value>ignored</value>
        </set-header>
        <set-query-parameter name="api-version" exists-action="override">
            <value>2024-01-01</value>
        </set-query-parameter>
        <rewrite-uri template="/v2/orders/{id}?source=gw" />
        <set-method>POST</set-method>'''), sc(request=req(url="https://contoso.azure-api.net/orders/items/42?verbose=true")))
cases["rewrite-uri-no-copy"] = (wrap('''        <rewrite-uri template="@("/lookup/" + context.Request.MatchedParameters["id"])" copy-unmatched-params="false" />'''), sc(request=req(url="https://contoso.azure-api.net/orders/items/42?verbose=true")))
cases["choose-variables"] = (wrap('''        <set-variable name="id" value="@(context.Request.MatchedParameters["id"])" />
        <set-variable name="n" value="@(int.Parse((string)context.Variables["id"]) * 2)" />
        <set-variable name="big" value="@((int)context.Variables["n"] > 50)" />
        <set-variable name="label" value="literal text" />
        <choose>
            <when condition='@((bool)context.Variables["big"])'>
                <set-header name="X-Size" exists-action="override">
                    <value>big</value>
                </set-header>
            </when>
            <otherwise>
                <set-header name="X-Size" exists-action="override">
                    <value>small</value>
                </set-header>
            </otherwise>
        </choose>'''), sc())
cases["set-body-liquid"] = (wrap("", outbound='''<base />
        <set-body template="liquid">{"order": "{{body.id | Upcase}}", "state": "{% if body.status == 'shipped' %}on its way{% else %}{{body.status | Default: 'unknown'}}{% endif %}", "items": [{% for i in body.items %}"{{i.sku}}"{% unless forloop.last %},{% endunless %}{% endfor %}], "method": "{{context.Request.Method}}", "api": "{{context.Api.Name}}"}</set-body>'''),
    sc(backend={"status":200,"headers":{"Content-Type":["application/json"]},"body":"{\"id\":\"a42\",\"status\":\"shipped\",\"items\":[{\"sku\":\"x1\"},{\"sku\":\"y2\"}]}"}))
cases["set-body-expression"] = (wrap('''        <set-body>@{
            var body = context.Request.Body.As<JObject>(preserveContent: true);
            body["received"] = "yes";
            return body.ToString(Newtonsoft.Json.Formatting.None);
        }</set-body>'''), sc(request=req(method="GET", body="{\"a\":1}")))
cases["return-response"] = (wrap('''        <return-response>
            <set-status code="418" reason="I'm a teapot" />
            <set-header name="Content-Type" exists-action="override">
                <value>text/plain</value>
            </set-header>
            <set-body>short and stout</set-body>
        </return-response>
        <set-header name="X-Never" exists-action="override">
            <value>never</value>
        </set-header>'''), sc())
cases["mock-response"] = (wrap('''        <mock-response status-code="202" content-type="application/json" />'''), sc())
cases["send-request-http-mock"] = (wrap('''        <send-request mode="new" response-variable-name="token" timeout="10" ignore-error="false">
            <set-url>https://idp.contoso.com/token</set-url>
            <set-method>POST</set-method>
            <set-header name="Content-Type" exists-action="override">
                <value>application/x-www-form-urlencoded</value>
            </set-header>
            <set-body>grant_type=client_credentials</set-body>
        </send-request>
        <set-header name="Authorization" exists-action="override">
            <value>@("Bearer " + (string)((IResponse)context.Variables["token"]).Body.As<JObject>()["access_token"])</value>
        </set-header>
        <send-one-way-request mode="new">
            <set-url>https://audit.contoso.com/log</set-url>
            <set-method>POST</set-method>
        </send-one-way-request>'''), sc(http_mocks=[{"method":"POST","url_prefix":"https://idp.contoso.com/token","status":200,"headers":{"Content-Type":["application/json"]},"body":"{\"access_token\":\"tok-123\"}"}]))
cases["send-request-timeout-ignore-error"] = (wrap('''        <send-request mode="new" response-variable-name="slow" timeout="2" ignore-error="true">
            <set-url>https://slow.contoso.com/</set-url>
            <set-method>GET</set-method>
        </send-request>
        <set-header name="X-Slow-Null" exists-action="override">
            <value>@((context.Variables["slow"] == null).ToString())</value>
        </set-header>'''), sc(http_mocks=[{"url_prefix":"https://slow.contoso.com/","status":200,"delay_ms":5000}]))
cases["send-request-unmocked-error"] = (wrap('''        <send-request mode="new" response-variable-name="r" timeout="10" ignore-error="false">
            <set-url>https://nowhere.contoso.com/</set-url>
            <set-method>GET</set-method>
        </send-request>'''), sc())
cases["forward-request-timeout"] = (wrap(""), sc(backend={"status":200,"delay_ms":400000}))
cases["forward-request-fail-on-error"] = (wrap("", backend='<forward-request timeout="30" fail-on-error-status-code="true" />', onerror='''<base />
        <set-header name="X-Error-Source" exists-action="override">
            <value>@(context.LastError.Source)</value>
        </set-header>'''), sc(backend={"status":503,"body":"down"}))
cases["retry-backend"] = (wrap("", backend='''<retry condition="@(context.Response.StatusCode == 503)" count="3" interval="1" delta="1" first-fast-retry="true">
            <forward-request buffer-request-body="true" />
        </retry>'''), sc(backend={"status":503,"body":"busy"}))
cases["wait-and-limit-concurrency"] = (wrap('''        <limit-concurrency key="backend" max-count="2">
            <wait for="all">
                <send-request mode="new" response-variable-name="a" timeout="5" ignore-error="true">
                    <set-url>https://a.contoso.com/</set-url>
                    <set-method>GET</set-method>
                </send-request>
                <send-request mode="new" response-variable-name="b" timeout="5" ignore-error="true">
                    <set-url>https://b.contoso.com/</set-url>
                    <set-method>GET</set-method>
                </send-request>
            </wait>
        </limit-concurrency>'''), sc(http_mocks=[{"url_prefix":"https://a.contoso.com/","status":200,"body":"A"},{"url_prefix":"https://b.contoso.com/","status":201,"body":"B"}]))
cases["expression-failure-on-error"] = (wrap('''        <set-variable name="missing" value="@((string)context.Variables["nope"])" />''', onerror='''<base />
        <return-response>
            <set-status code="500" reason="Oops" />
            <set-body>@(context.LastError.Reason + ": " + context.LastError.Message + " at " + context.LastError.Source)</set-body>
        </return-response>'''), sc())
cases["check-header-value-not-allowed"] = (wrap('''        <check-header name="X-Tier" failed-check-httpcode="403" failed-check-error-message="Tier not allowed" ignore-case="true">
            <value>gold</value>
            <value>silver</value>
        </check-header>'''), sc(request=req(headers={"X-Tier":["bronze"]})))
cases["check-header-ok"] = (wrap('''        <check-header name="X-Tier" failed-check-httpcode="403" failed-check-error-message="Tier not allowed" ignore-case="true">
            <value>gold</value>
        </check-header>'''), sc(request=req(headers={"X-Tier":["GOLD"]})))
cases["ip-filter-forbid"] = (wrap('''        <ip-filter action="allow">
            <address>198.51.100.1</address>
            <address-range from="10.0.0.0" to="10.0.0.255" />
        </ip-filter>'''), sc(request=req(ip="203.0.113.7")))
cases["ip-filter-allow-range"] = (wrap('''        <ip-filter action="allow">
            <address-range from="10.0.0.0" to="10.0.0.255" />
        </ip-filter>'''), sc(request=req(ip="10.0.0.42")))
CORS = '''        <cors allow-credentials="true">
            <allowed-origins>
                <origin>https://app.contoso.com</origin>
            </allowed-origins>
            <allowed-methods>
                <method>GET</method>
            </allowed-methods>
            <allowed-headers>
                <header>Authorization</header>
            </allowed-headers>
            <expose-headers>
                <header>X-Request-Id</header>
            </expose-headers>
        </cors>'''
cases["cors-actual-request"] = (wrap(CORS), sc(request=req(headers={"Origin":["https://app.contoso.com"]})))
cases["cors-preflight-mismatch"] = (wrap(CORS), sc(request=req(method="OPTIONS", headers={"Origin":["https://evil.example.com"],"Access-Control-Request-Method":["GET"]})))
JWT_POLICY = lambda extra="": wrap(f'''        <validate-jwt header-name="Authorization" require-scheme="Bearer" clock-skew="30" output-token-variable-name="jwt"{extra}>
            <issuer-signing-keys>
                <key>{{{{jwt-key}}}}</key>
            </issuer-signing-keys>
            <audiences>
                <audience>api://orders</audience>
            </audiences>
            <issuers>
                <issuer>https://login.contoso.com/</issuer>
            </issuers>
            <required-claims>
                <claim name="scope" match="all" separator=" ">
                    <value>orders.read</value>
                </claim>
            </required-claims>
        </validate-jwt>''')
JWTNV = [{"name":"jwt-key","value":KEYB64,"secret":True}]
def bearer(t): return req(headers={"Authorization":["Bearer "+t]})
cases["jwt-hs256-ok"] = (JWT_POLICY(), sc(named_values=JWTNV, request=bearer(hs256(good, KEY))))
cases["jwt-missing"] = (JWT_POLICY(), sc(named_values=JWTNV))
cases["jwt-expired"] = (JWT_POLICY(), sc(named_values=JWTNV, request=bearer(hs256(dict(good, exp=NOW-31), KEY))))
cases["jwt-within-clock-skew"] = (JWT_POLICY(), sc(named_values=JWTNV, request=bearer(hs256(dict(good, exp=NOW-10), KEY))))
cases["jwt-not-yet-valid"] = (JWT_POLICY(), sc(named_values=JWTNV, request=bearer(hs256(dict(good, nbf=NOW+600), KEY))))
cases["jwt-wrong-audience"] = (JWT_POLICY(), sc(named_values=JWTNV, request=bearer(hs256(dict(good, aud="api://other"), KEY))))
cases["jwt-wrong-issuer"] = (JWT_POLICY(), sc(named_values=JWTNV, request=bearer(hs256(dict(good, iss="https://evil/"), KEY))))
cases["jwt-bad-signature"] = (JWT_POLICY(), sc(named_values=JWTNV, request=bearer(hs256(good, b"another-key-another-key-another!"))))
cases["jwt-claim-value"] = (JWT_POLICY(' failed-validation-httpcode="403" failed-validation-error-message="Missing scope"'), sc(named_values=JWTNV, request=bearer(hs256(dict(good, scope="orders.write"), KEY))))
RS_POLICY = wrap('''        <validate-jwt header-name="Authorization" output-token-variable-name="jwt">
            <openid-config url="https://login.contoso.com/.well-known/openid-configuration" />
            <audiences>
                <audience>api://orders</audience>
            </audiences>
        </validate-jwt>''')
OIDC = [{"method":"GET","url_prefix":"https://login.contoso.com/.well-known/openid-configuration","status":200,"headers":{},"body":json.dumps({"issuer":"https://login.contoso.com/","jwks_uri":"https://login.contoso.com/keys"})},
        {"method":"GET","url_prefix":"https://login.contoso.com/keys","status":200,"headers":{},"body":json.dumps(JWKS)}]
cases["jwt-rs256-openid-ok"] = (RS_POLICY, sc(http_mocks=OIDC, request=bearer(rs256(good))))
tampered = rs256(good).split(".")
tampered[1] = b64u(json.dumps(dict(good, sub="mallory"),separators=(",",":")).encode())
cases["jwt-rs256-tampered"] = (RS_POLICY, sc(http_mocks=OIDC, request=bearer(".".join(tampered))))
cases["jwt-rs256-no-mock-not-verified"] = (RS_POLICY, sc(request=bearer(rs256(good))))
TENANT="72f988bf-86f1-41af-91ab-2d7cd011db47"
aad = {"iss":f"https://login.microsoftonline.com/{TENANT}/v2.0","aud":"api://orders","appid":"client-app-1","sub":"svc","exp":NOW+3600,"nbf":NOW-10}
AAD_POLICY = wrap(f'''        <validate-azure-ad-token tenant-id="{TENANT}">
            <client-application-ids>
                <application-id>client-app-1</application-id>
            </client-application-ids>
            <audiences>
                <audience>api://orders</audience>
            </audiences>
        </validate-azure-ad-token>''')
AAD_OIDC = [{"method":"GET","url_prefix":f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration","status":200,"headers":{},"body":json.dumps({"issuer":f"https://login.microsoftonline.com/{TENANT}/v2.0","jwks_uri":"https://login.microsoftonline.com/keys"})},
        {"method":"GET","url_prefix":"https://login.microsoftonline.com/keys","status":200,"headers":{},"body":json.dumps(JWKS)}]
cases["azure-ad-token-ok"] = (AAD_POLICY, sc(http_mocks=AAD_OIDC, request=bearer(rs256(aad))))
cases["azure-ad-token-wrong-client"] = (AAD_POLICY, sc(http_mocks=AAD_OIDC, request=bearer(rs256(dict(aad, appid="other-app")))))
cases["authentication-basic-secret"] = (wrap('''        <authentication-basic username="svc-orders" password="{{backend-password}}" />'''), sc(named_values=[{"name":"backend-password","value":"p@ss-w0rd-123","secret":True}]))
cases["authentication-managed-identity-user"] = (wrap('''        <authentication-managed-identity resource="https://storage.azure.com/" client-id="aaaa" />'''), sc(identity={"type":"system-and-user","client_id":"aaaa"}))
cases["authentication-managed-identity-missing"] = (wrap('''        <authentication-managed-identity resource="https://storage.azure.com/" client-id="bbbb" />'''), sc(identity={"type":"system"}))
cases["authentication-certificate"] = (wrap('''        <authentication-certificate certificate-id="backend-client-cert" />'''), sc())
def reqs(n, step, **kw):
    return [dict(req(**kw), at=f"2026-01-01T00:00:{i*step:02d}Z") for i in range(n)]
cases["rate-limit-subscription"] = ('''<policies>
    <inbound>
        <base />
        <rate-limit calls="2" renewal-period="30" remaining-calls-variable-name="left" />
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>
''', sc(api=SUBAPI, subscription=SUB, request=None, requests=reqs(3, 5, headers={"Ocp-Apim-Subscription-Key":["0123456789abcdef"]})))
cases["quota-by-key"] = (wrap('''        <quota-by-key calls="2" renewal-period="3600" counter-key="@(context.Request.IpAddress)" />'''), sc(request=None, requests=reqs(3, 1)))
cases["rate-limit-by-key-increment-condition"] = (wrap('''        <rate-limit-by-key calls="1" renewal-period="60" counter-key="all" increment-condition="@(context.Response.StatusCode == 200)" />'''),
    sc(request=None, requests=reqs(3, 1), http_mocks=[]))
cases["cache-lookup-store"] = (wrap('''        <cache-lookup vary-by-developer="false" vary-by-developer-groups="false">
            <vary-by-header>Accept</vary-by-header>
        </cache-lookup>''', outbound='''<base />
        <cache-store duration="20" />'''), sc(request=None, requests=reqs(2, 10)+[dict(req(), at="2026-01-01T00:00:45Z")]))
cases["cache-values"] = (wrap('''        <cache-lookup-value key="greeting" variable-name="greeting" default-value="none" />
        <cache-store-value key="greeting" value="@("hello at " + DateTime.UtcNow.ToString("s"))" duration="30" />
        <cache-remove-value key="other" />'''), sc(request=None, requests=reqs(2, 20)))
cases["find-and-replace-json-xml"] = (wrap("", outbound='''<base />
        <find-and-replace from="shipped" to="delivered" />
        <json-to-xml apply="always" consider-accept-header="false" />'''), sc())
cases["xml-to-json"] = (wrap("", outbound='''<base />
        <xml-to-json kind="javascript-friendly" apply="content-type-xml" consider-accept-header="false" />'''),
    sc(backend={"status":200,"headers":{"Content-Type":["application/xml"]},"body":"<order id=\"42\"><item>a</item><item>b</item></order>"}))
cases["trace-log-metric-passthrough"] = (wrap('''        <trace source="orders-api" severity="information">
            <message>@("calling with id " + context.Request.MatchedParameters["id"])</message>
            <metadata name="op" value="get-order" />
        </trace>
        <log-to-eventhub logger-id="audit">@(context.Request.Method + " " + context.Request.Url.Path)</log-to-eventhub>
        <emit-metric name="orders" value="1" namespace="contoso">
            <dimension name="API ID" />
            <dimension name="Client" value="web" />
        </emit-metric>''', outbound='''<base />
        <redirect-content-urls />'''), sc())
cases["fragment-in-scope"] = (wrap('''        <include-fragment fragment-id="tag" />'''), sc(fragments=[{"name":"tag","xml":"<fragment>\n    <set-header name=\"X-Tag\" exists-action=\"override\">\n        <value>@(context.Operation.Name)</value>\n    </set-header>\n</fragment>"}]))
cases["named-value-with-expression"] = (wrap('''        <set-header name="X-Stamp" exists-action="override">
            <value>{{stamp}}</value>
        </set-header>
        <set-header name="X-Derived" exists-action="override">
            <value>@(Convert.ToBase64String(Encoding.UTF8.GetBytes("{{api-secret}}")))</value>
        </set-header>'''), sc(named_values=[{"name":"stamp","value":"@(DateTime.UtcNow.ToString(\"yyyy-MM-dd\"))"},{"name":"api-secret","value":"very-secret-value","secret":True}]))
for name,(policy,scen) in cases.items():
    scen = {k:v for k,v in scen.items() if v is not None}
    open(f"{out}/{name}.policy.xml","w").write(policy)
    open(f"{out}/{name}.scenario.json","w").write(json.dumps(scen, indent=2)+"\n")
print(len(cases))
