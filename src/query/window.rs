//! `--since` / `--until`: RFC 3339 times, or durations counted back from the newest record
//! in the store (this is archived data: "the last hour" means the last hour of the data).

use crate::model::time::{Window, parse_micros};
use anyhow::{Result, bail};

/// A time bound as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    At(i64),
    /// This long before the newest record.
    Ago(i64),
}

/// What `--since` and `--until` accept, for error messages.
const FORMS: &str = "an RFC 3339 time (2024-06-03T10:00:00Z, or with any offset), a date (2024-06-03: \
                     midnight UTC), or a duration before the newest record (90s, 30m, 1h30m, 2d, 1w)";

impl Bound {
    pub fn parse(text: &str) -> Result<Bound> {
        if let Some(at) = parse_micros(text).or_else(|| date_micros(text)) {
            return Ok(Bound::At(at));
        }
        match duration_micros(text) {
            Some(span) => Ok(Bound::Ago(span)),
            None => bail!("{text:?} is not a time or a duration: use {FORMS}"),
        }
    }

    fn resolve(&self, newest_us: i64) -> i64 {
        match *self {
            Bound::At(at) => at,
            Bound::Ago(span) => newest_us.saturating_sub(span),
        }
    }
}

/// `2024-06-03`: midnight UTC.
fn date_micros(text: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros())
}

/// A Go duration (`1h30m`, `90s`, `1.5h`, `250ms`), with days and weeks besides; in µs.
fn duration_micros(text: &str) -> Option<i64> {
    const UNITS: [(&str, f64); 9] = [
        ("ns", 1e-3),
        ("us", 1.0),
        ("µs", 1.0),
        ("ms", 1e3),
        ("s", 1e6),
        ("m", 60e6),
        ("h", 3600e6),
        ("d", 86_400e6),
        ("w", 604_800e6),
    ];
    let mut rest = text;
    let mut total = 0.0;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        // Longest unit first: `ms` before `m`.
        let (unit, scale) =
            UNITS.iter().filter(|(unit, _)| rest.starts_with(unit)).max_by_key(|(unit, _)| unit.len())?;
        total += number * scale;
        rest = &rest[unit.len()..];
    }
    (total.is_finite() && total < 1e18 && !text.is_empty()).then_some(total.round() as i64)
}

/// Resolves the bounds against the newest record's time.
pub fn resolve(since: Option<&Bound>, until: Option<&Bound>, newest_us: Option<i64>) -> Window {
    let newest = newest_us.unwrap_or(0);
    Window { since_us: since.map(|b| b.resolve(newest)), until_us: until.map(|b| b.resolve(newest)) }
}

/// The clap value parser for a duration (`--slow 2s`), in µs.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    duration_micros(text).ok_or_else(|| format!("{text:?} is not a duration: use 250ms, 2s, 1m30s, 1h"))
}

/// The clap value parser for `--since` / `--until`.
pub fn parse_bound(text: &str) -> Result<Bound, String> {
    Bound::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::Zone;

    #[test]
    fn durations_count_back_from_the_newest_record() {
        let newest = parse_micros("2024-05-14T12:00:00Z").unwrap();
        let window = resolve(Some(&Bound::parse("1h").unwrap()), None, Some(newest));
        assert_eq!(window.describe_in(Zone::Utc), "2024-05-14T11:00:00Z → end");
        let window = resolve(
            Some(&Bound::parse("2024-05-14T10:00:00Z").unwrap()),
            Some(&Bound::parse("30m").unwrap()),
            Some(newest),
        );
        assert_eq!(window.describe_in(Zone::Utc), "2024-05-14T10:00:00Z → 2024-05-14T11:30:00Z");
        assert!(window.contains(parse_micros("2024-05-14T11:00:00Z").unwrap()));
        assert!(!window.contains(newest));
        assert!(Bound::parse("10").is_err());
        assert!(Bound::parse("soon").is_err());
    }

    #[test]
    fn times_dates_and_go_durations() {
        let at = |text: &str| match Bound::parse(text).unwrap() {
            Bound::At(at) => crate::model::time::format_short(at),
            Bound::Ago(_) => panic!("{text} is a time"),
        };
        let ago = |text: &str| match Bound::parse(text).unwrap() {
            Bound::Ago(span) => span,
            Bound::At(_) => panic!("{text} is a duration"),
        };
        assert_eq!(at("2024-06-03"), "2024-06-03T00:00:00Z");
        assert_eq!(at("2024-06-03T12:00:00+02:00"), "2024-06-03T10:00:00Z");
        assert_eq!(at("2024-06-03T12:00:00.5-01:30"), "2024-06-03T13:30:00.500Z");
        assert_eq!(ago("1h30m"), 5_400_000_000);
        assert_eq!(ago("90s"), 90_000_000);
        assert_eq!(ago("1.5h"), 5_400_000_000);
        assert_eq!(ago("2d12h"), 216_000_000_000);
        assert_eq!(ago("250ms"), 250_000);
        assert_eq!(ago("1w"), 604_800_000_000);
        for bad in ["1h30", "h", "", "2024-13-01", "1x", "1e400s"] {
            let message = Bound::parse(bad).unwrap_err().to_string();
            assert!(message.ends_with("a duration before the newest record (90s, 30m, 1h30m, 2d, 1w)"), "{message}");
        }
    }
}
