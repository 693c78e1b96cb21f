//! The export and import codes (`APIM09xx`) as documented rules: what each means, why it
//! matters for deploying, what to do, and a bad and a good example that `tests/export_rules.rs`
//! exports or imports (see [`crate::lint::registry::Check`]). Data only: the checks are the
//! export and import code itself ([`super::plan`], the renderers, [`super::import`]), which
//! raise each code with the severity given here. `lint::registry` lists these after the
//! linter's rules, so `lint::rule(code)` finds them too.

use super::codes;
use super::{Scope, Target};
use crate::diagnostic::Severity;
use crate::lint::registry::{Example, ExportCheck, Rule, RuleDoc};

const ARM: ExportCheck = ExportCheck::new(Target::Arm);
const BICEP: ExportCheck = ExportCheck::new(Target::Bicep);
const TERRAFORM: ExportCheck = ExportCheck::new(Target::Terraform);

/// A policy with nothing to look up.
const PLAIN_POLICY: &str = r#"<policies>
  <inbound>
    <base />
    <set-header name="x-api-version" exists-action="override">
      <value>2</value>
    </set-header>
  </inbound>
</policies>"#;

/// A policy that references the named value `backend-url`.
const BACKEND_URL_POLICY: &str = r#"<policies>
  <inbound>
    <base />
    <set-backend-service base-url="{{backend-url}}" />
  </inbound>
</policies>"#;

/// A policy that references the named value `backend-key`.
const BACKEND_KEY_POLICY: &str = r#"<policies>
  <inbound>
    <base />
    <set-header name="x-api-key" exists-action="override">
      <value>{{backend-key}}</value>
    </set-header>
  </inbound>
</policies>"#;

/// `backend-key` read from Key Vault by the system-assigned identity, the vault described.
const KEY_VAULT_SCENARIO: &str = r#"{
  "identity": {"type": "system"},
  "named_values": [
    {"name": "backend-key",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-key"}}
  ],
  "key_vaults": [{"name": "contoso-kv", "access": "rbac"}]
}"#;

const FRAGMENT: &str = r#"<fragment>
  <set-header name="x-correlation-id" exists-action="skip">
    <value>@(context.RequestId.ToString())</value>
  </set-header>
</fragment>"#;

pub static ROOT_MISMATCH: Rule = Rule {
    code: codes::ROOT_MISMATCH,
    name: "root-does-not-fit-scope",
    severity: Severity::Error,
    summary: "The document's root element does not fit the export scope: `<fragment>` for a fragment, `<policies>` for the other scopes.",
    fix_safe: false,
    run: None,
};

pub static ROOT_MISMATCH_DOC: RuleDoc = RuleDoc {
    code: codes::ROOT_MISMATCH,
    explanation: "A policy fragment is a `<fragment>` element, deployed as a `policyFragments` resource; a \
global, product, API or operation policy is a `<policies>` document, deployed as a `policies` resource. APIM \
rejects a document whose root does not fit the resource, so the export refuses rather than write a template that \
fails at deployment.\n\n\
Choose the scope the document is written for (`--scope`; by default a `<fragment>` document is exported as a \
fragment and anything else at API scope), or change the root element: \
wrap a fragment's policies in `<fragment>…</fragment>`, or a policy's sections in `<policies>…</policies>`.",
    bad: Example::export(FRAGMENT, ARM.at(Scope::Api)),
    good: Example::export(FRAGMENT, ARM.at(Scope::Fragment)),
};

pub static INVALID_NAME: Rule = Rule {
    code: codes::INVALID_NAME,
    name: "invalid-resource-name",
    severity: Severity::Error,
    summary: "A service, product, API, operation or fragment name that APIM would reject.",
    fix_safe: false,
    run: None,
};

