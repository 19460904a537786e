//! Keeping a malformed file from taking the run down: parsing runs under `catch_unwind`, and the
//! panic hook stays quiet for the panics the reader catches, so a file that trips the
//! spreadsheet library is one clear error for that file and the other files are still read.

thread_local! {
    /// Set while this thread parses a file under `catch_unwind`.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as parsing under `catch_unwind` until dropped.
pub(crate) struct GuardedParse(bool);

impl GuardedParse {
    pub(crate) fn enter() -> GuardedParse {
        GuardedParse(GUARDED.with(|g| g.replace(true)))
    }
}

impl Drop for GuardedParse {
    fn drop(&mut self) {
        GUARDED.with(|g| g.set(self.0));
    }
}

/// Installs a panic hook that stays silent for panics the reader catches (a malformed file that
/// trips the spreadsheet library becomes one clear error for that file, so Rust's own panic
/// message would only alarm the user) and leaves every other panic to the previous hook.
pub fn install_quiet_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(|g| g.get()) {
            previous(info);
        }
    }));
}
