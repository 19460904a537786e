//! Receiving an upload: the multipart body is streamed file by file into the job's private
//! `in/` folder, with every limit checked as bytes arrive, so an oversized upload is stopped
//! early instead of filling the disk. Each file is stored as `0001.xlsx`, `0002.csv`, …: the
//! name the browser sent is kept only to be shown.

use super::job::Ticket;
use super::limits::{Limits, Refusal, display_name, spreadsheet_extension};
use super::report::Uploaded;
use axum::extract::Multipart;
use std::collections::HashSet;
use tokio::io::AsyncWriteExt;

/// Room for the multipart framing around the files (a few hundred bytes per file), when
/// judging a request by its length.
const FRAMING: u64 = 64 << 10;

/// How long an upload may send nothing before it is given up. The page sends from this
/// computer or the local network, where a pause this long means the sender has stopped; while
/// an upload lasts, no other one can start, so a stalled one must not hold the place.
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits for the next piece of the upload, at most [`IDLE`].
async fn within_idle<T>(next: impl std::future::Future<Output = T>) -> Result<T, Refusal> {
    tokio::time::timeout(IDLE, next)
        .await
        .map_err(|_| Refusal::Stalled(IDLE.as_secs()))
}

/// Room for one file's part headers (name, type) in the body limit; a browser sends a few
/// hundred bytes.
const PART_HEADERS: u64 = 4 << 10;

/// The most a whole upload body may be: the files, their framing and part headers. It bounds
/// what a request without a declared length (chunked) can make relief read, form fields and
/// part headers included, which the per-file counting below cannot see.
pub fn body_limit(limits: &Limits) -> usize {
    let bytes = limits
        .max_total
        .saturating_add(FRAMING)
        .saturating_add(PART_HEADERS.saturating_mul(limits.max_files as u64));
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// Refuses a request whose declared length is already over the limit, before reading it.
pub fn check_length(limits: &Limits, content_length: Option<u64>) -> Result<(), Refusal> {
    match content_length {
        Some(len) if len > limits.max_total + FRAMING => Err(Refusal::TooLarge {
            sent: Some(len),
            max: limits.max_total,
        }),
        _ => Ok(()),
    }
}

/// Stores every file of the upload in the ticket's folder.
///
/// # Errors
/// The first limit broken, a name that is not a spreadsheet's, an upload without files, a body
/// that is not multipart or is cut off, or a file that cannot be written. The caller drops the
/// ticket, which removes whatever was stored.
pub async fn receive(
    limits: &Limits,
    ticket: &Ticket,
    mut multipart: Multipart,
) -> Result<Vec<Uploaded>, Refusal> {
    let too_large = || Refusal::TooLarge {
        sent: None,
        max: limits.max_total,
    };
    // Past the body limit, the reader says "payload too large": the upload was too large.
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Refusal::Malformed(e.body_text())
        }
    };
    let storage = |e: std::io::Error| Refusal::Storage(e.to_string());
    let mut files: Vec<Uploaded> = Vec::new();
    let mut names = HashSet::new();
    let mut total = 0u64;
    // Every byte counts against the total: a form field that is not a file too.
    while let Some(mut field) = within_idle(multipart.next_field())
        .await?
        .map_err(malformed)?
    {
        let Some(raw) = field.file_name().map(str::to_string) else {
            while let Some(chunk) = within_idle(field.chunk()).await?.map_err(malformed)? {
                total += chunk.len() as u64;
                if total > limits.max_total {
                    return Err(too_large());
                }
            }
            continue;
        };
        let index = files.len() + 1;
        if index > limits.max_files {
            return Err(Refusal::TooManyFiles {
                sent: None,
                max: limits.max_files,
            });
        }
        let name = unique(display_name(&raw, index), &mut names);
        let Some(ext) = spreadsheet_extension(&name) else {
            return Err(Refusal::NotSpreadsheet { names: vec![name] });
        };
        let stored = ticket.input_dir().join(format!("{index:04}.{ext}"));
        let mut out = tokio::fs::File::create(&stored).await.map_err(storage)?;
        let mut size = 0u64;
        while let Some(chunk) = within_idle(field.chunk()).await?.map_err(malformed)? {
            size += chunk.len() as u64;
            total += chunk.len() as u64;
            // The total first: when it is the smaller limit, it is the one to name.
            if total > limits.max_total {
                return Err(too_large());
            }
            if size > limits.max_file {
                return Err(Refusal::FileTooLarge {
                    name,
                    max: limits.max_file,
                });
            }
            out.write_all(&chunk).await.map_err(storage)?;
        }
        out.flush().await.map_err(storage)?;
        files.push(Uploaded { stored, name });
    }
    if files.is_empty() {
        return Err(Refusal::NoFiles);
    }
    Ok(files)
}

/// Two files both called `export.xlsx` (from two folders picked one after the other) become
/// `export.xlsx` and `export (2).xlsx`, so every problem points at one file.
fn unique(name: String, seen: &mut HashSet<String>) -> String {
    if seen.insert(name.clone()) {
        return name;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (name.clone(), String::new()),
    };
    let mut n = 2;
    loop {
        let candidate = format!("{stem} ({n}){ext}");
        if seen.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_are_numbered() {
        let mut seen = HashSet::new();
        assert_eq!(unique("a.xlsx".into(), &mut seen), "a.xlsx");
        assert_eq!(unique("a.xlsx".into(), &mut seen), "a (2).xlsx");
        assert_eq!(unique("a.xlsx".into(), &mut seen), "a (3).xlsx");
        assert_eq!(unique("b".into(), &mut seen), "b");
        assert_eq!(unique("b".into(), &mut seen), "b (2)");
    }

    #[test]
    fn declared_lengths_over_the_limit_are_refused_at_once() {
        let limits = Limits {
            max_files: 2,
            max_total: 10 << 20,
            max_file: 10 << 20,
        };
        assert!(check_length(&limits, None).is_ok());
        assert!(
            check_length(&limits, Some((10 << 20) + 1000)).is_ok(),
            "framing allowed"
        );
        assert_eq!(
            check_length(&limits, Some(11 << 20)),
            Err(Refusal::TooLarge {
                sent: Some(11 << 20),
                max: 10 << 20
            })
        );
    }
}
