//! Timestamps. The store keeps every time as microseconds since the Unix epoch (UTC).

use chrono::{DateTime, SecondsFormat, Utc};

/// Parses an RFC 3339 timestamp as Kubernetes writes it (`2021-05-19T09:42:58Z`,
/// `2020-05-05T16:16:37.655912Z`, with an offset or up to nanoseconds).
pub fn parse_micros(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_micros())
}

/// Formats microseconds as RFC 3339 UTC with microsecond precision.
pub fn format_micros(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
        .unwrap_or_else(|| micros.to_string())
}

/// Formats microseconds as RFC 3339 UTC, with fractions only where there are some.
pub fn format_short(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_else(|| micros.to_string())
}

/// `2024-05-14 10:02:20`: for table cells, where width matters more than fractions.
pub fn format_seconds(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| micros.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_timestamps() {
        assert_eq!(parse_micros("1970-01-01T00:00:01Z"), Some(1_000_000));
        assert_eq!(parse_micros("2020-05-05T16:16:37.655912Z"), Some(1_588_695_397_655_912));
        assert_eq!(parse_micros("2020-05-05T18:16:37.655912+02:00"), Some(1_588_695_397_655_912));
        assert_eq!(parse_micros("2021-05-19T09:42:58.640117041Z"), Some(1_621_417_378_640_117));
        assert_eq!(parse_micros("yesterday"), None);
        assert_eq!(format_micros(1_588_695_397_655_912), "2020-05-05T16:16:37.655912Z");
        assert_eq!(format_short(1_000_000), "1970-01-01T00:00:01Z");
    }
}
