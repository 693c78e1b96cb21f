//! The catalog's data: every policy element, its children, the sections and the roots.
//!
//! First written from `data/xsd_seed.py`'s outline of the XSDs, then corrected by hand from the
//! Microsoft Learn policy pages (each correction is commented "docs:"); this file is the source
//! of truth now. Keep [`POLICIES`] sorted by name (a unit test checks it: lookups binary-search).
//!
//! Conventions: attributes accept policy expressions unless marked `.no_expr()` (the page says
//! "Policy expressions aren't allowed"); `Scopes` here are the docs' usage scopes, and
//! [`documented`] adds [`Scope::Fragment`] to every policy allowed at some scope (a fragment can
//! be included anywhere), except `base`.

use super::{
    AttrDef as A, AttrRule as R, ChildDef as C, Condition as If, Content, ElementDef as E, Item,
    PolicyDef, Scope, Scopes, Section, Sections, Status, ValueType as T, When,
};

// ---------------------------------------------------------------------------------------------
// Shorthands

const S: T = T::String;
const B: T = T::Bool;
const INT: T = T::Int {
    min: None,
    max: None,
};
const SECS: T = T::Seconds {
    min: None,
    max: None,
};
const NUM: T = T::Number;
const CODE: T = T::StatusCode;
const ACTION: T = T::Enum(&["ignore", "prevent", "detect"]);
const CACHING_TYPE: T = T::Enum(&["prefer-external", "external", "internal"]);
const EXISTS_ACTION: T = T::Enum(&["override", "skip", "append", "delete"]);
const MODE: T = T::Enum(&["new", "copy"]);
// docs: the Dapr pages say "Liquid" is the only supported value; the XSD spells it `liquid`.
const LIQUID: T = T::Enum(&["liquid", "Liquid"]);

const TEXT: Content = Content::Text { expr: true };
const LITERAL: Content = Content::Text { expr: false };

const IN: Sections = Sections::INBOUND;
const OUT: Sections = Sections::OUTBOUND;
const ALL_SECTIONS: Sections = Sections::ALL;
const IN_BE: Sections = Sections::of(&[Section::Inbound, Section::Backend]);
const IN_OUT: Sections = Sections::of(&[Section::Inbound, Section::Outbound]);
const IN_ERR: Sections = Sections::of(&[Section::Inbound, Section::OnError]);
const OUT_ERR: Sections = Sections::of(&[Section::Outbound, Section::OnError]);
const IN_OUT_ERR: Sections = Sections::of(&[Section::Inbound, Section::Outbound, Section::OnError]);
const IN_BE_OUT: Sections = Sections::of(&[Section::Inbound, Section::Backend, Section::Outbound]);

/// "global, workspace, product, API, operation".
const EVERYWHERE: Scopes = Scopes::of(&[
    Scope::Global,
    Scope::Workspace,
    Scope::Product,
    Scope::Api,
    Scope::Operation,
]);
/// "global, product, API, operation" (pages that do not list workspace).
const NO_WORKSPACE: Scopes =
    Scopes::of(&[Scope::Global, Scope::Product, Scope::Api, Scope::Operation]);
const RESOLVER: Scopes = Scopes::of(&[Scope::Resolver]);

const LEARN: &str = "https://learn.microsoft.com/azure/api-management/";
/// The policy index, for the XSD-only elements that have no page of their own.
const INDEX_URL: &str = "https://learn.microsoft.com/azure/api-management/api-management-policies";

macro_rules! learn {
    ($name:literal) => {
        concat!(
            "https://learn.microsoft.com/azure/api-management/",
            $name,
            "-policy"
        )
    };
}

/// A documented policy; fragments may use it wherever some scope allows it.
const fn documented(
    element: E,
    category: &'static str,
    sections: Sections,
    scopes: Scopes,
    doc_url: &'static str,
) -> PolicyDef {
    let scopes = if scopes.contains(Scope::Resolver) && scopes.without(RESOLVER).is_empty() {
        scopes
    } else {
        scopes.with(Scopes::of(&[Scope::Fragment]))
    };
    PolicyDef {
        element,
        category,
        sections,
        scopes,
        status: Status::Documented,
        once_per_section: false,
        once_per_document: false,
        doc_url,
    }
}

impl PolicyDef {
    const fn once_per_section(self) -> PolicyDef {
        PolicyDef {
            once_per_section: true,
            ..self
        }
    }
    const fn once_per_document(self) -> PolicyDef {
        PolicyDef {
            once_per_document: true,
            ..self
        }
    }
    const fn undocumented(self) -> PolicyDef {
        PolicyDef {
            status: Status::Undocumented,
            doc_url: INDEX_URL,
            ..self
        }
    }
}

/// Every policy may carry an `id`; its value becomes `context.LastError.PolicyId`.
const ID: A = A::opt("id", S)
    .doc("Identifier reported as context.LastError.PolicyId when this policy fails.");

// Categories, as the policy index groups them.
const RATE: &str = "Rate limiting and quotas";
const AUTH: &str = "Authentication and authorization";
const VALIDATION: &str = "Content validation";
const ROUTING: &str = "Routing";
const CACHING: &str = "Caching";
const TRANSFORMATION: &str = "Transformation";
const CROSS_DOMAIN_CATEGORY: &str = "Cross-domain";
const INTEGRATION: &str = "Integration and external communication";
const LOGGING: &str = "Logging";
const GRAPHQL: &str = "GraphQL resolvers";
const FLOW: &str = "Policy control and flow";
const UNDOCUMENTED: &str = "Undocumented";

// ---------------------------------------------------------------------------------------------
// Sections and roots

const fn section_element(name: &'static str, doc: &'static str) -> E {
    E::new(name, doc).with_content(Content::Policies)
}

pub(super) static INBOUND: E = section_element(
    "inbound",
    "Policies applied to the request from the caller.",
);
pub(super) static BACKEND: E = section_element(
    "backend",
    "Policies applied before and around forwarding the request to the backend.",
);
pub(super) static OUTBOUND: E = section_element(
    "outbound",
    "Policies applied to the response to the caller.",
);
pub(super) static ON_ERROR: E = section_element(
    "on-error",
    "Policies applied when an error occurs; the rest of the pipeline is skipped.",
);

/// `<policies>`: the four sections, each at most once. The XSD (`xs:all`) and the docs put no
/// order on them, so any order is accepted.
pub(super) static POLICIES_ROOT: E = E::new("policies", "A policy document: up to four sections.")
    .with_children(&[
        C::opt(&INBOUND),
        C::opt(&BACKEND),
        C::opt(&OUTBOUND),
        C::opt(&ON_ERROR),
    ])
    .unordered();

/// `<fragment>`: policy statements with no sections and no `base` (`policy-fragments.md`).
pub(super) static FRAGMENT_ROOT: E = E::new(
    "fragment",
    "A policy fragment: policy statements included with include-fragment.",
)
.with_content(Content::Policies);

// ---------------------------------------------------------------------------------------------
// Shared child elements

static VALUE: E =
    E::new("value", "A value; repeat the element for several values.").with_content(TEXT);

static DIMENSION_ATTRS: &[A] = &[
    A::req("name", S).doc("Dimension name."),
    A::opt("value", S).doc(
        "Dimension value; may be omitted for a default dimension (API ID, Operation ID, Product ID, User ID, Subscription ID, Location, Gateway ID).",
    ),
];

static DIMENSION: E = E::new("dimension", "A metric dimension.").with_attrs(DIMENSION_ATTRS);

/// The default dimensions of emit-metric, which take their value from the request
/// (emit-metric-policy.md: "Default dimension names that may be used without value").
const DEFAULT_DIMENSIONS: &[&str] = &[
    "API ID",
    "Operation ID",
    "Product ID",
    "User ID",
    "Subscription ID",
    "Location",
    "Gateway ID",
];

/// emit-metric's dimension: the shared one, plus the docs' "value … can only be omitted if `name`
/// matches one of the default dimensions". (The AI-gateway metric policies keep the shared
/// element: their pages' default dimensions come from an include not read here.)
static EMIT_METRIC_DIMENSION: E = E::new("dimension", "A metric dimension.")
    .with_attrs(DIMENSION_ATTRS)
    .with_conditions(&[If::Required {
        item: Item::Attr("value"),
        when: When::IsNot("name", DEFAULT_DIMENSIONS),
    }]);

static SET_URL: E = E::new("set-url", "The URL of the request.").with_content(TEXT);

/// `set-method` as a child of send-request/send-one-way-request. docs (send-one-way-request):
/// "Policy expressions aren't allowed" for the method there.
static SET_METHOD_CHILD: E =
    E::new("set-method", "The HTTP method of the request.").with_content(LITERAL);

static VARY_BY: E = E::new(
    "vary-by",
    "An expression whose value partitions the cache; values of several are concatenated.",
)
.with_content(TEXT);

static SEMANTIC_LOOKUP_ATTRS: &[A] = &[
    ID,
    A::req("score-threshold", NUM)
        .doc("Similarity score threshold (0.0–1.0) for returning a cached response."),
    A::req("embeddings-backend-id", S).doc("Backend ID for the embeddings API call."),
    // docs: required and must be `system-assigned`; the XSD also allows `header`.
    A::req("embeddings-backend-auth", T::Enum(&["system-assigned"]))
        .doc("Authentication for the embeddings backend; must be system-assigned."),
    A::opt("ignore-system-messages", B)
        .default("false")
        .doc("Remove system messages from a chat prompt before assessing similarity."),
    A::opt("max-message-count", INT)
        .doc("Number of remaining dialog messages after which caching is skipped."),
];

static SEMANTIC_STORE_ATTRS: &[A] = &[
    ID,
    A::req("duration", SECS).doc("Time-to-live of the cached entries, in seconds."),
];

// rate-limit / quota targets

static RATE_LIMIT_OPERATION: E = E::new("operation", "A rate limit for one operation of the API.")
    .with_attrs(&[
        A::opt("name", S).no_expr().doc("Operation name."),
        A::opt("id", S).no_expr().doc("Operation ID."),
        A::req("calls", INT)
            .no_expr()
            .doc("Maximum number of calls in the renewal period."),
        A::req(
            "renewal-period",
            T::Seconds {
                min: None,
                max: Some(300),
            },
        )
        .no_expr()
        .doc("Sliding window length in seconds (at most 300)."),
    ])
    .with_rules(&[R::AtLeastOne(&["name", "id"])]);

static RATE_LIMIT_API: E = E::new("api", "A rate limit for one API.")
    .with_attrs(&[
        A::opt("name", S).no_expr().doc("API name."),
        A::opt("id", S).no_expr().doc("API ID."),
        A::req("calls", INT)
            .no_expr()
            .doc("Maximum number of calls in the renewal period."),
        A::req(
            "renewal-period",
            T::Seconds {
                min: None,
                max: Some(300),
            },
        )
        .no_expr()
        .doc("Sliding window length in seconds (at most 300)."),
    ])
    .with_rules(&[R::AtLeastOne(&["name", "id"])])
    .with_children(&[C::many(&RATE_LIMIT_OPERATION)]);

static QUOTA_OPERATION: E = E::new("operation", "A quota for one operation of the API.")
    .with_attrs(&[
        A::opt("name", S).no_expr().doc("Operation name."),
        A::opt("id", S).no_expr().doc("Operation ID."),
        A::opt("calls", INT)
            .no_expr()
            .doc("Maximum number of calls in the renewal period."),
        A::opt("bandwidth", INT)
            .no_expr()
            .doc("Maximum kilobytes in the renewal period."),
        A::req("renewal-period", SECS)
            .no_expr()
            .doc("Fixed window length in seconds; 0 means infinite."),
    ])
    .with_rules(&[
        R::AtLeastOne(&["name", "id"]),
        R::AtLeastOne(&["calls", "bandwidth"]),
    ]);

