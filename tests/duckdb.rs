//! Running SQL in DuckDB from the tests, through its Python package: the reader that checks
//! relief's Parquet files is one relief did not write them with. DuckDB is required — `.ci/run`
//! installs it (`pip install duckdb`) — and a test that needs it fails, never skips, when it is
//! missing.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs each query in DuckDB with `dir` as the current folder; returns, per query, its rows
/// as JSON objects (column → value), in order, and its column types as DuckDB names them.
pub fn query(dir: &Path, queries: &[&str]) -> Vec<Result> {
    const SCRIPT: &str = r#"
import json, math, sys
try:
    import duckdb
except ImportError:
    sys.exit("the Python package duckdb is missing: pip install duckdb (.ci/run installs it)")

def plain(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v

con = duckdb.connect()
out = []
for sql in json.load(sys.stdin):
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    types = [str(d[1]) for d in cur.description]
    rows = [{c: plain(v) for c, v in zip(cols, r)} for r in cur.fetchall()]
    out.append({"types": dict(zip(cols, types)), "rows": rows})
json.dump(out, sys.stdout)
"#;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to run DuckDB (install python3, then pip install duckdb)");
    let input = serde_json::to_vec(queries).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "DuckDB failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    all.into_iter()
        .map(|r| Result {
            types: r["types"].clone(),
            rows: r["rows"].as_array().unwrap().clone(),
        })
        .collect()
}

/// One query's answer.
pub struct Result {
    /// Column name → DuckDB type name (`VARCHAR`, `DOUBLE`, `DATE` …).
    pub types: Value,
    pub rows: Vec<Value>,
}
