//! The routes and their handlers. Handlers are thin: they check what was asked against the
//! current job and hand the work to [`super::report`], which calls the same code as the
//! command line, so the page and `relief report` cannot disagree.
//!
//! | route | what |
//! |---|---|
//! | `GET /`, `/app.js`, `/style.css` | the page, embedded in the binary |
//! | `GET /api/info` | limits, and whether the page is reachable from the network |
//! | `POST /api/check` | "may I send these?" — names and sizes in, a verdict out |
//! | `POST /api/jobs` | the upload (multipart); answers `202 {"job": id}` |
//! | `GET /api/jobs/{id}` | the job's stage, and its result once done |
//! | `GET /api/jobs/{id}/charts/{period}/{file}` | a chart, inline |
//! | `GET /api/jobs/{id}/files/{period}/{kind}` | a download |
//!
//! A period, chart or download is looked up in the finished job's own list; nothing in a URL
//! ever becomes part of a path.

use super::guard::{self, Access};
use super::job::{Jobs, Stage};
use super::limits::{Limits, Planned, Refusal};
use super::report::{self, Download, JobResult, PeriodView};
use crate::pipeline::Setup;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

const INDEX_HTML: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const STYLE_CSS: &str = include_str!("page/style.css");

/// What every handler shares.
pub struct App {
    pub access: Access,
    pub jobs: Arc<Jobs>,
    pub limits: Limits,
    pub setup: Arc<Setup>,
}

pub fn router(app: Arc<App>) -> Router {
    let upload_limit = super::upload::body_limit(&app.limits);
    Router::new()
        .route("/", get(|| async { html(INDEX_HTML) }))
        .route(
            "/app.js",
            get(|| async { asset("text/javascript", APP_JS) }),
        )
        .route("/style.css", get(|| async { asset("text/css", STYLE_CSS) }))
        .route("/api/info", get(info))
        .route("/api/check", post(check))
        .route(
            "/api/jobs",
            post(upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/jobs/{id}", get(status))
        .route("/api/jobs/{id}/charts/{period}/{file}", get(chart))
        .route("/api/jobs/{id}/files/{period}/{kind}", get(download))
        .fallback(|req: Request| async move {
            let api = req.uri().path().starts_with("/api/");
            guard::refuse(StatusCode::NOT_FOUND, api, "There is nothing here.")
        })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            guard::check,
        ))
        .with_state(app)
}

fn html(body: &'static str) -> Response {
    asset("text/html; charset=utf-8", body)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => api_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn api_error(status: StatusCode, message: &str) -> Response {
    guard::refuse(status, true, message)
}

fn refused(r: &Refusal) -> Response {
    let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST);
    api_error(status, &r.to_string())
}

async fn info(State(app): State<Arc<App>>) -> Response {
    let (job, state) = match app.jobs.status() {
        Some((id, stage)) => (Some(id), Some(stage_name(&stage))),
        None => (None, None),
    };
    json(
        StatusCode::OK,
        &serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "network": app.access.token().is_some(),
            "limits": app.limits,
            "limits_text": app.limits.summary(),
            "job": job,
            "job_state": state,
        }),
    )
}

fn stage_name(stage: &Stage) -> &'static str {
    match stage {
        Stage::Uploading => "uploading",
        Stage::Running { .. } => "running",
        Stage::Done(_) => "done",
        Stage::Failed(_) => "failed",
    }
}

#[derive(serde::Deserialize)]
struct CheckBody {
    files: Vec<Planned>,
}

async fn check(
    State(app): State<Arc<App>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    // A body past the server's limit for a list of names is no list the page sends.
    let Some(plan) = body
        .ok()
        .and_then(|b| serde_json::from_slice::<CheckBody>(&b).ok())
    else {
        return refused(&Refusal::Malformed("not a list of files".into()));
    };
    let mut verdict = app.limits.check(&plan.files);
    if verdict.refusal.is_none() && app.jobs.busy() {
        verdict.refusal = Some(Refusal::Busy.to_string());
    }
    json(StatusCode::OK, &verdict)
}

async fn upload(State(app): State<Arc<App>>, req: Request) -> Response {
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    if let Err(r) = super::upload::check_length(&app.limits, length) {
        return refused(&r);
    }
    let ticket = match app.jobs.begin() {
        Ok(t) => t,
        Err(Ok(r)) => return refused(&r),
        Err(Err(e)) => return refused(&Refusal::Storage(e.to_string())),
    };
    let multipart = match Multipart::from_request(req, &()).await {
        Ok(m) => m,
        Err(e) => return refused(&Refusal::Malformed(e.body_text())),
    };
    // A refusal drops the ticket, which removes everything stored so far.
    let files = match super::upload::receive(&app.limits, &ticket, multipart).await {
        Ok(files) => files,
        Err(r) => return refused(&r),
    };
    let out = ticket.output_dir();
    let input = ticket.input_dir();
    let (jobs, id) = ticket.hand_over();
    let setup = Arc::clone(&app.setup);
    jobs.set_stage(
        id,
        Stage::Running {
            step: "Starting".into(),
        },
    );
    let worker = Arc::clone(&jobs);
    let spawned = std::thread::Builder::new()
        .name("relief-job".into())
        .spawn(move || run_job(&worker, id, &setup, &files, &input, &out));
    if let Err(e) = spawned {
        jobs.set_stage(
            id,
            Stage::Failed(format!("relief could not start the job: {e}")),
        );
    }
    json(StatusCode::ACCEPTED, &serde_json::json!({ "job": id }))
}