pub static INVALID_NAME_DOC: RuleDoc = RuleDoc {
    code: codes::INVALID_NAME,
    explanation: "The export names the resources it writes after the options and the scenario: the \
service (`--service`), the API and operation (`api.name`, `api.operation.name` or `--api`, `--operation`), the \
product (`product.id`, `product.name` or `--product`), the fragment (`--fragment`, by default the file's name) \
and each `include-fragment`'s `fragment-id`. ARM fails the whole deployment on a name APIM does not accept, so \
the export refuses instead.\n\n\
APIM accepts service names of 1–50 letters, digits and hyphens starting with a letter; product and API names of \
1–256 characters and operation names of 1–80, none of `* # & + : < > ? / \\`; fragment names of 1–80 letters, \
digits, `_` and `-`, not starting or ending with `-`. Use the resource's *name* (its id, such as `orders-v2`), \
not its display name or its URL path.",
    bad: Example::export(
        PLAIN_POLICY,
        ARM.scenario(r#"{"api": {"name": "orders/v2", "path": "orders/v2"}}"#),
    ),
    good: Example::export(
        PLAIN_POLICY,
        ARM.scenario(r#"{"api": {"name": "orders-v2", "path": "orders/v2"}}"#),
    ),
};

pub static INVALID_NAMED_VALUE_NAME: Rule = Rule {
    code: codes::INVALID_NAMED_VALUE_NAME,
    name: "invalid-named-value-reference",
    severity: Severity::Error,
    summary: "A `{{reference}}` whose name no named value can have, so the export cannot create it.",
    fix_safe: false,
    run: None,
};

pub static INVALID_NAMED_VALUE_NAME_DOC: RuleDoc = RuleDoc {
    code: codes::INVALID_NAMED_VALUE_NAME,
    explanation: "Named value names are 1–256 letters, digits, `.`, `-` and `_`. The export writes a named \
value resource for every `{{name}}` the policy (and the fragments it exports) references, and APIM refuses to \
save a policy that references a named value that does not exist; a name with a space or another character APIM \
does not allow can be neither created nor referenced, so the export refuses. The linter reports the same \
reference as APIM0601.\n\n\
Rename the reference, and the named value, to a valid name such as `backend-url`.",
    bad: Example::export(
        r#"<policies>
  <inbound>
    <base />
    <set-backend-service base-url="{{backend url}}" />
  </inbound>
</policies>"#,
        ARM,
    ),
    good: Example::export(
        BACKEND_URL_POLICY,
        ARM.scenario(
            r#"{"named_values": [{"name": "backend-url", "value": "https://backend.contoso.com/api"}]}"#,
        ),
    ),
};

pub static BAD_SECRET_IDENTIFIER: Rule = Rule {
    code: codes::BAD_SECRET_IDENTIFIER,
    name: "bad-secret-identifier",
    severity: Severity::Error,
    summary: "A Key Vault named value whose secret identifier is not `https://<vault>.vault.azure.net/secrets/<name>`.",
    fix_safe: false,
    run: None,
};

pub static BAD_SECRET_IDENTIFIER_DOC: RuleDoc = RuleDoc {
    code: codes::BAD_SECRET_IDENTIFIER,
    explanation: "A Key Vault-backed named value holds the identifier of a Key Vault *secret*, which APIM \
reads with the service's managed identity. APIM rejects anything else, and the export needs the vault's name \
from the identifier to grant the identity access to it, so it refuses. The usual mistakes are a key or a \
certificate (`…/keys/…`, `…/certificates/…`), the vault's URL or resource id without the secret, and `http://`.\n\n\
Copy the identifier from the portal (the vault's *Secrets*, the secret, *Secret Identifier*) into the scenario's \
`key_vault.secret_identifier`, without the trailing version so that APIM follows rotation.",
    bad: Example::export(
        BACKEND_KEY_POLICY,
        ARM.scenario(
            r#"{
  "named_values": [
    {"name": "backend-key",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/keys/backend-key"}}
  ]
}"#,
        ),
    ),
    good: Example::export(BACKEND_KEY_POLICY, ARM.scenario(KEY_VAULT_SCENARIO)),
};

pub static UNDEFINED_NAMED_VALUE: Rule = Rule {
    code: codes::UNDEFINED_NAMED_VALUE,
    name: "named-value-not-in-scenario",
    severity: Severity::Warning,
    summary: "A `{{reference}}` to a named value the scenario does not define: exported with its value as a required parameter.",
    fix_safe: false,
    run: None,
};

pub static UNDEFINED_NAMED_VALUE_DOC: RuleDoc = RuleDoc {
    code: codes::UNDEFINED_NAMED_VALUE,
    explanation: "The export writes a named value resource for every `{{name}}`, so that the template \
deploys on its own. When the scenario (or its absence) says nothing about a name, the resource is still \
written, its value taken from a required, non-secret parameter named after it (`backendUrlValue`): the \
deployment then fails until the value is given, instead of deploying a policy that references nothing.\n\n\
Add the named value to the scenario's `named_values` (a plain `value`, `secret: true`, or `key_vault`) so that \
the template carries its real definition. If the named value is managed elsewhere, delete the generated \
resource: deploying it would overwrite the existing named value (ARM, Bicep) or conflict with it (Terraform).",
    bad: Example::export(BACKEND_URL_POLICY, ARM),
    good: Example::export(
        BACKEND_URL_POLICY,
        ARM.scenario(
            r#"{"named_values": [{"name": "backend-url", "value": "https://backend.contoso.com/api"}]}"#,
        ),
    ),
};

pub static VERSIONED_SECRET: Rule = Rule {
    code: codes::VERSIONED_SECRET,
    name: "versioned-secret-identifier",
    severity: Severity::Warning,
    summary: "A Key Vault secret identifier with a version: exported without it, so that APIM follows rotation.",
    fix_safe: false,
    run: None,
};

pub static VERSIONED_SECRET_DOC: RuleDoc = RuleDoc {
    code: codes::VERSIONED_SECRET,
    explanation: "APIM refreshes a Key Vault named value from the vault every four hours, but only when its \
secret identifier has no version; a versioned one (`…/secrets/backend-key/4f0c…`) pins the value, and when the \
secret is rotated APIM keeps sending the old one until it stops working. The export therefore writes the \
identifier without its version and says so (the linter's APIM0703 reports versioned URLs in the policy \
itself).\n\n\
Drop the version in the scenario. If pinning a version is really meant, edit the exported template.",
    bad: Example::export(
        BACKEND_KEY_POLICY,
        ARM.scenario(
            r#"{
  "named_values": [
    {"name": "backend-key",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-key/4f0c9b2e8d7a41f6b3c5e9d1a2b3c4d5"}}
  ],
  "key_vaults": [{"name": "contoso-kv", "access": "rbac"}]
}"#,
        ),
    ),
    good: Example::export(BACKEND_KEY_POLICY, ARM.scenario(KEY_VAULT_SCENARIO)),
};

pub static UNKNOWN_IDENTITY: Rule = Rule {
    code: codes::UNKNOWN_IDENTITY,
    name: "unknown-identity",
    severity: Severity::Warning,
    summary: "The export relies on a managed identity that the scenario's service does not have.",
    fix_safe: false,
    run: None,
};

pub static UNKNOWN_IDENTITY_DOC: RuleDoc = RuleDoc {
    code: codes::UNKNOWN_IDENTITY,
    explanation: "Key Vault named values, `authentication-managed-identity` and calls to Key Vault \
authenticate as one of the service's managed identities: the system-assigned one, or the user-assigned one \
whose client id is given (`key_vault.identity_client_id`, `client-id`). The export grants that identity read \
access to the vault, but it neither creates identities nor attaches them to the service; if the service lacks \
the identity, deploying the named value fails (\"Can not find Managed Identity with provided \
IdentityClientId\") or the gateway gets no token at run time.\n\n\
Enable the system-assigned identity or attach the user-assigned one to the service (and describe it in the \
scenario's `identity`), or use an identity the service has.",
    bad: Example::export(
        BACKEND_KEY_POLICY,
        ARM.scenario(
            r#"{
  "identity": {"type": "user", "client_id": "8d3c5e2a-1b4f-4c6d-9e7a-0f1b2c3d4e5f"},
  "named_values": [
    {"name": "backend-key",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-key"}}
  ],
  "key_vaults": [{"name": "contoso-kv", "access": "rbac"}]
}"#,
        ),
    ),
    good: Example::export(
        BACKEND_KEY_POLICY,
        ARM.scenario(
            r#"{
  "identity": {"type": "user", "client_id": "8d3c5e2a-1b4f-4c6d-9e7a-0f1b2c3d4e5f"},
  "named_values": [
    {"name": "backend-key",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-key",
                   "identity_client_id": "8d3c5e2a-1b4f-4c6d-9e7a-0f1b2c3d4e5f"}}
  ],
  "key_vaults": [{"name": "contoso-kv", "access": "rbac"}]
}"#,
        ),
    ),
};

