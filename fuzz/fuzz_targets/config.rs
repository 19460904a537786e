//! `relief.toml`: any text. A config that parses builds a vocabulary whose added words each
//! name the thing the config gave them to (conflicting words are refused when parsing).
#![no_main]

use relief_core::{Config, Vocabulary};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Config::from_toml(text) else {
        return;
    };
    let v = Vocabulary::new(&config);
    for (region, names) in &config.regions {
        for name in names {
            if let Ok((found, _)) = v.region(name) {
                assert_eq!(found, *region, "{name:?}");
            }
        }
    }
    for (level, names) in &config.pressure {
        for name in names {
            if let Ok(found) = v.pressure(name) {
                assert_eq!(found, *level, "{name:?}");
            }
        }
    }
    for (field, names) in &config.headers {
        for name in names {
            if let Some(found) = v.field(name) {
                assert_eq!(found, *field, "{name:?}");
            }
        }
    }
});
