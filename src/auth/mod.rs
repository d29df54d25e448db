//! Authentication: passwords, tokens, and the principal of a request.

pub mod bearer;
pub mod cache;
pub mod client_addr;
pub mod families;
pub mod introspection;
pub mod jwt;
pub mod key_store;
pub mod password;
pub mod pat;
pub mod principal;
pub mod second_factor;
pub mod server_session;
pub mod session;
pub mod signing;
pub mod throttle;
pub mod tokens;
pub mod totp;