pub static VAULT_NOT_IN_SCENARIO: Rule = Rule {
    code: codes::VAULT_NOT_IN_SCENARIO,
    name: "vault-not-in-scenario",
    severity: Severity::Warning,
    summary: "A Key Vault the scenario does not describe: the export assumed that it uses Azure RBAC.",
    fix_safe: false,
    run: None,
};

pub static VAULT_NOT_IN_SCENARIO_DOC: RuleDoc = RuleDoc {
    code: codes::VAULT_NOT_IN_SCENARIO,
    explanation: "For APIM to read a secret, its identity needs *Get* and *List* on the vault's secrets: an \
access policy on a vault that uses the access policy model, a *Key Vault Secrets User* role assignment on one \
that uses Azure RBAC. The export writes whichever the vault needs, and for a vault missing from the scenario's \
`key_vaults` it assumes RBAC. On an access-policy vault that role assignment grants nothing, and APIM cannot \
read the secret.\n\n\
Add the vault to `key_vaults` with its `access` (`rbac` or `access-policy`). The permission resources assume \
that the vault is in the deployment's resource group.",
    bad: Example::export(
        BACKEND_KEY_POLICY,
        ARM.scenario(
            r#"{
  "named_values": [
    {"name": "backend-key",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-key"}}
  ]
}"#,
        ),
    ),
    good: Example::export(BACKEND_KEY_POLICY, ARM.scenario(KEY_VAULT_SCENARIO)),
};

const INCLUDES_FRAGMENT: &str = r#"<policies>
  <inbound>
    <base />
    <include-fragment fragment-id="correlation-id" />
  </inbound>
</policies>"#;

pub static MISSING_FRAGMENT: Rule = Rule {
    code: codes::MISSING_FRAGMENT,
    name: "fragment-not-in-scenario",
    severity: Severity::Warning,
    summary: "An `include-fragment` whose fragment the scenario does not hold: not exported, so it must already exist.",
    fix_safe: false,
    run: None,
};

