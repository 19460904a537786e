//! The parsers of single cells: region names with sides, wide-layout column names, header
//! names, pressure words, focus lists, scores and minutes. Each line of the input is one cell.
//! Beyond not panicking: what they accept is in range, and a region they recognise is
//! recognised again by its own name.
#![no_main]

use relief_core::{Field, Vocabulary};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let v = Vocabulary::default();
    for cell in text.split('\n') {
        if let Ok((region, _side)) = v.region(cell) {
            assert_eq!(v.region(region.key()).map(|r| r.0), Ok(region), "{cell:?}");
        }
        let _ = v.wide_column(cell);
        let _ = v.field(cell);
        let _ = v.side(cell);
        let _ = v.pressure(cell);
        if let Ok(regions) = v.focus_list(cell) {
            let mut unique = regions.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), regions.len(), "{cell:?}");
        }
        for field in [Field::Before, Field::After] {
            if let Ok(score) = v.score_text(cell, field) {
                assert!((0.0..=10.0).contains(&score), "{cell:?} → {score}");
            }
        }
        if let Ok(Some(minutes)) = relief_core::vocabulary::minutes_from_text(cell) {
            assert!((0.0..=1440.0).contains(&minutes), "{cell:?} → {minutes}");
        }
        let _ = relief_core::vocabulary::normalize_header(cell);
    }
});
