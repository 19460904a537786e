//! CSV and TSV bytes, read as relief reads a `.csv` file (every separator, any encoding).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    relief_fuzz::read("fuzz.csv", data);
});
