//! Reading many files on every core while one thread merges them in path order.
//!
//! Each reader takes the next file in order, reads it and hands it over; the merging thread
//! adds the files in path order as soon as each one and every file before it are read, so the
//! merge runs beside the reading instead of between batches, and no core waits for the slowest
//! file of a batch. A reader may run at most a window of files ahead of the merge, so what is
//! read but not yet merged stays a few files however long the list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// Reads `files` with `readers` threads (`read` must not panic: relief's turns every failure
/// into the file's report) and passes each result to `merge` on the calling thread, in the order of
/// `files`. At most `window` files are read ahead of the merge.
pub(crate) fn read_in_order<T: Send>(
    files: &[PathBuf],
    readers: usize,
    window: usize,
    read: &(dyn Fn(&Path) -> T + Sync),
    mut merge: impl FnMut(T),
) {
    let next = AtomicUsize::new(0);
    // How many files the merge has taken, and a signal when it takes one.
    let merged = (Mutex::new(0usize), Condvar::new());
    let window = window.max(1);
    std::thread::scope(|scope| {
        let (sender, received) = mpsc::channel::<(usize, T)>();
        for _ in 0..readers.max(1) {
            let sender = sender.clone();
            let (next, merged) = (&next, &merged);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    wait_until_below(merged, i, window);
                    if sender.send((i, read(path))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        let mut expected = 0;
        for (i, file) in received {
            waiting.insert(i, file);
            while let Some(file) = waiting.remove(&expected) {
                merge(file);
                expected += 1;
                let (count, taken) = &merged;
                *count.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                taken.notify_all();
            }
        }
    });
}

/// Blocks until file `i` is less than `window` files ahead of the merge.
fn wait_until_below(merged: &(Mutex<usize>, Condvar), i: usize, window: usize) {
    let (count, taken) = merged;
    let mut done = count.lock().unwrap_or_else(|e| e.into_inner());
    while i >= *done + window {
        done = taken.wait(done).unwrap_or_else(|e| e.into_inner());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A file that takes longer the earlier it is, so later ones finish first and must wait
    /// their turn.
    fn slow(path: &Path) -> PathBuf {
        let n: u64 = path.to_string_lossy().parse().unwrap_or(0);
        std::thread::sleep(Duration::from_millis(20u64.saturating_sub(n)));
        path.to_path_buf()
    }

    #[test]
    fn files_are_merged_in_their_order_whatever_order_they_finish_in() {
        let files: Vec<PathBuf> = (0..23).map(|i| PathBuf::from(i.to_string())).collect();
        for (readers, window) in [(1, 1), (2, 1), (3, 2), (4, 8), (8, 100)] {
            let mut seen = Vec::new();
            read_in_order(&files, readers, window, &slow, |f| seen.push(f));
            assert_eq!(seen, files, "{readers} readers, window {window}");
        }
        let mut none = 0;
        read_in_order(&[], 2, 4, &slow, |_| none += 1);
        assert_eq!(none, 0);
    }
}
