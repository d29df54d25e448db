//! Ed25519 signing keys (`signing_keys`, SPEC §11). Every instance on one database reads
//! the same keys, so the key made on first start and the keys `quire keys rotate` adds are
//! shared like the JWT secret is.

use diesel::prelude::*;

use crate::db::queries::locks::lock_for_transaction;
use crate::db::schema::signing_keys;
use crate::db::time::{MaybeStamp, Stamp};
use crate::db::{write_tx, DbConn};
use crate::oauth::keys::{StoredKey, ALG};

/// Serializes key creation and rotation across instances (one key on a first start that
/// two instances make together).
const LOCK: &str = "quire signing keys";

/// Every EdDSA key, oldest first (retired ones too: [`crate::oauth::keys::choose`] decides).
pub fn list_keys(conn: &mut DbConn) -> QueryResult<Vec<StoredKey>> {
    let rows: Vec<(String, String, Stamp, MaybeStamp)> = signing_keys::table
        .filter(signing_keys::alg.eq(ALG))
        .select((
            signing_keys::kid,
            signing_keys::private_key,
            signing_keys::created_at,
            signing_keys::retired_at,
        ))
        .order((signing_keys::created_at.asc(), signing_keys::kid.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kid, private_pem, created, retired)| StoredKey {
            kid,
            private_pem,
            created_at: created.into(),
            retired_at: retired.into(),
        })
        .collect())
}

fn insert(conn: &mut DbConn, key: &StoredKey) -> QueryResult<()> {
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::kid.eq(&key.kid),
            signing_keys::alg.eq(ALG),
            signing_keys::private_key.eq(&key.private_pem),
            signing_keys::created_at.eq(key.created_at),
            signing_keys::retired_at.eq(key.retired_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Stores `make()` unless an unretired key exists; returns whether it stored one. Run under
/// the lock, so two instances starting together on one PostgreSQL agree on one key.
pub fn insert_if_none<E>(
    conn: &mut DbConn,
    make: impl FnOnce() -> Result<StoredKey, E>,
) -> Result<bool, E>
where
    E: From<diesel::result::Error>,
{
    write_tx(conn, |conn| {
        lock_for_transaction(conn, LOCK)?;
        let live: i64 = signing_keys::table
            .filter(signing_keys::alg.eq(ALG))
            .filter(signing_keys::retired_at.is_null())
            .count()
            .get_result(conn)?;
        if live > 0 {
            return Ok(false);
        }
        insert(conn, &make()?)?;
        Ok(true)
    })
}

/// Rotation: retires every unretired key at `key.created_at` and stores `key`, in one
/// transaction. Returns the kids retired.
pub fn rotate(conn: &mut DbConn, key: &StoredKey) -> QueryResult<Vec<String>> {
    write_tx(conn, |conn| {
        lock_for_transaction(conn, LOCK)?;
        let retired: Vec<String> = signing_keys::table
            .filter(signing_keys::alg.eq(ALG))
            .filter(signing_keys::retired_at.is_null())
            .select(signing_keys::kid)
            .load(conn)?;
        diesel::update(signing_keys::table.filter(signing_keys::kid.eq_any(&retired)))
            .set(signing_keys::retired_at.eq(Some(key.created_at)))
            .execute(conn)?;
        insert(conn, key)?;
        Ok(retired)
    })
}
