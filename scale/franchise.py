#!/usr/bin/env python3
"""A franchise-sized month in the shared dataset, the way a franchise would build it.

Each clinic is one relief installation: its own export (20 therapists x 200 sessions x 5
regions = 20,000 session x region rows for October 2026), its own pseudonym key, its own
config naming it (`[dataset] clinic = "clinic-0001"`), and its own scheduled run
(`relief batch --inbox inbox --out out`, its first run of the month). Its partition,
`clean/clinic=NAME/month=2026-10/sessions.parquet`, is then copied into the shared store, as a
sync step after each clinic's batch would (rsync to a network folder, `aws s3 sync`,
`hdfs dfs -put`). Clinic names never collide, so neither do the copies.

    python3 scale/franchise.py --relief target/release/relief --clinics 1000 \
        --work /tmp/franchise-work --store /tmp/franchise-store --jobs 2

Each clinic's working folder is deleted once its partition is in the store (only the store is
kept). The exports are synthetic and seeded: the same arguments give the same store.
"""

import argparse
import calendar
import concurrent.futures as futures
import os
import random
import shutil
import subprocess
import sys
import time

REGIONS = ["head", "neck", "shoulders", "upper back", "lower back", "arms", "hips", "legs", "feet"]
# Typical arrival soreness and relief per region (0-10 scale), roughly as in relief's samples.
SORE = {"head": 3.5, "neck": 5.5, "shoulders": 5.5, "upper back": 5.0, "lower back": 6.5,
        "arms": 3.0, "hips": 4.5, "legs": 4.0, "feet": 3.5}
RELIEF = {"head": 1.2, "neck": 1.8, "shoulders": 1.8, "upper back": 1.6, "lower back": 2.1,
          "arms": 1.0, "hips": 1.4, "legs": 1.3, "feet": 1.2}
PRESSURES = ["light", "medium", "firm", "deep"]
TECHNIQUES = ["swedish", "deep tissue", "trigger point", "myofascial", "sports"]


def export(clinic: int, therapists: int, sessions: int, regions: int, month: str) -> str:
    """One clinic's month as a CSV export in the long layout."""
    rng = random.Random(clinic)
    year, mon = (int(x) for x in month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    # Each client sees four therapists once each this month, so no two sessions share client,
    # day and therapist (relief would count such a pair as one session, or as a duplicate).
    clients = [f"C{clinic:04d}-{i:05d}" for i in range(max(1, therapists * sessions // 4))]
    lines = ["Date,Client,Therapist,Region,Before,After,Pressure,Minutes,Focus,Technique"]
    for t in range(therapists):
        therapist = f"Therapist {clinic:04d}-{t:02d}"
        for s in range(sessions):
            date = f"{year:04d}-{mon:02d}-{rng.randint(1, days):02d}"
            client = clients[(t * sessions + s) % len(clients)]
            pressure = rng.choice(PRESSURES)
            technique = rng.choice(TECHNIQUES)
            for region in rng.sample(REGIONS, regions):
                focus = rng.random() < 0.35
                before = min(10, max(0, round(rng.gauss(SORE[region], 1.8))))
                gain = RELIEF[region] * (1.3 if focus else 1.0) + rng.gauss(0, 1.1)
                after = min(10, max(0, round(before - gain)))
                minutes = rng.choice([5, 10, 10, 15, 20, 25, 30])
                lines.append(
                    f"{date},{client},{therapist},{region},{before},{after},{pressure},"
                    f"{minutes},{'yes' if focus else 'no'},{technique}"
                )
    return "\n".join(lines) + "\n"


def one_clinic(args, clinic: int) -> tuple[int, float]:
    """Runs one clinic's month and copies its partition into the store; returns rows, seconds."""
    name = f"clinic-{clinic:04d}"
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "inbox"))
    text = export(clinic, args.therapists, args.sessions, args.regions, args.month)
    with open(os.path.join(work, "inbox", f"{args.month}.csv"), "w") as f:
        f.write(text)
    with open(os.path.join(work, "relief.toml"), "w") as f:
        f.write(
            f'[privacy]\nkey_file = "{os.path.join(work, "key")}"\n'
            f'[charts]\nwidth = 400\nheight = 400\n'
            f'[dataset]\nclinic = "{name}"\n'
        )
    start = time.monotonic()
    run = subprocess.run(
        [args.relief, "--config", "relief.toml", "-q", "batch", "--inbox", "inbox",
         "--out", "out"],
        cwd=work, capture_output=True, text=True,
    )
    seconds = time.monotonic() - start
    if run.returncode not in (0, 1):
        sys.exit(f"{name}: relief failed ({run.returncode}):\n{run.stderr}")
    part = os.path.join("clean", f"clinic={name}", f"month={args.month}")
    os.makedirs(os.path.join(args.store, part), exist_ok=True)
    shutil.copy2(os.path.join(work, "out", part, "sessions.parquet"),
                 os.path.join(args.store, part, "sessions.parquet"))
    shutil.rmtree(work)
    return text.count("\n") - 1, seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--relief", required=True, help="the relief binary")
    p.add_argument("--clinics", type=int, default=1000)
    p.add_argument("--therapists", type=int, default=20)
    p.add_argument("--sessions", type=int, default=200, help="sessions per therapist")
    p.add_argument("--regions", type=int, default=5, help="regions per session")
    p.add_argument("--month", default="2026-10")
    p.add_argument("--work", required=True, help="scratch folder for the clinics' runs")
    p.add_argument("--store", required=True, help="the shared store the partitions go to")
    p.add_argument("--jobs", type=int, default=2, help="clinics run at once")
    args = p.parse_args()
    args.relief = os.path.abspath(args.relief)
    args.work, args.store = os.path.abspath(args.work), os.path.abspath(args.store)
    start = time.monotonic()
    rows, busy = 0, 0.0
    with futures.ThreadPoolExecutor(args.jobs) as pool:
        done = pool.map(lambda c: one_clinic(args, c), range(1, args.clinics + 1))
        for i, (n, seconds) in enumerate(done, 1):
            rows, busy = rows + n, busy + seconds
            if i % 50 == 0 or i == args.clinics:
                print(f"{i} clinics, {rows:,} rows, relief {busy / i:.2f} s per clinic, "
                      f"{time.monotonic() - start:.0f} s in all", flush=True)
    size = sum(os.path.getsize(os.path.join(d, f))
               for d, _, fs in os.walk(args.store) for f in fs)
    print(f"store: {args.store}, {rows:,} rows in {args.clinics} files, {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
