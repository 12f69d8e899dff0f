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

impl Bound {
    pub fn parse(text: &str) -> Result<Bound> {
        if let Some(at) = parse_micros(text) {
            return Ok(Bound::At(at));
        }
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let Ok(n) = digits.parse::<i64>() else {
            bail!("{text:?} is neither an RFC 3339 time nor a duration like 90s, 30m, 1h, 2d");
        };
        let unit_us: i64 = match unit {
            "s" => 1_000_000,
            "m" => 60_000_000,
            "h" => 3_600_000_000,
            "d" => 86_400_000_000,
            "w" => 7 * 86_400_000_000,
            _ => bail!("{text:?}: a duration needs a unit: s, m, h, d or w"),
        };
        Ok(Bound::Ago(n.saturating_mul(unit_us)))
    }

    fn resolve(&self, newest_us: i64) -> i64 {
        match *self {
            Bound::At(at) => at,
            Bound::Ago(span) => newest_us.saturating_sub(span),
        }
    }
}

/// Resolves the bounds against the newest record's time.
pub fn resolve(since: Option<&Bound>, until: Option<&Bound>, newest_us: Option<i64>) -> Window {
    let newest = newest_us.unwrap_or(0);
    Window { since_us: since.map(|b| b.resolve(newest)), until_us: until.map(|b| b.resolve(newest)) }
}

/// The clap value parser for `--since` / `--until`.
pub fn parse_bound(text: &str) -> Result<Bound, String> {
    Bound::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_count_back_from_the_newest_record() {
        let newest = parse_micros("2024-05-14T12:00:00Z").unwrap();
        let window = resolve(Some(&Bound::parse("1h").unwrap()), None, Some(newest));
        assert_eq!(window.describe(), "2024-05-14T11:00:00Z → end");
        let window = resolve(
            Some(&Bound::parse("2024-05-14T10:00:00Z").unwrap()),
            Some(&Bound::parse("30m").unwrap()),
            Some(newest),
        );
        assert_eq!(window.describe(), "2024-05-14T10:00:00Z → 2024-05-14T11:30:00Z");
        assert!(window.contains(parse_micros("2024-05-14T11:00:00Z").unwrap()));
        assert!(!window.contains(newest));
        assert!(Bound::parse("10").is_err());
        assert!(Bound::parse("soon").is_err());
    }
}
