//! Fields of the review and scheduling workflow (SPEC §10): the note of a send-back and
//! the moment a post is scheduled for.

use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;
use utoipa::openapi::schema::{KnownFormat, SchemaFormat};

use super::{string_schema, string_type, text};

/// The note an editor sends a post back with: 1–2000 characters, not only whitespace; of
/// the control characters only tab and line breaks. Kept exactly as sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ReviewNote(String);

impl ReviewNote {
    pub const MAX: usize = 2_000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        text::multi_line(raw, Self::MAX).map(Self)
    }
}

string_type!(ReviewNote, string_schema(1, ReviewNote::MAX, None, None));

/// A moment named by a client as RFC 3339 with an offset (`2027-01-01T09:00:00Z`,
/// `…+02:00`), held as UTC at the microsecond precision both backends store. The text
/// form is kept for [`Self::as_str`]; [`Self::utc`] is what is compared and stored.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Moment(String);

impl Moment {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid = DateTime::parse_from_rfc3339(raw).is_ok();
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(
                "must be an RFC 3339 date and time with an offset, e.g. 2027-01-01T09:00:00Z"
                    .into(),
            )
        }
    }

    /// The moment in UTC, to the microsecond.
    pub fn utc(&self) -> NaiveDateTime {
        let t = DateTime::parse_from_rfc3339(&self.0)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        // Nanoseconds beyond the microsecond would not survive a round trip.
        DateTime::from_timestamp_micros(t.and_utc().timestamp_micros()).map_or(t, |t| t.naive_utc())
    }
}

string_type!(
    Moment,
    string_schema(
        1,
        64,
        None,
        Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))
    )
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_follow_the_multi_line_rule_up_to_2000_characters() {
        assert!(ReviewNote::parse("Please cite sources.\nThanks").is_ok());
        assert!(ReviewNote::parse(&"é".repeat(2_000)).is_ok());
        for bad in ["", "  \n", "a\u{0}b"] {
            assert!(ReviewNote::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ReviewNote::parse(&"x".repeat(2_001)).is_err());
    }

    #[test]
    fn moments_need_an_offset_and_are_read_as_utc() {
        let m = Moment::parse("2027-01-01T10:30:00.1234567+02:00").unwrap();
        assert_eq!(m.utc().to_string(), "2027-01-01 08:30:00.123456");
        assert_eq!(m.as_str(), "2027-01-01T10:30:00.1234567+02:00");
        for bad in ["", "2027-01-01", "2027-01-01T10:30:00", "tomorrow"] {
            assert!(Moment::parse(bad).is_err(), "{bad:?}");
        }
    }
}