static QUOTA_API: E = E::new("api", "A quota for one API.")
    .with_attrs(&[
        A::opt("name", S).no_expr().doc("API name."),
        A::opt("id", S).no_expr().doc("API ID."),
        A::opt("calls", INT)
            .no_expr()
            .doc("Maximum number of calls in the renewal period."),
        A::opt("bandwidth", INT)
            .no_expr()
            .doc("Maximum kilobytes in the renewal period."),
        A::req("renewal-period", SECS)
            .no_expr()
            .doc("Fixed window length in seconds; 0 means infinite."),
    ])
    .with_rules(&[
        R::AtLeastOne(&["name", "id"]),
        R::AtLeastOne(&["calls", "bandwidth"]),
    ])
    .with_children(&[C::many(&QUOTA_OPERATION)]);

// validate-jwt / validate-azure-ad-token

static OPENID_CONFIG: E = E::new(
    "openid-config",
    "An OpenID Connect configuration endpoint to fetch signing keys and issuer from.",
)
.with_attrs(&[
    A::req("url", T::Url).doc("Configuration endpoint URL (…/.well-known/openid-configuration).")
]);

static KEY: E = E::new(
    "key",
    "A key: Base64 text, or a certificate-id, or an RSA modulus and exponent.",
)
.with_attrs(&[
    A::opt("id", S).doc("Key ID matched against the token's kid."),
    A::opt("certificate-id", S).doc("ID of a certificate uploaded to API Management."),
    A::opt("n", S).no_expr().doc("RSA modulus (Base64url)."),
    A::opt("e", S).no_expr().doc("RSA exponent (Base64url)."),
])
.with_rules(&[R::Requires("n", "e"), R::Requires("e", "n")])
.with_content(TEXT);

static ISSUER_SIGNING_KEYS: E = E::new(
    "issuer-signing-keys",
    "Keys used to validate signed tokens.",
)
.with_children(&[C::some(&KEY)]);
static DECRYPTION_KEYS: E = E::new("decryption-keys", "Keys used to decrypt encrypted tokens.")
    .with_children(&[C::some(&KEY)]);
static AUDIENCE: E =
    E::new("audience", "An acceptable audience (aud) claim value.").with_content(TEXT);
static AUDIENCES: E = E::new(
    "audiences",
    "Acceptable audience claims; any one must match.",
)
.with_children(&[C::some(&AUDIENCE)]);
static ISSUER: E = E::new("issuer", "An acceptable issuer (iss).").with_content(TEXT);
static ISSUERS: E =
    E::new("issuers", "Acceptable issuers; any one must match.").with_children(&[C::some(&ISSUER)]);
static CLAIM: E = E::new(
    "claim",
    "A claim the token must contain, with acceptable values.",
)
.with_attrs(&[
    A::req("name", S).doc("Claim name."),
    A::opt("match", T::Enum(&["all", "any"]))
        .default("all")
        .doc("Whether all or any of the values must be present."),
    A::opt("separator", S).doc("Separator for a multi-valued claim."),
])
.with_children(&[C::many(&VALUE)]);
static REQUIRED_CLAIMS: E =
    E::new("required-claims", "Claims the token must contain.").with_children(&[C::some(&CLAIM)]);
static APPLICATION_ID: E = E::new(
    "application-id",
    "A Microsoft Entra application (client) ID.",
)
.with_content(TEXT);
static CLIENT_APPLICATION_IDS: E = E::new(
    "client-application-ids",
    "Client applications allowed to call (appid/azp claim).",
)
.with_children(&[C::some(&APPLICATION_ID)]);
static BACKEND_APPLICATION_IDS: E = E::new(
    "backend-application-ids",
    "Backend application IDs accepted as audience.",
)
.with_children(&[C::some(&APPLICATION_ID)]);

// ---------------------------------------------------------------------------------------------
// Policies, alphabetical

static AUTHENTICATION_BASIC: E = E::new(
    "authentication-basic",
    "Authenticate with the backend using Basic authentication.",
)
.with_attrs(&[
    ID,
    A::req("username", S).doc("User name for Basic authentication."),
    A::req("password", S).doc("Password for Basic authentication (use a named value)."),
]);

static AUTHENTICATION_CERTIFICATE: E =
    E::new("authentication-certificate", "Authenticate with the backend using a client certificate.")
        .with_attrs(&[
            ID,
            A::opt("thumbprint", S).doc("Thumbprint of the client certificate."),
            A::opt("certificate-id", S).doc("Certificate resource name (use it for Key Vault certificates: the thumbprint changes on rotation)."),
            A::opt("body", S).doc("Client certificate as a byte array, when not from the certificate store."),
            A::opt("password", S).doc("Password of the certificate given in body."),
        ])
        .with_rules(&[R::ExactlyOne(&["thumbprint", "certificate-id", "body"]), R::Requires("password", "body")]);

static AUTHENTICATION_MANAGED_IDENTITY: E = E::new(
    "authentication-managed-identity",
    "Authenticate with the backend using a managed identity token.",
)
.with_attrs(&[
    ID,
    A::req("resource", S).doc(
        "Application ID URI of the target resource (the audience), e.g. https://vault.azure.net.",
    ),
    A::opt("client-id", S)
        .no_expr()
        .doc("Client ID of a user-assigned identity; omitted = system-assigned identity."),
    A::opt("output-token-variable-name", S)
        .no_expr()
        .doc("Store the token in this variable instead of setting the Authorization header."),
    A::opt("ignore-error", B)
        .default("false")
        .doc("Continue when no token can be obtained."),
]);

static AUTHENTICATION_TOKEN: E = E::new(
    "authentication-token",
    "Undocumented: obtain a token (XSD only).",
)
.with_attrs(&[
    ID,
    A::opt(
        "token-type",
        T::Enum(&["managed-service-identity", "token-service"]),
    )
    .default("managed-service-identity"),
    A::opt("token-service-url", S),
    A::opt("resource-url", S),
    A::opt("ignore-error", B),
]);

static AUTHENTICATION_TOKEN_STORE: E = E::new(
    "authentication-token-store",
    "Undocumented: use a token from the token store (XSD only).",
)
.with_attrs(&[
    ID,
    A::opt("token-id", S),
    A::opt("client-id", S),
    A::opt("output-token-variable-name", S),
    A::opt("ignore-error", B),
]);

static AZURE_OPENAI_EMIT_TOKEN_METRIC: E = E::new(
    "azure-openai-emit-token-metric",
    "Send metrics about Azure OpenAI token consumption to Application Insights.",
)
.with_attrs(&[
    ID,
    A::opt("namespace", S)
        .no_expr()
        .default("API Management")
        .doc("Metric namespace."),
    // docs: `value` is on the page; the XSD has `name`, `value-type`, `ignore-prompt` instead.
    A::opt("value", NUM)
        .default("1")
        .doc("Value of the metric, a double."),
])
// docs: "at most 10 custom dimensions"; the element is required.
.with_children(&[C::range(&DIMENSION, 1, 10)]);

static AZURE_OPENAI_SEMANTIC_CACHE_LOOKUP: E = E::new(
    "azure-openai-semantic-cache-lookup",
    "Look up a cached response to an Azure OpenAI request by semantic similarity of the prompt.",
)
.with_attrs(SEMANTIC_LOOKUP_ATTRS)
.with_children(&[C::many(&VARY_BY)]);

static AZURE_OPENAI_SEMANTIC_CACHE_STORE: E = E::new(
    "azure-openai-semantic-cache-store",
    "Cache Azure OpenAI responses for semantic cache lookup.",
)
.with_attrs(SEMANTIC_STORE_ATTRS);

/// Shared by azure-openai-token-limit and llm-token-limit. The stored azure-openai page
/// (02/18/2025) has only `tokens-per-minute`; the quota attributes come from llm-token-limit's page
/// and the XSD, which give both policies the same attributes.
static TOKEN_LIMIT_ATTRS: &[A] = &[
    ID,
    A::req("counter-key", S)
        .doc("Key of the counter; one counter per key value across all scopes."),
    A::opt("tokens-per-minute", INT).doc("Maximum prompt + completion tokens per minute."),
    A::opt("token-quota", INT)
        .no_expr()
        .doc("Maximum tokens in the token-quota-period."),
    // docs: no `Indefinite` (the XSD has it, and it is its default).
    A::opt(
        "token-quota-period",
        T::Enum(&["Hourly", "Daily", "Weekly", "Monthly", "Yearly"]),
    )
    .doc("Fixed window after which token-quota resets."),
    A::req("estimate-prompt-tokens", B).doc(
        "Estimate prompt tokens from the request instead of waiting for the response's usage.",
    ),
    A::opt("retry-after-header-name", S)
        .no_expr()
        .default("Retry-After")
        .doc("Response header for the retry interval after the limit is exceeded."),
    A::opt("retry-after-variable-name", S)
        .no_expr()
        .doc("Variable for the retry interval after the limit is exceeded."),
    A::opt("remaining-quota-tokens-header-name", S)
        .no_expr()
        .doc("Response header for the remaining token-quota."),
    A::opt("remaining-quota-tokens-variable-name", S)
        .no_expr()
        .doc("Variable for the remaining token-quota."),
    A::opt("remaining-tokens-header-name", S)
        .no_expr()
        .doc("Response header for the remaining tokens-per-minute."),
    A::opt("remaining-tokens-variable-name", S)
        .no_expr()
        .doc("Variable for the remaining tokens-per-minute."),
    A::opt("tokens-consumed-header-name", S)
        .no_expr()
        .doc("Response header for the tokens consumed by prompt and completion."),
    A::opt("tokens-consumed-variable-name", S)
        .doc("Variable for the tokens consumed (estimated in backend, actual in outbound)."),
];

static TOKEN_LIMIT_RULES: &[R] = &[
    R::AtLeastOne(&["tokens-per-minute", "token-quota"]),
    R::Requires("token-quota", "token-quota-period"),
    R::Requires("token-quota-period", "token-quota"),
];

static AZURE_OPENAI_TOKEN_LIMIT: E = E::new(
    "azure-openai-token-limit",
    "Limit Azure OpenAI token consumption per key (429 when exceeded).",
)
.with_attrs(TOKEN_LIMIT_ATTRS)
.with_rules(TOKEN_LIMIT_RULES);

static BASE: E = E::new(
    "base",
    "Run the parent scope's policies for this section here.",
);

static BLOCK: E = E::new("block", "Undocumented: a block of policies (XSD only).")
    .with_attrs(&[ID])
    .with_content(Content::Policies);

static CACHE_LOOKUP: E = E::new(
    "cache-lookup",
    "Return a cached response when a valid one is available.",
)
.with_attrs(&[
    ID,
    A::opt("allow-private-response-caching", B)
        .default("false")
        .doc("Cache requests that carry an Authorization header."),
    A::opt("caching-type", CACHING_TYPE)
        .no_expr()
        .default("prefer-external")
        .doc("Which cache to use."),
    A::opt(
        "downstream-caching-type",
        T::Enum(&["none", "private", "public"]),
    )
    .default("none")
    .doc("Cache-Control for downstream caches."),
    A::opt("must-revalidate", B)
        .default("true")
        .doc("Add must-revalidate to Cache-Control."),
    A::req("vary-by-developer", B)
        .default("false")
        .doc("Cache per developer (subscription key)."),
    A::req("vary-by-developer-groups", B)
        .default("false")
        .doc("Cache per developer group."),
])
.with_children(&[
    C::many(
        &E::new("vary-by-header", "Cache per value of this request header.").with_content(TEXT),
    ),
    C::many(
        &E::new(
            "vary-by-query-parameter",
            "Cache per value of these query parameters (semicolon-separated).",
        )
        .with_content(TEXT),
    ),
])
.unordered();

