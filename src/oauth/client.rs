//! Public clients (SPEC §11): what a registration must hold, and which scopes a consent
//! page may grant. Pure: the handlers and `manage::clients` wire it in.

use crate::authz::permission::{check_in_catalog, is_valid_grant};
use crate::authz::PermissionSet;

use super::redirect_uri;

/// A registration that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidClient {
    pub name: String,
    /// Exactly as sent (matching is byte for byte).
    pub redirect_uris: Vec<String>,
    /// Catalog names, wildcards expanded, in catalog order.
    pub scopes: Vec<String>,
}

/// A refused registration: the field and why (a 422 naming it).
pub type FieldError = (&'static str, String);

/// Checks a registration: a 1–100 character name (the display-name rule), 1–10 redirect
/// URIs ([`redirect_uri::check_registration`]) and at least one scope from the catalog.
pub fn validate(
    name: &str,
    redirect_uris: &[String],
    scopes: &[String],
    catalog: &[&str],
) -> Result<ValidClient, FieldError> {
    let name = crate::domain::parse_display_name(name).map_err(|m| ("name", m))?;
    redirect_uri::check_registration(redirect_uris).map_err(|m| ("redirect_uris", m))?;
    if scopes.is_empty() {
        return Err(("scopes", "must name at least one permission".into()));
    }
    let bad: Vec<&str> = scopes
        .iter()
        .filter(|s| check_in_catalog(s, catalog).is_err())
        .map(String::as_str)
        .collect();
    if !bad.is_empty() {
        return Err(("scopes", format!("not in the catalog: {}", bad.join(" "))));
    }
    Ok(ValidClient {
        name,
        redirect_uris: redirect_uris.to_vec(),
        scopes: PermissionSet::from_grants(scopes).expand(catalog),
    })
}

/// What a consent page shows: the scopes approval would grant, and the requested ones it
/// never will (outside the client's registration or the user's permissions, or unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consent {
    /// Catalog names, in catalog order.
    pub granted: Vec<String>,
    pub unavailable: Vec<String>,
}

/// More requested scopes than this are not looked at (a catalog has far fewer names).
const MAX_REQUESTED: usize = 100;
/// An unknown requested scope is shown cut to this many characters.
const MAX_SHOWN: usize = 64;

/// Decides the consent: each requested scope (a wildcard stands for the catalog names it
/// matches) is granted when the client registered it and the user holds it. Without a
/// `scope`, the request asks for everything the client registered.
pub fn consent(
    requested: Option<&str>,
    client_scopes: &[String],
    user: &PermissionSet,
    catalog: &[&str],
) -> Consent {
    let requested: Vec<&str> = match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => client_scopes.iter().map(String::as_str).collect(),
        Some(s) => s.split_whitespace().take(MAX_REQUESTED).collect(),
    };
    let mut wanted: Vec<String> = Vec::new();
    let mut unavailable: Vec<String> = Vec::new();
    for scope in requested {
        if !is_valid_grant(scope) || check_in_catalog(scope, catalog).is_err() {
            let shown: String = scope.chars().take(MAX_SHOWN).collect();
            if !unavailable.contains(&shown) {
                unavailable.push(shown);
            }
            continue;
        }
        for name in PermissionSet::from_grants([scope]).expand(catalog) {
            if !wanted.contains(&name) {
                wanted.push(name);
            }
        }
    }
    let mut granted = Vec::new();
    for name in catalog {
        let name = (*name).to_owned();
        if !wanted.contains(&name) {
            continue;
        }
        if client_scopes.contains(&name) && user.allows(&name) {
            granted.push(name);
        } else if !unavailable.contains(&name) {
            unavailable.push(name);
        }
    }
    Consent {
        granted,
        unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::permission::CATALOG_NAMES;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_registration_needs_a_name_uris_and_catalog_scopes() {
        let uris = strings(&["https://app.example/cb"]);
        let ok = validate("App", &uris, &strings(&["posts:*"]), &CATALOG_NAMES).unwrap();
        assert!(ok.scopes.contains(&"posts:read".to_owned()));
        assert!(ok.scopes.iter().all(|s| s.starts_with("posts:")));
        let cases: [(&str, Vec<String>, Vec<String>, &str); 5] = [
            ("", uris.clone(), strings(&["posts:read"]), "name"),
            ("App", vec![], strings(&["posts:read"]), "redirect_uris"),
            (
                "App",
                strings(&["http://app.example/cb"]),
                strings(&["posts:read"]),
                "redirect_uris",
            ),
            ("App", uris.clone(), vec![], "scopes"),
            ("App", uris.clone(), strings(&["posts:fly"]), "scopes"),
        ];
        for (name, u, s, field) in cases {
            assert_eq!(
                validate(name, &u, &s, &CATALOG_NAMES).unwrap_err().0,
                field,
                "{name} {u:?} {s:?}"
            );
        }
    }

    #[test]
    fn consent_grants_only_what_client_and_user_both_have() {
        let client = strings(&["posts:read", "posts:create", "users:read"]);
        let user = PermissionSet::from_grants(["posts:read", "posts:create", "comments:read"]);
        let c = consent(
            Some("posts:read users:read comments:read bogus"),
            &client,
            &user,
            &CATALOG_NAMES,
        );
        assert_eq!(c.granted, strings(&["posts:read"]));
        assert_eq!(
            c.unavailable,
            strings(&["bogus", "comments:read", "users:read"])
        );
    }

    #[test]
    fn no_scope_asks_for_the_clients_registration() {
        let client = strings(&["posts:read", "users:read"]);
        let user = PermissionSet::from_grants(["posts:*"]);
        let c = consent(None, &client, &user, &CATALOG_NAMES);
        assert_eq!(c.granted, strings(&["posts:read"]));
        assert_eq!(c.unavailable, strings(&["users:read"]));
        assert_eq!(consent(Some("  "), &client, &user, &CATALOG_NAMES), c);
    }

    #[test]
    fn a_wildcard_request_stands_for_the_names_it_matches() {
        let client = strings(&["posts:read", "posts:create"]);
        let user = PermissionSet::from_grants(["*"]);
        let c = consent(Some("posts:*"), &client, &user, &CATALOG_NAMES);
        assert_eq!(c.granted, strings(&["posts:read", "posts:create"]));
        assert!(c.unavailable.contains(&"posts:delete".to_owned()));
    }
}