pub static MISSING_FRAGMENT_DOC: RuleDoc = RuleDoc {
    code: codes::MISSING_FRAGMENT,
    explanation: "The export deploys the fragments a policy includes when the scenario has them \
(`fragments`), before the policy. A fragment the scenario does not have is left out of the template, and APIM \
refuses to save a policy that includes a fragment the service does not have: the deployment works only where \
the fragment was deployed before.\n\n\
Add the fragment to the scenario's `fragments` to export it with the policy, or make sure it is deployed first.",
    bad: Example::export(INCLUDES_FRAGMENT, BICEP),
    good: Example::export(
        INCLUDES_FRAGMENT,
        BICEP.scenario(
            r#"{
  "fragments": [
    {"name": "correlation-id",
     "xml": "<fragment>\n  <set-header name=\"x-correlation-id\" exists-action=\"skip\">\n    <value>@(context.RequestId.ToString())</value>\n  </set-header>\n</fragment>"}
  ]
}"#,
        ),
    ),
};

pub static CERTIFICATE_NOT_EXPORTED: Rule = Rule {
    code: codes::CERTIFICATE_NOT_EXPORTED,
    name: "certificate-not-exported",
    severity: Severity::Warning,
    summary: "A `certificate-id` reference: certificates are not exported, so the certificate must exist in the service.",
    fix_safe: false,
    run: None,
};

pub static CERTIFICATE_NOT_EXPORTED_DOC: RuleDoc = RuleDoc {
    code: codes::CERTIFICATE_NOT_EXPORTED,
    explanation: "`authentication-certificate` and other policies with a `certificate-id` use a \
certificate uploaded to the service (`Microsoft.ApiManagement/service/certificates`). The export never writes \
certificates (their private keys do not belong in a template), and APIM rejects a policy that names a \
certificate the service does not have, so the deployment depends on it existing.\n\n\
Deploy the certificate first, preferably Key Vault-backed (which needs the same vault permission as a Key Vault \
named value). It is reported for every `certificate-id`; the good example shows the alternative that needs \
nothing outside the template, authenticating to the backend with the service's managed identity.",
    bad: Example::export(
        r#"<policies>
  <inbound>
    <base />
    <authentication-certificate certificate-id="backend-client-cert" />
  </inbound>
</policies>"#,
        ARM,
    ),
    good: Example::export(
        r#"<policies>
  <inbound>
    <base />
    <authentication-managed-identity resource="api://backend-app" />
  </inbound>
</policies>"#,
        ARM,
    ),
};

pub static RUNTIME_VAULT_CALL: Rule = Rule {
    code: codes::RUNTIME_VAULT_CALL,
    name: "runtime-vault-call",
    severity: Severity::Info,
    summary: "The policy reads Key Vault at run time with `send-request`: the export grants its identity access to the vault too.",
    fix_safe: false,
    run: None,
};

pub static RUNTIME_VAULT_CALL_DOC: RuleDoc = RuleDoc {
    code: codes::RUNTIME_VAULT_CALL,
    explanation: "A `send-request` to `https://<vault>.vault.azure.net/…` authenticated with \
`authentication-managed-identity` reads a secret while handling requests. The export grants that identity \
*Get* and *List* on the vault's secrets, as for a Key Vault named value, and notes it because such a call has \
costs no template fixes: it adds latency and counts against Key Vault's throttling limits, with the vault's \
firewall on only the system-assigned identity can reach it, and the gateway needs a network path to the \
vault.\n\n\
Prefer a Key Vault-backed named value: APIM caches it and refreshes it every four hours, and the policy just \
writes `{{name}}` (the good example).",
    bad: Example::export(
        r#"<policies>
  <inbound>
    <base />
    <send-request mode="new" response-variable-name="secret" timeout="20" ignore-error="false">
      <set-url>https://contoso-kv.vault.azure.net/secrets/backend-key?api-version=7.4</set-url>
      <set-method>GET</set-method>
      <authentication-managed-identity resource="https://vault.azure.net" />
    </send-request>
    <set-header name="x-api-key" exists-action="override">
      <value>@((string)((IResponse)context.Variables["secret"]).Body.As<JObject>()["value"])</value>
    </set-header>
  </inbound>
</policies>"#,
        ARM.scenario(
            r#"{"identity": {"type": "system"}, "key_vaults": [{"name": "contoso-kv", "access": "rbac"}]}"#,
        ),
    ),
    good: Example::export(BACKEND_KEY_POLICY, ARM.scenario(KEY_VAULT_SCENARIO)),
};

pub static NAMED_VALUE_WITHOUT_VALUE: Rule = Rule {
    code: codes::NAMED_VALUE_WITHOUT_VALUE,
    name: "named-value-without-value",
    severity: Severity::Warning,
    summary: "A plain named value the scenario declares without a value: exported with its value as a required parameter.",
    fix_safe: false,
    run: None,
};

