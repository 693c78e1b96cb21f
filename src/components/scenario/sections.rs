//! The scenario form's sections. Each renders a part of the scenario and turns every input into
//! a change of that part (see [`super::Edit`]).

use super::Edit;
use super::fields::{Check, Choice, HeadersField, SecretField, StatusField, TextField};
use apim_policy::scenario::{
    Api, HttpResponse, Identity, IdentityKind, KeyVault, KeyVaultRef, NamedValue, Operation,
    Product, Request, Scenario, Subscription, VaultAccess, VaultSecret,
};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SectionProps {
    pub edit: Edit,
}

fn opts(pairs: &[(&'static str, &'static str)]) -> Vec<(AttrValue, AttrValue)> {
    pairs
        .iter()
        .map(|(v, l)| (AttrValue::Static(v), AttrValue::Static(l)))
        .collect()
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

fn methods() -> Vec<(AttrValue, AttrValue)> {
    METHODS
        .iter()
        .map(|m| (AttrValue::Static(m), AttrValue::Static(m)))
        .collect()
}

// -------------------------------------------------------------------------------------------
// Request

/// The request the form edits: `requests[i]` when the scenario sends a sequence, else
/// `request` (created on the first edit).
fn request_mut(s: &mut Scenario, several: bool, i: usize) -> Option<&mut Request> {
    if several {
        s.requests.get_mut(i)
    } else {
        Some(s.request.get_or_insert_with(Request::default))
    }
}

#[function_component(RequestSection)]
pub fn request_section(props: &SectionProps) -> Html {
    let model = &props.edit.model;
    let selected = use_state(|| 0usize);
    let several = !model.requests.is_empty();
    let i = (*selected).min(model.requests.len().saturating_sub(1));
    let request = if several {
        model.requests.get(i).cloned().unwrap_or_default()
    } else {
        model.request.clone().unwrap_or_default()
    };
    let set = |f: fn(&mut Request, String)| {
        props.edit.with(move |s: &mut Scenario, v: String| {
            if let Some(r) = request_mut(s, several, i) {
                f(r, v);
            }
        })
    };
    let set_headers = props.edit.with(move |s: &mut Scenario, h| {
        if let Some(r) = request_mut(s, several, i) {
            r.headers = h;
        }
    });
    let on_pick = {
        let selected = selected.clone();
        Callback::from(move |v: String| selected.set(v.parse().unwrap_or(0)))
    };
    let sequence: Vec<(AttrValue, AttrValue)> = model
        .requests
        .iter()
        .enumerate()
        .map(|(n, r)| {
            (
                AttrValue::from(n.to_string()),
                AttrValue::from(format!(
                    "{} of {}: {} {}",
                    n + 1,
                    model.requests.len(),
                    r.method,
                    r.url
                )),
            )
        })
        .collect();
    html! {
        <details class="form-section" open=true>
            <summary><h2>{ "Request" }</h2></summary>
            if several {
                <Choice label="Request in the sequence" options={sequence}
                    value={i.to_string()} on_change={on_pick} testid="request-index" class="wide" />
                <p class="field-hint">{ "The scenario sends these requests in order through the same gateway (rate limits and caches carry over)." }</p>
            }
            <div class="row">
                <Choice label="Method" options={methods()} value={request.method.clone()}
                    on_change={set(|r, v| r.method = v)} testid="request-method" class="narrow" />
                <TextField label="URL" value={request.url.clone()} mono=true class="grow"
                    placeholder="https://contoso.azure-api.net/orders/items/42"
                    on_change={set(|r, v| r.url = v)} testid="request-url" />
            </div>
            <HeadersField label="Headers" value={request.headers.clone()} on_change={set_headers}
                testid="request-headers" />
            <TextField label="Body" value={request.body.clone()} rows=3 mono=true
                on_change={set(|r, v| r.body = v)} testid="request-body" />
            <TextField label="Client IP address" value={request.ip.clone().unwrap_or_default()}
                mono=true placeholder="203.0.113.7" class="narrow-text"
                on_change={set(|r, v| r.ip = Some(v).filter(|v| !v.is_empty()))} testid="request-ip" />
        </details>
    }
}

// -------------------------------------------------------------------------------------------
// Named values

fn nv_kind(nv: &NamedValue) -> &'static str {
    if nv.key_vault.is_some() {
        "key-vault"
    } else if nv.secret {
        "secret"
    } else {
        "plain"
    }
}

