//! The server's private folder and its one job at a time.
//!
//! Each server owns a folder `relief-serve-XXXXXX` in the system's temporary folder (created
//! private to the user), locked for its lifetime with an operating-system lock on `.lock`, which
//! the system releases however the process ends. At start-up every other `relief-serve-*`
//! folder whose lock is free belonged to a server that died, and is removed; a locked one
//! belongs to a server still running and is left alone.
//!
//! Inside, one job at a time: `job-N/in/` holds the uploaded files while they are read and is
//! removed the moment the reports are written (or the upload is refused, or the browser goes
//! away); `job-N/out/` holds the reports until the next upload or until the server stops.

use super::limits::Refusal;
use super::report::JobResult;
use anyhow::Context;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

const PREFIX: &str = "relief-serve-";
const LOCK: &str = ".lock";

/// The server's private folder, removed when dropped.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    lock: Option<File>,
}

impl Workspace {
    /// Removes folders left by servers that died, then creates and locks this server's folder.
    /// Returns the folder and how many leftovers were removed.
    ///
    /// # Errors
    /// The temporary folder cannot be written, or the new folder cannot be locked.
    pub fn create(temp: &Path) -> anyhow::Result<(Workspace, usize)> {
        let removed = remove_leftovers(temp);
        let mut builder = tempfile::Builder::new();
        builder.prefix(PREFIX);
        // Private to this user: other accounts on the machine cannot list or read the uploads.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder
            .tempdir_in(temp)
            .with_context(|| format!("creating a private folder in {}", temp.display()))?;
        let lock_path = dir.path().join(LOCK);
        let lock = File::create(&lock_path)
            .and_then(|f| f.try_lock().map(|()| f).map_err(std::io::Error::other))
            .with_context(|| format!("locking {}", lock_path.display()))?;
        Ok((
            Workspace {
                root: dir.keep(),
                lock: Some(lock),
            },
            removed,
        ))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // The lock goes first: Windows cannot remove an open file.
        drop(self.lock.take());
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Removes `relief-serve-*` folders whose lock is free; returns how many.
fn remove_leftovers(temp: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let path = entry.path();
        // Never follow a link: only real folders are ours to remove.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        let free = match File::open(path.join(LOCK)) {
            Ok(f) => f.try_lock().is_ok(),
            // A folder without its lock file is one being created right now, or a crash at
            // that moment: only an old one is a leftover.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => meta
                .modified()
                .ok()
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_some_and(|age| age > Duration::from_secs(60)),
            // Another user's folder, or one we cannot read: not ours.
            Err(_) => false,
        };
        if free && std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Where a job stands, as the page shows it.
#[derive(Debug, Clone)]
pub enum Stage {
    Uploading,
    Running { step: String },
    Done(Arc<JobResult>),
    Failed(String),
}

#[derive(Debug)]
struct Job {
    id: u64,
    dir: PathBuf,
    stage: Stage,
}

/// The one job slot of a server.
#[derive(Debug)]
pub struct Jobs {
    workspace: Workspace,
    current: Mutex<Option<Job>>,
    next_id: AtomicU64,
}

impl Jobs {
    pub fn new(workspace: Workspace) -> Jobs {
        Jobs {
            workspace,
            current: Mutex::new(None),
            next_id: AtomicU64::new(1),
        }
    }

    pub fn root(&self) -> &Path {
        self.workspace.root()
    }

    fn slot(&self) -> MutexGuard<'_, Option<Job>> {
        // A poisoned lock only means a thread panicked while holding it; the state is plain data.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a job is being uploaded or analysed.
    pub fn busy(&self) -> bool {
        matches!(
            self.slot().as_ref().map(|j| &j.stage),
            Some(Stage::Uploading | Stage::Running { .. })
        )
    }

    /// Whether a report is being written: what stopping waits for. An upload still arriving
    /// is not waited for (it may never finish); stopping removes what it stored.
    pub fn writing(&self) -> bool {
        matches!(
            self.slot().as_ref().map(|j| &j.stage),
            Some(Stage::Running { .. })
        )
    }

    /// Takes the slot for a new upload, replacing the previous job's reports.
    ///
    /// # Errors
    /// [`Refusal::Busy`] while another job is uploading or running; an I/O error creating the
    /// job's folder.
    pub fn begin(self: &Arc<Self>) -> Result<Ticket, Result<Refusal, std::io::Error>> {
        let mut slot = self.slot();
        if let Some(job) = slot.as_ref() {
            if matches!(job.stage, Stage::Uploading | Stage::Running { .. }) {
                return Err(Ok(Refusal::Busy));
            }
            let _ = std::fs::remove_dir_all(&job.dir);
            *slot = None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let dir = self.root().join(format!("job-{id}"));
        std::fs::create_dir_all(dir.join("in")).map_err(Err)?;
        *slot = Some(Job {
            id,
            dir: dir.clone(),
            stage: Stage::Uploading,
        });
        Ok(Ticket {
            jobs: Arc::clone(self),
            id,
            dir,
            handed_over: false,
        })
    }

    /// Sets the stage of job `id`, if it is still the current one.
    pub fn set_stage(&self, id: u64, stage: Stage) {
        if let Some(job) = self.slot().as_mut().filter(|j| j.id == id) {
            job.stage = stage;
        }
    }

    /// The current job's id and stage.
    pub fn status(&self) -> Option<(u64, Stage)> {
        self.slot().as_ref().map(|j| (j.id, j.stage.clone()))
    }

    /// The finished result of job `id` and its reports folder, when it is the current job.
    pub fn finished(&self, id: u64) -> Option<(Arc<JobResult>, PathBuf)> {
        match self.slot().as_ref() {
            Some(Job {
                id: current,
                dir,
                stage: Stage::Done(result),
            }) if *current == id => Some((Arc::clone(result), dir.join("out"))),
            _ => None,
        }
    }
}

/// The right to fill the job slot. Dropped before [`Ticket::hand_over`] (a refusal, an error,
/// a browser that went away), it removes the job's folder and frees the slot.
#[derive(Debug)]
pub struct Ticket {
    jobs: Arc<Jobs>,
    id: u64,
    dir: PathBuf,
    handed_over: bool,
}

impl Ticket {
    #[cfg(test)]
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn input_dir(&self) -> PathBuf {
        self.dir.join("in")
    }

    pub fn output_dir(&self) -> PathBuf {
        self.dir.join("out")
    }

    /// The upload is complete: from now on the job itself finishes the slot's stage.
    pub fn hand_over(mut self) -> (Arc<Jobs>, u64) {
        self.handed_over = true;
        (Arc::clone(&self.jobs), self.id)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.handed_over {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        let mut slot = self.jobs.slot();
        if slot.as_ref().is_some_and(|j| j.id == self.id) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relief_atomic::test_support::names;

    #[test]
    fn leftovers_are_removed_and_live_servers_kept() {
        let temp = tempfile::tempdir().unwrap();
        let dead = temp.path().join("relief-serve-dead");
        std::fs::create_dir_all(dead.join("job-1/in")).unwrap();
        std::fs::write(dead.join(LOCK), "").unwrap();
        std::fs::write(dead.join("job-1/in/0001.xlsx"), "x").unwrap();
        std::fs::create_dir(temp.path().join("unrelated")).unwrap();
        let (live, removed) = Workspace::create(temp.path()).unwrap();
        assert_eq!(removed, 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(live.root()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "the folder is private");
        }
        assert!(!dead.exists());
        let (other, removed) = Workspace::create(temp.path()).unwrap();
        assert_eq!(removed, 0, "a locked folder belongs to a running server");
        assert!(live.root().exists());
        drop(live);
        drop(other);
        assert_eq!(names(temp.path()), vec!["unrelated".to_string()]);
    }

    #[test]
    fn one_job_at_a_time_and_refused_uploads_leave_nothing() {
        let temp = tempfile::tempdir().unwrap();
        let (ws, _) = Workspace::create(temp.path()).unwrap();
        let jobs = Arc::new(Jobs::new(ws));
        let ticket = jobs.begin().unwrap();
        std::fs::write(ticket.input_dir().join("0001.csv"), "a").unwrap();
        assert!(matches!(jobs.begin(), Err(Ok(Refusal::Busy))));
        assert!(
            jobs.busy() && !jobs.writing(),
            "an upload is not a report being written"
        );
        drop(ticket);
        assert_eq!(names(jobs.root()), vec![LOCK.to_string()]);
        assert!(!jobs.busy());

        let ticket = jobs.begin().unwrap();
        let (jobs2, id) = ticket.hand_over();
        assert!(jobs2.busy());
        jobs.set_stage(
            id,
            Stage::Running {
                step: "Reading".into(),
            },
        );
        assert!(jobs.writing(), "stopping waits for this report");
        jobs.set_stage(id, Stage::Failed("x".into()));
        assert!(!jobs.busy());
        let next = jobs.begin().unwrap();
        assert_eq!(
            names(jobs.root()),
            vec![LOCK.to_string(), format!("job-{}", next.id())],
            "a new upload replaces the previous job's folder"
        );
    }
}