pub static NAMED_VALUE_WITHOUT_VALUE_DOC: RuleDoc = RuleDoc {
    code: codes::NAMED_VALUE_WITHOUT_VALUE,
    explanation: "APIM requires a non-blank value for every named value. When the scenario lists a plain \
named value with no `value` (or a blank one), the export cannot write it literally, so the value comes from a \
required parameter (`backendUrlValue`) that the deployment must be given.\n\n\
Give the value in the scenario, or declare it `secret: true` (its value then comes from a secure parameter) or \
back it with Key Vault (`key_vault`).",
    bad: Example::export(
        BACKEND_URL_POLICY,
        ARM.scenario(r#"{"named_values": [{"name": "backend-url"}]}"#),
    ),
    good: Example::export(
        BACKEND_URL_POLICY,
        ARM.scenario(
            r#"{"named_values": [{"name": "backend-url", "value": "https://backend.contoso.com/api"}]}"#,
        ),
    ),
};

macro_rules! x64 {
    () => {
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    };
}
macro_rules! x1024 {
    () => {
        concat!(
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!(),
            x64!()
        )
    };
}

pub static VALUE_TOO_LONG: Rule = Rule {
    code: codes::VALUE_TOO_LONG,
    name: "named-value-too-long",
    severity: Severity::Warning,
    summary: "A named value longer than APIM's limit of 4,096 characters: the deployment fails.",
    fix_safe: false,
    run: None,
};

pub static VALUE_TOO_LONG_DOC: RuleDoc = RuleDoc {
    code: codes::VALUE_TOO_LONG,
    explanation: "APIM stores at most 4,096 characters in a named value and rejects a longer one when the \
template is deployed. The export still writes the template, so that the rest can be reviewed, but it will not \
deploy until the value is shortened.\n\n\
Split the value into several named values, or keep large data (certificates, JSON documents, long allow lists) \
outside APIM, for example behind a backend the policy calls with `send-request` and caches.",
    bad: Example::export(
        BACKEND_URL_POLICY,
        ARM.scenario(concat!(
            r#"{"named_values": [{"name": "backend-url", "value": "https://"#,
            x1024!(),
            x1024!(),
            x1024!(),
            x1024!(),
            r#".contoso.com"}]}"#
        )),
    ),
    good: Example::export(
        BACKEND_URL_POLICY,
        ARM.scenario(
            r#"{"named_values": [{"name": "backend-url", "value": "https://backend.contoso.com/api"}]}"#,
        ),
    ),
};

pub static KEY_VAULT_VALUE_IGNORED: Rule = Rule {
    code: codes::KEY_VAULT_VALUE_IGNORED,
    name: "key-vault-value-ignored",
    severity: Severity::Warning,
    summary: "A Key Vault named value that also has a `value`: the value is not exported.",
    fix_safe: false,
    run: None,
};

pub static KEY_VAULT_VALUE_IGNORED_DOC: RuleDoc = RuleDoc {
    code: codes::KEY_VAULT_VALUE_IGNORED,
    explanation: "A named value is either stored in APIM (a plain or secret `value`) or read from Key Vault \
(`key_vault`), not both. The scenario gives both; the export writes the Key Vault reference, so the deployed \
named value is the vault's secret, and leaves the `value` out (it would be a secret in plain text in the \
template).\n\n\
Remove the `value` from the named value (to simulate the secret, give it in the vault's `secrets`), or remove \
`key_vault` if the value is meant to live in APIM.",
    bad: Example::export(
        BACKEND_KEY_POLICY,
        ARM.scenario(
            r#"{
  "identity": {"type": "system"},
  "named_values": [
    {"name": "backend-key", "value": "s3cr3t",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-key"}}
  ],
  "key_vaults": [{"name": "contoso-kv", "access": "rbac"}]
}"#,
        ),
    ),
    good: Example::export(BACKEND_KEY_POLICY, ARM.scenario(KEY_VAULT_SCENARIO)),
};

pub static FRAGMENT_PROBLEM: Rule = Rule {
    code: codes::FRAGMENT_PROBLEM,
    name: "fragment-cannot-deploy",
    severity: Severity::Warning,
    summary: "A fragment APIM will reject as it is: syntax errors, a root other than `<fragment>`, or an `include-fragment` in it.",
    fix_safe: false,
    run: None,
};

pub static FRAGMENT_PROBLEM_DOC: RuleDoc = RuleDoc {
    code: codes::FRAGMENT_PROBLEM,
    explanation: "The export deploys the document itself as a fragment at fragment scope, and the fragments a \
policy includes from the scenario's `fragments`. APIM rejects a fragment with XML errors, one whose root is not \
`<fragment>`, and one that includes another fragment (fragments do not nest), so the deployment fails at that \
fragment. The export still writes the template.\n\n\
Fix the fragment: lint it on its own at fragment scope, and write the policies of a fragment it includes inline \
instead.",
    bad: Example::export(
        r#"<fragment>
  <include-fragment fragment-id="correlation-id" />
  <set-header name="x-api-version" exists-action="override">
    <value>2</value>
  </set-header>
</fragment>"#,
        ARM.at(Scope::Fragment),
    ),
    good: Example::export(
        r#"<fragment>
  <set-header name="x-correlation-id" exists-action="skip">
    <value>@(context.RequestId.ToString())</value>
  </set-header>
  <set-header name="x-api-version" exists-action="override">
    <value>2</value>
  </set-header>
</fragment>"#,
        ARM.at(Scope::Fragment),
    ),
};

pub static SNIPPET_EXPECTS: Rule = Rule {
    code: codes::SNIPPET_EXPECTS,
    name: "snippet-expects",
    severity: Severity::Info,
    summary: "What an exported snippet expects from the template it is pasted into.",
    fix_safe: false,
    run: None,
};

pub static SNIPPET_EXPECTS_DOC: RuleDoc = RuleDoc {
    code: codes::SNIPPET_EXPECTS,
    explanation: "A snippet (`--snippet`) is only the resources, to \
paste into an existing ARM template, Bicep file or Terraform configuration: it declares no parameters, no \
existing resources and no data sources. The note lists what its resources refer to (the service, API, \
operation or product name, the secure parameters of secret named values, the vaults and user-assigned \
identities, as ARM parameters, Bicep `existing` resources or Terraform variables and data sources), which the \
file it is pasted into must declare under those names.\n\n\
It comes with every snippet and is not a problem in itself; a full template (the good example) declares all of \
it.",
    bad: Example::export(BACKEND_URL_POLICY, TERRAFORM.snippet().scenario(
        r#"{"named_values": [{"name": "backend-url", "value": "https://backend.contoso.com/api"}]}"#,
    )),
    good: Example::export(BACKEND_URL_POLICY, TERRAFORM.scenario(
        r#"{"named_values": [{"name": "backend-url", "value": "https://backend.contoso.com/api"}]}"#,
    )),
};

/// A template with one API policy, referencing the named value `backend-url`.
const API_POLICY_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "rawxml",
        "value": "<policies>\n  <inbound>\n    <base />\n    <set-backend-service base-url=\"{{backend-url}}\" />\n  </inbound>\n</policies>"
      }
    }
  ]
}"#;

