//! Quire: a self-hosted blog platform whose core is authorization done right.

pub mod auth;
pub mod authz;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod manage;
pub mod routes;
pub mod startup;
pub mod state;
