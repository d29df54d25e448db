//! The policy: the permission catalog and roles that `quire seed` upserts, either the
//! built-in one (SPEC §3) or one read from a TOML file (format in docs/policy-file.md).

use serde::Deserialize;
use toml::Spanned;

use crate::authz::permission::{check_in_catalog, is_valid_permission_name, NotInCatalog};
use crate::authz::roles::is_valid_role_name;
use crate::authz::roles::{RoleDef, RoleGraph, BUILTIN_ROLES};
use crate::authz::CATALOG;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionSpec {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSpec {
    pub name: String,
    pub description: String,
    pub grants: Vec<String>,
    pub inherits: Vec<String>,
    pub builtin: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub permissions: Vec<PermissionSpec>,
    pub roles: Vec<RoleSpec>,
}

/// A bad policy file: the 1-based line where the problem is, and what it is.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PolicyError {
    pub line: usize,
    pub message: String,
}

impl Policy {
    /// The built-in catalog and roles of SPEC §3.
    pub fn builtin() -> Self {
        Self {
            permissions: CATALOG
                .iter()
                .map(|(name, description)| PermissionSpec {
                    name: (*name).into(),
                    description: (*description).into(),
                })
                .collect(),
            roles: BUILTIN_ROLES
                .iter()
                .map(|(name, description, grants, parents)| RoleSpec {
                    name: (*name).into(),
                    description: (*description).into(),
                    grants: grants.iter().map(|g| (*g).into()).collect(),
                    inherits: parents.iter().map(|p| (*p).into()).collect(),
                    builtin: true,
                })
                .collect(),
        }
    }

    /// Reads a policy file. Its permissions extend the built-in catalog; its roles may
    /// inherit from built-in roles. `known_roles` are roles that already exist in the
    /// database (parents may name them too).
    pub fn from_toml(text: &str, known_roles: &[RoleDef]) -> Result<Self, PolicyError> {
        let file: File = toml::from_str(text).map_err(|e| PolicyError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().to_owned(),
        })?;
        let err = |span: std::ops::Range<usize>, message: String| PolicyError {
            line: line_of(text, span.start),
            message,
        };

        let mut catalog: Vec<String> = CATALOG.iter().map(|(n, _)| (*n).to_owned()).collect();
        let mut permissions = Self::builtin().permissions;
        for p in &file.permissions {
            let name = p.name.get_ref();
            if !is_valid_permission_name(name) || !name.contains(':') {
                return Err(err(
                    p.name.span(),
                    format!("`{name}` is not a permission name like `resource:action`"),
                ));
            }
            if catalog.iter().any(|c| c == name) {
                return Err(err(
                    p.name.span(),
                    format!("permission `{name}` is declared twice"),
                ));
            }
            catalog.push(name.clone());
            permissions.push(PermissionSpec {
                name: name.clone(),
                description: p.description.clone(),
            });
        }
        let catalog_refs: Vec<&str> = catalog.iter().map(String::as_str).collect();

        let builtin_names: Vec<&str> = BUILTIN_ROLES.iter().map(|r| r.0).collect();
        let mut roles = Vec::new();
        for r in &file.roles {
            let name = r.name.get_ref();
            if !is_valid_role_name(name) {
                return Err(err(
                    r.name.span(),
                    format!("`{name}` is not a role name (lowercase letters, digits, '-', '_')"),
                ));
            }
            if roles.iter().any(|x: &RoleSpec| &x.name == name) {
                return Err(err(
                    r.name.span(),
                    format!("role `{name}` is declared twice"),
                ));
            }
            let mut grants = Vec::new();
            for g in &r.grants {
                let grant = g.get_ref();
                match check_in_catalog(grant, &catalog_refs) {
                    Ok(()) => {}
                    Err(NotInCatalog::Malformed) => {
                        return Err(err(
                            g.span(),
                            format!("`{grant}` is not a permission or wildcard"),
                        ));
                    }
                    Err(NotInCatalog::Unknown) => {
                        return Err(err(
                            g.span(),
                            format!(
                                "unknown permission `{grant}`: it matches nothing in the catalog"
                            ),
                        ));
                    }
                }
                if !grants.contains(grant) {
                    grants.push(grant.clone());
                }
            }
            let mut inherits = Vec::new();
            for p in &r.inherits {
                let parent = p.get_ref();
                let known = file.roles.iter().any(|x| x.name.get_ref() == parent)
                    || builtin_names.contains(&parent.as_str())
                    || known_roles.iter().any(|k| &k.name == parent);
                if !known {
                    return Err(err(
                        p.span(),
                        format!("`{name}` inherits unknown role `{parent}`"),
                    ));
                }
                if !inherits.contains(parent) {
                    inherits.push(parent.clone());
                }
            }
            roles.push(RoleSpec {
                name: name.clone(),
                description: r.description.clone(),
                grants,
                inherits,
                builtin: builtin_names.contains(&name.as_str()),
            });
        }