static CACHE_LOOKUP_VALUE: E = E::new(
    "cache-lookup-value",
    "Read a value from the cache by key into a variable.",
)
.with_attrs(&[
    ID,
    A::req("key", S).doc("Cache key."),
    A::req("variable-name", S)
        .no_expr()
        .doc("Variable to assign the value to; left unset on a miss without default-value."),
    A::opt("default-value", S).doc("Value assigned on a cache miss."),
    A::opt("caching-type", CACHING_TYPE)
        .no_expr()
        .default("prefer-external")
        .doc("Which cache to use."),
]);

static CACHE_REMOVE_VALUE: E = E::new("cache-remove-value", "Remove a cached value by key.")
    .with_attrs(&[
        ID,
        A::req("key", S).doc("Cache key."),
        A::opt("caching-type", CACHING_TYPE)
            .no_expr()
            .default("prefer-external")
            .doc("Which cache to use."),
    ]);

static CACHE_STORE: E = E::new(
    "cache-store",
    "Cache the response for a later cache-lookup.",
)
.with_attrs(&[
    ID,
    A::req("duration", SECS).doc("Time-to-live of the cached entries, in seconds."),
    A::opt("cache-response", B)
        .default("false")
        .doc("Cache this response (by default only 200 OK responses are cached)."),
]);

static CACHE_STORE_VALUE: E = E::new(
    "cache-store-value",
    "Store a value in the cache by key (asynchronously).",
)
.with_attrs(&[
    ID,
    A::req("key", S).doc("Cache key."),
    A::req("value", S).doc("Value to cache."),
    A::req("duration", SECS).doc("Time-to-live in seconds."),
    A::opt("caching-type", CACHING_TYPE)
        .no_expr()
        .default("prefer-external")
        .doc("Which cache to use."),
]);

static CHECK_HEADER: E = E::new(
    "check-header",
    "Require a request header, optionally with one of the listed values.",
)
.with_attrs(&[
    ID,
    A::req("name", S).doc("Header to check."),
    A::req("failed-check-httpcode", CODE).doc("Status code returned when the check fails."),
    A::req("failed-check-error-message", S).doc("Error message returned when the check fails."),
    // docs: required; the XSD makes it optional.
    A::req("ignore-case", B).doc("Compare values case-insensitively."),
])
.with_children(&[C::many(&VALUE)]);

static WHEN: E = E::new(
    "when",
    "A branch taken when its condition is true (the first true one runs).",
)
.with_attrs(&[A::req("condition", B).doc("Boolean expression or constant.")])
.with_content(Content::Policies);
static OTHERWISE: E = E::new(
    "otherwise",
    "The branch taken when no when condition is true.",
)
.with_content(Content::Policies);

static CHOOSE: E = E::new(
    "choose",
    "Apply policy statements conditionally (when/otherwise).",
)
.with_attrs(&[ID])
.with_children(&[C::some(&WHEN), C::opt(&OTHERWISE)]);

static HEADER: E = E::new("header", "A header name.").with_content(TEXT);
static CORS: E = E::new(
    "cors",
    "Add CORS support: answer preflight requests and add CORS headers.",
)
.with_attrs(&[
    ID,
    A::opt("allow-credentials", B)
        .default("false")
        .doc("Set Access-Control-Allow-Credentials."),
    // docs: the attribute table says default false ("Common configuration issues" says true).
    A::opt("terminate-unmatched-request", B)
        .default("false")
        .doc("End cross-origin requests that match no setting."),
])
// docs: statement order; the XSD uses xs:all (any order).
.with_children(&[
    C::one(
        &E::new("allowed-origins", "Origins allowed to call.").with_children(&[C::some(
            &E::new("origin", "An origin (scheme, host, port) or *.").with_content(TEXT),
        )]),
    ),
    C::opt(
        &E::new(
            "allowed-methods",
            "Methods allowed (GET and POST when omitted).",
        )
        .with_attrs(&[A::opt(
            "preflight-result-max-age",
            T::Int {
                min: Some(0),
                max: None,
            },
        )
        .default("0")
        .doc("Access-Control-Max-Age in seconds.")])
        .with_children(&[C::some(
            &E::new("method", "An HTTP method or *.").with_content(TEXT),
        )]),
    ),
    // docs: the attribute table marks allowed-headers required; the XSD makes it optional.
    C::one(
        &E::new("allowed-headers", "Request headers allowed.").with_children(&[C::some(&HEADER)]),
    ),
    C::opt(
        &E::new("expose-headers", "Response headers exposed to the client.")
            .with_children(&[C::some(&HEADER)]),
    ),
]);

// cosmosdb-data-source

static TEMPLATE_ATTR: A =
    A::opt("template", T::Enum(&["liquid"])).doc("Templating mode of the value.");
static COSMOS_PARTITION_KEY: E = E::new("partition-key", "A Cosmos DB partition key.")
    .with_attrs(&[
        A::opt(
            "data-type",
            T::Enum(&["string", "number", "bool", "none", "null"]),
        )
        .default("string")
        .doc("Data type of the partition key."),
        TEMPLATE_ATTR,
    ])
    .with_content(TEXT);
static COSMOS_ID: E = E::new("id", "Item ID in the container.")
    .with_attrs(&[TEMPLATE_ATTR])
    .with_content(TEXT);
static COSMOS_ETAG: E = E::new("etag", "Entity tag for optimistic concurrency.")
    .with_attrs(&[
        A::opt("type", T::Enum(&["match", "no-match"])).doc("Match or no-match."),
        TEMPLATE_ATTR,
    ])
    .with_content(TEXT);
static SQL_STATEMENT: E = E::new("sql-statement", "A SQL statement.").with_content(TEXT);
static CONSISTENCY: T = T::Enum(&[
    "bounded-staleness",
    "consistent-prefix",
    "eventual",
    "session",
    "strong",
]);
static RESOLVER_RESPONSE_BODY: &[C] = &[C::opt(&SET_BODY), C::opt(&PUBLISH_EVENT)];

static COSMOSDB_DATA_SOURCE: E = E::new(
    "cosmosdb-data-source",
    "GraphQL resolver: resolve a field with a Cosmos DB query, read, delete or write request.",
)
.with_attrs(&[ID])
.with_rules(&[])
.with_children(&[
    C::one(
        &E::new("connection-info", "Connection to the Cosmos DB container.").with_children(&[
            C::one(
                &E::new(
                    "connection-string",
                    "Cosmos DB connection string (omit the key with a managed identity).",
                )
                .with_attrs(&[
                    A::opt("use-managed-identity", B)
                        .default("false")
                        .doc("Use the system-assigned identity instead of an account key."),
                    // XSD; not on the stored page (03/18/2024).
                    A::opt("client-id", S).doc("Client ID of a user-assigned identity."),
                ])
                .with_content(TEXT),
            ),
            C::one(&E::new("database-name", "Cosmos DB database name.").with_content(TEXT)),
            C::one(&E::new("container-name", "Container name.").with_content(TEXT)),
        ]),
    ),
    C::opt(
        &E::new("query-request", "A query request.")
            .with_attrs(&[
                A::opt("enable-low-precision-order-by", B).doc("Enable EnableLowPrecisionOrderBy.")
            ])
            .with_children(&[
                C::opt(&SQL_STATEMENT),
                C::opt(
                    &E::new("parameters", "Query parameters.").with_children(&[C::many(
                        &E::new("parameter", "A query parameter.")
                            .with_attrs(&[A::req("name", S).doc("Parameter name in @ notation.")])
                            .with_content(TEXT),
                    )]),
                ),
                C::opt(&COSMOS_PARTITION_KEY),
                C::opt(
                    &E::new("paging", "Paging of query results.").with_children(&[
                        C::one(
                            &E::new("max-item-count", "Maximum items per page (-1 = no limit).")
                                .with_attrs(&[TEMPLATE_ATTR])
                                .with_content(TEXT),
                        ),
                        C::one(
                            &E::new("continuation-token", "Continuation token of the next page.")
                                .with_attrs(&[TEMPLATE_ATTR])
                                .with_content(TEXT),
                        ),
                    ]),
                ),
            ]),
    ),
    C::opt(
        &E::new("read-request", "A read request by item ID.")
            .with_children(&[C::one(&COSMOS_ID), C::opt(&COSMOS_PARTITION_KEY)]),
    ),
    C::opt(
        &E::new("delete-request", "A delete request by item ID.")
            .with_attrs(&[
                A::opt("consistency-level", CONSISTENCY).doc("Consistency level of the request."),
                A::opt("pre-trigger", S).doc("Pre-trigger function ID."),
                A::opt("post-trigger", S).doc("Post-trigger function ID."),
            ])
            .with_children(&[
                C::one(&COSMOS_ID),
                C::opt(&COSMOS_PARTITION_KEY),
                C::opt(&COSMOS_ETAG),
            ])
            // docs: the statement lists etag, id, partition-key; the element table id, partition-key, etag.
            .unordered(),
    ),
    C::opt(
        &E::new(
            "write-request",
            "A write (insert, replace, upsert) request.",
        )
        .with_attrs(&[
            A::opt("type", T::Enum(&["insert", "replace", "upsert"]))
                .default("upsert")
                .doc("Kind of write."),
            A::opt("consistency-level", CONSISTENCY).doc("Consistency level of the request."),
            A::opt(
                "indexing-directive",
                T::Enum(&["default", "include", "exclude"]),
            )
            .default("default")
            .doc("Indexing of the item."),
            A::opt("pre-trigger", S).doc("Pre-trigger function ID."),
            A::opt("post-trigger", S).doc("Post-trigger function ID."),
            // XSD; not on the stored page.
            A::opt("enable-content-response-on-write", B).doc("Return the written item."),
        ])
        // docs: id is "Yes when `type` is `replace`".
        .with_conditions(&[If::Required {
            item: Item::Child("id"),
            when: When::Is("type", &["replace"]),
        }])
        .with_children(&[
            C::opt(&COSMOS_ID),
            C::opt(&COSMOS_PARTITION_KEY),
            C::opt(&COSMOS_ETAG),
            C::opt(&SET_BODY),
            C::many(&INCLUDE_FRAGMENT),
        ])
        .unordered(),
    ),
    C::opt(
        &E::new("response", "Policies shaping the resolver's response.")
            .with_children(RESOLVER_RESPONSE_BODY),
    ),
])
// docs: "Configure one of query-request, read-request, delete-request, or write-request".
.with_conditions(&[If::ExactlyOneChild(&[
    "query-request",
    "read-request",
    "delete-request",
    "write-request",
])])
.unordered();

static CROSS_DOMAIN: E = E::new(
    "cross-domain",
    "Serve a crossdomain.xml policy for Flash and Silverlight clients.",
)
.with_attrs(&[ID])
.with_children(&[C::opt(
    &E::new("cross-domain-policy", "The Adobe crossdomain.xml document.")
        .with_children(&[
            C::opt(&E::new("site-control", "Meta-policy.").with_attrs(&[A::req(
                "permitted-cross-domain-policies",
                T::Enum(&["all", "by-content-type", "master-only", "none"]),
            )])),
            C::many(
                &E::new("allow-access-from", "A domain allowed to read.")
                    .with_attrs(&[A::req("domain", S), A::opt("secure", B).default("true")]),
            ),
            C::many(
                &E::new(
                    "allow-http-request-headers-from",
                    "A domain allowed to send headers.",
                )
                .with_attrs(&[
                    A::req("domain", S),
                    A::req("headers", S),
                    A::opt("secure", B).default("true"),
                ]),
            ),
        ])
        .unordered()
        // docs: "Child elements must conform to the Adobe cross-domain policy file
        // specification" (which has more than the children above, e.g. `to-ports`); expressions
        // are "supported". The children are completion hints.
        .with_content(Content::Foreign { expr: true }),
)]);

static EMIT_METRIC: E = E::new(
    "emit-metric",
    "Send a custom metric to Application Insights.",
)
.with_attrs(&[
    ID,
    A::req("name", S).no_expr().doc("Metric name."),
    A::opt("namespace", S)
        .no_expr()
        .default("API Management")
        .doc("Metric namespace."),
    A::opt("value", NUM)
        .default("1")
        .doc("Value of the metric, a double."),
])
.with_children(&[C::range(&EMIT_METRIC_DIMENSION, 1, 10)]);

