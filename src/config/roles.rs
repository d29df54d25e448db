//! `QUIRE_REQUIRE_2FA` (SPEC §12): a list of role names.

/// A comma-separated list of role names (blanks between commas ignored).
pub(super) fn parse_roles(raw: Option<String>) -> Result<Vec<String>, String> {
    let mut roles = Vec::new();
    for name in raw.iter().flat_map(|r| r.split(',')).map(str::trim) {
        if name.is_empty() {
            continue;
        }
        if !crate::authz::roles::is_valid_role_name(name) {
            return Err(format!("`{name}` is not a valid role name"));
        }
        if !roles.iter().any(|r| r == name) {
            roles.push(name.to_owned());
        }
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::parse_roles;

    #[test]
    fn require_2fa_is_a_validated_role_list() {
        assert!(parse_roles(None).unwrap().is_empty());
        let roles = parse_roles(Some(" admin, editor,,admin ".into())).unwrap();
        assert_eq!(roles, ["admin", "editor"]);
        assert!(parse_roles(Some("admin,no such".into())).is_err());
    }
}
