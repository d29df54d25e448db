//! OAuth clients (SPEC §11): public clients registered by holders of `*`. Redirect URIs
//! are stored newline-separated and scopes space-separated, as the migration describes.
//! Deleting a client cascades to its codes, grants and family links; ending the tokens
//! those families carry is the caller's part (`manage::clients`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::oauth_clients as clients;
use crate::db::time::Stamp;
use crate::db::DbConn;

/// A registered client.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = clients)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    /// Newline-separated, each exactly as registered (matching is byte for byte).
    pub redirect_uris: String,
    /// Space-separated catalog names.
    pub scopes: String,
    pub created_by: Option<i64>,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
}

impl Client {
    /// The registered redirect URIs, in registration order.
    pub fn redirect_uri_list(&self) -> Vec<String> {
        self.redirect_uris
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The registered scopes.
    pub fn scope_list(&self) -> Vec<String> {
        self.scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = clients)]
pub struct NewClient<'a> {
    pub client_id: &'a str,
    pub name: &'a str,
    pub redirect_uris: &'a str,
    pub scopes: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Stores a new client.
pub fn insert_client(conn: &mut DbConn, new: &NewClient<'_>) -> QueryResult<()> {
    diesel::insert_into(clients::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The client with this id, if registered.
pub fn find_client(conn: &mut DbConn, client_id: &str) -> QueryResult<Option<Client>> {
    clients::table
        .filter(clients::client_id.eq(client_id))
        .select(Client::as_select())
        .first(conn)
        .optional()
}

/// Every client, newest first.
pub fn list_clients(conn: &mut DbConn) -> QueryResult<Vec<Client>> {
    clients::table
        .order((clients::created_at.desc(), clients::client_id.asc()))
        .select(Client::as_select())
        .load(conn)
}

/// Deletes a client (its codes, grants and family links go with it); false when it was
/// not there.
pub fn delete_client(conn: &mut DbConn, client_id: &str) -> QueryResult<bool> {
    diesel::delete(clients::table.filter(clients::client_id.eq(client_id)))
        .execute(conn)
        .map(|n| n > 0)
}