pub static NOT_A_TEMPLATE: Rule = Rule {
    code: codes::NOT_A_TEMPLATE,
    name: "not-a-template",
    severity: Severity::Error,
    summary: "The file to import is not JSON, or is JSON without `resources`.",
    fix_safe: false,
    run: None,
};

pub static NOT_A_TEMPLATE_DOC: RuleDoc = RuleDoc {
    code: codes::NOT_A_TEMPLATE,
    explanation: "Import reads ARM templates (compiled from Bicep, exported from the portal, or written by \
hand) and bare arrays of resources such as an exported snippet. A parameters file, a Bicep file or a Terraform \
configuration is none of these, and nothing is imported.\n\n\
Import the template the parameters belong to; compile Bicep first (`az bicep build --file main.bicep`); for an \
APIOps artifacts folder, import the folder.",
    bad: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "apimServiceName": {"value": "contoso-apim"}
  }
}"#,
    ),
    good: Example::import_arm(API_POLICY_TEMPLATE),
};

pub static EXPRESSION_VALUE: Rule = Rule {
    code: codes::EXPRESSION_VALUE,
    name: "policy-value-is-expression",
    severity: Severity::Error,
    summary: "A policy whose value is an ARM expression (`[concat(…)]`, `[parameters(…)]` …): the document only exists once ARM evaluates it.",
    fix_safe: false,
    run: None,
};

pub static EXPRESSION_VALUE_DOC: RuleDoc = RuleDoc {
    code: codes::EXPRESSION_VALUE,
    explanation: "Templates sometimes build a policy with ARM functions, to splice a parameter into it or to \
take it from a parameter or a variable. Import evaluates such expressions only in resource names, so that \
policy cannot be shown; the rest of the template is imported.\n\n\
Deploy the template and export the policy from APIM, or keep the document literal in the template: Bicep's \
`loadTextContent('policy.xml')` compiles to the document's text, and what varies between environments belongs \
in named values (`{{backend-url}}`) rather than in string concatenation.",
    bad: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "backendUrl": {"type": "string"}
  },
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "rawxml",
        "value": "[concat('<policies><inbound><base /><set-backend-service base-url=\"', parameters('backendUrl'), '\" /></inbound></policies>')]"
      }
    }
  ]
}"#,
    ),
    good: Example::import_arm(API_POLICY_TEMPLATE),
};