/// The vault name of a secret identifier (`https://<vault>.vault.azure.net/secrets/…`).
pub fn vault_of(identifier: &str) -> Option<&str> {
    let host = identifier.strip_prefix("https://")?.split('/').next()?;
    let (name, domain) = host.split_once('.')?;
    (domain.starts_with("vault.") && !name.is_empty()).then_some(name)
}

fn set_kind(s: &mut Scenario, i: usize, kind: &str) {
    let vault = s.key_vaults.first().map(|v| v.name.clone());
    let Some(nv) = s.named_values.get_mut(i) else {
        return;
    };
    match kind {
        "key-vault" => {
            if nv.key_vault.is_none() {
                let vault = vault.unwrap_or_else(|| "contoso-kv".to_string());
                nv.key_vault = Some(KeyVaultRef {
                    secret_identifier: format!(
                        "https://{vault}.vault.azure.net/secrets/{}",
                        nv.name
                    ),
                    identity_client_id: None,
                });
            }
            nv.secret = false;
            nv.value = None;
        }
        other => {
            nv.key_vault = None;
            nv.secret = other == "secret";
            if nv.value.is_none() {
                nv.value = Some(String::new());
            }
        }
    }
}

#[function_component(NamedValuesSection)]
pub fn named_values_section(props: &SectionProps) -> Html {
    let model = &props.edit.model;
    let edit = &props.edit;
    let add = {
        let cb = edit.with(|s: &mut Scenario, ()| {
            let n = s.named_values.len() + 1;
            s.named_values.push(NamedValue {
                name: format!("named-value-{n}"),
                value: Some(String::new()),
                ..NamedValue::default()
            });
        });
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <details class="form-section" open=true>
            <summary><h2>{ "Named values" }</h2></summary>
            if model.named_values.is_empty() {
                <p class="field-hint">{ "None declared: {{references}} in the policy are not checked. Declare them to have unknown names reported." }</p>
            }
            <ul class="cards" aria-label="Named values">
                { for model.named_values.iter().enumerate().map(|(i, nv)| {
                    let kind = nv_kind(nv);
                    let set_name = edit.with(move |s: &mut Scenario, v: String| {
                        if let Some(nv) = s.named_values.get_mut(i) { nv.name = v; }
                    });
                    let set_kind = edit.with(move |s: &mut Scenario, v: String| set_kind(s, i, &v));
                    let set_value = edit.with(move |s: &mut Scenario, v: String| {
                        if let Some(nv) = s.named_values.get_mut(i) { nv.value = Some(v); }
                    });
                    let set_identifier = edit.with(move |s: &mut Scenario, v: String| {
                        if let Some(kv) = s.named_values.get_mut(i).and_then(|nv| nv.key_vault.as_mut()) {
                            kv.secret_identifier = v;
                        }
                    });
                    let set_client = edit.with(move |s: &mut Scenario, v: String| {
                        if let Some(kv) = s.named_values.get_mut(i).and_then(|nv| nv.key_vault.as_mut()) {
                            kv.identity_client_id = Some(v).filter(|v| !v.trim().is_empty());
                        }
                    });
                    let remove = {
                        let cb = edit.with(move |s: &mut Scenario, ()| { s.named_values.remove(i); });
                        Callback::from(move |_: MouseEvent| cb.emit(()))
                    };
                    let value = nv.value.clone().unwrap_or_default();
                    html! {
                        <li class="card" data-testid="named-value" data-name={nv.name.clone()} data-kind={kind}>
                            <div class="row">
                                <TextField label="Name" value={nv.name.clone()} mono=true class="grow"
                                    on_change={set_name} testid="named-value-name" />
                                <Choice label="Type" value={kind} on_change={set_kind} testid="named-value-kind"
                                    options={opts(&[("plain", "Plain"), ("secret", "Secret"), ("key-vault", "Key Vault")])} />
                            </div>
                            { match kind {
                                "plain" => html! {
                                    <TextField label="Value" value={value} mono=true on_change={set_value}
                                        testid="named-value-value" />
                                },
                                "secret" => html! {
                                    <SecretField label="Secret value" value={value} on_change={set_value}
                                        testid="named-value-value" />
                                },
                                _ => {
                                    let kv = nv.key_vault.clone().unwrap_or_default();
                                    html! { <>
                                        <TextField label="Key Vault secret identifier" value={kv.secret_identifier}
                                            mono=true on_change={set_identifier} testid="named-value-secret-identifier"
                                            placeholder="https://contoso-kv.vault.azure.net/secrets/backend-api-key" />
                                        <TextField label="Identity client id (blank: the system-assigned identity)"
                                            value={kv.identity_client_id.unwrap_or_default()} mono=true
                                            on_change={set_client} testid="named-value-identity" />
                                    </> }
                                }
                            } }
                            <div class="card-actions">
                                <button type="button" class="btn btn-small" data-testid="remove-named-value"
                                    aria-label={format!("Remove named value {}", nv.name)} onclick={remove}>
                                    { "Remove" }
                                </button>
                            </div>
                        </li>
                    }
                }) }
            </ul>
            <button type="button" class="btn btn-small" data-testid="add-named-value" onclick={add}>
                { "Add a named value" }
            </button>
        </details>
    }
}

