//! One typed configuration read from the environment and validated once, at start.

mod issuer;
mod roles;

pub use issuer::JwtAlg;

use std::net::SocketAddr;
use std::time::Duration;

/// Where the data lives; the backend is chosen by the URL scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file path (scheme stripped).
    Sqlite(String),
    /// A full `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://path`, `sqlite:path`, a bare path, or `postgres(ql)://…`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() {
            return Err("names no SQLite file".into());
        }
        if path == ":memory:" || path.contains("mode=memory") {
            // Every pooled connection would get its own empty database.
            return Err("in-memory SQLite is not supported; name a file".into());
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(format!(
                "has unsupported scheme `{scheme}` (use sqlite:// or postgres://)"
            ));
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }

    /// The URL without any password, safe for logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{path}"),
            Self::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(start), Some(at)) if at > start => {
                    let creds = &url[start + 3..at];
                    let user = creds.split(':').next().unwrap_or("");
                    format!("{}{}@{}", &url[..start + 3], user, &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// Whether `POST /api/auth/register` is open to anyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registration {
    Open,
    Closed,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    /// `None`: generated on first start and kept in the database.
    pub jwt_secret: Option<String>,
    /// `None`: the first admin's password is generated and printed once.
    pub admin_password: Option<String>,
    pub bcrypt_cost: u32,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// `QUIRE_PUBLIC_URL`, without a trailing slash: the issuer identifier (SPEC §11).
    pub public_url: String,
    /// The `iss` of tokens: `QUIRE_ISSUER`, by default [`Self::public_url`].
    pub issuer: String,
    pub audience: String,
    pub jwt_alg: JwtAlg,
    /// `QUIRE_PASSWORD_GRANT` is not `off` (SPEC §11).
    pub password_grant: bool,
    pub registration: Registration,
    pub default_role: String,
    pub cookie_secure: bool,
    pub db_pool_size: u32,
    pub workers: Option<usize>,
    /// Proxies whose `X-Forwarded-For` is believed (SPEC H6); empty: the socket peer is
    /// the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `QUIRE_REQUIRE_2FA`: holders of these roles must enrol two-factor (SPEC §12).
    pub require_2fa: Vec<String>,
    /// Audit events older than this are pruned (SPEC H9).
    pub audit_retention_days: u32,
}

/// A configuration value that cannot be used; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `get`, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.is_empty());
        let (db_var, db_raw) = match get("QUIRE_DATABASE_URL") {
            Some(v) => ("QUIRE_DATABASE_URL", v),
            None => (
                "DATABASE_URL",
                get("DATABASE_URL").unwrap_or("sqlite://quire.db".into()),
            ),
        };
        let database_url = DatabaseUrl::parse(&db_raw).map_err(|m| bad(db_var, m))?;

        let bind = match get("QUIRE_BIND") {
            Some(v) => parse_bind(&v).map_err(|m| bad("QUIRE_BIND", m))?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };

        let jwt_secret = get("QUIRE_JWT_SECRET");
        if let Some(secret) = &jwt_secret {
            if secret.len() < 32 {
                return Err(bad(
                    "QUIRE_JWT_SECRET",
                    format!("must be at least 32 bytes (got {})", secret.len()),
                ));
            }
        }

        let admin_password = get("QUIRE_ADMIN_PASSWORD");
        if let Some(pw) = &admin_password {
            crate::auth::password::check_length(pw).map_err(|m| bad("QUIRE_ADMIN_PASSWORD", m))?;
        }

        let costs = crate::auth::password::COSTS;
        let bcrypt_cost = parse_num(
            &get,
            "QUIRE_BCRYPT_COST",
            12u32,
            *costs.start(),
            *costs.end(),
        )?;
        let access = parse_num(&get, "QUIRE_ACCESS_TOKEN_TTL", 900u64, 30, 86_400)?;
        let refresh = parse_num(
            &get,
            "QUIRE_REFRESH_TOKEN_TTL",
            2_592_000u64,
            60,
            31_536_000,
        )?;
        let db_pool_size = parse_num(&get, "QUIRE_DB_POOL_SIZE", 8u32, 1, 512)?;
        let workers = match get("QUIRE_WORKERS") {
            Some(_) => Some(parse_num(&get, "QUIRE_WORKERS", 2usize, 1, 256)?),
            None => None,
        };

        let registration = match get("QUIRE_REGISTRATION").as_deref() {
            None | Some("closed") => Registration::Closed,
            Some("open") => Registration::Open,
            Some(other) => {
                return Err(bad(
                    "QUIRE_REGISTRATION",
                    format!("must be `open` or `closed` (got `{other}`)"),
                ))
            }
        };
        let default_role = get("QUIRE_DEFAULT_ROLE").unwrap_or_else(|| "user".into());
        if !crate::authz::roles::is_valid_role_name(&default_role) {
            return Err(bad("QUIRE_DEFAULT_ROLE", "is not a valid role name"));
        }
        let cookie_secure = parse_bool(&get, "QUIRE_COOKIE_SECURE", false)?;
        let trusted_proxies = match get("QUIRE_TRUSTED_PROXIES") {
            Some(raw) => parse_cidrs(&raw).map_err(|m| bad("QUIRE_TRUSTED_PROXIES", m))?,
            None => Vec::new(),
        };
        let audit_retention_days =
            parse_num(&get, "QUIRE_AUDIT_RETENTION_DAYS", 365u32, 1, 36_500)?;
        let public_url = match get("QUIRE_PUBLIC_URL") {
            Some(raw) => issuer::parse_public_url(&raw).map_err(|m| bad("QUIRE_PUBLIC_URL", m))?,
            None => issuer::public_url_from_bind(bind),
        };
        let issuer = get("QUIRE_ISSUER").unwrap_or_else(|| public_url.clone());
        let jwt_alg =
            JwtAlg::parse(get("QUIRE_JWT_ALG").as_deref()).map_err(|m| bad("QUIRE_JWT_ALG", m))?;
        let password_grant = parse_bool(&get, "QUIRE_PASSWORD_GRANT", true)?;
        let audience = get("QUIRE_AUDIENCE").unwrap_or_else(|| "quire-api".into());
        let require_2fa = roles::parse_roles(get("QUIRE_REQUIRE_2FA"))
            .map_err(|m| bad("QUIRE_REQUIRE_2FA", m))?;

        Ok(Self {
            database_url,
            bind,
            jwt_secret,
            admin_password,
            bcrypt_cost,
            access_token_ttl: Duration::from_secs(access),
            refresh_token_ttl: Duration::from_secs(refresh),
            public_url,
            issuer,
            audience,
            jwt_alg,
            password_grant,
            registration,
            default_role,
            cookie_secure,
            db_pool_size,
            workers,
            trusted_proxies,
            audit_retention_days,
            require_2fa,
        })
    }
}

