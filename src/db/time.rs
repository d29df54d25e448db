//! Reading stored timestamps quickly.
//!
//! SQLite keeps a timestamp as text (`2026-11-23 10:12:00.123456`, how Diesel writes it).
//! Diesel reads it back by trying a list of chrono format strings in turn, about 2 µs per
//! value: on a 20-post page (three timestamps a post) that was a fifth of the request. The
//! models read timestamps through [`Stamp`] and [`MaybeStamp`] instead, which parse Diesel's
//! own layout directly and hand anything else to Diesel's parser, so every value Diesel
//! accepts is still accepted. PostgreSQL sends binary timestamps and is passed straight
//! through.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::Sqlite;

use super::MultiBackend;

/// A `Timestamp` column, read with the fast path (`#[diesel(deserialize_as = Stamp)]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromSqlRow)]
pub struct Stamp(pub NaiveDateTime);

/// A `Nullable<Timestamp>` column, read with the fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromSqlRow)]
pub struct MaybeStamp(pub Option<NaiveDateTime>);

impl From<Stamp> for NaiveDateTime {
    fn from(s: Stamp) -> Self {
        s.0
    }
}

impl From<MaybeStamp> for Option<NaiveDateTime> {
    fn from(s: MaybeStamp) -> Self {
        s.0
    }
}

impl FromSql<Timestamp, Sqlite> for Stamp {
    fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        if let Some(t) = parse(value.read_text()) {
            return Ok(Stamp(t));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Stamp)
    }
}

impl FromSql<Timestamp, Pg> for Stamp {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Stamp)
    }
}

impl FromSql<Nullable<Timestamp>, Sqlite> for MaybeStamp {
    fn from_sql(value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        <Stamp as FromSql<Timestamp, Sqlite>>::from_sql(value).map(|s| MaybeStamp(Some(s.0)))
    }

    fn from_nullable_sql(
        value: Option<diesel::sqlite::SqliteValue<'_, '_, '_>>,
    ) -> deserialize::Result<Self> {
        match value {
            None => Ok(MaybeStamp(None)),
            Some(v) => <Self as FromSql<Nullable<Timestamp>, Sqlite>>::from_sql(v),
        }
    }
}

impl FromSql<Nullable<Timestamp>, Pg> for MaybeStamp {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
        <Stamp as FromSql<Timestamp, Pg>>::from_sql(value).map(|s| MaybeStamp(Some(s.0)))
    }

    fn from_nullable_sql(value: Option<diesel::pg::PgValue<'_>>) -> deserialize::Result<Self> {
        match value {
            None => Ok(MaybeStamp(None)),
            Some(v) => <Self as FromSql<Nullable<Timestamp>, Pg>>::from_sql(v),
        }
    }
}

impl FromSql<Timestamp, MultiBackend> for Stamp {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

impl FromSql<Nullable<Timestamp>, MultiBackend> for MaybeStamp {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Nullable<Timestamp>>()
    }

    fn from_nullable_sql(
        value: Option<<MultiBackend as Backend>::RawValue<'_>>,
    ) -> deserialize::Result<Self> {
        match value {
            None => Ok(MaybeStamp(None)),
            Some(v) => <Self as FromSql<Nullable<Timestamp>, MultiBackend>>::from_sql(v),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` (or `T` as the separator), optionally followed by `.` and 1 to 9
/// fraction digits, and nothing else. `None` for anything else, including impossible dates.
pub fn parse(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b' ' && b[10] != b'T' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(NaiveDateTime::new(date, time))
}

/// The value of ASCII digits (at most 9 of them); `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_parse(text: &str) -> Option<NaiveDateTime> {
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    }

    #[test]
    fn reads_what_diesel_writes_exactly() {
        let base = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for nanos in [0, 1_000, 120_000_000, 123_456_000, 999_999_000, 5] {
            for (h, m, s) in [(0, 0, 0), (10, 12, 59), (23, 59, 59)] {
                let t = base.and_hms_nano_opt(h, m, s, nanos).unwrap();
                // Diesel's own encoding of a NaiveDateTime for SQLite.
                let text = t.format("%F %T%.f").to_string();
                assert_eq!(parse(&text), Some(t), "{text}");
            }
        }
    }

    #[test]
    fn agrees_with_chrono_on_accepted_and_rejected_text() {
        let cases = [
            "2026-11-23 10:12:00",
            "2026-11-23T10:12:00",
            "2026-11-23 10:12:00.5",
            "2026-11-23 10:12:00.123456789",
            "2024-02-29 00:00:00",
            "0001-01-01 00:00:00",
            "9999-12-31 23:59:59.999999",
        ];
        for text in cases {
            assert_eq!(parse(text), chrono_parse(text), "{text}");
            assert!(parse(text).is_some(), "{text}");
        }
    }

    #[test]
    fn leaves_everything_else_to_the_slow_path() {
        for text in [
            "",
            "2026-11-23",
            "2026-11-23 10:12",
            "2026-13-01 00:00:00",
            "2023-02-29 00:00:00",
            "2026-11-23 24:00:00",
            "2026-11-23 10:60:00",
            "2026-11-23 10:12:00.",
            "2026-11-23 10:12:00.1234567890",
            "2026-11-23 10:12:00Z",
            "2026-11-23 10:12:00+00:00",
            "2026/11/23 10:12:00",
            "2026-11-23x10:12:00",
            "+026-11-23 10:12:00",
            "2026-1a-23 10:12:00",
            "２026-11-23 10:12:00",
            "2460000.5",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