        let policy = Self { permissions, roles };
        // Cycles are judged on the graph as it will be: database roles overlaid with the file's.
        if let Some(cycle) = policy.overlay(known_roles).find_cycle() {
            let first = &cycle[0];
            let span = file
                .roles
                .iter()
                .find(|r| r.name.get_ref() == first)
                .map_or(0..0, |r| r.name.span());
            return Err(err(
                span,
                format!("inheritance cycle: {} -> {first}", cycle.join(" -> ")),
            ));
        }
        Ok(policy)
    }

    /// The role graph after applying this policy over `existing` roles.
    pub fn overlay(&self, existing: &[RoleDef]) -> RoleGraph {
        let mut defs: Vec<RoleDef> = existing
            .iter()
            .filter(|d| !self.roles.iter().any(|r| r.name == d.name))
            .cloned()
            .collect();
        defs.extend(self.roles.iter().map(|r| RoleDef {
            name: r.name.clone(),
            grants: r.grants.clone(),
            parents: r.inherits.clone(),
        }));
        RoleGraph::new(defs)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    permissions: Vec<FilePermission>,
    #[serde(default)]
    roles: Vec<FileRole>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePermission {
    name: Spanned<String>,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRole {
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    grants: Vec<Spanned<String>>,
    #[serde(default)]
    inherits: Vec<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_is_valid_and_acyclic() {
        let policy = Policy::builtin();
        assert_eq!(policy.permissions.len(), 18);
        assert_eq!(policy.roles.len(), 7);
        assert!(policy.overlay(&[]).find_cycle().is_none());
    }

    #[test]
    fn a_good_file_extends_the_catalog() {
        let text = r#"
[[permissions]]
name = "posts:feature"
description = "Feature a post"

[[roles]]
name = "curator"
description = "Features posts"
grants = ["posts:feature", "posts:read"]
inherits = ["user"]
"#;
        let policy = Policy::from_toml(text, &[]).unwrap();
        assert!(policy.permissions.iter().any(|p| p.name == "posts:feature"));
        let curator = policy.roles.iter().find(|r| r.name == "curator").unwrap();
        assert_eq!(curator.inherits, vec!["user"]);
        assert!(!curator.builtin);
    }

    #[test]
    fn bad_files_name_the_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("[[roles]]\nname = \"x\"\ngrants = [\"posts:fly\"]\n", 3, "unknown permission"),
            ("[[roles]]\nname = \"Bad Name\"\n", 2, "not a role name"),
            ("[[roles]]\nname = \"x\"\n\ninherits = [\"ghost\"]\n", 4, "unknown role"),
            (
                "[[roles]]\nname = \"a\"\ninherits = [\"b\"]\n[[roles]]\nname = \"b\"\ninherits = [\"a\"]\n",
                2,
                "cycle",
            ),
            ("[[roles]]\nname = \"x\"\ngrants = [\"*:x\"]\n", 3, "not a permission"),
            ("[[permissions]]\nname = \"nocolon\"\n", 2, "not a permission name"),
            ("[[roles]]\nname = \"x\"\ncolour = \"red\"\n", 3, "unknown field"),
            ("[[roles]\nname = \"x\"\n", 1, ""),
        ];
        for (text, line, needle) in cases {
            let e = Policy::from_toml(text, &[]).expect_err(text);
            assert_eq!(e.line, *line, "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn a_self_cycle_through_database_roles_is_found() {
        let existing = vec![RoleDef {
            name: "base".into(),
            grants: vec![],
            parents: vec!["top".into()],
        }];
        let text = "[[roles]]\nname = \"top\"\ninherits = [\"base\"]\n";
        let e = Policy::from_toml(text, &existing).unwrap_err();
        assert!(e.message.contains("cycle"), "{e}");
    }
}
