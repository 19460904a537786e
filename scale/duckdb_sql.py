#!/usr/bin/env python3
"""The README's per-region query in DuckDB over a franchise store, timed.

    python3 scale/duckdb_sql.py /tmp/franchise-store --threads 2

Reads `clean/clinic=*/month=*/sessions.parquet` with Hive partitioning, the query the README
gives (per region over every clinic), three times; prints each run's time and the figures.
Needs `pip install duckdb`.
"""

import argparse
import os
import statistics
import time

import duckdb

QUERY = """
SELECT region,
       count(*)                                    AS rows,
       count(DISTINCT session)                     AS sessions,
       count(DISTINCT client)                      AS clients,
       avg(before)                                 AS mean_before,
       avg(after)                                  AS mean_after,
       avg(change)                                 AS mean_change,
       median(change)                              AS median_change,
       stddev_samp(change)                         AS sd_change,
       avg(CASE WHEN change > 0 THEN 1 ELSE 0 END)  AS improved_rate,
       avg(CASE WHEN change < 0 THEN 1 ELSE 0 END)  AS worse_rate,
       avg(CASE WHEN change = 0 THEN 1 ELSE 0 END)  AS unchanged_rate,
       avg(CASE WHEN change >= 0.3 * before - 1e-9 THEN 1 ELSE 0 END)
         FILTER (WHERE before > 0)                 AS responder_rate,
       avg(CASE WHEN change >= 0.5 * before - 1e-9 THEN 1 ELSE 0 END)
         FILTER (WHERE before > 0)                 AS strong_responder_rate,
       avg(change) / nullif(stddev_samp(change), 0) AS srm
FROM read_parquet('clean/clinic=*/month=*/sessions.parquet', hive_partitioning = true,
                  hive_types = {'clinic': VARCHAR, 'month': VARCHAR})
GROUP BY region
ORDER BY list_position(['head','neck','shoulders','upper_back','lower_back',
                        'arms','hips','legs','feet'], region)
"""


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("store", help="the folder holding clean/")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    os.chdir(args.store)
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    times, rows = [], []
    for _ in range(args.runs):
        start = time.monotonic()
        rows = con.execute(QUERY).fetchall()
        times.append(time.monotonic() - start)
    total = sum(r[1] for r in rows)
    print(f"DuckDB {duckdb.__version__}, {args.threads} threads: {total:,} rows, {len(rows)} regions; "
          f"runs {', '.join(f'{t:.2f}' for t in times)} s (median {statistics.median(times):.2f} s)")
    for r in rows:
        print(f"  {r[0]:<11} rows {r[1]:>9,}  clients {r[3]:>9,}  mean change {r[6]:.4f}  "
              f"median {r[7]}")


if __name__ == "__main__":
    main()
