#!/usr/bin/env python3
"""The README's per-region query through Spark SQL (pyspark, local mode), over relief's
Hive-partitioned dataset `clean/[clinic=NAME/]month=YYYY-MM/sessions.parquet`.

    # every per-region and by-month figure against a summary.json (to 1e-9)
    python3 scale/spark_sql.py check reports/clean reports/2026-05_2026-10/summary.json
    # the per-region query over a franchise store, timed
    python3 scale/spark_sql.py time /tmp/franchise-store/clean

Needs `pip install pyspark` and Java 17 (Debian: openjdk-17-jre-headless). Runs on two cores
(`local[2]`) unless `--cores` says otherwise. Not part of CI.
"""

import argparse
import json
import math
import statistics
import sys
import time

# The figures of summary.json, in Spark's SQL dialect (the README's DuckDB query, same names).
FIGURES = """
    count(*)                                                  AS rows,
    count(DISTINCT session)                                   AS sessions,
    count(DISTINCT client)                                    AS clients,
    avg(before)                                               AS mean_before,
    avg(after)                                                AS mean_after,
    avg(change)                                               AS mean_change,
    median(change)                                            AS median_change,
    stddev_samp(change)                                       AS sd_change,
    avg(CASE WHEN change > 0 THEN 1 ELSE 0 END)               AS improved_rate,
    avg(CASE WHEN change < 0 THEN 1 ELSE 0 END)               AS worse_rate,
    avg(CASE WHEN change = 0 THEN 1 ELSE 0 END)               AS unchanged_rate,
    avg(CASE WHEN change >= 0.3D * before - 1e-9D THEN 1 ELSE 0 END)
      FILTER (WHERE before > 0)                               AS responder_rate,
    avg(CASE WHEN change >= 0.5D * before - 1e-9D THEN 1 ELSE 0 END)
      FILTER (WHERE before > 0)                               AS strong_responder_rate,
    avg(change) / nullif(stddev_samp(change), 0)              AS srm
"""
NAMES = ["rows", "sessions", "clients", "mean_before", "mean_after", "mean_change",
         "median_change", "sd_change", "improved_rate", "worse_rate", "unchanged_rate",
         "responder_rate", "strong_responder_rate", "srm"]


def spark_session(cores: int):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("relief-dataset")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        # Partition folders are text (`month=2026-10`, `clinic=north`), never guessed types.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def register(spark, root: str):
    """The dataset below `root` (the `clean` folder) as the view `sessions`."""
    spark.read.option("basePath", root).parquet(root).createOrReplaceTempView("sessions")


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def check(args) -> int:
    spark = spark_session(args.cores)
    register(spark, args.dataset)
    with open(args.summary) as f:
        summary = json.load(f)
    problems, compared = [], 0
    for keys, entries in ((["region"], summary["regions"]),
                          (["month", "region"], summary["by_month"])):
        sql = f"SELECT {', '.join(keys)}, {FIGURES} FROM sessions GROUP BY {', '.join(keys)}"
        got = {tuple(r[k] for k in keys): r.asDict() for r in spark.sql(sql).collect()}
        want = {tuple(e[k] for k in keys): e for e in entries}
        if set(got) != set(want):
            problems.append(f"{keys}: groups differ: {sorted(set(got) ^ set(want))}")
            continue
        for key, entry in want.items():
            for name in NAMES:
                compared += 1
                if not same(entry[name], got[key][name]):
                    problems.append(f"{key} {name}: summary {entry[name]}, Spark {got[key][name]}")
    version = spark.version
    spark.stop()
    for p in problems:
        print(p)
    print(f"Spark {version}, local[{args.cores}]: compared {compared} figures "
          f"({len(summary['regions'])} regions, {len(summary['by_month'])} month x region "
          f"entries): {len(problems)} differ beyond 1e-9")
    return 1 if problems else 0


def timed(args) -> int:
    spark = spark_session(args.cores)
    start = time.monotonic()
    register(spark, args.dataset)
    opened = time.monotonic() - start
    sql = f"SELECT region, {FIGURES} FROM sessions GROUP BY region ORDER BY region"
    times, rows = [], None
    for _ in range(args.runs):
        start = time.monotonic()
        rows = spark.sql(sql).collect()
        times.append(time.monotonic() - start)
    total = sum(r["rows"] for r in rows)
    print(f"Spark {spark.version}, local[{args.cores}]: {total:,} rows, {len(rows)} regions; "
          f"listing the dataset {opened:.1f} s; query runs {', '.join(f'{t:.1f}' for t in times)} s "
          f"(median {statistics.median(times):.1f} s)")
    for r in rows:
        print(f"  {r['region']:<11} rows {r['rows']:>9,}  clients {r['clients']:>9,}  "
              f"mean change {r['mean_change']:.4f}  median {r['median_change']}")
    spark.stop()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="compare every figure with a summary.json")
    c.add_argument("dataset", help="the clean/ folder")
    c.add_argument("summary", help="summary.json of a report over the same months")
    t = sub.add_parser("time", help="time the per-region query")
    t.add_argument("dataset", help="the clean/ folder")
    t.add_argument("--runs", type=int, default=3)
    for s in (c, t):
        s.add_argument("--cores", type=int, default=2)
    args = p.parse_args()
    sys.exit(check(args) if args.command == "check" else timed(args))


if __name__ == "__main__":
    main()
