//! UTC timestamps in RFC 3339 with seconds (`2026-11-22T10:04:05Z`), written and read without
//! a date library. The reader works on bytes and knows the calendar: any input gets an answer,
//! and a date or time that does not exist is an error.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    format_rfc3339(SystemTime::now())
}

/// `t` as `YYYY-MM-DDTHH:MM:SSZ` (times before 1970 are written as the epoch).
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    format_unix(secs)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Why a timestamp is not an RFC 3339 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadTime {
    #[error("not of the form YYYY-MM-DDTHH:MM:SSZ")]
    Shape,
    #[error("there is no month {0}")]
    Month(u32),
    #[error("{year:04}-{month:02} has no day {day}")]
    Day { year: u32, month: u32, day: u32 },
    #[error("{0}:{1:02}:{2:02} is not a time of day")]
    Time(u32, u32, u32),
    #[error("no time zone: end with Z or an offset like +01:00")]
    Zone,
    #[error("the offset {0}{1:02}:{2:02} is not one (hours 00 to 23, minutes 00 to 59)")]
    Offset(char, u32, u32),
}

/// Parse an RFC 3339 timestamp (`Z` or a `±HH:MM` offset, optional fraction) into seconds since
/// the Unix epoch; the fraction is dropped. Dates and times that do not exist (February 31,
/// hour 24, month 13) are errors; a leap second (`:60`) is accepted, as RFC 3339 allows.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    parse(s).ok()
}