pub static LINKED_POLICY: Rule = Rule {
    code: codes::LINKED_POLICY,
    name: "linked-policy",
    severity: Severity::Error,
    summary: "A policy given by link (`xml-link`, `rawxml-link`): its document is not in the template.",
    fix_safe: false,
    run: None,
};

pub static LINKED_POLICY_DOC: RuleDoc = RuleDoc {
    code: codes::LINKED_POLICY,
    explanation: "With the `xml-link` and `rawxml-link` formats the policy's `value` is a URL from which APIM \
downloads the document when the template is deployed, often a storage account with a SAS token. The template \
does not contain the document, and import never fetches anything.\n\n\
Download the file and open it in the playground, or put the document in the template (`format: rawxml`, the \
document as `value`) and import that.",
    bad: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "rawxml-link",
        "value": "https://contosodeploy.blob.core.windows.net/policies/orders.xml"
      }
    }
  ]
}"#,
    ),
    good: Example::import_arm(API_POLICY_TEMPLATE),
};

pub static UNSUPPORTED_SCOPE: Rule = Rule {
    code: codes::UNSUPPORTED_SCOPE,
    name: "unsupported-policy-scope",
    severity: Severity::Warning,
    summary: "A policy resource of a scope the playground does not model (workspaces, GraphQL resolvers …): skipped.",
    fix_safe: false,
    run: None,
};

pub static UNSUPPORTED_SCOPE_DOC: RuleDoc = RuleDoc {
    code: codes::UNSUPPORTED_SCOPE,
    explanation: "The playground models global, product, API and operation policies and policy fragments. \
Policies of other resources (workspaces and the APIs, products and fragments in them, GraphQL resolvers) are \
skipped rather than shown at a scope the linter would check them against wrongly; the rest is imported.\n\n\
To check such a policy anyway, paste its document into the editor and choose the closest scope.",
    bad: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "rawxml",
        "value": "<policies>\n  <inbound>\n    <base />\n    <set-backend-service base-url=\"{{backend-url}}\" />\n  </inbound>\n</policies>"
      }
    },
    {
      "type": "Microsoft.ApiManagement/service/apis/resolvers/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders-graphql/get-order/policy",
      "properties": {
        "format": "rawxml",
        "value": "<http-data-source>\n  <http-request>\n    <set-method>GET</set-method>\n    <set-url>https://backend.contoso.com/orders</set-url>\n  </http-request>\n</http-data-source>"
      }
    }
  ]
}"#,
    ),
    good: Example::import_arm(API_POLICY_TEMPLATE),
};

pub static XML_FORMAT_KEPT: Rule = Rule {
    code: codes::XML_FORMAT_KEPT,
    name: "xml-format-kept",
    severity: Severity::Warning,
    summary: "An `xml`-format policy whose expressions could not be unescaped safely: returned as written, entity-escaped.",
    fix_safe: false,
    run: None,
};

pub static XML_FORMAT_KEPT_DOC: RuleDoc = RuleDoc {
    code: codes::XML_FORMAT_KEPT,
    explanation: "In the `xml` format (the default when a template gives no `format`) the document is strict \
XML, so the quotes, `<` and `&` of policy expressions are written as entities: `@(&quot;a&quot; == x)`. Import \
shows such a document as APIM's rawxml view does, with the expressions unescaped, after checking that the \
unescaped document reads back at least as cleanly as the original. When it would not, usually because an \
expression was already broken (such as a string missing its closing `&quot;`), the document is returned exactly \
as written, so that nothing is lost or reinterpreted.\n\n\
Lint the imported document to find the broken expression. When fixing the template, prefer `format: rawxml`, \
which stores the document as it is written.",
    bad: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "xml",
        "value": "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-user\" exists-action=\"override\">\n      <value>@(context.Request.Headers.GetValueOrDefault(&quot;x-user, &quot;anonymous&quot;))</value>\n    </set-header>\n  </inbound>\n</policies>"
      }
    }
  ]
}"#,
    ),
    good: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "xml",
        "value": "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-user\" exists-action=\"override\">\n      <value>@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;anonymous&quot;))</value>\n    </set-header>\n  </inbound>\n</policies>"
      }
    }
  ]
}"#,
    ),
};

pub static FRAGMENT_WRAPPED: Rule = Rule {
    code: codes::FRAGMENT_WRAPPED,
    name: "fragment-wrapped",
    severity: Severity::Info,
    summary: "A fragment stored without its `<fragment>` root (as the REST API returns it): wrapped in `<fragment>…</fragment>`.",
    fix_safe: false,
    run: None,
};

pub static FRAGMENT_WRAPPED_DOC: RuleDoc = RuleDoc {
    code: codes::FRAGMENT_WRAPPED,
    explanation: "APIM's REST API, and tools that store what it returns, can give a fragment's policies \
without the `<fragment>` element around them. The playground reads a fragment by its root, so import adds the \
element and says so; the policies are unchanged.\n\n\
Nothing to do in the playground. A file deployed as a fragment should keep the `<fragment>` root, as the good \
example does.",
    bad: Example::import_apiops(&[(
        "policy fragments/correlation-id/policy.xml",
        r#"<set-header name="x-correlation-id" exists-action="skip">
  <value>@(context.RequestId.ToString())</value>
</set-header>"#,
    )]),
    good: Example::import_apiops(&[("policy fragments/correlation-id/policy.xml", FRAGMENT)]),
};