static FIND_AND_REPLACE: E = E::new(
    "find-and-replace",
    "Replace a substring of the request or response body.",
)
.with_attrs(&[
    ID,
    A::req("from", S).doc("String to search for."),
    A::req("to", S).doc("Replacement (empty removes)."),
]);

static FORWARD_REQUEST: E = E::new("forward-request", "Forward the request to the backend service.")
    .with_attrs(&[
        ID,
        A::opt("timeout", SECS).default("300").doc("Seconds to wait for the backend's status and headers (values over 240 may not be honored)."),
        // docs (current page, and the 10/19/2023 one): `timeout-ms`, `continue-timeout` and
        // `http-version` (1 | 2or1 | 2); no expressions in buffer-response and
        // fail-on-error-status-code.
        A::opt("timeout-ms", INT).doc("Timeout in milliseconds; overrides timeout."),
        A::opt("continue-timeout", SECS).doc("Seconds to wait for 100 Continue from the backend."),
        A::opt("http-version", T::Enum(&["1", "2or1", "2"])).default("1").doc("HTTP version used with the backend."),
        A::opt("follow-redirects", B).default("false").doc("Follow backend redirects instead of returning them."),
        A::opt("buffer-request-body", B).default("false").doc("Buffer the request body (needed to retry)."),
        A::opt("buffer-response", B).no_expr().default("true").doc("Buffer the response (false streams it, e.g. for SSE)."),
        A::opt("fail-on-error-status-code", B).no_expr().default("false").doc("Treat backend 400–599 as errors (go to on-error)."),
    ])
    .with_rules(&[R::AtMostOne(&["timeout", "timeout-ms"])]);

static GET_AUTHORIZATION_CONTEXT: E = E::new(
    "get-authorization-context",
    "Get an OAuth access token from a credential manager connection.",
)
.with_attrs(&[
    ID,
    A::req("provider-id", S).doc("Credential provider resource ID."),
    A::req("authorization-id", S).doc("Connection resource ID."),
    A::req("context-variable-name", S)
        .doc("Variable that receives the Authorization object (AccessToken, Claims)."),
    A::opt("identity-type", T::Enum(&["managed", "jwt"]))
        .default("managed")
        .doc("Identity checked against the connection's access policy."),
    A::opt("identity", S).doc("Microsoft Entra JWT bearer token, when identity-type is jwt."),
    A::opt("ignore-error", B)
        .default("false")
        .doc("Continue when the context cannot be acquired (otherwise 500)."),
])
// docs: `jwt` is the "JWT bearer token specified in the `identity` attribute".
.with_conditions(&[If::Required {
    item: Item::Attr("identity"),
    when: When::Is("identity-type", &["jwt"]),
}]);

static GRAPHQL_DATA_SOURCE: E = E::new(
    "graphql-data-source",
    "Undocumented: GraphQL resolver calling a GraphQL backend (XSD only).",
)
.with_attrs(&[ID])
.with_children(&[
    C::one(
        &E::new("request", "The GraphQL request.").with_children(&[
            C::opt(&AUTHENTICATION_BASIC),
            C::opt(&AUTHENTICATION_CERTIFICATE),
            C::opt(&AUTHENTICATION_MANAGED_IDENTITY),
            C::opt(&GET_AUTHORIZATION_CONTEXT),
            C::opt(&SET_BACKEND_SERVICE),
            C::opt(&SET_URL),
            C::opt(&SET_HEADER),
            C::many(&INCLUDE_FRAGMENT),
            C::one(&E::new("document", "The GraphQL document.").with_content(TEXT)),
            C::opt(&E::new("operationName", "The GraphQL operation name.").with_content(TEXT)),
            C::opt(
                &E::new("variables", "GraphQL variables.").with_children(&[C::some(
                    &E::new("variable", "A GraphQL variable.")
                        .with_attrs(&[A::req("name", S)])
                        .with_content(TEXT),
                )]),
            ),
        ]),
    ),
    C::opt(
        &E::new("response", "Policies shaping the response.").with_children(&[
            C::opt(&SET_BODY),
            C::many(&INCLUDE_FRAGMENT),
            C::opt(&PUBLISH_EVENT),
        ]),
    ),
]);

static HTTP_DATA_SOURCE: E = E::new(
    "http-data-source",
    "GraphQL resolver: resolve a field with an HTTP request.",
)
.with_attrs(&[ID])
.with_children(&[
    C::one(
        &E::new("http-request", "The resolver's HTTP request.")
            // docs: the statement's order (the element table lists include-fragment third).
            .with_children(&[
                C::opt(&GET_AUTHORIZATION_CONTEXT),
                C::opt(&SET_BACKEND_SERVICE),
                C::one(&SET_METHOD),
                C::one(&SET_URL),
                C::many(&INCLUDE_FRAGMENT),
                C::many(&SET_HEADER),
                C::opt(&SET_BODY),
                C::opt(&AUTHENTICATION_CERTIFICATE),
            ]),
    ),
    C::opt(
        &E::new("backend", "Forward the resolver's request to a backend.")
            .with_children(&[C::opt(&FORWARD_REQUEST)]),
    ),
    C::opt(
        // docs: no json-to-xml here (the XSD has one).
        &E::new(
            "http-response",
            "Policies shaping the resolver's HTTP response.",
        )
        .with_children(&[
            C::opt(&SET_BODY),
            C::opt(&XML_TO_JSON),
            C::opt(&FIND_AND_REPLACE),
            C::opt(&PUBLISH_EVENT),
            C::many(&INCLUDE_FRAGMENT),
        ]),
    ),
]);

static INCLUDE_FRAGMENT: E = E::new("include-fragment", "Insert a policy fragment here.")
    .with_attrs(&[
        ID,
        A::req("fragment-id", S)
            .no_expr()
            .doc("Name of the policy fragment."),
    ]);

static INVOKE_DAPR_BINDING: E = E::new(
    "invoke-dapr-binding",
    "Trigger a Dapr output binding (self-hosted gateway).",
)
.with_attrs(&[
    ID,
    A::req("name", S).doc("Target binding name."),
    A::opt("operation", S)
        .no_expr()
        .doc("Target operation name (binding specific)."),
    A::opt("ignore-error", B)
        .no_expr()
        .default("false")
        .doc("Do not go to on-error on a Dapr error."),
    A::opt("response-variable-name", S)
        .no_expr()
        .doc("Variable that receives the Dapr response."),
    A::opt(
        "timeout",
        T::Seconds {
            min: Some(1),
            max: Some(240),
        },
    )
    .default("5")
    .doc("Seconds to wait for Dapr (1–240)."),
    A::opt("template", LIQUID).doc("Templating engine for the content."),
    // docs: on the page; missing from the XSD.
    A::opt("content-type", T::Enum(&["application/json"])).doc("Type of the message content."),
])
.with_children(&[
    C::opt(
        &E::new("metadata", "Binding metadata as key/value items.").with_children(&[C::many(
            &E::new("item", "A metadata item.")
                .with_attrs(&[A::req("key", S).doc("Item name.")])
                .with_content(TEXT),
        )]),
    ),
    C::opt(&E::new("data", "Content of the message.").with_content(Content::Mixed)),
]);

static INVOKE_REQUEST: E = E::new(
    "invoke-request",
    "Undocumented: invoke a request (XSD only).",
)
.with_attrs(&[ID, A::req("url", S)])
.with_children(&[C::many(&VALUE)]);

static IP_FILTER: E = E::new(
    "ip-filter",
    "Allow or forbid callers by IP address or range.",
)
.with_attrs(&[
    ID,
    // docs: required; the XSD makes it optional with default allow.
    A::req("action", T::Enum(&["allow", "forbid"])).doc("Allow or forbid the listed addresses."),
])
// docs: "At least one `address` or `address-range` element is required."
.with_conditions(&[If::AtLeastOneChild(&["address", "address-range"])])
.with_children(&[
    C::many(&E::new("address", "An IP address.").with_content(TEXT)),
    C::many(
        &E::new("address-range", "An inclusive IP address range.").with_attrs(&[
            A::req("from", T::IpAddress).doc("First address."),
            A::req("to", T::IpAddress).doc("Last address."),
        ]),
    ),
])
.unordered();

static JSON_TO_XML: E = E::new("json-to-xml", "Convert a JSON body to XML.").with_attrs(&[
    ID,
    A::req("apply", T::Enum(&["always", "content-type-json"])).doc("When to convert."),
    A::opt("consider-accept-header", B)
        .default("true")
        .doc("Convert only when the caller accepts XML."),
    A::opt("parse-date", B)
        .no_expr()
        .default("true")
        .doc("Convert date strings to dates."),
    A::opt("namespace-separator", S)
        .default("_")
        .doc("Separator between namespace prefix and name."),
    A::opt("namespace-prefix", S).doc("Property name prefix that marks namespace attributes."),
    A::opt("attribute-block-name", S).doc("Property whose members become XML attributes."),
]);

static JSONP: E = E::new(
    "jsonp",
    "Add JSONP support for cross-domain JavaScript clients.",
)
.with_attrs(&[
    ID,
    A::req("callback-parameter-name", S)
        .doc("Query parameter carrying the callback function name."),
]);

static LIMIT_CONCURRENCY: E = E::new(
    "limit-concurrency",
    "Run the enclosed policies for at most max-count requests at a time.",
)
.with_attrs(&[
    ID,
    A::req("key", S).doc("Key of the concurrency counter."),
    A::req("max-count", INT)
        .no_expr()
        .doc("Maximum concurrent requests (429 beyond)."),
])
.with_content(Content::Policies);

static LLM_CONTENT_SAFETY: E = E::new(
    "llm-content-safety",
    "Check prompts with Azure AI Content Safety before they reach the LLM (403 when blocked).",
)
.with_attrs(&[
    ID,
    A::req("backend-id", S).doc("Backend for the Azure AI Content Safety service."),
    A::opt("shield-prompt", B)
        .default("false")
        .doc("Check for user prompt attacks."),
])
.with_children(&[
    C::opt(
        &E::new(
            "categories",
            "Categories that block the request when detected.",
        )
        .with_attrs(&[A::opt(
            "output-type",
            T::Enum(&["FourSeverityLevels", "EightSeverityLevels"]),
        )
        .default("FourSeverityLevels")
        .doc("Severity scale returned by the service.")])
        .with_children(&[C::some(
            &E::new("category", "A category and its blocking threshold.").with_attrs(&[
                A::req("name", T::Enum(&["Hate", "SelfHarm", "Sexual", "Violence"]))
                    .doc("Category name."),
                A::req(
                    "threshold",
                    T::Int {
                        min: Some(0),
                        max: Some(7),
                    },
                )
                .doc("Severity from which requests are blocked (0–7)."),
            ]),
        )]),
    ),
    C::opt(
        &E::new("blocklists", "Blocklists whose matches block the request.").with_children(&[
            C::some(&E::new("id", "A blocklist identifier.").with_content(TEXT)),
        ]),
    ),
]);

static LLM_EMIT_TOKEN_METRIC: E = E::new(
    "llm-emit-token-metric",
    "Send metrics about LLM token consumption to Application Insights.",
)
.with_attrs(&[
    ID,
    A::opt("namespace", S)
        .no_expr()
        .default("API Management")
        .doc("Metric namespace."),
])
// docs: "at most 5 custom dimensions" (the XSD allows 10).
.with_children(&[C::range(&DIMENSION, 1, 5)]);

static LLM_SEMANTIC_CACHE_LOOKUP: E = E::new(
    "llm-semantic-cache-lookup",
    "Look up a cached LLM response by semantic similarity of the prompt.",
)
.with_attrs(SEMANTIC_LOOKUP_ATTRS)
.with_children(&[C::many(&VARY_BY)]);

