//! The blog of SPEC §10, as pure pieces the routes and queries use: Markdown rendering and
//! sanitizing, tag rules, the Atom feed and sitemap writers, and HTTP cache validators.
//! Nothing here touches actix or diesel.

pub mod feed;
pub mod http_cache;
pub mod markdown;
pub mod sitemap;
pub mod tags;