// -------------------------------------------------------------------------------------------
// Key Vault and the gateway's identity

fn toggle_permission(v: &mut KeyVault, permission: &str, on: bool) {
    v.apim_permissions
        .retain(|p| !p.eq_ignore_ascii_case(permission));
    if on {
        v.apim_permissions.push(permission.to_string());
        // Keep the usual order: get, list, others.
        apim_policy::sort::sort_by_key(&mut v.apim_permissions, |p| match p.as_str() {
            "get" => 0,
            "list" => 1,
            _ => 2,
        });
    }
}

fn has(v: &KeyVault, permission: &str) -> bool {
    v.apim_permissions
        .iter()
        .any(|p| p.eq_ignore_ascii_case(permission))
}

/// A name for a new vault: one the named values refer to that is not declared yet.
fn next_vault_name(s: &Scenario) -> String {
    s.named_values
        .iter()
        .filter_map(|nv| nv.key_vault.as_ref())
        .filter_map(|kv| vault_of(&kv.secret_identifier))
        .find(|name| !s.key_vaults.iter().any(|v| v.name == *name))
        .map_or_else(
            || format!("vault-{}", s.key_vaults.len() + 1),
            str::to_string,
        )
}

#[function_component(KeyVaultsSection)]
pub fn key_vaults_section(props: &SectionProps) -> Html {
    let model = &props.edit.model;
    let edit = &props.edit;
    let identity = model.identity.clone().unwrap_or_default();
    let identity_kind = match identity.kind {
        IdentityKind::System => "system",
        IdentityKind::User => "user",
        IdentityKind::SystemAndUser => "system-and-user",
        IdentityKind::None => "none",
    };
    let set_identity_kind = edit.with(|s: &mut Scenario, v: String| {
        let identity = s.identity.get_or_insert_with(Identity::default);
        identity.kind = match v.as_str() {
            "user" => IdentityKind::User,
            "system-and-user" => IdentityKind::SystemAndUser,
            "none" => IdentityKind::None,
            _ => IdentityKind::System,
        };
    });
    let set_client_id = edit.with(|s: &mut Scenario, v: String| {
        s.identity.get_or_insert_with(Identity::default).client_id =
            Some(v).filter(|v| !v.trim().is_empty());
    });
    let add_vault = {
        let cb = edit.with(|s: &mut Scenario, ()| {
            let name = next_vault_name(s);
            s.key_vaults.push(KeyVault {
                name,
                apim_permissions: vec!["get".into(), "list".into()],
                ..KeyVault::default()
            });
        });
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <details class="form-section" open=true>
            <summary><h2>{ "Key Vault and the gateway's identity" }</h2></summary>
            <div class="row">
                <Choice label="APIM managed identity" value={identity_kind} on_change={set_identity_kind}
                    testid="identity-type"
                    options={opts(&[("system", "System-assigned"), ("user", "User-assigned"),
                        ("system-and-user", "System and user-assigned"), ("none", "None")])} />
                if matches!(identity.kind, IdentityKind::User | IdentityKind::SystemAndUser) {
                    <TextField label="User-assigned client id" value={identity.client_id.clone().unwrap_or_default()}
                        mono=true class="grow" on_change={set_client_id} testid="identity-client-id" />
                }
            </div>
            <ul class="cards" aria-label="Key vaults">
                { for model.key_vaults.iter().enumerate().map(|(i, vault)| vault_card(edit, i, vault)) }
            </ul>
            <button type="button" class="btn btn-small" data-testid="add-key-vault" onclick={add_vault}>
                { "Add a key vault" }
            </button>
        </details>
    }
}