static LLM_SEMANTIC_CACHE_STORE: E = E::new(
    "llm-semantic-cache-store",
    "Cache LLM responses for semantic cache lookup.",
)
.with_attrs(SEMANTIC_STORE_ATTRS);

static LLM_TOKEN_LIMIT: E = E::new(
    "llm-token-limit",
    "Limit LLM token consumption per key: a rate (429) or a quota (403).",
)
.with_attrs(TOKEN_LIMIT_ATTRS)
.with_rules(TOKEN_LIMIT_RULES);

static LOG_TO_EVENTHUB: E = E::new(
    "log-to-eventhub",
    "Send a message to an event hub through a logger.",
)
.with_attrs(&[
    ID,
    A::req("logger-id", S)
        .no_expr()
        .doc("ID of the Logger registered with API Management."),
    A::opt("partition-id", S)
        .no_expr()
        .doc("Index of the partition to send to."),
    A::opt("partition-key", S).doc("Value used for partition assignment."),
])
.with_rules(&[R::AtMostOne(&["partition-id", "partition-key"])])
.with_content(TEXT);

static MOCK_RESPONSE: E = E::new(
    "mock-response",
    "Return a response generated from the API's examples or schema.",
)
.with_attrs(&[
    ID,
    // docs (07/23/2024): "Policy expressions can't be used in attribute values for this policy."
    A::opt("status-code", CODE)
        .no_expr()
        .default("200")
        .doc("Status code of the mocked response."),
    // docs: no default ("None"): the first content type with an example or schema is used.
    A::opt("content-type", S)
        .no_expr()
        .doc("Content-Type of the example or schema to use."),
]);

static PROXY: E = E::new("proxy", "Route forwarded requests through an HTTP proxy.").with_attrs(&[
    ID,
    A::req("url", T::Url).doc("Proxy URL (http://host:port)."),
    A::opt("username", S).doc("User name for the proxy."),
    A::opt("password", S).doc("Password for the proxy."),
]);

static PUBLISH_EVENT: E = E::new(
    "publish-event",
    "Publish an event to GraphQL subscriptions from a resolver.",
)
.with_attrs(&[ID])
.with_children(&[C::one(
    &E::new("targets", "Subscriptions to publish to.").with_children(&[C::some(
        &E::new(
            "graphql-subscription",
            "A subscription field of the schema.",
        )
        .with_attrs(&[A::req("id", S).doc("Subscription field name.")]),
    )]),
)]);

static PUBLISH_TO_DAPR: E = E::new(
    "publish-to-dapr",
    "Publish a message to a Dapr pub/sub topic (self-hosted gateway).",
)
.with_attrs(&[
    ID,
    A::opt("pubsub-name", S).doc("PubSub component name (else topic is pubsub-name/topic-name)."),
    A::req("topic", S).doc("Topic name."),
    A::opt("ignore-error", B)
        .no_expr()
        .default("false")
        .doc("Do not go to on-error on a Dapr error."),
    A::opt("response-variable-name", S)
        .no_expr()
        .doc("Variable that receives the Dapr response."),
    A::opt(
        "timeout",
        T::Seconds {
            min: Some(1),
            max: Some(240),
        },
    )
    .default("5")
    .doc("Seconds to wait for Dapr (1–240)."),
    A::opt("template", LIQUID).doc("Templating engine for the content."),
    A::opt("content-type", T::Enum(&["application/json"])).doc("Type of the message content."),
])
.with_content(Content::Mixed);

static QUOTA: E = E::new(
    "quota",
    "Enforce a renewable or lifetime call and/or bandwidth quota per subscription (403).",
)
.with_attrs(&[
    ID,
    A::opt("calls", INT)
        .no_expr()
        .doc("Maximum calls in the renewal period."),
    A::opt("bandwidth", INT)
        .no_expr()
        .doc("Maximum kilobytes in the renewal period."),
    A::req("renewal-period", SECS)
        .no_expr()
        .doc("Fixed window length in seconds; 0 means infinite."),
])
.with_rules(&[R::AtLeastOne(&["calls", "bandwidth"])])
.with_children(&[C::many(&QUOTA_API)]);

static QUOTA_BY_KEY: E = E::new(
    "quota-by-key",
    "Enforce a renewable or lifetime call and/or bandwidth quota per key (403).",
)
.with_attrs(&[
    ID,
    A::opt("calls", INT)
        .no_expr()
        .doc("Maximum calls in the renewal period."),
    A::opt("bandwidth", INT)
        .no_expr()
        .doc("Maximum kilobytes in the renewal period."),
    A::req("counter-key", S).doc("Key of the quota counter."),
    A::opt("increment-condition", B).doc("Count the request only when this is true."),
    // docs (quota-by-key-policy.md, 05/06/2025): in the statement and the attribute table.
    A::opt("increment-count", INT)
        .default("1")
        .doc("Amount added to the counter per request."),
    // docs: at least 300 seconds; 0 means infinite (the one value below the minimum).
    A::req(
        "renewal-period",
        T::Seconds {
            min: Some(300),
            max: None,
        },
    )
    .no_expr()
    .doc("Fixed window length in seconds (at least 300; 0 means infinite)."),
    A::opt("first-period-start", T::Iso8601)
        .no_expr()
        .default("0001-01-01T00:00:00Z")
        .doc("Start of the first period."),
])
.with_rules(&[R::AtLeastOne(&["calls", "bandwidth"])]);

static RATE_LIMIT: E = E::new("rate-limit", "Limit the call rate per subscription (429).")
    .with_attrs(&[
        ID,
        A::req("calls", INT)
            .no_expr()
            .doc("Maximum calls in the renewal period."),
        A::req(
            "renewal-period",
            T::Seconds {
                min: None,
                max: Some(300),
            },
        )
        .no_expr()
        .doc("Sliding window length in seconds (at most 300)."),
        A::opt("retry-after-header-name", S)
            .no_expr()
            .default("Retry-After")
            .doc("Response header for the retry interval."),
        A::opt("retry-after-variable-name", S)
            .no_expr()
            .doc("Variable for the retry interval."),
        A::opt("remaining-calls-header-name", S)
            .no_expr()
            .doc("Response header for the remaining calls."),
        A::opt("remaining-calls-variable-name", S)
            .no_expr()
            .doc("Variable for the remaining calls."),
        A::opt("total-calls-header-name", S)
            .no_expr()
            .doc("Response header for the calls value."),
    ])
    .with_children(&[C::many(&RATE_LIMIT_API)]);

static RATE_LIMIT_BY_KEY: E = E::new("rate-limit-by-key", "Limit the call rate per key (429).")
    .with_attrs(&[
        ID,
        A::req("calls", INT).doc("Maximum calls in the renewal period."),
        A::req("counter-key", S).doc("Key of the rate-limit counter."),
        A::opt("increment-condition", B).doc("Count the request only when this is true."),
        A::opt("increment-count", INT)
            .default("1")
            .doc("Amount added to the counter per request."),
        A::req(
            "renewal-period",
            T::Seconds {
                min: None,
                max: Some(300),
            },
        )
        .doc("Sliding window length in seconds (at most 300)."),
        A::opt("retry-after-header-name", S)
            .no_expr()
            .default("Retry-After")
            .doc("Response header for the retry interval."),
        A::opt("retry-after-variable-name", S)
            .no_expr()
            .doc("Variable for the retry interval."),
        A::opt("remaining-calls-header-name", S)
            .no_expr()
            .doc("Response header for the remaining calls."),
        A::opt("remaining-calls-variable-name", S)
            .no_expr()
            .doc("Variable for the remaining calls."),
        A::opt("total-calls-header-name", S)
            .no_expr()
            .doc("Response header for the calls value."),
    ]);

static REDIRECT_CONTENT_URLS: E = E::new(
    "redirect-content-urls",
    "Rewrite links in the body so they point through the gateway.",
)
.with_attrs(&[ID]);

static RETRY: E = E::new(
    "retry",
    "Run the enclosed policies again while the condition holds.",
)
.with_attrs(&[
    ID,
    A::req("condition", B).doc("Keep retrying while this is true."),
    A::req(
        "count",
        T::Int {
            min: Some(1),
            max: Some(50),
        },
    )
    .doc("Maximum number of retries (1–50)."),
    A::req(
        "interval",
        T::Seconds {
            min: Some(0),
            max: None,
        },
    )
    .doc("Seconds between retries."),
    A::opt("max-interval", SECS).doc("Maximum seconds between retries (exponential)."),
    A::opt("delta", SECS).doc("Seconds added per retry (linear or exponential)."),
    A::opt("first-fast-retry", B)
        .default("false")
        .doc("Make the first retry immediately."),
])
.with_content(Content::Policies);

static RETURN_RESPONSE: E = E::new(
    "return-response",
    "Stop the pipeline and return the given response.",
)
.with_attrs(&[
    ID,
    A::opt("response-variable-name", S)
        .no_expr()
        .doc("Variable holding a response object to return (e.g. from send-request)."),
])
.with_children(&[C::opt(&SET_STATUS), C::many(&SET_HEADER), C::opt(&SET_BODY)]);

static REWRITE_URI: E = E::new(
    "rewrite-uri",
    "Rewrite the request URL to the form the backend expects.",
)
.with_attrs(&[
    ID,
    A::req("template", S).doc(
        "Backend path and query; may use {parameters}; an expression must be the whole value.",
    ),
    // docs: default true; the XSD says false.
    A::opt("copy-unmatched-params", B)
        .default("true")
        .doc("Copy query parameters not in the template."),
]);

/// docs (send-request, send-one-way-request): `set-url` and `set-method` are "No if `mode=copy`;
/// otherwise yes" (a copy takes the URL and method of the current request).
static SEND_REQUEST_CONDITIONS: &[If] = &[
    If::Required {
        item: Item::Child("set-url"),
        when: When::IsNot("mode", &["copy"]),
    },
    If::Required {
        item: Item::Child("set-method"),
        when: When::IsNot("mode", &["copy"]),
    },
];

/// Children of send-request and send-one-way-request, in the docs' order.
static SEND_REQUEST_CHILDREN: &[C] = &[
    C::opt(&SET_URL),
    C::opt(&SET_METHOD_CHILD),
    C::many(&SET_HEADER),
    C::opt(&SET_BODY),
    C::opt(&AUTHENTICATION_CERTIFICATE),
    C::opt(&AUTHENTICATION_MANAGED_IDENTITY),
    C::opt(&PROXY),
];

static SEND_ONE_WAY_REQUEST: E = E::new(
    "send-one-way-request",
    "Send a request without waiting for the response.",
)
.with_attrs(&[
    ID,
    A::opt("mode", MODE)
        .default("new")
        .doc("new: an empty request; copy: a copy of the current request."),
    A::opt("timeout", SECS)
        .default("60")
        .doc("Timeout in seconds."),
])
.with_conditions(SEND_REQUEST_CONDITIONS)
.with_children(SEND_REQUEST_CHILDREN);

static SEND_REQUEST: E = E::new(
    "send-request",
    "Send a request and store the response in a variable.",
)
.with_attrs(&[
    ID,
    A::opt("mode", MODE)
        .default("new")
        .doc("new: an empty request; copy: a copy of the current request."),
    A::req("response-variable-name", S).doc("Variable that receives the IResponse."),
    A::opt("timeout", SECS)
        .default("60")
        .doc("Timeout in seconds."),
    A::opt("ignore-error", B)
        .no_expr()
        .default("false")
        .doc("On error, set the variable to null instead of going to on-error."),
])
.with_conditions(SEND_REQUEST_CONDITIONS)
.with_children(SEND_REQUEST_CHILDREN);

