//! Browser sessions kept on the server (SPEC H7).

use diesel::prelude::*;

use crate::db::schema::sessions;
use crate::db::DbConn;

/// Ends every session of `user_id` but `except` (the caller's own, when it survives);
/// returns how many ended.
pub fn delete_user_sessions(
    conn: &mut DbConn,
    user_id: i64,
    except: Option<i64>,
) -> QueryResult<usize> {
    let mine = sessions::table.filter(sessions::user_id.eq(user_id));
    match except {
        Some(keep) => diesel::delete(mine.filter(sessions::id.ne(keep))).execute(conn),
        None => diesel::delete(mine).execute(conn),
    }
}
