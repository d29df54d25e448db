//! Every query Quire runs, by resource. Functions take `&mut DbConn` and return
//! `QueryResult`; the caller owns the transaction.

pub mod audit;
pub mod clients;
pub mod codes;
pub mod comments;
pub mod facts;
pub mod jobs;
pub mod keys;
pub mod locks;
pub mod pats;
pub mod posts;
pub mod pruning;
pub mod roles;
pub mod schedule;
pub mod sessions;
pub mod settings;
pub mod tags;
pub mod throttle;
pub mod tokens;
pub mod twofactor;
pub mod users;