static SEND_SERVICE_BUS_MESSAGE: E = E::new(
    "send-service-bus-message",
    "Send a message to an Azure Service Bus queue or topic.",
)
.with_attrs(&[
    ID,
    A::opt("queue-name", S).doc("Queue to send to."),
    A::opt("topic-name", S).doc("Topic to send to."),
    A::opt("namespace", S).doc("Fully qualified domain name of the Service Bus namespace."),
    A::opt("client-id", S).doc("Client ID of a user-assigned identity; omitted = system-assigned."),
])
.with_rules(&[R::ExactlyOne(&["queue-name", "topic-name"])])
.with_children(&[
    // docs: "the message payload": like a body, its text is one value and any markup in it is
    // the message's.
    C::one(&E::new("payload", "The message payload.").with_content(Content::Mixed)),
    C::opt(
        &E::new("message-properties", "Properties of the message.").with_children(&[C::many(
            &E::new("message-property", "A message property.")
                .with_attrs(&[A::req("name", S).doc("Property name.")])
                .with_content(TEXT),
        )]),
    ),
])
// docs: the statement puts payload first, an example puts message-properties first.
.unordered();

static SET_BACKEND_SERVICE: E = E::new(
    "set-backend-service",
    "Change the backend base URL or select a backend entity.",
)
.with_attrs(&[
    ID,
    A::opt("base-url", S).doc("New backend base URL."),
    A::opt("backend-id", S).doc("Backend entity to route to (\"dapr\" for the Dapr form)."),
    A::opt("sf-resolve-condition", B)
        .doc("Service Fabric: re-resolve the service when this is true."),
    A::opt("sf-service-instance-name", S).doc("Service Fabric service instance name."),
    A::opt("sf-partition-key", S).doc("Service Fabric partition key."),
    A::opt("sf-replica-type", T::Enum(&["primary", "secondary"]))
        .doc("Service Fabric replica type."),
    A::opt("sf-listener-name", S).doc("Service Fabric listener name."),
    A::opt("dapr-app-id", S).doc("Dapr: target microservice (with backend-id=\"dapr\")."),
    A::opt("dapr-method", S).doc("Dapr: method or URL to invoke."),
    A::opt("dapr-namespace", S).doc("Dapr: namespace of the microservice."),
])
.with_rules(&[R::ExactlyOne(&["base-url", "backend-id"])])
// docs (set-backend-service-dapr-policy.md): with backend-id="dapr", dapr-app-id and dapr-method
// are required.
.with_conditions(&[
    If::Required {
        item: Item::Attr("dapr-app-id"),
        when: When::Is("backend-id", &["dapr"]),
    },
    If::Required {
        item: Item::Attr("dapr-method"),
        when: When::Is("backend-id", &["dapr"]),
    },
]);

static SET_BODY: E = E::new(
    "set-body",
    "Set the request or response body (text, expression or Liquid template).",
)
.with_attrs(&[
    ID,
    A::opt("template", T::Enum(&["liquid", "none"])).doc("Treat the content as a Liquid template."),
    A::opt("xsi-nil", T::Enum(&["blank", "null"]))
        .no_expr()
        .default("blank")
        .doc("How xsi:nil elements appear in the output."),
])
.with_content(Content::Mixed);

static SET_HEADER: E = E::new("set-header", "Set, append, skip or delete an HTTP header.")
    .with_attrs(&[
        ID,
        A::req("name", S).doc("Header name."),
        A::opt("exists-action", EXISTS_ACTION)
            .default("override")
            .doc("What to do when the header exists."),
    ])
    .with_children(&[C::many(&VALUE)]);

static SET_METHOD: E = E::new("set-method", "Change the HTTP method of the request.")
    .with_attrs(&[ID])
    .with_content(TEXT);

static SET_QUERY_PARAMETER: E = E::new(
    "set-query-parameter",
    "Set, append, skip or delete a query parameter.",
)
.with_attrs(&[
    ID,
    A::req("name", S).doc("Query parameter name."),
    A::opt("exists-action", EXISTS_ACTION)
        .default("override")
        .doc("What to do when the parameter exists."),
])
// docs: the table marks value required; deleting needs none (the delete example has none).
.with_conditions(&[If::Required {
    item: Item::Child("value"),
    when: When::IsNot("exists-action", &["delete"]),
}])
.with_children(&[C::many(&VALUE)]);

static SET_REQUEST_METRIC_DIMENSION_VALUE: E = E::new(
    "set-request-metric-dimension-value",
    "Undocumented: set a request metric dimension (XSD only).",
)
.with_attrs(&[ID, A::req("name", S), A::req("value", S)]);

static SET_STATUS: E = E::new("set-status", "Set the HTTP status code.").with_attrs(&[
    ID,
    // docs: required; the XSD makes it optional.
    A::req("code", CODE).doc("Status code."),
    // docs: required in the 2022 page; newer examples omit it (`<set-status code="200" />`).
    A::opt("reason", S).doc("Reason phrase."),
]);

static SET_VARIABLE: E =
    E::new("set-variable", "Store a value in a context variable.").with_attrs(&[
        ID,
        A::req("name", S).no_expr().doc("Variable name."),
        A::req("value", S).doc("Value (a literal is stored as a string)."),
    ]);

static SQL_DATA_SOURCE: E = E::new(
    "sql-data-source",
    "GraphQL resolver: resolve a field with a T-SQL request to Azure SQL.",
)
.with_attrs(&[ID])
.with_children(&[
    C::one(
        &E::new("connection-info", "Connection to the Azure SQL database.").with_children(&[
            // XSD; not on the stored page (06/07/2023).
            C::opt(&GET_AUTHORIZATION_CONTEXT),
            C::one(
                &E::new("connection-string", "Azure SQL connection string.")
                    .with_attrs(&[
                        A::opt("use-managed-identity", B).default("false").doc(
                            "Use the system-assigned identity instead of a user name and password.",
                        ),
                        // XSD; not on the stored page.
                        A::opt("scope", S).doc("Token scope for the managed identity."),
                        A::opt("client-id", S).doc("Client ID of a user-assigned identity."),
                    ])
                    .with_content(TEXT),
            ),
            C::many(&INCLUDE_FRAGMENT),
            C::opt(&AUTHENTICATION_CERTIFICATE),
        ]),
    ),
    C::many(&INCLUDE_FRAGMENT),
    C::one(
        &E::new("request", "The T-SQL request.")
            .with_attrs(&[A::opt("single-result", B)
                .default("false")
                .doc("The query returns at most one row.")])
            .with_children(&[
                C::opt(&INCLUDE_FRAGMENT),
                C::opt(&SET_BODY),
                C::one(&SQL_STATEMENT),
                C::opt(
                    &E::new("parameters", "SQL parameters.").with_children(&[C::some(
                        &E::new("parameter", "A SQL parameter.")
                            .with_attrs(&[
                                A::req("name", S).doc("Parameter name in @ notation."),
                                A::opt("sql-type", S).doc("SQL data type."),
                            ])
                            .with_content(TEXT),
                    )]),
                ),
            ]),
    ),
    C::opt(
        &E::new("response", "Policies shaping the resolver's response.").with_children(&[
            C::opt(&INCLUDE_FRAGMENT),
            C::opt(&SET_BODY),
            C::opt(&PUBLISH_EVENT),
        ]),
    ),
]);

static TRACE: E = E::new(
    "trace",
    "Add a custom entry to the request trace and Application Insights.",
)
.with_attrs(&[
    ID,
    // docs (newer page): "Policy expressions aren't allowed" for source and severity.
    A::req("source", S)
        .no_expr()
        .doc("String literal naming the source of the message."),
    A::opt("severity", T::Enum(&["verbose", "information", "error"]))
        .no_expr()
        .default("verbose")
        .doc("Severity of the trace."),
])
// docs: message then metadata (the XSD accepts any order).
.with_children(&[
    C::one(&E::new("message", "The string or expression to log.").with_content(TEXT)),
    C::many(
        &E::new(
            "metadata",
            "A custom property of the Application Insights trace.",
        )
        .with_attrs(&[
            A::req("name", S).doc("Property name."),
            A::req("value", S).doc("Property value."),
        ]),
    ),
]);

static VALIDATE_AZURE_AD_TOKEN: E = E::new(
    "validate-azure-ad-token",
    "Validate a Microsoft Entra (Azure AD) JWT.",
)
.with_attrs(&[
    ID,
    A::req("tenant-id", S).doc("Tenant ID or domain name of the Microsoft Entra tenant."),
    A::opt("header-name", S)
        .default("Authorization")
        .doc("Header holding the token."),
    A::opt("query-parameter-name", S).doc("Query parameter holding the token."),
    A::opt("token-value", S).doc("Expression returning the token (without \"Bearer \")."),
    A::opt("failed-validation-httpcode", CODE)
        .default("401")
        .doc("Status code when the token is invalid."),
    A::opt("failed-validation-error-message", S).doc("Error message when the token is invalid."),
    A::opt("output-token-variable-name", S).doc("Variable that receives the validated Jwt."),
])
.with_rules(&[R::AtMostOne(&[
    "header-name",
    "query-parameter-name",
    "token-value",
])])
.with_children(&[
    C::one(&CLIENT_APPLICATION_IDS),
    C::opt(&BACKEND_APPLICATION_IDS),
    C::opt(&AUDIENCES),
    C::opt(&REQUIRED_CLAIMS),
    C::opt(&DECRYPTION_KEYS),
]);
// docs: the statement's order (client-application-ids, backend-application-ids, audiences,
// required-claims; decryption-keys is newer and goes last). The XSD uses xs:all.

static VALIDATE_CLIENT_CERTIFICATE: E = E::new(
    "validate-client-certificate",
    "Validate the client certificate presented to the gateway.",
)
.with_attrs(&[
    ID,
    A::opt("validate-revocation", B)
        .no_expr()
        .default("true")
        .doc("Check the certificate revocation list."),
    A::opt("validate-trust", B)
        .no_expr()
        .default("true")
        .doc("Check the chain to a trusted CA."),
    A::opt("validate-not-before", B)
        .no_expr()
        .default("true")
        .doc("Check the not-before date."),
    A::opt("validate-not-after", B)
        .no_expr()
        .default("true")
        .doc("Check the expiry date."),
    A::opt("ignore-error", B)
        .no_expr()
        .default("false")
        .doc("Continue on validation failure."),
])
.with_children(&[C::opt(
    &E::new(
        "identities",
        "Acceptable certificate identities; any one must match.",
    )
    .with_children(&[C::some(
        &E::new(
            "identity",
            "An acceptable identity: every attribute given must match.",
        )
        .with_attrs(&[
            A::opt("thumbprint", S).doc("Certificate thumbprint."),
            A::opt("serial-number", S).doc("Certificate serial number."),
            A::opt("common-name", S).doc("Certificate common name."),
            A::opt("subject", S).doc("Subject distinguished name."),
            A::opt("dns-name", S).doc("A DNS name of the subject alternative name."),
            A::opt("issuer-subject", S).doc("Issuer subject."),
            A::opt("issuer-thumbprint", S).doc("Issuer thumbprint."),
            A::opt("issuer-certificate-id", S)
                .doc("Issuer certificate uploaded to API Management."),
        ])
        .with_rules(&[
            R::AtMostOne(&["issuer-certificate-id", "issuer-subject"]),
            R::AtMostOne(&["issuer-certificate-id", "issuer-thumbprint"]),
        ]),
    )]),
)]);

