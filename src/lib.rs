//! Quire: a self-hosted blog platform whose core is authorization done right.

pub mod audit;
pub mod auth;
pub mod authz;
pub mod blog;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod manage;
pub mod oauth;
pub mod routes;
pub mod startup;
pub mod state;
