//! Old-style `.xls` (BIFF in an OLE container): the raw bytes, through relief's own BIFF
//! pre-check and then calamine.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    relief_fuzz::read("fuzz.xls", data);
});