/// Parses `HOST:PORT`, accepting `localhost`.
pub fn parse_bind(raw: &str) -> Result<SocketAddr, String> {
    let raw = raw.trim();
    let normalized = raw.replacen("localhost:", "127.0.0.1:", 1);
    normalized
        .parse()
        .map_err(|_| format!("`{raw}` is not an address like 127.0.0.1:8080"))
}

/// Comma-separated CIDRs (`10.0.0.0/8, ::1/128`); a bare address is a single host.
pub fn parse_cidrs(raw: &str) -> Result<Vec<ipnet::IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{s}` is not an address or CIDR like 10.0.0.0/8"))
        })
        .collect()
}

fn parse_num<T>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(raw) = get(var) else {
        return Ok(default);
    };
    let value: T = raw
        .trim()
        .parse()
        .map_err(|_| bad(var, format!("`{raw}` is not a whole number")))?;
    if value < min || value > max {
        return Err(bad(
            var,
            format!("must be between {min} and {max} (got {value})"),
        ));
    }
    Ok(value)
}

fn parse_bool(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(var).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(bad(var, format!("`{other}` is not true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_a_sqlite_file_on_localhost_8080() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DatabaseUrl::Sqlite("quire.db".into()));
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.bcrypt_cost, 12);
        assert_eq!(c.access_token_ttl.as_secs(), 900);
        assert_eq!(c.registration, Registration::Closed);
        assert!(c.jwt_secret.is_none() && c.admin_password.is_none());
        assert_eq!((c.jwt_alg, c.password_grant), (JwtAlg::Hs256, true));
        assert!(
            !config(&[("QUIRE_PASSWORD_GRANT", "off")])
                .unwrap()
                .password_grant
        );
    }

    #[test]
    fn quire_database_url_wins_over_database_url() {
        let c = config(&[
            ("DATABASE_URL", "sqlite://a.db"),
            ("QUIRE_DATABASE_URL", "postgres://u:pw@h/db"),
        ])
        .unwrap();
        assert_eq!(
            c.database_url,
            DatabaseUrl::Postgres("postgres://u:pw@h/db".into())
        );
        assert_eq!(c.database_url.redacted(), "postgres://u@h/db");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&str, &str)] = &[
            ("QUIRE_BIND", "nowhere"),
            ("QUIRE_JWT_SECRET", "short"),
            ("QUIRE_BCRYPT_COST", "3"),
            ("QUIRE_BCRYPT_COST", "twelve"),
            ("QUIRE_REGISTRATION", "maybe"),
            ("QUIRE_ADMIN_PASSWORD", "short"),
            ("DATABASE_URL", "mysql://x/y"),
            ("DATABASE_URL", "sqlite://:memory:"),
            ("QUIRE_COOKIE_SECURE", "perhaps"),
            ("QUIRE_DEFAULT_ROLE", "Not A Role"),
            ("QUIRE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"),
            ("QUIRE_AUDIT_RETENTION_DAYS", "0"),
            ("QUIRE_PUBLIC_URL", "blog.example"),
            ("QUIRE_JWT_ALG", "RS256"),
            ("QUIRE_PASSWORD_GRANT", "sometimes"),
        ];
        for (var, value) in cases {
            let err = config(&[(var, value)]).expect_err(var);
            assert_eq!(err.var, *var, "{var}={value}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        let c = config(&[("QUIRE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1/128")]).unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
        assert_eq!(config(&[]).unwrap().audit_retention_days, 365);
    }

    #[test]
    fn sqlite_urls_lose_their_scheme() {
        for (raw, path) in [
            ("sqlite://quire.db", "quire.db"),
            ("sqlite:///tmp/x.db", "/tmp/x.db"),
            ("sqlite:data.db", "data.db"),
            ("plain.db", "plain.db"),
        ] {
            assert_eq!(
                DatabaseUrl::parse(raw),
                Ok(DatabaseUrl::Sqlite(path.into())),
                "{raw}"
            );
        }
    }
}
