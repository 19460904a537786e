//! Asking the processor for memory before it is read: a scattered read (a client's score among
//! hundreds of thousands) otherwise waits for memory on its own. A hint only: nothing here
//! changes what is computed.

/// How many rows ahead of the one being read a scattered pass asks for memory: far enough that
/// the wait (a few hundred cycles) overlaps the work of the rows between, near enough that what
/// was asked for is still in the cache when it is read. 16 rows suits the passes that use it
/// (the fits' cluster scores, the group figures), each of which does tens of operations a row.
pub(crate) const AHEAD: usize = 16;

/// Asks the processor to start loading the cache line holding `value`, so a later read does not
/// wait for memory. It reads nothing the program sees; on processors other than x86-64 it does
/// nothing (the standard library offers the hint only there, short of nightly).
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: `value` is a valid reference; a prefetch neither faults nor writes memory.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Asks for every cache line of `values` (see [`prefetch`]).
pub(crate) fn prefetch_all<T>(values: &[T]) {
    let per_line = (64 / std::mem::size_of::<T>().max(1)).max(1);
    for v in values.iter().step_by(per_line) {
        prefetch(v);
    }
    if let Some(last) = values.last() {
        prefetch(last);
    }
}
