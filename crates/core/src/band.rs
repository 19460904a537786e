//! Minutes-on-region bands (SPEC §3 group 5): `0`, `1-5`, `6-15`, `16-30`, `over 30`.
//!
//! A band holds minutes up to and including its upper edge, so fractional minutes round up into
//! the next band: 5.5 minutes is `6-15`, 0.5 minutes is `1-5`.

use serde::{Deserialize, Deserializer};

/// How long a region was worked in a session. `Ord` is the report order, shortest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MinutesBand {
    Zero,
    UpTo5,
    UpTo15,
    UpTo30,
    Over30,
}

impl MinutesBand {
    /// Every band, shortest first.
    pub const ALL: [MinutesBand; 5] = [
        MinutesBand::Zero,
        MinutesBand::UpTo5,
        MinutesBand::UpTo15,
        MinutesBand::UpTo30,
        MinutesBand::Over30,
    ];

    /// The band a number of minutes falls in.
    pub fn of(minutes: f64) -> MinutesBand {
        if minutes <= 0.0 {
            MinutesBand::Zero
        } else if minutes <= 5.0 {
            MinutesBand::UpTo5
        } else if minutes <= 15.0 {
            MinutesBand::UpTo15
        } else if minutes <= 30.0 {
            MinutesBand::UpTo30
        } else {
            MinutesBand::Over30
        }
    }

    /// The text used in JSON, CSV and the workbook: `0`, `1-5`, `6-15`, `16-30`, `over 30`.
    pub fn key(self) -> &'static str {
        match self {
            MinutesBand::Zero => "0",
            MinutesBand::UpTo5 => "1-5",
            MinutesBand::UpTo15 => "6-15",
            MinutesBand::UpTo30 => "16-30",
            MinutesBand::Over30 => "over 30",
        }
    }

    /// The band's position in report order, 0–4.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Looks a band up by its text.
    pub fn from_key(key: &str) -> Option<MinutesBand> {
        MinutesBand::ALL.into_iter().find(|b| b.key() == key)
    }
}

impl<'de> Deserialize<'de> for MinutesBand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        MinutesBand::from_key(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown minutes band '{text}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_hold_their_upper_edge() {
        let cases = [
            (0.0, "0"),
            (0.5, "1-5"),
            (5.0, "1-5"),
            (5.5, "6-15"),
            (15.0, "6-15"),
            (30.0, "16-30"),
            (30.01, "over 30"),
        ];
        for (minutes, band) in cases {
            assert_eq!(MinutesBand::of(minutes).key(), band, "{minutes}");
            assert_eq!(MinutesBand::from_key(band), Some(MinutesBand::of(minutes)));
        }
        assert!(MinutesBand::ALL.windows(2).all(|w| w[0] < w[1]));
    }
}
