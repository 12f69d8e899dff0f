//! Timestamps. The store keeps every time as microseconds since the Unix epoch (UTC).

use chrono::{DateTime, SecondsFormat, Utc};

/// Parses an RFC 3339 timestamp as Kubernetes writes it (`2021-05-19T09:42:58Z`,
/// `2020-05-05T16:16:37.655912Z`, with an offset or up to nanoseconds).
pub fn parse_micros(text: &str) -> Option<i64> {
    parse_utc_micros(text.as_bytes()).or_else(|| DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_micros()))
}

/// A must-gather's `timestamp` file: Go's time format, a line when gathering began and one
/// when it ended (`2021-09-13 17:31:10.219635494 +0200 CEST m=+1.315191643`). The end: what
/// the gather dumped was seen by then.
pub fn must_gather_time(text: &str) -> Option<i64> {
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let fields: Vec<&str> = line.split_whitespace().take(3).collect();
    let stamp = fields.join(" ");
    DateTime::parse_from_str(&stamp, "%Y-%m-%d %H:%M:%S%.f %z").ok().map(|t| t.timestamp_micros())
}

/// The form the apiserver writes every timestamp in, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`,
/// read without chrono's general parser (an audit event holds three of them). Anything
/// else, leap seconds included, is left to chrono.
fn parse_utc_micros(text: &[u8]) -> Option<i64> {
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        text.get(range)?.iter().try_fold(0i64, |n, &b| b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if text.len() < 20 || separators.iter().any(|&(at, sep)| text[at] != sep) || text.last() != Some(&b'Z') {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let leap_year = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [31, if leap_year { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let valid = (1..=12).contains(&month)
        && (1..=month_days[(month - 1) as usize]).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    let fraction = match &text[19..text.len() - 1] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let micros = number(20..20 + digits.len().min(6))?;
            number(20..20 + digits.len())?; // the digits past microseconds must be digits too
            micros * 10i64.pow(6 - digits.len().min(6) as u32)
        }
        _ => return None,
    };
    if !valid {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), March-based years.
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000_000 + second * 1_000_000 + fraction)
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

/// The window a command looked at, in microseconds, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
}

impl Window {
    pub fn contains(&self, us: i64) -> bool {
        self.since_us.is_none_or(|s| us >= s) && self.until_us.is_none_or(|u| us <= u)
    }

    /// `2024-05-14T10:00:00Z → 2024-05-14T11:00:00Z`, or `all records`.
    /// `2024-05-14T10:00:00Z → end`, or `all records`.
    pub fn describe_in(&self, zone: Zone) -> String {
        match (self.since_us, self.until_us) {
            (None, None) => "all records".to_owned(),
            (since, until) => format!(
                "{} → {}",
                since.map_or_else(|| "start".to_owned(), |t| zone.short(t)),
                until.map_or_else(|| "end".to_owned(), |t| zone.short(t))
            ),
        }
    }
}

/// The time zone times are printed in for a person: UTC (with `Z`), or `--local`'s zone
/// (`TZ`, else the system's) with its offset. JSON is always UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Utc,
    Local,
}

impl Zone {
    /// RFC 3339 with fractions only where there are some.
    pub fn short(self, micros: i64) -> String {
        match self {
            Zone::Utc => format_short(micros),
            Zone::Local => DateTime::<Utc>::from_timestamp_micros(micros)
                .map(|t| t.with_timezone(&chrono::Local).to_rfc3339_opts(SecondsFormat::AutoSi, true))
                .unwrap_or_else(|| micros.to_string()),
        }
    }

    /// RFC 3339 with milliseconds always (`2024-05-14T10:00:00.160Z`): times in a column
    /// line up, and requests a few milliseconds apart stay apart.
    pub fn millis(self, micros: i64) -> String {
        let format = |t: DateTime<Utc>| match self {
            Zone::Utc => t.to_rfc3339_opts(SecondsFormat::Millis, true),
            Zone::Local => t.with_timezone(&chrono::Local).to_rfc3339_opts(SecondsFormat::Millis, true),
        };
        DateTime::<Utc>::from_timestamp_micros(micros).map(format).unwrap_or_else(|| micros.to_string())
    }