fn vault_card(edit: &Edit, i: usize, vault: &KeyVault) -> Html {
    let set_name = edit.with(move |s: &mut Scenario, v: String| {
        if let Some(k) = s.key_vaults.get_mut(i) {
            k.name = v;
        }
    });
    let set_access = edit.with(move |s: &mut Scenario, v: String| {
        if let Some(k) = s.key_vaults.get_mut(i) {
            k.access = if v == "rbac" {
                VaultAccess::Rbac
            } else {
                VaultAccess::AccessPolicy
            };
        }
    });
    let permission = |p: &'static str| {
        edit.with(move |s: &mut Scenario, on: bool| {
            if let Some(k) = s.key_vaults.get_mut(i) {
                toggle_permission(k, p, on);
            }
        })
    };
    let add_secret = {
        let cb = edit.with(move |s: &mut Scenario, ()| {
            if let Some(k) = s.key_vaults.get_mut(i) {
                let n = k.secrets.len() + 1;
                k.secrets.push(VaultSecret {
                    name: format!("secret-{n}"),
                    ..VaultSecret::default()
                });
            }
        });
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let remove = {
        let cb = edit.with(move |s: &mut Scenario, ()| {
            s.key_vaults.remove(i);
        });
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let access = match vault.access {
        VaultAccess::AccessPolicy => "access-policy",
        VaultAccess::Rbac => "rbac",
    };
    let get = has(vault, "get");
    html! {
        <li class="card" data-testid="key-vault" data-name={vault.name.clone()}>
            <div class="row">
                <TextField label="Vault name" value={vault.name.clone()} mono=true class="grow"
                    on_change={set_name} testid="vault-name" />
                <Choice label="Access model" value={access} on_change={set_access} testid="vault-access"
                    options={opts(&[("access-policy", "Access policy"), ("rbac", "Azure RBAC")])} />
            </div>
            <fieldset class="permissions">
                <legend>{ "Secret permissions APIM's identity holds" }</legend>
                <Check label="get" checked={get} on_change={permission("get")} testid="vault-permission-get" />
                <Check label="list" checked={has(vault, "list")} on_change={permission("list")}
                    testid="vault-permission-list" />
                <p class={classes!("field-hint", (!get).then_some("warn"))}>
                    if get {
                        { "Untick get to revoke it: a Key Vault named value from this vault then fails with Forbidden." }
                    } else {
                        { "get is revoked: APIM cannot read this vault's secrets (Forbidden)." }
                    }
                </p>
                if vault.grants.is_some() {
                    <p class="field-hint">{ "This vault also lists per-identity grants in the JSON (grants), which take precedence over these boxes." }</p>
                }
            </fieldset>
            <h3>{ "Secrets" }</h3>
            <ul class="secrets" aria-label={format!("Secrets of {}", vault.name)}>
                { for vault.secrets.iter().enumerate().map(|(j, secret)| {
                    let set_secret_name = edit.with(move |s: &mut Scenario, v: String| {
                        if let Some(x) = s.key_vaults.get_mut(i).and_then(|k| k.secrets.get_mut(j)) { x.name = v; }
                    });
                    let set_value = edit.with(move |s: &mut Scenario, v: String| {
                        if let Some(x) = s.key_vaults.get_mut(i).and_then(|k| k.secrets.get_mut(j)) { x.value = v; }
                    });
                    let set_enabled = edit.with(move |s: &mut Scenario, on: bool| {
                        if let Some(x) = s.key_vaults.get_mut(i).and_then(|k| k.secrets.get_mut(j)) { x.enabled = on; }
                    });
                    let remove_secret = {
                        let cb = edit.with(move |s: &mut Scenario, ()| {
                            if let Some(k) = s.key_vaults.get_mut(i) { k.secrets.remove(j); }
                        });
                        Callback::from(move |_: MouseEvent| cb.emit(()))
                    };
                    html! {
                        <li class="secret-row-card" data-testid="vault-secret" data-name={secret.name.clone()}>
                            <div class="row">
                                <TextField label="Secret name" value={secret.name.clone()} mono=true class="grow"
                                    on_change={set_secret_name} testid="vault-secret-name" />
                                <SecretField label="Value" value={secret.value.clone()} on_change={set_value}
                                    testid="vault-secret-value" />
                            </div>
                            <div class="row">
                                <Check label="enabled" checked={secret.enabled} on_change={set_enabled}
                                    testid="vault-secret-enabled" />
                                <button type="button" class="btn btn-small" onclick={remove_secret}
                                    aria-label={format!("Remove secret {}", secret.name)}>{ "Remove" }</button>
                            </div>
                        </li>
                    }
                }) }
            </ul>
            <div class="card-actions">
                <button type="button" class="btn btn-small" data-testid="add-vault-secret" onclick={add_secret}>
                    { "Add a secret" }
                </button>
                <button type="button" class="btn btn-small" onclick={remove}
                    aria-label={format!("Remove vault {}", vault.name)}>{ "Remove vault" }</button>
            </div>
        </li>
    }
}

// -------------------------------------------------------------------------------------------
// Backend response

#[function_component(BackendSection)]
pub fn backend_section(props: &SectionProps) -> Html {
    let edit = &props.edit;
    let backend = edit.model.backend.clone().unwrap_or_default();
    let set_status = edit.with(|s: &mut Scenario, v: u16| {
        s.backend.get_or_insert_with(HttpResponse::default).status = v;
    });
    let set_headers = edit.with(|s: &mut Scenario, h| {
        s.backend.get_or_insert_with(HttpResponse::default).headers = h;
    });
    let set_body = edit.with(|s: &mut Scenario, v: String| {
        s.backend.get_or_insert_with(HttpResponse::default).body = v;
    });
    html! {
        <details class="form-section">
            <summary><h2>{ "Backend response" }</h2></summary>
            <p class="field-hint">{ "What the mock backend answers when the gateway forwards the request." }</p>
            <StatusField label="Status" value={backend.status} on_change={set_status} testid="backend-status" />
            <HeadersField label="Headers" value={backend.headers.clone()} on_change={set_headers}
                testid="backend-headers" rows={2} />
            <TextField label="Body" value={backend.body.clone()} rows=3 mono=true on_change={set_body}
                testid="backend-body" />
        </details>
    }
}

// -------------------------------------------------------------------------------------------
// API, product, subscription and time

#[function_component(ServiceSection)]
pub fn service_section(props: &SectionProps) -> Html {
    let edit = &props.edit;
    let model = &edit.model;
    let api = model.api.clone().unwrap_or_default();
    let operation = api.operation.clone().unwrap_or_default();
    let subscription = model.subscription.clone().unwrap_or_default();
    let set_api = |f: fn(&mut Api, String)| {
        edit.with(move |s: &mut Scenario, v: String| f(s.api.get_or_insert_with(Api::default), v))
    };
    let set_op = |f: fn(&mut Operation, String)| {
        edit.with(move |s: &mut Scenario, v: String| {
            f(
                s.api
                    .get_or_insert_with(Api::default)
                    .operation
                    .get_or_insert_with(Operation::default),
                v,
            );
        })
    };
    let set_sub = |f: fn(&mut Subscription, String)| {
        edit.with(move |s: &mut Scenario, v: String| {
            f(s.subscription.get_or_insert_with(Subscription::default), v);
        })
    };
    let set_required = edit.with(|s: &mut Scenario, on: bool| {
        s.api.get_or_insert_with(Api::default).subscription_required = on;
    });
    let set_product = edit.with(|s: &mut Scenario, v: String| {
        if v.trim().is_empty() {
            s.product = None;
        } else {
            s.product.get_or_insert_with(Product::default).name = v;
        }
    });
    let set_now = edit.with(|s: &mut Scenario, v: String| {
        s.now = Some(v).filter(|v| !v.trim().is_empty());
    });
    let now = model.now.clone().unwrap_or_default();
    let now_hint = if now.is_empty() {
        html! { { "Blank: 2026-01-01T00:00:00Z. JWT expiry, quotas, caches and secret expiry use this time." } }
    } else if apim_policy::time::parse_rfc3339(&now).is_some() {
        html! { { "JWT expiry, quotas, caches and secret expiry use this time." } }
    } else {
        html! { <span class="warn">{ "Not an RFC 3339 time (2026-01-01T00:00:00Z)." }</span> }
    };
    html! {
        <details class="form-section">
            <summary><h2>{ "API, subscription and time" }</h2></summary>
            <div class="row">
                <TextField label="API name" value={api.name.clone()} mono=true on_change={set_api(|a, v| a.name = v)}
                    testid="api-name" />
                <TextField label="API path" value={api.path.clone()} mono=true on_change={set_api(|a, v| a.path = v)}
                    testid="api-path" />
            </div>
            <TextField label="Backend service URL" value={api.service_url.clone().unwrap_or_default()} mono=true
                on_change={set_api(|a, v| a.service_url = Some(v).filter(|v| !v.is_empty()))} testid="api-service-url" />
            <div class="row">
                <TextField label="Operation" value={operation.name.clone()} mono=true
                    on_change={set_op(|o, v| o.name = v)} testid="operation-name" />
                <Choice label="Method" options={methods()} value={if operation.method.is_empty() { "GET".to_string() } else { operation.method.clone() }}
                    on_change={set_op(|o, v| o.method = v)} testid="operation-method" class="narrow" />
                <TextField label="URL template" value={operation.url_template.clone()} mono=true class="grow"
                    placeholder="/items/{id}" on_change={set_op(|o, v| o.url_template = v)} testid="operation-template" />
            </div>
            <Check label="Subscription required" checked={api.subscription_required} on_change={set_required}
                testid="api-subscription-required" />
            <div class="row">
                <TextField label="Product" value={model.product.as_ref().map(|p| p.name.clone()).unwrap_or_default()}
                    mono=true on_change={set_product} testid="product-name" />
                <TextField label="Subscription id" value={subscription.id.clone()} mono=true
                    on_change={set_sub(|x, v| x.id = v)} testid="subscription-id" />
                <TextField label="Subscription name" value={subscription.name.clone()}
                    on_change={set_sub(|x, v| x.name = v)} testid="subscription-name" />
            </div>
            <SecretField label="Subscription key" value={subscription.key.clone()}
                on_change={set_sub(|x, v| x.key = v)} testid="subscription-key" />
            <TextField label="Time of the request (now)" value={now} mono=true on_change={set_now}
                testid="scenario-now" placeholder="2026-01-01T00:00:00Z" hint={now_hint} />
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_names_come_from_secret_identifiers() {
        assert_eq!(
            vault_of("https://contoso-kv.vault.azure.net/secrets/x"),
            Some("contoso-kv")
        );
        assert_eq!(
            vault_of("https://kv.vault.usgovcloudapi.net/secrets/x"),
            Some("kv")
        );
        assert_eq!(vault_of("https://example.com/x"), None);
        assert_eq!(vault_of("not a url"), None);
    }

    #[test]
    fn revoking_get_keeps_the_other_permissions_in_order() {
        let mut v = KeyVault {
            apim_permissions: vec!["list".into(), "get".into()],
            ..KeyVault::default()
        };
        toggle_permission(&mut v, "get", false);
        assert_eq!(v.apim_permissions, vec!["list"]);
        toggle_permission(&mut v, "get", true);
        assert_eq!(v.apim_permissions, vec!["get", "list"]);
        assert!(has(&v, "GET"));
    }

    #[test]
    fn changing_a_named_values_type_keeps_what_fits() {
        let mut s = Scenario {
            named_values: vec![NamedValue {
                name: "api-key".into(),
                value: Some("v".into()),
                ..NamedValue::default()
            }],
            key_vaults: vec![KeyVault {
                name: "kv1".into(),
                ..KeyVault::default()
            }],
            ..Scenario::default()
        };
        set_kind(&mut s, 0, "secret");
        assert!(s.named_values[0].secret);
        assert_eq!(s.named_values[0].value.as_deref(), Some("v"));
        set_kind(&mut s, 0, "key-vault");
        let kv = s.named_values[0].key_vault.as_ref().unwrap();
        assert_eq!(
            kv.secret_identifier,
            "https://kv1.vault.azure.net/secrets/api-key"
        );
        assert_eq!(s.named_values[0].value, None);
        assert!(!s.named_values[0].secret);
        set_kind(&mut s, 0, "plain");
        assert!(s.named_values[0].key_vault.is_none());
        assert_eq!(s.named_values[0].value.as_deref(), Some(""));
        set_kind(&mut s, 7, "plain");
    }

    #[test]
    fn a_new_vault_is_named_after_a_missing_one() {
        let mut s = Scenario {
            named_values: vec![NamedValue {
                name: "k".into(),
                key_vault: Some(KeyVaultRef {
                    secret_identifier: "https://contoso-kv.vault.azure.net/secrets/k".into(),
                    identity_client_id: None,
                }),
                ..NamedValue::default()
            }],
            ..Scenario::default()
        };
        assert_eq!(next_vault_name(&s), "contoso-kv");
        s.key_vaults.push(KeyVault {
            name: "contoso-kv".into(),
            ..KeyVault::default()
        });
        assert_eq!(next_vault_name(&s), "vault-2");
    }
}
