//! The pseudonym key: where it lives, and creating it on first use (SPEC §4.4).
//!
//! The key turns client identifiers into pseudonyms that stay the same from one month to the
//! next on this installation and cannot be linked back without it. It must live outside the
//! reports, so sharing a reports folder never shares the key.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

/// Environment variable that names the key file; it wins over the config (tests and schedulers
/// use it).
pub const KEY_ENV: &str = "RELIEF_KEY_FILE";

/// Where the key file is: `RELIEF_KEY_FILE`, else the config's `privacy.key_file`, else the
/// user's config folder.
pub fn key_path(configured: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(KEY_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = configured {
        return Ok(p.to_path_buf());
    }
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
    };
    match base {
        Some(b) => Ok(b.join("relief").join("pseudonym.key")),
        None => bail!(
            "cannot tell where to keep the pseudonym key: set privacy.key_file in relief.toml \
             or the {KEY_ENV} environment variable"
        ),
    }
}

/// Loads the key, creating a new random one (with a message saying where) when there is none.
///
/// # Errors
/// A key file that cannot be read or created, or that is not a key relief wrote.
pub fn load_or_create_key(path: &Path, quiet: bool) -> anyhow::Result<Vec<u8>> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the pseudonym key {}", path.display()))?;
        let key = hex::decode(text.trim()).ok().filter(|k| k.len() >= 16);
        return key.with_context(|| {
            format!(
                "the pseudonym key {} is damaged (it should be 64 hexadecimal characters); \
                 restore it from a backup — a new key would give every client a new pseudonym",
                path.display()
            )
        });
    }
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for a new key: {e}"))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "creating the folder for the pseudonym key {}",
                dir.display()
            )
        })?;
    }
    crate::output::write_private(path, |w| writeln!(w, "{}", hex::encode(&key)))
        .with_context(|| format!("writing a new pseudonym key to {}", path.display()))?;
    if !quiet {
        eprintln!(
            "relief: created a new pseudonym key at {}.\n        Keep it, and keep it out of the reports folder: the same key gives each client\n        the same pseudonym next month; without it pseudonyms cannot be linked back.",
            path.display()
        );
    }
    Ok(key)
}

/// Refuses a key file inside the reports folder, where it would be shared with the reports.
pub fn check_key_outside(key: &Path, reports: &Path) -> anyhow::Result<()> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if abs(key).starts_with(abs(reports)) {
        bail!(
            "the pseudonym key {} is inside the reports folder {}: move it elsewhere \
             (privacy.key_file in relief.toml, or RELIEF_KEY_FILE) so sharing reports never shares the key",
            key.display(),
            reports.display()
        );
    }
    Ok(())
}
