//! Parsed values (SPEC §6, H12): a `Title`, `Username` or `Email` exists only if it passed
//! its rule. Each rule is written once, in its type: request bodies deserialize into these
//! types (`#[serde(try_from = "String")]`), the CLI and start-up call `parse`, and the
//! OpenAPI schema is built from the same constants.

mod account;
mod list;
mod post;
mod text;
mod workflow;

pub use account::{parse_display_name, DisplayName, Email, Username, RESERVED_USERNAMES};
pub use list::Capped;
pub use post::{slugify, CommentText, PostText, Slug, Title};
pub use text::MULTILINE_FIELDS;
pub use text::{
    check_bidi, check_controls, is_bidi_control, is_multiline_field, is_refused_control,
};
pub use workflow::{Moment, ReviewNote};

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// The OpenAPI schema of a string type: its length bounds in characters, and its pattern or
/// format when it has one.
fn string_schema(
    min: usize,
    max: usize,
    pattern: Option<&str>,
    format: Option<SchemaFormat>,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(pattern)
        .format(format)
        .into()
}

/// The serde and OpenAPI glue of a string newtype whose `parse(&str)` holds its rule:
/// `TryFrom<String>` (what `#[serde(try_from = "String")]` calls), `as_str`, `into_inner`,
/// and `ToSchema` from the schema expression given.
macro_rules! string_type {
    ($name:ident, $schema:expr) => {
        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw)
            }
        }

        impl $name {
            /// The text, as parsed.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, as parsed, owned.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
use string_type;