    /// `2024-05-14 10:02:20` (UTC), or with the local offset.
    pub fn seconds(self, micros: i64) -> String {
        match self {
            Zone::Utc => format_seconds(micros),
            Zone::Local => DateTime::<Utc>::from_timestamp_micros(micros)
                .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S%:z").to_string())
                .unwrap_or_else(|| micros.to_string()),
        }
    }

    /// `HH:MM:SS`, for an axis.
    pub fn clock(self, micros: i64) -> String {
        self.short(micros).get(11..19).unwrap_or_default().to_owned()
    }
}

/// A span the way kubectl prints an AGE (`45s`, `5m30s`, `3h`, `2d4h`, `400d`, `3y12d`):
/// coarser the longer it is.
pub fn human_duration(micros: i64) -> String {
    let seconds = micros.max(0) / 1_000_000;
    let (minutes, hours, days) = (seconds / 60, seconds / 3600, seconds / 86_400);
    let pair = |big: i64, big_unit: &str, small: i64, small_unit: &str| match small {
        0 => format!("{big}{big_unit}"),
        small => format!("{big}{big_unit}{small}{small_unit}"),
    };
    match () {
        _ if seconds < 120 => format!("{seconds}s"),
        _ if minutes < 10 => pair(minutes, "m", seconds % 60, "s"),
        _ if minutes < 180 => format!("{minutes}m"),
        _ if hours < 8 => pair(hours, "h", minutes % 60, "m"),
        _ if hours < 48 => format!("{hours}h"),
        _ if hours < 24 * 8 => pair(days, "d", hours % 24, "h"),
        _ if days < 365 * 2 => format!("{days}d"),
        _ if days < 365 * 8 => pair(days / 365, "y", days % 365, "d"),
        _ => format!("{}y", days / 365),
    }
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
        assert_eq!(parse_micros("2024-02-29T23:59:59.5Z"), Some(1_709_251_199_500_000));
        assert_eq!(parse_micros("1969-12-31T23:59:59Z"), Some(-1_000_000));
        for bad in ["2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00.Z"] {
            assert_eq!(parse_micros(bad), None, "{bad}");
        }
        // The fast path and chrono agree.
        for text in ["2000-03-01T00:00:00Z", "2100-02-28T12:34:56.789Z", "1999-12-31T23:59:59.999999999Z"] {
            let chrono = DateTime::parse_from_rfc3339(text).unwrap().timestamp_micros();
            assert_eq!(parse_utc_micros(text.as_bytes()), Some(chrono), "{text}");
        }
        assert_eq!(format_micros(1_588_695_397_655_912), "2020-05-05T16:16:37.655912Z");
        let gather = "2021-09-13 17:31:10.219635494 +0200 CEST m=+1.315191643\n2021-09-13 17:34:43.222134208 +0200 CEST m=+214.317690366\n";
        assert_eq!(must_gather_time(gather).map(format_micros).as_deref(), Some("2021-09-13T15:34:43.222134Z"));
        assert_eq!(must_gather_time("not a time"), None);
        assert_eq!(format_short(1_000_000), "1970-01-01T00:00:01Z");
    }

    #[test]
    fn ages_read_as_kubectl_prints_them() {
        let s = 1_000_000;
        let cases = [
            (45 * s, "45s"),
            (119 * s, "119s"),
            (330 * s, "5m30s"),
            (600 * s, "10m"),
            (3 * 3600 * s, "3h"),
            (3 * 3600 * s + 25 * 60 * s, "3h25m"),
            (30 * 3600 * s, "30h"),
            (52 * 3600 * s, "2d4h"),
            (400 * 86_400 * s, "400d"),
            (1107 * 86_400 * s, "3y12d"),
            (-5 * s, "0s"),
        ];
        for (micros, age) in cases {
            assert_eq!(human_duration(micros), age);
        }
    }
}
