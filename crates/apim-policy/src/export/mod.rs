//! Export a policy as deployable infrastructure code (ARM JSON, Bicep, Terraform azurerm), and
//! import policies back from ARM templates and APIOps artifact folders.
//!
//! [`export`] takes the document, [`ExportOptions`] (target, scope, names, snippet or full) and
//! optionally the [`Scenario`], and returns one file's text: the policy resource for the scope
//! with `format: rawxml` and the document verbatim; the fragments it includes (when the scenario
//! has them); only the named values the policy and those fragments reference (plain values
//! literal, secret values from secure parameters, Key Vault values by versionless secret
//! identifier); and the vault permission the gateway's identity needs (an access policy or a
//! *Key Vault Secrets User* role assignment), ordered with `dependsOn` so that a first
//! deployment works. Problems that would make the deployment fail refuse the export (`Err`);
//! everything the user should know but that still deploys is a warning or a note in
//! [`ExportOutput::diagnostics`]. Nothing is dropped silently.
//!
//! [`import_arm`] and [`import_apiops`] read policies back ([`Import`]); exporting then importing
//! gives back the same document for every scope.
//!
//! Decisions (each reported when it applies, with the code in parentheses):
//! - A `{{name}}` the scenario does not define (or defines without a value) is still exported,
//!   its value a required non-secret parameter (`APIM0910`, `APIM0917`): the template is
//!   complete and fails loudly at deployment until the value is given. A name no named value
//!   can have refuses the export (`APIM0903`).
//! - A versioned Key Vault secret identifier is exported versionless (`APIM0911`): the issue asks
//!   for rotation to work, and the warning says how to pin a version if that was meant.
//! - A vault missing from the scenario's `key_vaults` is assumed to use Azure RBAC (`APIM0913`).
//! - The reading identity is the system-assigned one unless the named value gives a client id;
//!   a user-assigned identity becomes a parameter with its resource name (same resource group),
//!   from which the permission's principal and `identityClientId` are read, so the two can
//!   never disagree. Identities the scenario's service lacks are warned about (`APIM0912`).
//! - Fragments the scenario does not hold are assumed to exist (`APIM0914`); certificates are
//!   never exported (`APIM0915`); a `send-request` to Key Vault with a managed identity gets
//!   the same vault permission (`APIM0916`).
//! - The vault permission resources assume the vault is in the deployment's resource group.
//!
//! How each target is written (`arm`, `bicep`, `terraform`) follows
//! `shared/reference/arm-export.md`; the choices it leaves open are documented where they are
//! made. The core stays I/O-free: the CLI reads files and folders, the web app calls the same
//! functions.

pub mod codes;
mod import;
mod names;
mod plan;
mod render_arm;
mod render_bicep;
mod render_terraform;
pub(crate) mod rules;

pub use import::{
    Import, ImportedNamedValue, ImportedPolicy, ImportedValue, PolicyFormat, import_apiops,
    import_arm,
};

use crate::diagnostic::Diagnostic;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// What to generate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// An ARM JSON template (deploymentTemplate 2019-04-01).
    #[default]
    Arm,
    Bicep,
    /// Terraform with the azurerm provider.
    Terraform,
}

impl Target {
    pub const fn as_str(self) -> &'static str {
        match self {
            Target::Arm => "arm",
            Target::Bicep => "bicep",
            Target::Terraform => "terraform",
        }
    }

    const fn extension(self) -> &'static str {
        match self {
            Target::Arm => "json",
            Target::Bicep => "bicep",
            Target::Terraform => "tf",
        }
    }
}

/// Where the document is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Global,
    Product,
    Api,
    Operation,
    Fragment,
}

impl Scope {
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Product => "product",
            Scope::Api => "api",
            Scope::Operation => "operation",
            Scope::Fragment => "fragment",
        }
    }

    /// The contract's default: `fragment` when the root element is `<fragment>`, else `api`.
    pub fn default_for(source: &str) -> Scope {
        let doc = crate::syntax::parse(source);
        match doc.root_element() {
            Some(root) if root.name == "fragment" => Scope::Fragment,
            _ => Scope::Api,
        }
    }
}

/// The `Microsoft.ApiManagement` API version of the exported resources. Both have the same
/// policy, fragment and named value shapes; the repository holds both schemas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiVersion {
    /// What Terraform's azurerm provider uses; the default.
    #[default]
    #[serde(rename = "2022-08-01")]
    V2022_08_01,
    /// The newest GA version (Azure Verified Modules use it).
    #[serde(rename = "2024-05-01")]
    V2024_05_01,
}

impl ApiVersion {
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2022_08_01 => "2022-08-01",
            ApiVersion::V2024_05_01 => "2024-05-01",
        }
    }

    pub fn parse(text: &str) -> Option<ApiVersion> {
        match text {
            "2022-08-01" => Some(ApiVersion::V2022_08_01),
            "2024-05-01" => Some(ApiVersion::V2024_05_01),
            _ => None,
        }
    }
}

/// Everything [`export`] needs besides the document and the scenario. Names left `None` get
/// defaults: the service `apim-service`; the API, operation and product from the scenario
/// (`api.name`, `api.operation.name`, `product.id` or `product.name`), else `my-api`,
/// `my-operation`, `starter`; the fragment `my-fragment` (the CLI passes the file's name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportOptions {
    pub target: Target,
    /// `None`: [`Scope::default_for`] the document.
    pub scope: Option<Scope>,
    pub service: Option<String>,
    pub product: Option<String>,
    pub api: Option<String>,
    pub operation: Option<String>,
    /// The fragment's name when the scope is `fragment`.
    pub fragment: Option<String>,
    /// Only the resources, to paste into an existing template (no parameters, no `existing`
    /// declarations or data sources); what they expect is listed as a note.
    pub snippet: bool,
    pub api_version: ApiVersion,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportOutput {
    pub text: String,
    /// A download name such as `orders-get-order-policy.json` or `orders-policy.snippet.bicep`.
    pub file_name: String,
    /// Warnings (it deploys, but read this) and notes (severity info). See [`is_located`].
    pub diagnostics: Vec<Diagnostic>,
}

/// Export `source` as `options.target` code. `Err` holds the reasons it would not deploy
/// (syntax errors in the document, a root element that does not fit the scope, names APIM
/// rejects, unreadable Key Vault identifiers), together with any warnings.
pub fn export(
    source: &str,
    options: &ExportOptions,
    scenario: Option<&Scenario>,
) -> Result<ExportOutput, Vec<Diagnostic>> {
    let (plan, diagnostics) = plan::build(source, options, scenario)?;
    let mut diagnostics = diagnostics;
    let text = match options.target {
        Target::Arm => render_arm::render(&plan, options.snippet, &mut diagnostics),
        Target::Bicep => render_bicep::render(&plan, options.snippet, &mut diagnostics),
        Target::Terraform => render_terraform::render(&plan, options.snippet, &mut diagnostics),
    };
    let file_name = names::file_name(&plan, options.target.extension(), options.snippet);
    Ok(ExportOutput {
        text,
        file_name,
        diagnostics,
    })
}

/// Does this diagnostic point into the policy document? Export and import diagnostics about
/// the scenario, the options or a template carry an empty span at 0 (there is nothing in the
/// document to point at) and say where in their message; front ends show those without a
/// source frame.
pub fn is_located(d: &Diagnostic) -> bool {
    !(d.code.starts_with("APIM09") && d.span.is_empty() && d.span.start == 0)
}