/// Runs one job to its end, whatever happens: the uploads are removed as soon as the reports
/// are written, and a failed job leaves nothing behind.
fn run_job(
    jobs: &Jobs,
    id: u64,
    setup: &Setup,
    files: &[report::Uploaded],
    input: &std::path::Path,
    out: &std::path::Path,
) {
    let step = |s: String| jobs.set_stage(id, Stage::Running { step: s });
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        report::run(setup, files, out, &step)
    }));
    let _ = std::fs::remove_dir_all(input);
    let stage = match outcome {
        Ok(Ok(result)) => Stage::Done(Arc::new(result)),
        Ok(Err(e)) => Stage::Failed(format!(
            "relief could not finish the report: {}. Nothing was kept; try again, and if it \
             happens again run `relief report` on the same files in a terminal.",
            crate::common::error_line(&e)
        )),
        Err(_) => Stage::Failed(
            "relief stopped unexpectedly while writing the report. Nothing was kept; please \
             report this, with the files if you can share them."
                .to_string(),
        ),
    };
    if matches!(stage, Stage::Failed(_)) {
        let _ = std::fs::remove_dir_all(out);
    }
    jobs.set_stage(id, stage);
}

const GONE: &str = "These results are gone: a newer upload replaced them, or relief was \
                    restarted. Drop your files again.";

/// A job number from the address; anything else is a job that is not there, answered in the
/// same words as any other (not the URL parser's).
fn job_id(text: &str) -> Option<u64> {
    text.parse().ok()
}

async fn status(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(id) = job_id(&id) else {
        return gone();
    };
    let body = match app.jobs.status() {
        Some((current, stage)) if current == id => match stage {
            Stage::Uploading => serde_json::json!({ "state": stage_name(&stage) }),
            Stage::Running { ref step } => {
                serde_json::json!({ "state": stage_name(&stage), "step": step })
            }
            Stage::Done(ref result) => {
                serde_json::json!({ "state": stage_name(&stage), "result": &**result })
            }
            Stage::Failed(ref error) => {
                serde_json::json!({ "state": stage_name(&stage), "error": error })
            }
        },
        _ => return gone(),
    };
    json(StatusCode::OK, &body)
}

/// One period of a finished job: the job's result, which of its periods, and its folder.
struct FoundPeriod {
    result: Arc<JobResult>,
    index: usize,
    dir: PathBuf,
}

impl FoundPeriod {
    fn view(&self) -> &PeriodView {
        &self.result.periods[self.index]
    }
}

/// The finished job `id` and its period `period`, if both are (still) there.
fn find_period(app: &App, id: u64, period: &str) -> Option<FoundPeriod> {
    let (result, out) = app.jobs.finished(id)?;
    let index = result.periods.iter().position(|p| p.id == period)?;
    let dir = out.join(&result.periods[index].id);
    Some(FoundPeriod { result, index, dir })
}

/// The answer for a job or period that is not there (any more).
fn gone() -> Response {
    api_error(StatusCode::NOT_FOUND, GONE)
}

async fn chart(
    State(app): State<Arc<App>>,
    Path((id, period, file)): Path<(String, String, String)>,
) -> Result<Response, Response> {
    let found = job_id(&id)
        .and_then(|id| find_period(&app, id, &period))
        .ok_or_else(gone)?;
    let Some(c) = found.view().charts.iter().find(|c| c.file == file) else {
        return Err(api_error(StatusCode::NOT_FOUND, "There is no such chart."));
    };
    match tokio::fs::read(found.dir.join(crate::pipeline::CHARTS_DIR).join(c.file)).await {
        Ok(bytes) => Ok(([(header::CONTENT_TYPE, "image/png")], bytes).into_response()),
        Err(_) => Err(gone()),
    }
}

async fn download(
    State(app): State<Arc<App>>,
    Path((id, period, kind)): Path<(String, String, String)>,
) -> Result<Response, Response> {
    let found = job_id(&id)
        .and_then(|id| find_period(&app, id, &period))
        .ok_or_else(gone)?;
    let Some(kind) = Download::from_slug(&kind) else {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            "There is no such download.",
        ));
    };
    let view = found.view();
    if !view.downloads.iter().any(|d| d.kind == kind.slug()) {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            "That download is not part of this report.",
        ));
    }
    let typed = &view.period;
    let source = kind.source(&found.dir, typed);
    let bytes = match kind {
        Download::Charts => {
            let charts: Vec<&'static str> = view.charts.iter().map(|c| c.file).collect();
            tokio::task::spawn_blocking(move || zip_charts(&source, &charts))
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e)))
        }
        _ => tokio::fs::read(&source).await,
    };
    let bytes = bytes.map_err(|_| gone())?;
    let content_type = match kind {
        Download::Workbook => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Download::Charts => "application/zip",
        Download::Summary => "application/json",
        Download::Csv => "text/csv; charset=utf-8",
        Download::Parquet => "application/vnd.apache.parquet",
    };
    let disposition = format!("attachment; filename=\"{}\"", kind.file_name(typed));
    let headers = [
        (header::CONTENT_TYPE, content_type.to_string()),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, bytes).into_response())
}

/// The period's charts as one zip, stored uncompressed (PNGs are compressed already).
fn zip_charts(dir: &std::path::Path, files: &[&str]) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in files {
        let bytes = std::fs::read(dir.join(name))?;
        zip.start_file(*name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}