// docs (newer page): max-size "Maximum allowed value: 4 MB" (older pages: 102,400 bytes), and
// "Policy expressions aren't allowed" for errors-variable-name (also in validate-headers and
// validate-status-code).
static VALIDATE_CONTENT: E = E::new(
    "validate-content",
    "Validate the size or content of a request or response body against the API schema.",
)
.with_attrs(&[
    ID,
    A::req("unspecified-content-type-action", ACTION)
        .doc("Action for a content type not in the API schema."),
    A::req(
        "max-size",
        T::Int {
            min: Some(0),
            max: Some(4_194_304),
        },
    )
    .doc("Maximum body size in bytes (at most 4 MB)."),
    A::req("size-exceeded-action", ACTION).doc("Action when the body exceeds max-size."),
    A::opt("errors-variable-name", S)
        .no_expr()
        .doc("Variable that receives the validation errors."),
])
.with_children(&[
    C::opt(
        &E::new(
            "content-type-map",
            "Map incoming content types to the types validated.",
        )
        .with_attrs(&[
            // docs (08/18/2026): "Policy expressions aren't allowed" for both.
            A::opt("any-content-type-value", S)
                .no_expr()
                .doc("Content type used for any incoming type."),
            A::opt("missing-content-type-value", S)
                .no_expr()
                .doc("Content type used when none is given."),
        ])
        .with_children(&[C::many(
            &E::new("type", "A mapping to a content type.")
                .with_attrs(&[
                    A::opt("from", S).doc("Incoming content type."),
                    A::opt("when", B).doc("Condition for the mapping."),
                    A::req("to", S).doc("Content type used for validation."),
                ])
                .with_rules(&[R::AtMostOne(&["from", "when"])]),
        )]),
    ),
    C::many(
        &E::new("content", "Validation of one content type.")
            .with_attrs(&[
                A::opt("type", S).doc("Content type (all types with a schema when omitted)."),
                A::req("validate-as", T::Enum(&["json", "xml", "soap"])).doc("Validation engine."),
                A::opt("schema-id", S).doc("Schema added to API Management to validate against."),
                A::opt("schema-ref", S).doc("JSON pointer into the schema."),
                A::req("action", ACTION).doc("Action when the content is invalid."),
                A::opt("allow-additional-properties", B).doc("Allow properties not in the schema."),
                A::opt("case-insensitive-property-names", B)
                    .default("false")
                    .doc("Match property names case-insensitively."),
            ])
            // docs: "For an XML schema, `schema-ref` isn't supported" (soap validates against one).
            .with_conditions(&[If::Forbidden {
                attr: "schema-ref",
                when: When::Is("validate-as", &["xml", "soap"]),
            }]),
    ),
]);

static VALIDATE_GRAPHQL_REQUEST: E = E::new(
    "validate-graphql-request",
    "Validate and authorize a GraphQL request.",
)
.with_attrs(&[
    ID,
    A::opt("error-variable-name", S).doc("Variable that receives the validation errors."),
    A::req(
        "max-size",
        T::Int {
            min: Some(0),
            max: Some(102_400),
        },
    )
    .doc("Maximum request size in bytes (at most 102400)."),
    A::opt(
        "max-depth",
        T::Int {
            min: Some(1),
            max: None,
        },
    )
    .default("6")
    .doc("Maximum query depth."),
])
.with_children(&[C::opt(
    &E::new("authorize", "Authorization rules for query paths.").with_children(&[C::some(
        &E::new("rule", "An authorization rule for a path.").with_attrs(&[
            A::req("path", S).doc("Path /type/field to authorize (/__* is introspection)."),
            // docs: `ignore` is an action too (the XSD omits it).
            A::opt("action", T::Enum(&["allow", "remove", "reject", "ignore"]))
                .default("allow")
                .doc("Action when the rule applies."),
        ]),
    )]),
)]);

static HEADER_PARAMETER_ACTIONS: &[A] = &[
    A::req("specified-parameter-action", ACTION).doc("Action for parameters in the API schema."),
    A::req("unspecified-parameter-action", ACTION)
        .doc("Action for parameters not in the API schema."),
];
static VALIDATED_PARAMETER: E = E::new("parameter", "An override for one named parameter.")
    .with_attrs(&[
        A::req("name", S).doc("Parameter name."),
        A::req("action", ACTION).doc("Action for this parameter."),
    ]);

static VALIDATE_HEADERS: E = E::new(
    "validate-headers",
    "Validate response headers against the API schema.",
)
.with_attrs(&[
    ID,
    A::req("specified-header-action", ACTION).doc("Action for headers in the API schema."),
    A::req("unspecified-header-action", ACTION).doc("Action for headers not in the API schema."),
    A::opt("errors-variable-name", S)
        .no_expr()
        .doc("Variable that receives the validation errors."),
])
.with_children(&[C::many(
    &E::new("header", "An override for one header.").with_attrs(&[
        A::req("name", S).doc("Header name."),
        A::req("action", ACTION).doc("Action for this header."),
    ]),
)]);

static VALIDATE_JWT: E = E::new(
    "validate-jwt",
    "Validate a JWT from a header, query parameter or value.",
)
.with_attrs(&[
    ID,
    A::opt("header-name", S).doc("Header holding the token."),
    A::opt("query-parameter-name", S).doc("Query parameter holding the token."),
    A::opt("token-value", S).doc("Expression returning the token (without \"Bearer \")."),
    A::opt("failed-validation-httpcode", CODE)
        .default("401")
        .doc("Status code when the token is invalid."),
    A::opt("failed-validation-error-message", S).doc("Error message when the token is invalid."),
    A::opt("require-expiration-time", B)
        .default("true")
        .doc("Require an expiration claim."),
    A::opt("require-scheme", S)
        .doc("Required authorization scheme, e.g. Bearer (ignored with a custom header-name)."),
    A::opt("require-signed-tokens", B)
        .default("true")
        .doc("Require a signed token."),
    A::opt("clock-skew", SECS)
        .default("0")
        .doc("Allowed clock skew in seconds."),
    A::opt("output-token-variable-name", S)
        .no_expr()
        .doc("Variable that receives the validated Jwt."),
])
.with_rules(&[R::ExactlyOne(&[
    "header-name",
    "query-parameter-name",
    "token-value",
])])
.with_children(&[
    C::many(&OPENID_CONFIG),
    C::opt(&ISSUER_SIGNING_KEYS),
    C::opt(&DECRYPTION_KEYS),
    C::opt(&AUDIENCES),
    C::opt(&ISSUERS),
    C::opt(&REQUIRED_CLAIMS),
]);

static VALIDATE_ODATA_REQUEST: E = E::new(
    "validate-odata-request",
    "Validate a request to an OData API against the OData specification.",
)
.with_attrs(&[
    ID,
    A::opt("error-variable-name", S).doc("Variable that receives the validation errors."),
    A::opt("default-odata-version", S)
        .default("4.0")
        .doc("OData version assumed without an OData-Version header."),
    A::opt("min-odata-version", S).doc("Minimum OData-Version accepted."),
    A::opt("max-odata-version", S).doc("Maximum OData-Version accepted."),
    A::opt(
        "max-size",
        T::Int {
            min: Some(0),
            max: None,
        },
    )
    .doc("Maximum payload size in bytes."),
]);

static VALIDATE_PARAMETERS: E = E::new(
    "validate-parameters",
    "Validate request header, query and path parameters against the API schema.",
)
.with_attrs(&[
    ID,
    A::req("specified-parameter-action", ACTION).doc("Action for parameters in the API schema."),
    A::req("unspecified-parameter-action", ACTION)
        .doc("Action for parameters not in the API schema."),
    A::opt("errors-variable-name", S)
        .no_expr()
        .doc("Variable that receives the validation errors."),
])
.with_children(&[
    C::opt(
        &E::new("headers", "Overrides for header parameters.")
            .with_attrs(HEADER_PARAMETER_ACTIONS)
            .with_children(&[C::many(&VALIDATED_PARAMETER)]),
    ),
    C::opt(
        &E::new("query", "Overrides for query parameters.")
            .with_attrs(HEADER_PARAMETER_ACTIONS)
            .with_children(&[C::many(&VALIDATED_PARAMETER)]),
    ),
    C::opt(
        &E::new("path", "Overrides for path parameters.")
            .with_attrs(&[A::req("specified-parameter-action", ACTION)
                .doc("Action for parameters in the API schema.")])
            .with_children(&[C::many(&VALIDATED_PARAMETER)]),
    ),
]);

static VALIDATE_STATUS_CODE: E = E::new(
    "validate-status-code",
    "Validate response status codes against the API schema.",
)
.with_attrs(&[
    ID,
    A::req("unspecified-status-code-action", ACTION)
        .doc("Action for status codes not in the API schema."),
    A::opt("errors-variable-name", S)
        .no_expr()
        .doc("Variable that receives the validation errors."),
])
.with_children(&[C::many(
    &E::new("status-code", "An override for one status code.").with_attrs(&[
        A::req("code", CODE).doc("Status code."),
        A::req("action", ACTION).doc("Action for this status code."),
    ]),
)]);

static WAIT: E = E::new(
    "wait",
    "Run the enclosed send-request, cache-lookup-value and choose policies in parallel and wait.",
)
.with_attrs(&[
    ID,
    A::opt("for", T::Enum(&["all", "any"]))
        .default("all")
        .doc("Wait for all or for the first to finish."),
])
// docs: only these three may be immediate children (the XSD allows four more).
.with_children(&[
    C::many(&SEND_REQUEST),
    C::many(&CACHE_LOOKUP_VALUE),
    C::many(&CHOOSE),
])
.unordered();

static XML_TO_JSON: E = E::new("xml-to-json", "Convert an XML body to JSON.").with_attrs(&[
    ID,
    A::req("kind", T::Enum(&["javascript-friendly", "direct"])).doc("Conversion style."),
    A::req("apply", T::Enum(&["always", "content-type-xml"])).doc("When to convert."),
    A::opt("consider-accept-header", B)
        .default("true")
        .doc("Convert only when the caller accepts JSON."),
    A::opt("always-array-child-elements", B)
        .default("false")
        .doc("Always convert child elements to arrays."),
]);

static XSL_TRANSFORM: E = E::new(
    "xsl-transform",
    "Apply an XSL transformation to the XML body.",
)
.with_attrs(&[ID])
.with_children(&[
    C::many(
        &E::new("parameter", "A variable for the stylesheet (xsl:param).")
            // docs: the statement says parameter-name, the example uses name.
            .with_attrs(&[
                A::opt("parameter-name", S).doc("Name of the xsl:param."),
                A::opt("name", S).doc("Name of the xsl:param (as in the docs' example)."),
            ])
            .with_rules(&[R::ExactlyOne(&["parameter-name", "name"])])
            .with_content(TEXT),
    ),
    C::one(
        // docs: "All elements and attributes defined within follow the standard XSLT
        // specification"; values reach it through `parameter`, not expressions.
        &E::new("xsl:stylesheet", "The XSLT stylesheet (declare xmlns:xsl).")
            .with_content(Content::Foreign { expr: false }),
    ),
]);

// ---------------------------------------------------------------------------------------------
// The table

