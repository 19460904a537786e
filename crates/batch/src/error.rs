//! Why a batch run could not start or finish. Every variant is a reason to exit with status 2
//! ("could not run", SPEC §5); problems with single inbox files are not errors here, they are
//! recorded in the ledger and the run goes on.

use crate::Holder;
use std::path::PathBuf;

/// Why a batch run could not run.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Another run holds the lock. `holder` is what that run wrote about itself, when it could
    /// be read.
    #[error("{}", lock_held_message(holder.as_ref()))]
    LockHeld { holder: Option<Holder> },
    /// The inbox folder does not exist or is not a folder.
    #[error("the inbox folder {} does not exist or is not a folder", path.display())]
    InboxMissing { path: PathBuf },
    /// The output folder is the inbox or inside it: the next run would read its own reports.
    #[error(
        "the output folder {} is inside the inbox {}; choose an output folder outside it, \
         or the next run would read its own reports as exports",
        out.display(),
        inbox.display()
    )]
    OutInsideInbox { out: PathBuf, inbox: PathBuf },
    /// A file or folder of the batch's own state could not be created, read or written.
    #[error("{} could not be {doing}", path.display())]
    Io {
        path: PathBuf,
        /// `created`, `read`, `written` … for the message.
        doing: &'static str,
        source: std::io::Error,
    },
    /// The inbox could not be listed (a folder inside it is unreadable, or it vanished).
    #[error("the inbox could not be listed: {0}")]
    Inbox(#[source] relief_ingest::IngestError),
    /// The ledger exists but is not a ledger relief can read.
    #[error(
        "the ledger {} is damaged ({reason}); move it away to rebuild every report from the \
         inbox on the next run",
        path.display()
    )]
    LedgerDamaged { path: PathBuf, reason: String },
    /// The ledger was written by a newer relief, whose format this one does not know.
    #[error(
        "the ledger {} was written by a newer relief (format {found}, this one reads up to \
         {known}); update relief",
        path.display()
    )]
    LedgerTooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
}

impl BatchError {
    /// An [`BatchError::Io`] for `path`.
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        doing: &'static str,
    ) -> impl FnOnce(std::io::Error) -> BatchError {
        let path = path.into();
        move |source| BatchError::Io {
            path,
            doing,
            source,
        }
    }
}

fn lock_held_message(holder: Option<&Holder>) -> String {
    match holder {
        Some(h) => format!(
            "another relief batch (pid {}, started {} on host {}) is running on this output \
             folder; try again when it finishes",
            h.pid,
            h.started_display(),
            h.host
        ),
        None => "another relief batch is running on this output folder; try again when it \
                 finishes"
            .to_string(),
    }
}
