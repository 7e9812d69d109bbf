//! Points in time as the API writes them.
//!
//! Owns [`Timestamp`]: whole UTC seconds, written in the documented form
//! `YYYY-MM-DDThh:mm:ssZ` (protocol.md §2) and read back from it. It also reads the
//! wider RFC 3339 family, because whether a server must accept those is an open point
//! the oracle decides ([`crate::oracle::OpenPoint::TimestampForm`]). It does not own
//! clocks: a world's clock lives in [`crate::model::world::Clock`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Whole seconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// How a timestamp text reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampText {
    /// Exactly the documented form `YYYY-MM-DDThh:mm:ssZ`.
    Documented(Timestamp),
    /// Valid RFC 3339 but not the documented form (fractions, offsets, lowercase `t`/`z`).
    OtherRfc3339(Timestamp),
    /// Not a timestamp.
    Malformed,
}

impl Timestamp {
    /// The current system time, truncated to seconds.
    pub fn now_utc() -> Self {
        Timestamp(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// Reads any text, classifying it (never panics).
    pub fn classify(text: &str) -> TimestampText {
        let Ok(parsed) = OffsetDateTime::parse(text, &Rfc3339) else {
            return TimestampText::Malformed;
        };
        let ts = Timestamp(parsed.unix_timestamp());
        if is_documented_shape(text) { TimestampText::Documented(ts) } else { TimestampText::OtherRfc3339(ts) }
    }

    /// Parses the documented form or any RFC 3339 text.
    pub fn parse(text: &str) -> Option<Self> {
        match Self::classify(text) {
            TimestampText::Documented(t) | TimestampText::OtherRfc3339(t) => Some(t),
            TimestampText::Malformed => None,
        }
    }

    /// Seconds added (saturating).
    pub fn plus(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds))
    }

    /// Builds a timestamp from calendar fields (UTC); `None` if they are not a date.
    pub fn from_ymd_hms(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<Self> {
        let month = time::Month::try_from(mo).ok()?;
        let date = time::Date::from_calendar_date(y, month, d).ok()?;
        let t = time::Time::from_hms(h, mi, s).ok()?;
        Some(Timestamp(time::PrimitiveDateTime::new(date, t).assume_utc().unix_timestamp()))
    }
}

fn is_documented_shape(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

impl Timestamp {
    /// The time to the minute, `YYYY-MM-DDThh:mmZ` (the display form without seconds).
    pub fn to_minutes(&self) -> String {
        let full = self.to_string();
        match full.get(..16) {
            Some(minutes) if full.ends_with('Z') => format!("{minutes}Z"),
            _ => full,
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            Err(_) => write!(f, "@{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a timestamp (expected YYYY-MM-DDThh:mm:ssZ)"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_the_minute_drops_the_seconds() {
        let t = Timestamp::parse("2016-02-23T12:46:24Z").unwrap();
        assert_eq!(t.to_minutes(), "2016-02-23T12:46Z");
        assert_eq!(Timestamp(i64::MAX).to_minutes(), Timestamp(i64::MAX).to_string());
    }

    #[test]
    fn documented_form_round_trips() {
        let t = Timestamp::parse("2016-02-23T12:46:24Z").unwrap();
        assert_eq!(t.0, 1_456_231_584);
        assert_eq!(t.to_string(), "2016-02-23T12:46:24Z");
        assert_eq!(Timestamp::classify("2016-02-23T12:46:24Z"), TimestampText::Documented(t));
    }

    #[test]
    fn other_rfc3339_forms_are_told_apart() {
        assert!(matches!(Timestamp::classify("2016-02-23T12:46:24.5Z"), TimestampText::OtherRfc3339(_)));
        assert_eq!(
            Timestamp::classify("2016-02-23T20:46:24+08:00"),
            TimestampText::OtherRfc3339(Timestamp(1_456_231_584))
        );
        for bad in ["", "2016-02-23", "2016-02-30T00:00:00Z", "yesterday", "2016-02-23 12:46:24"] {
            assert_eq!(Timestamp::classify(bad), TimestampText::Malformed, "{bad}");
        }
    }

    #[test]
    fn calendar_constructor() {
        assert_eq!(Timestamp::from_ymd_hms(2013, 7, 15, 0, 0, 0).unwrap().to_string(), "2013-07-15T00:00:00Z");
        assert!(Timestamp::from_ymd_hms(2013, 2, 30, 0, 0, 0).is_none());
    }
}