/// Every policy, sorted by name.
pub(super) static POLICIES: &[PolicyDef] = &[
    documented(
        AUTHENTICATION_BASIC,
        AUTH,
        IN,
        // docs (07/23/2024): workspace scope; "can only be used once in a policy section".
        EVERYWHERE,
        learn!("authentication-basic"),
    )
    .once_per_section(),
    documented(
        AUTHENTICATION_CERTIFICATE,
        AUTH,
        IN,
        EVERYWHERE,
        learn!("authentication-certificate"),
    ),
    documented(
        AUTHENTICATION_MANAGED_IDENTITY,
        AUTH,
        IN,
        // docs (07/23/2024): "global, product, API, operation" (no workspace).
        NO_WORKSPACE,
        learn!("authentication-managed-identity"),
    ),
    documented(
        AUTHENTICATION_TOKEN,
        UNDOCUMENTED,
        IN,
        EVERYWHERE,
        INDEX_URL,
    )
    .undocumented(),
    documented(
        AUTHENTICATION_TOKEN_STORE,
        UNDOCUMENTED,
        IN,
        EVERYWHERE,
        INDEX_URL,
    )
    .undocumented(),
    documented(
        AZURE_OPENAI_EMIT_TOKEN_METRIC,
        LOGGING,
        IN,
        EVERYWHERE,
        learn!("azure-openai-emit-token-metric"),
    ),
    documented(
        AZURE_OPENAI_SEMANTIC_CACHE_LOOKUP,
        CACHING,
        IN,
        EVERYWHERE,
        learn!("azure-openai-semantic-cache-lookup"),
    )
    .once_per_section(),
    documented(
        AZURE_OPENAI_SEMANTIC_CACHE_STORE,
        CACHING,
        OUT,
        EVERYWHERE,
        learn!("azure-openai-semantic-cache-store"),
    )
    .once_per_section(),
    documented(
        AZURE_OPENAI_TOKEN_LIMIT,
        RATE,
        IN,
        EVERYWHERE,
        learn!("azure-openai-token-limit"),
    ),
    // Not in fragments (policy-fragments.md) and a no-op at global scope; documented in
    // api-management-howto-policies.md, which has no `base-policy` page.
    PolicyDef {
        scopes: EVERYWHERE,
        doc_url: "https://learn.microsoft.com/azure/api-management/api-management-howto-policies",
        ..documented(BASE, FLOW, ALL_SECTIONS, EVERYWHERE, LEARN)
    },
    documented(BLOCK, UNDOCUMENTED, ALL_SECTIONS, EVERYWHERE, INDEX_URL).undocumented(),
    documented(
        CACHE_LOOKUP,
        CACHING,
        IN,
        EVERYWHERE,
        learn!("cache-lookup"),
    )
    .once_per_section(),
    documented(
        CACHE_LOOKUP_VALUE,
        CACHING,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("cache-lookup-value"),
    ),
    documented(
        CACHE_REMOVE_VALUE,
        CACHING,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("cache-remove-value"),
    ),
    documented(CACHE_STORE, CACHING, OUT, EVERYWHERE, learn!("cache-store")).once_per_section(),
    documented(
        CACHE_STORE_VALUE,
        CACHING,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("cache-store-value"),
    ),
    documented(CHECK_HEADER, AUTH, IN, NO_WORKSPACE, learn!("check-header")),
    documented(CHOOSE, FLOW, ALL_SECTIONS, EVERYWHERE, learn!("choose")),
    documented(CORS, CROSS_DOMAIN_CATEGORY, IN, EVERYWHERE, learn!("cors")).once_per_section(),
    documented(
        COSMOSDB_DATA_SOURCE,
        GRAPHQL,
        Sections::NONE,
        RESOLVER,
        learn!("cosmosdb-data-source"),
    ),
    documented(
        CROSS_DOMAIN,
        CROSS_DOMAIN_CATEGORY,
        IN,
        Scopes::of(&[Scope::Global]),
        learn!("cross-domain"),
    ),
    documented(
        EMIT_METRIC,
        LOGGING,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("emit-metric"),
    ),
    documented(
        FIND_AND_REPLACE,
        TRANSFORMATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("find-and-replace"),
    ),
    documented(
        FORWARD_REQUEST,
        ROUTING,
        Sections::BACKEND,
        // docs (10/19/2023): "global, workspace, product, API, operation".
        EVERYWHERE,
        learn!("forward-request"),
    )
    .once_per_document(),
    documented(
        GET_AUTHORIZATION_CONTEXT,
        AUTH,
        IN,
        NO_WORKSPACE,
        learn!("get-authorization-context"),
    ),
    documented(
        GRAPHQL_DATA_SOURCE,
        UNDOCUMENTED,
        Sections::NONE,
        RESOLVER,
        INDEX_URL,
    )
    .undocumented(),
    documented(
        HTTP_DATA_SOURCE,
        GRAPHQL,
        Sections::NONE,
        RESOLVER,
        learn!("http-data-source"),
    ),
    documented(
        INCLUDE_FRAGMENT,
        FLOW,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("include-fragment"),
    ),
    documented(
        INVOKE_DAPR_BINDING,
        INTEGRATION,
        IN_OUT_ERR,
        NO_WORKSPACE,
        learn!("invoke-dapr-binding"),
    ),
    documented(
        INVOKE_REQUEST,
        UNDOCUMENTED,
        ALL_SECTIONS,
        EVERYWHERE,
        INDEX_URL,
    )
    .undocumented(),
    documented(IP_FILTER, AUTH, IN, EVERYWHERE, learn!("ip-filter")),
    documented(
        JSON_TO_XML,
        TRANSFORMATION,
        IN_OUT_ERR,
        EVERYWHERE,
        learn!("json-to-xml"),
    ),
    documented(
        JSONP,
        CROSS_DOMAIN_CATEGORY,
        OUT,
        EVERYWHERE,
        learn!("jsonp"),
    )
    .once_per_section(),
    documented(
        LIMIT_CONCURRENCY,
        RATE,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("limit-concurrency"),
    ),
    documented(
        LLM_CONTENT_SAFETY,
        VALIDATION,
        IN,
        EVERYWHERE,
        learn!("llm-content-safety"),
    ),
    documented(
        LLM_EMIT_TOKEN_METRIC,
        LOGGING,
        IN,
        EVERYWHERE,
        learn!("llm-emit-token-metric"),
    ),
    documented(
        LLM_SEMANTIC_CACHE_LOOKUP,
        CACHING,
        IN,
        NO_WORKSPACE,
        learn!("llm-semantic-cache-lookup"),
    )
    .once_per_section(),
    documented(
        LLM_SEMANTIC_CACHE_STORE,
        CACHING,
        OUT,
        NO_WORKSPACE,
        learn!("llm-semantic-cache-store"),
    )
    .once_per_section(),
    documented(
        LLM_TOKEN_LIMIT,
        RATE,
        IN,
        EVERYWHERE,
        learn!("llm-token-limit"),
    ),
    documented(
        LOG_TO_EVENTHUB,
        INTEGRATION,
        ALL_SECTIONS,
        NO_WORKSPACE,
        learn!("log-to-eventhub"),
    ),
    documented(
        MOCK_RESPONSE,
        TRANSFORMATION,
        IN_OUT_ERR,
        EVERYWHERE,
        learn!("mock-response"),
    ),
    // docs (07/23/2024): workspace included.
    documented(PROXY, ROUTING, IN, EVERYWHERE, learn!("proxy")),
    documented(
        PUBLISH_EVENT,
        GRAPHQL,
        Sections::NONE,
        RESOLVER,
        learn!("publish-event"),
    ),
    documented(
        PUBLISH_TO_DAPR,
        INTEGRATION,
        IN,
        EVERYWHERE,
        learn!("publish-to-dapr"),
    ),
    documented(
        QUOTA,
        RATE,
        IN,
        Scopes::of(&[Scope::Product]),
        learn!("quota"),
    )
    .once_per_document(),
    documented(QUOTA_BY_KEY, RATE, IN, EVERYWHERE, learn!("quota-by-key")),
    documented(
        RATE_LIMIT,
        RATE,
        IN,
        // docs (07/23/2024): "product, API, operation".
        Scopes::of(&[Scope::Product, Scope::Api, Scope::Operation]),
        learn!("rate-limit"),
    )
    .once_per_document(),
    documented(
        RATE_LIMIT_BY_KEY,
        RATE,
        IN,
        EVERYWHERE,
        learn!("rate-limit-by-key"),
    ),
    documented(
        REDIRECT_CONTENT_URLS,
        TRANSFORMATION,
        IN_OUT,
        EVERYWHERE,
        learn!("redirect-content-urls"),
    )
    .once_per_section(),
    documented(RETRY, FLOW, ALL_SECTIONS, EVERYWHERE, learn!("retry")),
    documented(
        RETURN_RESPONSE,
        TRANSFORMATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("return-response"),
    ),
    documented(
        REWRITE_URI,
        TRANSFORMATION,
        IN,
        // docs (07/23/2024): workspace included.
        EVERYWHERE,
        learn!("rewrite-uri"),
    ),
    documented(
        SEND_ONE_WAY_REQUEST,
        INTEGRATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("send-one-way-request"),
    ),
    documented(
        SEND_REQUEST,
        INTEGRATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("send-request"),
    ),
    documented(
        SEND_SERVICE_BUS_MESSAGE,
        INTEGRATION,
        IN_OUT_ERR,
        NO_WORKSPACE,
        learn!("send-service-bus-message"),
    ),
    documented(
        SET_BACKEND_SERVICE,
        ROUTING,
        IN_BE,
        EVERYWHERE,
        learn!("set-backend-service"),
    ),
    // docs: the 2023 page lists inbound, outbound, backend; on-error is used by the error-handling
    // page and by return-response, so all four are accepted.
    documented(
        SET_BODY,
        TRANSFORMATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("set-body"),
    ),
    documented(
        SET_HEADER,
        TRANSFORMATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("set-header"),
    ),
    documented(
        SET_METHOD,
        TRANSFORMATION,
        IN_ERR,
        EVERYWHERE,
        learn!("set-method"),
    ),
    documented(
        SET_QUERY_PARAMETER,
        TRANSFORMATION,
        IN_BE,
        EVERYWHERE,
        learn!("set-query-parameter"),
    ),
    documented(
        SET_REQUEST_METRIC_DIMENSION_VALUE,
        UNDOCUMENTED,
        ALL_SECTIONS,
        EVERYWHERE,
        INDEX_URL,
    )
    .undocumented(),
    documented(
        SET_STATUS,
        TRANSFORMATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("set-status"),
    ),
    documented(
        SET_VARIABLE,
        TRANSFORMATION,
        ALL_SECTIONS,
        EVERYWHERE,
        learn!("set-variable"),
    ),
    documented(
        SQL_DATA_SOURCE,
        GRAPHQL,
        Sections::NONE,
        RESOLVER,
        learn!("sql-data-source"),
    ),
    // docs: the trace page lists inbound, outbound and backend, but the error-handling page lists
    // trace among the policies allowed in on-error, and real policies use it there.
    // docs (07/23/2024): workspace included.
    documented(TRACE, LOGGING, ALL_SECTIONS, EVERYWHERE, learn!("trace")),
    documented(
        VALIDATE_AZURE_AD_TOKEN,
        AUTH,
        IN,
        NO_WORKSPACE,
        learn!("validate-azure-ad-token"),
    ),
    documented(
        VALIDATE_CLIENT_CERTIFICATE,
        AUTH,
        IN,
        EVERYWHERE,
        learn!("validate-client-certificate"),
    ),
    documented(
        VALIDATE_CONTENT,
        VALIDATION,
        IN_OUT_ERR,
        EVERYWHERE,
        learn!("validate-content"),
    ),
    documented(
        VALIDATE_GRAPHQL_REQUEST,
        VALIDATION,
        IN,
        NO_WORKSPACE,
        learn!("validate-graphql-request"),
    ),
    documented(
        VALIDATE_HEADERS,
        VALIDATION,
        OUT_ERR,
        EVERYWHERE,
        learn!("validate-headers"),
    )
    .once_per_section(),
    documented(VALIDATE_JWT, AUTH, IN, EVERYWHERE, learn!("validate-jwt")),
    documented(
        VALIDATE_ODATA_REQUEST,
        VALIDATION,
        IN,
        Scopes::of(&[Scope::Global, Scope::Workspace, Scope::Product, Scope::Api]),
        learn!("validate-odata-request"),
    )
    .once_per_section(),
    documented(
        VALIDATE_PARAMETERS,
        VALIDATION,
        IN,
        EVERYWHERE,
        learn!("validate-parameters"),
    )
    .once_per_section(),
    documented(
        VALIDATE_STATUS_CODE,
        VALIDATION,
        OUT_ERR,
        NO_WORKSPACE,
        learn!("validate-status-code"),
    ),
    documented(WAIT, FLOW, IN_BE_OUT, EVERYWHERE, learn!("wait")),
    documented(
        XML_TO_JSON,
        TRANSFORMATION,
        IN_OUT_ERR,
        EVERYWHERE,
        learn!("xml-to-json"),
    ),
    documented(
        XSL_TRANSFORM,
        TRANSFORMATION,
        IN_OUT,
        // docs (07/23/2024): workspace scope; "can only be used once in a policy section".
        EVERYWHERE,
        learn!("xsl-transform"),
    )
    .once_per_section(),
];
