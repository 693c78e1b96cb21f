//! The `context` object of policy expressions as data, and the dotted-chain resolver that
//! completion and hover share.
//!
//! The members and types come from the research notes' table of the context object
//! (`shared/reference/apim-policies.md` §1.1) and the extension helpers of §1: `context.Request`,
//! `IUrl`, `IMessageBody.As<T>(preserveContent)`, the header and query dictionaries with
//! `GetValueOrDefault`, `Jwt`, and a few whitelisted .NET types used in nearly every policy.
//! This is enough for completion and hover; it is not a type checker (the `apim-expr` crate owns
//! the language).
//!
//! [`query`] reads the code before the cursor with `apim-expr`'s lexer and resolves the chain
//! of members, calls (`GetValueOrDefault("x", "")`), generic calls (`As<JObject>()`), indexers
//! (`Headers["x"]`), casts (`((IResponse)context.Variables["r"])`) and simple locals
//! (`var body = context.Request.Body.As<JObject>();`) to a type. Anything it cannot resolve
//! gives no members rather than wrong ones.

use crate::diagnostic::Span;
use apim_expr::lexer::{IPart, Lexer, Tok, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberKind {
    Property,
    Method,
}

#[derive(Debug)]
pub(crate) struct Member {
    pub name: &'static str,
    pub kind: MemberKind,
    /// The result's type key in [`TYPES`]; `T` means the generic argument, and `T|key` the
    /// generic argument or `key` without one.
    pub ty: &'static str,
    /// The C# type (properties) or signature (methods) as shown to people.
    pub shown: &'static str,
    pub doc: &'static str,
    /// What to insert, in CodeMirror snippet syntax, when more than the name.
    pub insert: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) struct TypeDef {
    pub key: &'static str,
    /// The C# type as shown.
    pub shown: &'static str,
    pub doc: &'static str,
    pub members: &'static [Member],
    /// The element type of `x[…]`.
    pub indexer: Option<&'static str>,
}

impl TypeDef {
    pub fn member(&self, name: &str) -> Option<&'static Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

const fn p(name: &'static str, ty: &'static str, shown: &'static str, doc: &'static str) -> Member {
    Member {
        name,
        kind: MemberKind::Property,
        ty,
        shown,
        doc,
        insert: None,
    }
}

const fn m(
    name: &'static str,
    ty: &'static str,
    shown: &'static str,
    doc: &'static str,
    insert: &'static str,
) -> Member {
    Member {
        name,
        kind: MemberKind::Method,
        ty,
        shown,
        doc,
        insert: Some(insert),
    }
}

const fn t(
    key: &'static str,
    shown: &'static str,
    doc: &'static str,
    members: &'static [Member],
    indexer: Option<&'static str>,
) -> TypeDef {
    TypeDef {
        key,
        shown,
        doc,
        members,
        indexer,
    }
}

const STRING_DICT: &[Member] = &[
    m(
        "GetValueOrDefault",
        "string",
        "GetValueOrDefault(string name, string defaultValue = null): string",
        "The values of `name` joined with commas, or `defaultValue` when absent (names match case-insensitively).",
        "GetValueOrDefault(\"${1:name}\", \"${2}\")",
    ),
    m(
        "ContainsKey",
        "bool",
        "ContainsKey(string name): bool",
        "Whether the name is present.",
        "ContainsKey(\"${1:name}\")",
    ),
    p("Keys", "string[]", "IEnumerable<string>", "The names."),
    p("Count", "int", "int", "The number of names."),
];

const VALUE_DICT: &[Member] = &[
    m(
        "GetValueOrDefault",
        "string",
        "GetValueOrDefault(string name, string defaultValue = null): string",
        "The value of `name`, or `defaultValue` when absent.",
        "GetValueOrDefault(\"${1:name}\", \"${2}\")",
    ),
    m(
        "ContainsKey",
        "bool",
        "ContainsKey(string name): bool",
        "Whether the name is present.",
        "ContainsKey(\"${1:name}\")",
    ),
    p("Keys", "string[]", "IEnumerable<string>", "The names."),
    p("Count", "int", "int", "The number of entries."),
];

const OBJECT: &[Member] = &[m(
    "ToString",
    "string",
    "ToString(): string",
    "The value as text.",
    "ToString()",
)];

const JTOKEN: &[Member] = &[
    m(
        "SelectToken",
        "JToken",
        "SelectToken(string path): JToken",
        "The token at a JSONPath (`$.a.b`, `items[0]`), or null.",
        "SelectToken(\"${1:path}\")",
    ),
    m(
        "Value",
        "T|string",
        "Value<T>(object key): T",
        "The child value converted to T.",
        "Value<${1:string}>(\"${2:key}\")",
    ),
    m(
        "ToObject",
        "T|object",
        "ToObject<T>(): T",
        "The token converted to T.",
        "ToObject<${1:string}>()",
    ),
    m(
        "ToString",
        "string",
        "ToString(Formatting formatting = Indented): string",
        "The JSON text (pass Newtonsoft.Json.Formatting.None for one line).",
        "ToString()",
    ),
    p(
        "Type",
        "object",
        "JTokenType",
        "The kind of token (Object, Array, String…).",
    ),
    p("Parent", "JToken", "JContainer", "The containing token."),
];

const JOBJECT: &[Member] = &[
    m(
        "SelectToken",
        "JToken",
        "SelectToken(string path): JToken",
        "The token at a JSONPath (`$.a.b`, `items[0]`), or null.",
        "SelectToken(\"${1:path}\")",
    ),
    m(
        "Value",
        "T|string",
        "Value<T>(object key): T",
        "The property's value converted to T.",
        "Value<${1:string}>(\"${2:key}\")",
    ),
    m(
        "Property",
        "JToken",
        "Property(string name): JProperty",
        "The property called name, or null.",
        "Property(\"${1:name}\")",
    ),
    m(
        "ContainsKey",
        "bool",
        "ContainsKey(string name): bool",
        "Whether the object has the property.",
        "ContainsKey(\"${1:name}\")",
    ),
    m(
        "Add",
        "object",
        "Add(string name, JToken value): void",
        "Add a property.",
        "Add(\"${1:name}\", ${2:value})",
    ),
    m(
        "Remove",
        "bool",
        "Remove(string name): bool",
        "Remove a property.",
        "Remove(\"${1:name}\")",
    ),
    m(
        "Properties",
        "object",
        "Properties(): IEnumerable<JProperty>",
        "The properties in order.",
        "Properties()",
    ),
    m(
        "ToString",
        "string",
        "ToString(Formatting formatting = Indented): string",
        "The JSON text (pass Newtonsoft.Json.Formatting.None for one line).",
        "ToString()",
    ),
];

/// Every type the resolver knows, by key. Keys ending in `$` are the static side of a type
/// (`DateTime.UtcNow`).
pub(crate) static TYPES: &[TypeDef] = &[
    t(
        "context",
        "IProxyRequestContext",
        "The request's context: request, response, API, operation, product, subscription, user, variables.",
        &[
            p("Api", "IApi", "IApi", "The API the request is for."),
            p(
                "Deployment",
                "IDeployment",
                "IDeployment",
                "The gateway: region, service name, certificates.",
            ),
            p(
                "Elapsed",
                "TimeSpan",
                "TimeSpan",
                "Time elapsed since `Timestamp`.",
            ),
            p(
                "LastError",
                "ILastError",
                "ILastError",
                "The error being handled (in on-error).",
            ),
            p(
                "Operation",
                "IOperation",
                "IOperation",
                "The operation the request matched.",
            ),
            p(
                "Product",
                "IProduct",
                "IProduct",
                "The product of the subscription, or null.",
            ),
            p("Request", "IRequest", "IRequest", "The incoming request."),
            p(
                "RequestId",
                "Guid",
                "Guid",
                "The unique ID of this request.",
            ),
            p(
                "Response",
                "IResponse",
                "IResponse",
                "The response (from the backend or set by policies).",
            ),
            p(
                "Subscription",
                "ISubscription",
                "ISubscription",
                "The subscription used, or null.",
            ),
            p(
                "Timestamp",
                "DateTime",
                "DateTime",
                "When the request was received (UTC).",
            ),
            p(
                "Tracing",
                "bool",
                "bool",
                "Whether tracing is on for this request.",
            ),
            p(
                "User",
                "IUser",
                "IUser",
                "The user of the subscription, or null.",
            ),
            p(
                "Variables",
                "Variables",
                "IReadOnlyDictionary<string, object>",
                "Context variables set by set-variable and other policies.",
            ),
            m(
                "Trace",
                "object",
                "Trace(string message): void",
                "Write a message to the request trace.",
                "Trace(\"${1:message}\")",
            ),
        ],
        None,
    ),
    t(
        "IApi",
        "IApi",
        "The API the request is for.",
        &[
            p("Id", "string", "string", "API ID."),
            p(
                "IsCurrentRevision",
                "bool",
                "bool",
                "Whether this is the current revision.",
            ),
            p("Name", "string", "string", "Display name."),
            p("Path", "string", "string", "The API URL suffix."),
            p(
                "Protocols",
                "string[]",
                "IEnumerable<string>",
                "Allowed protocols (http, https).",
            ),
            p("Revision", "string", "string", "Revision."),
            p(
                "ServiceUrl",
                "IUrl",
                "IUrl",
                "The backend (web service) URL.",
            ),
            p(
                "SubscriptionKeyParameterNames",
                "ISubscriptionKeyParameterNames",
                "ISubscriptionKeyParameterNames",
                "Names of the subscription key header and query parameter.",
            ),
            p("Version", "string", "string", "Version."),
        ],
        None,
    ),
    t(
        "ISubscriptionKeyParameterNames",
        "ISubscriptionKeyParameterNames",
        "Names of the subscription key header and query parameter.",
        &[
            p(
                "Header",
                "string",
                "string",
                "Header name (Ocp-Apim-Subscription-Key by default).",
            ),
            p(
                "Query",
                "string",
                "string",
                "Query parameter name (subscription-key by default).",
            ),
        ],
        None,
    ),
    t(
        "IDeployment",
        "IDeployment",
        "The gateway the request runs on.",
        &[
            p(
                "Certificates",
                "Certificates",
                "IReadOnlyDictionary<string, X509Certificate2>",
                "Uploaded certificates, keyed by thumbprint.",
            ),
            p(
                "GatewayId",
                "string",
                "string",
                "Gateway ID (\"managed\" for managed gateways).",
            ),
            p("Region", "string", "string", "Region name."),
            p(
                "ServiceName",
                "string",
                "string",
                "API Management instance name.",
            ),
        ],
        None,
    ),
    t(
        "ILastError",
        "ILastError",
        "The error being handled (context.LastError, in on-error).",
        &[
            p("Message", "string", "string", "Human-readable description."),
            p(
                "Path",
                "string",
                "string",
                "The element path in the policy document, e.g. choose[3]/when[1].",
            ),
            p(
                "PolicyId",
                "string",
                "string",
                "The `id` attribute of the policy that failed, if set.",
            ),
            p(
                "Reason",
                "string",
                "string",
                "Machine-friendly reason, e.g. TokenExpired, RateLimitExceeded.",
            ),
            p(
                "Scope",
                "string",
                "string",
                "Scope of the document that failed.",
            ),
            p(
                "Section",
                "string",
                "string",
                "Section the error happened in.",
            ),
            p(
                "Source",
                "string",
                "string",
                "The policy or element that failed (e.g. validate-jwt).",
            ),
        ],
        None,
    ),
    t(
        "IOperation",
        "IOperation",
        "The operation the request matched.",
        &[
            p("Id", "string", "string", "Operation ID."),
            p(
                "Method",
                "string",
                "string",
                "HTTP method of the operation.",
            ),
            p("Name", "string", "string", "Display name."),
            p(
                "UrlTemplate",
                "string",
                "string",
                "URL template, e.g. /items/{id}.",
            ),
        ],
        None,
    ),
    t(
        "IProduct",
        "IProduct",
        "The product of the subscription.",
        &[
            p(
                "Apis",
                "object",
                "IEnumerable<IApi>",
                "APIs in the product.",
            ),
            p(
                "ApprovalRequired",
                "bool",
                "bool",
                "Whether subscriptions need approval.",
            ),
            p(
                "Groups",
                "Groups",
                "IEnumerable<IGroup>",
                "Groups that can see the product.",
            ),
            p("Id", "string", "string", "Product ID."),
            p("Name", "string", "string", "Display name."),
            p(
                "State",
                "object",
                "ProductState",
                "NotPublished or Published.",
            ),
            p(
                "SubscriptionLimit",
                "int",
                "int?",
                "Maximum subscriptions per user, or null.",
            ),
            p(
                "SubscriptionRequired",
                "bool",
                "bool",
                "Whether a subscription key is required.",
            ),
        ],
        None,
    ),
    t(
        "IRequest",
        "IRequest",
        "An HTTP request.",
        &[
            p(
                "Body",
                "IMessageBody",
                "IMessageBody",
                "The body, or null; read it with As<T>(preserveContent: true).",
            ),
            p(
                "Certificate",
                "X509Certificate2",
                "X509Certificate2",
                "The client certificate, or null.",
            ),
            p(
                "Headers",
                "Headers",
                "IReadOnlyDictionary<string, string[]>",
                "Request headers (names case-insensitive).",
            ),
            p("IpAddress", "string", "string", "The caller's IP address."),
            p(
                "MatchedParameters",
                "MatchedParameters",
                "IReadOnlyDictionary<string, string>",
                "Values of the operation's URL template parameters.",
            ),
            p("Method", "string", "string", "HTTP method."),
            p(
                "OriginalUrl",
                "IUrl",
                "IUrl",
                "The URL as received, before any rewrite.",
            ),
            p(
                "PrivateEndpointConnection",
                "IPrivateEndpointConnection",
                "IPrivateEndpointConnection",
                "The private endpoint the request came through, or null.",
            ),
            p(
                "Url",
                "IUrl",
                "IUrl",
                "The request URL (after rewrite-uri).",
            ),
        ],
        None,
    ),
    t(
        "IResponse",
        "IResponse",
        "An HTTP response (context.Response, or a send-request result).",
        &[
            p(
                "Body",
                "IMessageBody",
                "IMessageBody",
                "The body; read it with As<T>(preserveContent: true).",
            ),
            p(
                "Headers",
                "Headers",
                "IReadOnlyDictionary<string, string[]>",
                "Response headers (names case-insensitive).",
            ),
            p("StatusCode", "int", "int", "Status code."),
            p("StatusReason", "string", "string", "Reason phrase."),
        ],
        None,
    ),
    t(
        "ISubscription",
        "ISubscription",
        "The subscription used by the request.",
        &[
            p(
                "CreatedDate",
                "DateTime",
                "DateTime",
                "When the subscription was created.",
            ),
            p("EndDate", "DateTime", "DateTime?", "When it ends, or null."),
            p("Id", "string", "string", "Subscription ID."),
            p("Key", "string", "string", "The key used for this request."),
            p("Name", "string", "string", "Display name."),
            p("PrimaryKey", "string", "string", "Primary key."),
            p("SecondaryKey", "string", "string", "Secondary key."),
            p(
                "StartDate",
                "DateTime",
                "DateTime?",
                "When it starts, or null.",
            ),
        ],
        None,
    ),
    t(
        "IUser",
        "IUser",
        "The user of the subscription.",
        &[
            p("Email", "string", "string", "Email address."),
            p("FirstName", "string", "string", "First name."),
            p(
                "Groups",
                "Groups",
                "IEnumerable<IGroup>",
                "Groups the user belongs to.",
            ),
            p("Id", "string", "string", "User ID."),
            p(
                "Identities",
                "Identities",
                "IEnumerable<IUserIdentity>",
                "External identities.",
            ),
            p("LastName", "string", "string", "Last name."),
            p("Note", "string", "string", "Administrator's note."),
            p(
                "RegistrationDate",
                "DateTime",
                "DateTime",
                "When the user registered.",
            ),
        ],
        None,
    ),
    t(
        "Groups",
        "IEnumerable<IGroup>",
        "Groups.",
        &[
            m(
                "Any",
                "bool",
                "Any(Func<IGroup, bool> predicate): bool",
                "Whether a group matches.",
                "Any(g => ${1:g.Name == \"developers\"})",
            ),
            m(
                "FirstOrDefault",
                "IGroup",
                "FirstOrDefault(): IGroup",
                "The first group, or null.",
                "FirstOrDefault()",
            ),
            m("Count", "int", "Count(): int", "How many.", "Count()"),
        ],
        None,
    ),
    t(
        "IGroup",
        "IGroup",
        "A user group.",
        &[
            p("Id", "string", "string", "Group ID."),
            p("Name", "string", "string", "Display name."),
        ],
        None,
    ),
    t(
        "Identities",
        "IEnumerable<IUserIdentity>",
        "External identities.",
        &[
            m(
                "FirstOrDefault",
                "IUserIdentity",
                "FirstOrDefault(): IUserIdentity",
                "The first identity, or null.",
                "FirstOrDefault()",
            ),
            m(
                "Any",
                "bool",
                "Any(Func<IUserIdentity, bool> predicate): bool",
                "Whether an identity matches.",
                "Any(i => ${1:i.Provider == \"AadB2C\"})",
            ),
        ],
        None,
    ),
    t(
        "IUserIdentity",
        "IUserIdentity",
        "An external identity of a user.",
        &[
            p("Id", "string", "string", "ID at the provider."),
            p("Provider", "string", "string", "Identity provider name."),
        ],
        None,
    ),
    t(
        "IPrivateEndpointConnection",
        "IPrivateEndpointConnection",
        "A private endpoint connection.",
        &[
            p("GroupId", "string", "string", "Group ID."),
            p("MemberName", "string", "string", "Member name."),
            p("Name", "string", "string", "Connection name."),
        ],
        None,
    ),
    t(
        "IUrl",
        "IUrl",
        "A URL.",
        &[
            p("Host", "string", "string", "Host name."),
            p("Path", "string", "string", "Path."),
            p("Port", "int", "int", "Port."),
            p(
                "Query",
                "Query",
                "IReadOnlyDictionary<string, string[]>",
                "Query parameters.",
            ),
            p(
                "QueryString",
                "string",
                "string",
                "The query string, with its leading `?`.",
            ),
            p("Scheme", "string", "string", "http or https."),
            m(
                "ToUri",
                "object",
                "ToUri(): Uri",
                "As a System.Uri.",
                "ToUri()",
            ),
            m(
                "ToString",
                "string",
                "ToString(): string",
                "The whole URL.",
                "ToString()",
            ),
        ],
        None,
    ),
    t(
        "IMessageBody",
        "IMessageBody",
        "A message body. Reading it consumes the stream unless preserveContent is true.",
        &[
            m(
                "As",
                "T",
                "As<T>(bool preserveContent = false): T",
                "The body as string, byte[], JObject, JToken, JArray, XNode, XElement or XDocument. Pass preserveContent: true to read it again later (otherwise the body is consumed).",
                "As<${1:JObject}>(preserveContent: true)",
            ),
            m(
                "AsFormUrlEncodedContent",
                "object",
                "AsFormUrlEncodedContent(bool preserveContent = false): IDictionary<string, IList<string>>",
                "The body parsed as application/x-www-form-urlencoded.",
                "AsFormUrlEncodedContent(preserveContent: true)",
            ),
        ],
        None,
    ),
    t(
        "Headers",
        "IReadOnlyDictionary<string, string[]>",
        "Headers (names case-insensitive).",
        STRING_DICT,
        Some("string[]"),
    ),
    t(
        "Query",
        "IReadOnlyDictionary<string, string[]>",
        "Query parameters.",
        STRING_DICT,
        Some("string[]"),
    ),
    t(
        "Claims",
        "IReadOnlyDictionary<string, string[]>",
        "Token claims.",
        STRING_DICT,
        Some("string[]"),
    ),
    t(
        "MatchedParameters",
        "IReadOnlyDictionary<string, string>",
        "URL template parameter values.",
        VALUE_DICT,
        Some("string"),
    ),
    t(
        "Certificates",
        "IReadOnlyDictionary<string, X509Certificate2>",
        "Certificates keyed by thumbprint.",
        &[
            m(
                "ContainsKey",
                "bool",
                "ContainsKey(string thumbprint): bool",
                "Whether a certificate with this thumbprint is uploaded.",
                "ContainsKey(\"${1:thumbprint}\")",
            ),
            p("Count", "int", "int", "The number of certificates."),
        ],
        Some("X509Certificate2"),
    ),
    t(
        "Variables",
        "IReadOnlyDictionary<string, object>",
        "Context variables.",
        &[
            m(
                "GetValueOrDefault",
                "T|object",
                "GetValueOrDefault<T>(string name, T defaultValue = default): T",
                "The variable converted to T, or defaultValue when it is not set (throws when it holds another type).",
                "GetValueOrDefault<${1:string}>(\"${2:name}\")",
            ),
            m(
                "ContainsKey",
                "bool",
                "ContainsKey(string name): bool",
                "Whether the variable is set.",
                "ContainsKey(\"${1:name}\")",
            ),
            p("Keys", "string[]", "IEnumerable<string>", "Variable names."),
            p("Count", "int", "int", "Number of variables."),
        ],
        Some("object"),
    ),
    t(
        "string",
        "string",
        "Text.",
        &[
            p("Length", "int", "int", "Number of UTF-16 code units."),
            m(
                "AsBasic",
                "BasicAuthCredentials",
                "AsBasic(): BasicAuthCredentials",
                "Parse a Basic Authorization header value.",
                "AsBasic()",
            ),
            m(
                "AsJwt",
                "Jwt",
                "AsJwt(): Jwt",
                "Parse a JWT (without validating it); null if it is not one.",
                "AsJwt()",
            ),
            m(
                "Contains",
                "bool",
                "Contains(string value): bool",
                "Whether value occurs.",
                "Contains(\"${1}\")",
            ),
            m(
                "EndsWith",
                "bool",
                "EndsWith(string value): bool",
                "Whether the text ends with value.",
                "EndsWith(\"${1}\")",
            ),
            m(
                "Equals",
                "bool",
                "Equals(string value, StringComparison comparison): bool",
                "Compare, e.g. with StringComparison.OrdinalIgnoreCase.",
                "Equals(\"${1}\", StringComparison.OrdinalIgnoreCase)",
            ),
            m(
                "IndexOf",
                "int",
                "IndexOf(string value): int",
                "Position of value, or -1.",
                "IndexOf(\"${1}\")",
            ),
            m(
                "Replace",
                "string",
                "Replace(string oldValue, string newValue): string",
                "Replace every occurrence.",
                "Replace(\"${1}\", \"${2}\")",
            ),
            m(
                "Split",
                "string[]",
                "Split(params char[] separator): string[]",
                "Split at separators.",
                "Split('${1:,}')",
            ),
            m(
                "StartsWith",
                "bool",
                "StartsWith(string value): bool",
                "Whether the text starts with value.",
                "StartsWith(\"${1}\")",
            ),
            m(
                "Substring",
                "string",
                "Substring(int start, int length): string",
                "Part of the text.",
                "Substring(${1:0})",
            ),
            m(
                "ToLower",
                "string",
                "ToLower(): string",
                "Lower-case copy.",
                "ToLower()",
            ),
            m(
                "ToLowerInvariant",
                "string",
                "ToLowerInvariant(): string",
                "Lower-case copy (culture-invariant).",
                "ToLowerInvariant()",
            ),
            m(
                "ToUpper",
                "string",
                "ToUpper(): string",
                "Upper-case copy.",
                "ToUpper()",
            ),
            m(
                "Trim",
                "string",
                "Trim(): string",
                "Without leading and trailing whitespace.",
                "Trim()",
            ),
            m(
                "TryParseBasic",
                "bool",
                "TryParseBasic(out BasicAuthCredentials result): bool",
                "Parse a Basic Authorization header value.",
                "TryParseBasic(out var ${1:credentials})",
            ),
            m(
                "TryParseJwt",
                "bool",
                "TryParseJwt(out Jwt result): bool",
                "Parse a JWT (without validating it).",
                "TryParseJwt(out var ${1:jwt})",
            ),
        ],
        None,
    ),
    t(
        "string[]",
        "string[]",
        "A list of strings.",
        &[
            p("Length", "int", "int", "Number of items."),
            m(
                "Contains",
                "bool",
                "Contains(string value): bool",
                "Whether the list holds value.",
                "Contains(\"${1}\")",
            ),
            m(
                "FirstOrDefault",
                "string",
                "FirstOrDefault(): string",
                "The first item, or null.",
                "FirstOrDefault()",
            ),
            m(
                "Any",
                "bool",
                "Any(): bool",
                "Whether the list is not empty.",
                "Any()",
            ),
        ],
        Some("string"),
    ),
    t(
        "object",
        "object",
        "A value of any type; cast it, e.g. (string)context.Variables[\"x\"].",
        OBJECT,
        None,
    ),
    t("bool", "bool", "true or false.", OBJECT, None),
    t("int", "int", "A 32-bit integer.", OBJECT, None),
    t("Guid", "Guid", "A GUID.", OBJECT, None),
    t(
        "byte[]",
        "byte[]",
        "Bytes.",
        &[p("Length", "int", "int", "Number of bytes.")],
        Some("int"),
    ),
    t(
        "DateTime",
        "DateTime",
        "A date and time.",
        &[
            m(
                "AddDays",
                "DateTime",
                "AddDays(double value): DateTime",
                "Later (or earlier) by days.",
                "AddDays(${1:1})",
            ),
            m(
                "AddHours",
                "DateTime",
                "AddHours(double value): DateTime",
                "Later by hours.",
                "AddHours(${1:1})",
            ),
            m(
                "AddMinutes",
                "DateTime",
                "AddMinutes(double value): DateTime",
                "Later by minutes.",
                "AddMinutes(${1:1})",
            ),
            m(
                "AddSeconds",
                "DateTime",
                "AddSeconds(double value): DateTime",
                "Later by seconds.",
                "AddSeconds(${1:1})",
            ),
            p("Date", "DateTime", "DateTime", "The date part (midnight)."),
            p(
                "Ticks",
                "int",
                "long",
                "100-nanosecond ticks since 0001-01-01.",
            ),
            m(
                "ToString",
                "string",
                "ToString(string format): string",
                "Format, e.g. \"o\" (ISO 8601) or \"R\" (RFC 1123).",
                "ToString(\"${1:o}\")",
            ),
            m(
                "ToUniversalTime",
                "DateTime",
                "ToUniversalTime(): DateTime",
                "As UTC.",
                "ToUniversalTime()",
            ),
        ],
        None,
    ),
    t(
        "TimeSpan",
        "TimeSpan",
        "A duration.",
        &[
            p(
                "TotalMilliseconds",
                "int",
                "double",
                "The duration in milliseconds.",
            ),
            p("TotalSeconds", "int", "double", "The duration in seconds."),
            m(
                "ToString",
                "string",
                "ToString(): string",
                "As text (hh:mm:ss).",
                "ToString()",
            ),
        ],
        None,
    ),
    t(
        "X509Certificate2",
        "X509Certificate2",
        "A certificate.",
        &[
            p("Issuer", "string", "string", "Issuer distinguished name."),
            p("NotAfter", "DateTime", "DateTime", "End of validity."),
            p("NotBefore", "DateTime", "DateTime", "Start of validity."),
            p("SerialNumber", "string", "string", "Serial number."),
            p("Subject", "string", "string", "Subject distinguished name."),
            p("Thumbprint", "string", "string", "SHA-1 thumbprint."),
            m(
                "Verify",
                "bool",
                "Verify(): bool",
                "Whether the chain validates, with revocation checks.",
                "Verify()",
            ),
            m(
                "VerifyNoRevocation",
                "bool",
                "VerifyNoRevocation(): bool",
                "Whether the chain validates, without revocation checks.",
                "VerifyNoRevocation()",
            ),
        ],
        None,
    ),
    t(
        "Jwt",
        "Jwt",
        "A parsed JSON Web Token (from AsJwt, TryParseJwt or validate-jwt's output variable).",
        &[
            p("Algorithm", "string", "string", "The alg header."),
            p(
                "Audiences",
                "string[]",
                "IEnumerable<string>",
                "The aud claim.",
            ),
            p(
                "Claims",
                "Claims",
                "IReadOnlyDictionary<string, string[]>",
                "All claims.",
            ),
            p("ExpirationTime", "DateTime", "DateTime?", "The exp claim."),
            p("Id", "string", "string", "The jti claim."),
            p("IssuedAt", "DateTime", "DateTime?", "The iat claim."),
            p("Issuer", "string", "string", "The iss claim."),
            p("NotBefore", "DateTime", "DateTime?", "The nbf claim."),
            p("Subject", "string", "string", "The sub claim."),
            p("Type", "string", "string", "The typ header."),
        ],
        None,
    ),
    t(
        "BasicAuthCredentials",
        "BasicAuthCredentials",
        "Basic authentication credentials.",
        &[
            p("Password", "string", "string", "The password."),
            p("UserId", "string", "string", "The user name."),
        ],
        None,
    ),
    t(
        "JObject",
        "JObject",
        "A JSON object (Newtonsoft.Json).",
        JOBJECT,
        Some("JToken"),
    ),
    t(
        "JToken",
        "JToken",
        "A JSON value (Newtonsoft.Json).",
        JTOKEN,
        Some("JToken"),
    ),
    t(
        "JArray",
        "JArray",
        "A JSON array (Newtonsoft.Json).",
        &[
            p("Count", "int", "int", "Number of items."),
            m(
                "Add",
                "object",
                "Add(JToken item): void",
                "Append an item.",
                "Add(${1:item})",
            ),
            m(
                "ToString",
                "string",
                "ToString(Formatting formatting = Indented): string",
                "The JSON text.",
                "ToString()",
            ),
        ],
        Some("JToken"),
    ),
    t(
        "Encoding",
        "Encoding",
        "A text encoding.",
        &[
            m(
                "GetBytes",
                "byte[]",
                "GetBytes(string s): byte[]",
                "Encode text.",
                "GetBytes(${1})",
            ),
            m(
                "GetString",
                "string",
                "GetString(byte[] bytes): string",
                "Decode bytes.",
                "GetString(${1})",
            ),
        ],
        None,
    ),
    // The static side of the whitelisted types most policies use.
    t(
        "DateTime$",
        "DateTime",
        "Dates and times.",
        &[
            p("Now", "DateTime", "DateTime", "The gateway's local time."),
            p("UtcNow", "DateTime", "DateTime", "The current UTC time."),
            m(
                "Parse",
                "DateTime",
                "Parse(string s): DateTime",
                "Parse a date.",
                "Parse(${1})",
            ),
        ],
        None,
    ),
    t(
        "Guid$",
        "Guid",
        "GUIDs.",
        &[
            m(
                "NewGuid",
                "Guid",
                "NewGuid(): Guid",
                "A new random GUID.",
                "NewGuid()",
            ),
            m(
                "Parse",
                "Guid",
                "Parse(string s): Guid",
                "Parse a GUID.",
                "Parse(${1})",
            ),
        ],
        None,
    ),
    t(
        "string$",
        "string",
        "Text helpers.",
        &[
            m(
                "IsNullOrEmpty",
                "bool",
                "IsNullOrEmpty(string value): bool",
                "Whether value is null or \"\".",
                "IsNullOrEmpty(${1})",
            ),
            m(
                "IsNullOrWhiteSpace",
                "bool",
                "IsNullOrWhiteSpace(string value): bool",
                "Whether value is null, empty or whitespace.",
                "IsNullOrWhiteSpace(${1})",
            ),
            m(
                "Join",
                "string",
                "Join(string separator, IEnumerable<string> values): string",
                "Join values.",
                "Join(\"${1:,}\", ${2})",
            ),
            m(
                "Format",
                "string",
                "Format(string format, params object[] args): string",
                "Composite formatting.",
                "Format(\"${1}\", ${2})",
            ),
        ],
        None,
    ),
    t(
        "Convert$",
        "Convert",
        "Conversions.",
        &[
            m(
                "FromBase64String",
                "byte[]",
                "FromBase64String(string s): byte[]",
                "Decode Base64.",
                "FromBase64String(${1})",
            ),
            m(
                "ToBase64String",
                "string",
                "ToBase64String(byte[] bytes): string",
                "Encode as Base64.",
                "ToBase64String(${1})",
            ),
            m(
                "ToInt32",
                "int",
                "ToInt32(object value): int",
                "Convert to int.",
                "ToInt32(${1})",
            ),
        ],
        None,
    ),
    t(
        "Encoding$",
        "Encoding",
        "Text encodings.",
        &[
            p("ASCII", "Encoding", "Encoding", "ASCII."),
            p("UTF8", "Encoding", "Encoding", "UTF-8."),
        ],
        None,
    ),
    t(
        "JsonConvert$",
        "JsonConvert",
        "JSON serialization (Newtonsoft.Json).",
        &[
            m(
                "DeserializeObject",
                "T|object",
                "DeserializeObject<T>(string json): T",
                "Parse JSON text.",
                "DeserializeObject<${1:JObject}>(${2})",
            ),
            m(
                "SerializeObject",
                "string",
                "SerializeObject(object value): string",
                "JSON text of a value.",
                "SerializeObject(${1})",
            ),
        ],
        None,
    ),
    t(
        "JObject$",
        "JObject",
        "JSON objects.",
        &[
            m(
                "Parse",
                "JObject",
                "Parse(string json): JObject",
                "Parse JSON object text.",
                "Parse(${1})",
            ),
            m(
                "FromObject",
                "JObject",
                "FromObject(object value): JObject",
                "A JObject from a value.",
                "FromObject(${1})",
            ),
        ],
        None,
    ),
    t(
        "JArray$",
        "JArray",
        "JSON arrays.",
        &[m(
            "Parse",
            "JArray",
            "Parse(string json): JArray",
            "Parse JSON array text.",
            "Parse(${1})",
        )],
        None,
    ),
];

pub(crate) fn type_def(key: &str) -> Option<&'static TypeDef> {
    TYPES.iter().find(|t| t.key == key)
}

/// The type key a C# type name (as written in a cast, a declaration or a generic argument)
/// stands for.
fn type_key(name: &str) -> Option<&'static str> {
    Some(match name {
        "string" | "String" => "string",
        "bool" | "Boolean" => "bool",
        "int" | "Int32" | "long" | "Int64" | "double" => "int",
        "object" | "Object" => "object",
        "byte[]" => "byte[]",
        "string[]" => "string[]",
        "JObject"
        | "JToken"
        | "JArray"
        | "DateTime"
        | "TimeSpan"
        | "Guid"
        | "Jwt"
        | "X509Certificate2"
        | "IResponse"
        | "IRequest"
        | "IUrl"
        | "IMessageBody"
        | "BasicAuthCredentials" => return TYPES.iter().map(|t| t.key).find(|k| *k == name),
        _ => return None,
    })
}