/// [`parse_rfc3339`], saying why not. Works on bytes: never panics, whatever `s` holds.
pub fn parse(s: &str) -> Result<i64, BadTime> {
    let b = s.as_bytes();
    // Fixed positions: YYYY-MM-DD?HH:MM:SS, the separator `T`, `t` or a space.
    let shape = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return Err(BadTime::Shape);
    }
    let num = |from: usize, len: usize| -> Result<u32, BadTime> {
        b[from..from + len].iter().try_fold(0u32, |n, &c| {
            if c.is_ascii_digit() {
                Ok(n * 10 + u32::from(c - b'0'))
            } else {
                Err(BadTime::Shape)
            }
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) {
        return Err(BadTime::Month(month));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(BadTime::Day { year, month, day });
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(BadTime::Time(hour, minute, second));
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(BadTime::Shape);
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
        {
            let oh = u32::from(h1 - b'0') * 10 + u32::from(h2 - b'0');
            let om = u32::from(m1 - b'0') * 10 + u32::from(m2 - b'0');
            if oh > 23 || om > 59 {
                return Err(BadTime::Offset(char::from(*sign), oh, om));
            }
            let seconds = i64::from(oh * 3600 + om * 60);
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return Err(BadTime::Zone),
    };
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    let time = i64::from(hour * 3600 + minute * 60 + second);
    Ok(days * 86_400 + time - offset)
}

/// Days in `month` (1 to 12) of `year`, proleptic Gregorian.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_and_parse_back() {
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_unix(1_795_341_845), "2026-11-22T10:04:05Z");
        for secs in [0, 951_782_400, 1_795_341_845, 4_102_444_799] {
            assert_eq!(parse_rfc3339(&format_unix(secs)), Some(secs));
        }
    }

    #[test]
    fn offsets_and_fractions_are_understood() {
        assert_eq!(
            parse_rfc3339("2026-11-22T11:04:05.123+01:00"),
            parse_rfc3339("2026-11-22T10:04:05Z")
        );
        assert_eq!(parse_rfc3339("2026-11-22 10:04:05"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn dates_and_times_that_do_not_exist_are_errors() {
        let day = |year, month, day| Err(BadTime::Day { year, month, day });
        assert_eq!(parse("2026-02-31T10:04:05Z"), day(2026, 2, 31));
        assert_eq!(parse("2025-02-29T10:04:05Z"), day(2025, 2, 29));
        assert_eq!(parse("1900-02-29T10:04:05Z"), day(1900, 2, 29));
        assert_eq!(parse("2026-04-31T10:04:05Z"), day(2026, 4, 31));
        assert_eq!(parse("2026-11-00T10:04:05Z"), day(2026, 11, 0));
        assert_eq!(parse("2026-13-01T10:04:05Z"), Err(BadTime::Month(13)));
        assert_eq!(parse("2026-00-01T10:04:05Z"), Err(BadTime::Month(0)));
        assert_eq!(parse("2026-11-22T25:04:05Z"), Err(BadTime::Time(25, 4, 5)));
        assert_eq!(parse("2026-11-22T24:00:00Z"), Err(BadTime::Time(24, 0, 0)));
        assert_eq!(parse("2026-11-22T10:60:05Z"), Err(BadTime::Time(10, 60, 5)));
        assert_eq!(parse("2026-11-22T10:04:61Z"), Err(BadTime::Time(10, 4, 61)));
        assert_eq!(
            parse("2026-11-22T10:04:05+24:00"),
            Err(BadTime::Offset('+', 24, 0))
        );
        assert_eq!(
            parse("2026-11-22T10:04:05-01:60"),
            Err(BadTime::Offset('-', 1, 60))
        );
        assert_eq!(parse("2026-11-22T10:04:05"), Err(BadTime::Zone));
        assert_eq!(parse("2026-11-22T10:04:05+1:00"), Err(BadTime::Zone));
        assert_eq!(parse("2026-11-22T10:04:05.Z"), Err(BadTime::Shape));
        assert_eq!(parse("2026-1x-22T10:04:05Z"), Err(BadTime::Shape));
        assert_eq!(parse("+026-11-22T10:04:05Z"), Err(BadTime::Shape));
        // Leap years and a leap second exist.
        assert!(parse("2000-02-29T00:00:00Z").is_ok());
        assert!(parse("2024-02-29T23:59:59z").is_ok());
        assert!(parse("2016-12-31T23:59:60Z").is_ok());
        assert_eq!(
            parse("2026-11-22t10:04:05.000000001-00:30"),
            parse("2026-11-22T10:34:05Z")
        );
        assert_eq!(parse("2026-11-22 10:04:05Z"), Ok(1_795_341_845));
    }

    #[test]
    fn any_input_is_an_answer_never_a_panic() {
        // Multi-byte characters where the parser looks for digits, separators and the zone.
        assert_eq!(parse("2026-11-22T10:04:05éabcd"), Err(BadTime::Zone));
        assert_eq!(parse("2026-11-22T10:04:0é5Z"), Err(BadTime::Shape));
        assert_eq!(parse("2026-11-22T10:04:05.1é:00"), Err(BadTime::Zone));
        assert_eq!(parse("2026-11-22T10:04:05+é:0"), Err(BadTime::Zone));
        let valid = "2026-11-22T10:04:05.25+01:30";
        for cut in 0..=valid.len() {
            let _ = parse(&valid[..cut]);
        }
        let pieces = [
            "2", "0", "9", "-", ":", "T", "Z", "+", ".", " ", "é", "☃", "🦀", "\u{0}", "\n",
        ];
        let mut rng = crate::sample::Rng::new(3339);
        for _ in 0..20_000 {
            let mut s: String = valid.to_string();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(s.len() as u64 + 1) as usize;
                let at = (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                let piece = pieces[rng.below(pieces.len() as u64) as usize];
                match rng.below(3) {
                    0 => s.insert_str(at, piece),
                    1 => s.truncate(at),
                    _ => {
                        let end = (at + 1..=s.len()).find(|&i| s.is_char_boundary(i));
                        s.replace_range(at..end.unwrap_or(at), piece);
                    }
                }
            }
            if let Ok(secs) = parse(&s) {
                // Whatever is accepted is a real instant within the years 0000 to 9999.
                assert!((-62_167_305_600..=253_402_387_140).contains(&secs), "{s}");
            }
        }
    }

    #[test]
    fn now_has_the_documented_shape() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 20);
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T');
    }
}