pub static LITERAL_SECRET: Rule = Rule {
    code: codes::LITERAL_SECRET,
    name: "literal-secret-in-template",
    severity: Severity::Warning,
    summary: "A secret named value whose value is written in the template or APIOps file: reported, never shown.",
    fix_safe: false,
    run: None,
};

pub static LITERAL_SECRET_DOC: RuleDoc = RuleDoc {
    code: codes::LITERAL_SECRET,
    explanation: "A named value marked `secret` whose value is a literal string puts the secret in source \
control and in the deployment history. Import never shows it (the named value is listed as a secret without a \
value) and warns.\n\n\
Pass the value as a `securestring` parameter (`\"value\": \"[parameters('backendKey')]\"`), or better make it a \
Key Vault-backed named value (`keyVault.secretIdentifier`) so that the template holds no secret at all; and \
rotate the secret, since it has been exposed.",
    bad: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/namedValues",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/backend-key",
      "properties": {"displayName": "backend-key", "secret": true, "value": "s3cr3t-do-not-commit"}
    },
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "rawxml",
        "value": "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-key}}</value>\n    </set-header>\n  </inbound>\n</policies>"
      }
    }
  ]
}"#,
    ),
    good: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "backendKey": {"type": "securestring"}
  },
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service/namedValues",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/backend-key",
      "properties": {"displayName": "backend-key", "secret": true, "value": "[parameters('backendKey')]"}
    },
    {
      "type": "Microsoft.ApiManagement/service/apis/policies",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim/orders/policy",
      "properties": {
        "format": "rawxml",
        "value": "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-key}}</value>\n    </set-header>\n  </inbound>\n</policies>"
      }
    }
  ]
}"#,
    ),
};

pub static UNREADABLE_RESOURCE: Rule = Rule {
    code: codes::UNREADABLE_RESOURCE,
    name: "unreadable-resource",
    severity: Severity::Error,
    summary: "A policy resource or APIOps file that could not be read: not imported.",
    fix_safe: false,
    run: None,
};

pub static UNREADABLE_RESOURCE_DOC: RuleDoc = RuleDoc {
    code: codes::UNREADABLE_RESOURCE,
    explanation: "Import skips, and reports, what it cannot read: a policy resource whose \
`properties.value` is missing or not a string, a `policy.xml` in an APIOps folder where APIOps never puts one \
(so its scope is unknown), and a `namedValueInformation.json` that is not valid JSON. The rest is imported.\n\n\
Check the resource or file. APIOps keeps policies in `policy.xml` (global), `products/<product>/policy.xml`, \
`apis/<api>/policy.xml`, `apis/<api>/operations/<operation>/policy.xml` and \
`policy fragments/<fragment>/policy.xml`.",
    bad: Example::import_apiops(&[
        ("apis/orders/policy.xml", PLAIN_POLICY),
        ("apis/orders/get-order/policy.xml", BACKEND_URL_POLICY),
    ]),
    good: Example::import_apiops(&[
        ("apis/orders/policy.xml", PLAIN_POLICY),
        (
            "apis/orders/operations/get-order/policy.xml",
            BACKEND_URL_POLICY,
        ),
    ]),
};

pub static NOTHING_FOUND: Rule = Rule {
    code: codes::NOTHING_FOUND,
    name: "nothing-to-import",
    severity: Severity::Error,
    summary: "The template or folder holds no API Management policy or policy fragment.",
    fix_safe: false,
    run: None,
};

pub static NOTHING_FOUND_DOC: RuleDoc = RuleDoc {
    code: codes::NOTHING_FOUND,
    explanation: "Import looks for the five policy resource types (`Microsoft.ApiManagement/service/policies`, \
`…/products/policies`, `…/apis/policies`, `…/apis/operations/policies` and `…/policyFragments`) anywhere in a \
template, nested resources and inline nested deployments included, and for the `policy.xml` files of an APIOps \
folder. It found none.\n\n\
A template that deploys only the service, or one that deploys its policies through linked templates \
(`templateLink`), has no policy to import: import the template that holds them, or extract the service with \
APIOps and import that folder.",
    bad: Example::import_arm(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service",
      "apiVersion": "2022-08-01",
      "name": "contoso-apim",
      "location": "westeurope",
      "sku": {"name": "Developer", "capacity": 1},
      "properties": {"publisherEmail": "api@contoso.com", "publisherName": "Contoso"}
    }
  ]
}"#,
    ),
    good: Example::import_arm(API_POLICY_TEMPLATE),
};