/// Names that start a chain: `context` and the static side of a few types.
pub(crate) const ROOTS: &[(&str, &str)] = &[
    ("context", "context"),
    ("Convert", "Convert$"),
    ("DateTime", "DateTime$"),
    ("Encoding", "Encoding$"),
    ("Guid", "Guid$"),
    ("JArray", "JArray$"),
    ("JObject", "JObject$"),
    ("JsonConvert", "JsonConvert$"),
    ("String", "string$"),
    ("string", "string$"),
];

/// What the code before the cursor asks for.
#[derive(Debug)]
pub(crate) struct Query {
    /// The identifier being typed: `from..to` (empty at `context.|`).
    pub from: usize,
    pub to: usize,
    pub receiver: Receiver,
}

#[derive(Debug)]
pub(crate) enum Receiver {
    /// No `.` before: the start of an operand (`context`, a static type).
    Start,
    /// After `x.` where x has this type.
    Type(&'static TypeDef),
    /// After `x.` where x could not be resolved.
    Unknown,
}

/// The completion query at `cursor` in the expression code `code` (byte range of `source`).
/// `None` inside a string, char literal or comment.
pub(crate) fn query(source: &str, code: Span, cursor: usize) -> Option<Query> {
    let toks = tokens(source, code);
    // A token containing the cursor.
    if let Some(t) = toks
        .iter()
        .find(|t| t.span.start < cursor && cursor < t.span.end)
    {
        return match &t.tok {
            Tok::Ident(_) => Some(Query {
                from: t.span.start,
                to: t.span.end,
                receiver: receiver(source, &toks, index_of(&toks, t.span.start), 0),
            }),
            Tok::Interp(parts) => parts.iter().find_map(|part| match part {
                IPart::Hole { expr, .. } if expr.start <= cursor && cursor <= expr.end => {
                    query(source, Span::new(expr.start, expr.end), cursor)
                }
                _ => None,
            }),
            _ => None,
        };
    }
    let before = toks.partition_point(|t| t.span.end <= cursor);
    let gap_start = before
        .checked_sub(1)
        .and_then(|i| toks.get(i))
        .map_or(code.start, |t| t.span.end);
    if in_comment(source.get(gap_start..cursor).unwrap_or("")) {
        return None;
    }
    if let Some(last) = before.checked_sub(1).and_then(|i| toks.get(i)) {
        if is_unterminated_literal(source, last) {
            return None;
        }
        if matches!(last.tok, Tok::Ident(_)) && last.span.end == cursor {
            return Some(Query {
                from: last.span.start,
                to: cursor,
                receiver: receiver(source, &toks, before - 1, 0),
            });
        }
    }
    // Nothing typed yet: the identifier after the cursor (if any) is what gets replaced.
    let to = toks
        .get(before)
        .filter(|t| t.span.start == cursor && matches!(t.tok, Tok::Ident(_)))
        .map_or(cursor, |t| t.span.end);
    Some(Query {
        from: cursor,
        to,
        receiver: receiver(source, &toks, before, 0),
    })
}

/// What the identifier at hover position means: its span and markdown.
pub(crate) fn describe(source: &str, code: Span, offset: usize) -> Option<(Span, String)> {
    let toks = tokens(source, code);
    let i = toks
        .iter()
        .position(|t| t.span.start <= offset && offset < t.span.end)?;
    let tok = toks.get(i)?;
    if let Tok::Interp(parts) = &tok.tok {
        return parts.iter().find_map(|part| match part {
            IPart::Hole { expr, .. } if expr.start <= offset && offset < expr.end => {
                describe(source, Span::new(expr.start, expr.end), offset)
            }
            _ => None,
        });
    }
    let Tok::Ident(name) = &tok.tok else {
        return None;
    };
    let span = Span::new(tok.span.start, tok.span.end);
    match receiver(source, &toks, i, 0) {
        Receiver::Type(ty) => {
            let member = ty.member(name)?;
            let path = chain_text(source, &toks, i);
            let kind = match member.kind {
                MemberKind::Property => "property",
                MemberKind::Method => "method",
            };
            Some((
                span,
                format!(
                    "```csharp\n{path}: {}\n```\n{kind} of `{}`: {}",
                    member.shown, ty.shown, member.doc
                ),
            ))
        }
        Receiver::Start => {
            let ty = resolve_root(source, &toks, i, name, 0)?;
            Some((
                span,
                format!("```csharp\n{name}: {}\n```\n{}", ty.shown, ty.doc),
            ))
        }
        Receiver::Unknown => None,
    }
}

fn tokens(source: &str, code: Span) -> Vec<Token> {
    let (mut toks, _) = Lexer::new(source, code.start, code.end).tokenize();
    toks.retain(|t| t.tok != Tok::Eof);
    toks
}

fn index_of(toks: &[Token], start: usize) -> usize {
    toks.partition_point(|t| t.span.start < start)
}

fn in_comment(gap: &str) -> bool {
    let line = gap.rsplit('\n').next().unwrap_or("");
    line.contains("//")
        || gap
            .rfind("/*")
            .is_some_and(|open| !gap.get(open..).unwrap_or("").contains("*/"))
}

/// A string or char literal whose closing quote is missing (the cursor is inside it).
fn is_unterminated_literal(source: &str, t: &Token) -> bool {
    let text = source.get(t.span.start..t.span.end).unwrap_or("");
    match t.tok {
        Tok::Str(_) | Tok::Interp(_) => {
            let body = text.trim_start_matches(['$', '@']);
            body.len() < 2
                || !body.ends_with('"')
                || (body.ends_with("\\\"") && !text.starts_with('@'))
        }
        Tok::Char(_) => text.len() < 2 || !text.ends_with('\''),
        _ => false,
    }
}

fn is_punct(t: Option<&Token>, p: &str) -> bool {
    matches!(t.map(|t| &t.tok), Some(Tok::Punct(q)) if *q == p)
}

fn ident(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

/// What precedes the token at `i` (an identifier being typed or hovered): `x.` or nothing.
fn receiver(source: &str, toks: &[Token], i: usize, depth: usize) -> Receiver {
    let dot = i.checked_sub(1).and_then(|d| toks.get(d));
    if !(is_punct(dot, ".") || is_punct(dot, "?.")) {
        return Receiver::Start;
    }
    match i
        .checked_sub(2)
        .and_then(|end| chain_type(source, toks, 0, end, depth))
    {
        Some(ty) => Receiver::Type(ty),
        None => Receiver::Unknown,
    }
}

/// The source text of the chain ending with the identifier at `i` (for hover headings).
fn chain_text(source: &str, toks: &[Token], i: usize) -> String {
    let end = toks.get(i).map_or(0, |t| t.span.end);
    let start = parse_back(toks, i.saturating_sub(2))
        .and_then(|c| toks.get(c.root))
        .map_or(end, |t| t.span.start);
    let text = source.get(start..end).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join("")
}

enum Step {
    Member(String, Option<String>),
    Call,
    Index,
}

struct Chain {
    /// Index of the root token (an identifier, a literal or the `(` of a parenthesised group).
    root: usize,
    /// For a parenthesised root: the tokens inside.
    group: Option<(usize, usize)>,
    steps: Vec<Step>,
}

/// Parse backwards from the token at `end` the postfix chain it closes.
fn parse_back(toks: &[Token], end: usize) -> Option<Chain> {
    let mut steps = Vec::new();
    let mut j = end;
    loop {
        let tok = toks.get(j)?;
        match &tok.tok {
            Tok::Punct(")") => {
                let open = match_back(toks, j, "(", ")")?;
                let before = open.checked_sub(1).and_then(|b| toks.get(b));
                if ident(before).is_some() {
                    steps.push(Step::Call);
                    j = open - 1;
                    continue;
                }
                if is_punct(before, ">") {
                    let lt = match_back(toks, open - 1, "<", ">")?;
                    let generic = toks
                        .get(lt + 1..open - 1)?
                        .iter()
                        .filter_map(|t| match &t.tok {
                            Tok::Ident(s) => Some(s.as_str()),
                            Tok::Punct(p) => Some(*p),
                            _ => None,
                        })
                        .collect::<String>();
                    let name = ident(lt.checked_sub(1).and_then(|b| toks.get(b)))?;
                    steps.push(Step::Call);
                    steps.push(Step::Member(name.to_string(), Some(generic)));
                    j = lt - 1;
                    if !dotted(toks, j) {
                        return None;
                    }
                    j -= 2;
                    continue;
                }
                steps.reverse();
                return Some(Chain {
                    root: open,
                    group: Some((open + 1, j)),
                    steps,
                });
            }
            Tok::Punct("]") => {
                let open = match_back(toks, j, "[", "]")?;
                steps.push(Step::Index);
                j = open.checked_sub(1)?;
            }
            Tok::Ident(name) => {
                if dotted(toks, j) {
                    steps.push(Step::Member(name.clone(), None));
                    j -= 2;
                } else {
                    steps.reverse();
                    return Some(Chain {
                        root: j,
                        group: None,
                        steps,
                    });
                }
            }
            Tok::Str(_) | Tok::Interp(_) => {
                steps.reverse();
                return Some(Chain {
                    root: j,
                    group: None,
                    steps,
                });
            }
            _ => return None,
        }
    }
}

/// The token at `j` is preceded by `.` or `?.`.
fn dotted(toks: &[Token], j: usize) -> bool {
    let dot = j.checked_sub(1).and_then(|d| toks.get(d));
    j >= 2 && (is_punct(dot, ".") || is_punct(dot, "?."))
}

/// The index of the `open` matching the `close` at `j`.
fn match_back(toks: &[Token], j: usize, open: &str, close: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = j;
    loop {
        let t = toks.get(k)?;
        if is_punct(Some(t), close) {
            depth += 1;
        } else if is_punct(Some(t), open) {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
        k = k.checked_sub(1)?;
    }
}

/// Locals and casts can refer to each other; stop following them after a few steps.
const MAX_DEPTH: usize = 4;

/// The type of the chain that ends at token `end` (tokens `lo..` may belong to it).
fn chain_type(
    source: &str,
    toks: &[Token],
    lo: usize,
    end: usize,
    depth: usize,
) -> Option<&'static TypeDef> {
    if depth > MAX_DEPTH {
        return None;
    }
    let chain = parse_back(toks, end)?;
    if chain.root < lo {
        return None;
    }
    let mut ty = match chain.group {
        Some((a, b)) => group_type(source, toks, a, b, depth + 1)?,
        None => match &toks.get(chain.root)?.tok {
            Tok::Ident(name) => resolve_root(source, toks, chain.root, name, depth)?,
            Tok::Str(_) | Tok::Interp(_) => type_def("string")?,
            _ => return None,
        },
    };
    let mut pending: Option<(&'static Member, Option<String>)> = None;
    for step in chain.steps {
        match step {
            Step::Member(name, generic) => {
                let member = ty.member(&name)?;
                match member.kind {
                    MemberKind::Property => ty = type_def(member.ty)?,
                    MemberKind::Method => pending = Some((member, generic)),
                }
            }
            Step::Call => {
                let (member, generic) = pending.take()?;
                ty = result_type(member.ty, generic.as_deref())?;
            }
            Step::Index => ty = type_def(ty.indexer?)?,
        }
    }
    // A method named without a call is a method group, not a value.
    if pending.is_some() {
        return None;
    }
    Some(ty)
}

fn result_type(ty: &str, generic: Option<&str>) -> Option<&'static TypeDef> {
    match ty.strip_prefix('T') {
        Some(rest) if rest.is_empty() || rest.starts_with('|') => {
            match generic.and_then(type_key) {
                Some(key) => type_def(key),
                None => type_def(rest.strip_prefix('|').unwrap_or("object")),
            }
        }
        _ => type_def(ty),
    }
}

/// The type of a parenthesised expression `( … )` (tokens `a..b`): a cast `(T)x`, `x as T`,
/// or a chain.
fn group_type(
    source: &str,
    toks: &[Token],
    a: usize,
    b: usize,
    depth: usize,
) -> Option<&'static TypeDef> {
    if b <= a {
        return None;
    }
    // `(T)rest`
    if is_punct(toks.get(a), "(")
        && is_punct(toks.get(a + 2), ")")
        && let Some(name) = ident(toks.get(a + 1))
        && let Some(key) = type_key(name)
    {
        return type_def(key);
    }
    // `rest as T`
    if b >= a + 2
        && ident(toks.get(b - 2)) == Some("as")
        && let Some(key) = ident(toks.get(b - 1)).and_then(type_key)
    {
        return type_def(key);
    }
    chain_type(source, toks, a, b - 1, depth)
}

/// The type of a chain's first identifier: `context`, a static type, or a local declared
/// earlier in the code (`var x = …;`, `JObject x = …;`).
fn resolve_root(
    source: &str,
    toks: &[Token],
    at: usize,
    name: &str,
    depth: usize,
) -> Option<&'static TypeDef> {
    if let Some((_, key)) = ROOTS.iter().find(|(n, _)| *n == name) {
        return type_def(key);
    }
    if depth > MAX_DEPTH {
        return None;
    }
    // The latest declaration of `name` before `at`.
    let decl = (1..at).rev().find(|&k| {
        ident(toks.get(k)) == Some(name)
            && ident(toks.get(k - 1)).is_some()
            && !is_punct(toks.get(k + 1), ".")
    })?;
    let declared = ident(toks.get(decl - 1))?;
    if declared != "var" {
        return type_key(declared).and_then(type_def);
    }
    if !is_punct(toks.get(decl + 1), "=") {
        return None;
    }
    // `var name = <expression>;`
    let start = decl + 2;
    let mut depth_brackets = 0i32;
    let mut end = start;
    while let Some(t) = toks.get(end) {
        match &t.tok {
            Tok::Punct("(" | "[" | "{") => depth_brackets += 1,
            Tok::Punct(")" | "]" | "}") => depth_brackets -= 1,
            Tok::Punct(";") if depth_brackets <= 0 => break,
            _ => {}
        }
        if depth_brackets < 0 {
            break;
        }
        end += 1;
    }
    if end <= start || end > at {
        return None;
    }
    group_type(source, toks, start, end, depth + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(code_with_cursor: &str) -> Option<(String, String)> {
        let cursor = code_with_cursor.find('|').unwrap();
        let code = code_with_cursor.replacen('|', "", 1);
        let q = query(&code, Span::new(0, code.len()), cursor)?;
        let typed = code[q.from..cursor].to_string();
        Some(match q.receiver {
            Receiver::Start => ("<start>".into(), typed),
            Receiver::Unknown => ("<unknown>".into(), typed),
            Receiver::Type(t) => (t.key.to_string(), typed),
        })
    }

    fn ty(code: &str) -> String {
        resolve(code).map_or("<none>".into(), |(t, _)| t)
    }

    #[test]
    fn resolves_member_chains() {
        assert_eq!(ty("context.|"), "context");
        assert_eq!(ty("context.Request.|"), "IRequest");
        assert_eq!(
            resolve("context.Request.He|"),
            Some(("IRequest".into(), "He".into()))
        );
        assert_eq!(ty("context.Request.Headers.|"), "Headers");
        assert_eq!(ty("context.Request.Url.Query.|"), "Query");
        assert_eq!(ty("context.Request?.Body.|"), "IMessageBody");
        assert_eq!(
            ty("context.Request.Headers.GetValueOrDefault(\"a)\", \"\").|"),
            "string"
        );
        assert_eq!(
            ty("context.Request.Body.As<JObject>(preserveContent: true).|"),
            "JObject"
        );
        assert_eq!(
            ty("context.Variables.GetValueOrDefault<string>(\"x\").|"),
            "string"
        );
        assert_eq!(ty("context.Variables[\"x\"].|"), "object");
        assert_eq!(
            ty("context.Request.Headers[\"Authorization\"].|"),
            "string[]"
        );
        assert_eq!(ty("context.Request\n    .Url\n    .|"), "IUrl");
        assert_eq!(ty("1 + context.LastError.|"), "ILastError");
    }

    #[test]
    fn resolves_casts_locals_and_statics() {
        assert_eq!(ty("((IResponse)context.Variables[\"r\"]).|"), "IResponse");
        assert_eq!(
            ty("((IResponse)context.Variables[\"r\"]).Body.|"),
            "IMessageBody"
        );
        assert_eq!(ty("(context.Variables[\"r\"] as JObject).|"), "JObject");
        assert_eq!(
            ty("var body = context.Request.Body.As<JObject>(); return body.|"),
            "JObject"
        );
        assert_eq!(ty("string auth = x; auth.|"), "string");
        assert_eq!(
            ty("var jwt = context.Request.Headers.GetValueOrDefault(\"A\",\"\").AsJwt(); jwt?.|"),
            "Jwt"
        );
        assert_eq!(ty("DateTime.UtcNow.|"), "DateTime");
        assert_eq!(ty("\"abc\".|"), "string");
    }

    #[test]
    fn unknown_and_start_positions() {
        assert_eq!(ty("|"), "<start>");
        assert_eq!(ty("con|"), "<start>");
        assert_eq!(ty("x == con|"), "<start>");
        assert_eq!(ty("foo.|"), "<unknown>");
        assert_eq!(ty("context.Nope.|"), "<unknown>");
        assert_eq!(
            ty("context.Request.Headers.GetValueOrDefault.|"),
            "<unknown>"
        );
    }

    #[test]
    fn nothing_inside_strings_and_comments() {
        assert_eq!(resolve("\"context.|"), None);
        assert_eq!(resolve("\"context.|\""), None);
        assert_eq!(resolve("x // context.|"), None);
        assert_eq!(resolve("/* context.| */"), None);
        assert!(resolve("/* c */ context.|").is_some());
    }

    #[test]
    fn interpolation_holes_are_code() {
        assert_eq!(ty("$\"id: {context.Request.|}\""), "IRequest");
    }

    #[test]
    fn every_member_type_exists() {
        for t in TYPES {
            for m in t.members {
                let key = m.ty.rsplit('|').next().unwrap();
                assert!(
                    key == "T" || type_def(key).is_some(),
                    "{}.{} -> {}",
                    t.key,
                    m.name,
                    m.ty
                );
            }
            if let Some(ix) = t.indexer {
                assert!(type_def(ix).is_some(), "{}[] -> {ix}", t.key);
            }
        }
        for (_, key) in ROOTS {
            assert!(type_def(key).is_some(), "{key}");
        }
    }
}
