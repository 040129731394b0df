#!/usr/bin/env python3
"""The perpetrator cohort of every area: `vigil cohort perpetrators --lpa all` on a store
against DuckDB over the same extract's CSV files, the same score (Vigil's defaults,
docs/measures.md "perpetrator_cohort") written as SQL. Prints Vigil's time to compute every
area's cohort once its snapshot is loaded, its time end to end, DuckDB's time to load the
CSV files and to compute, the ratios, and whether the two cohorts agree member by member
(they must).

Usage: bench/cohort_vs_duckdb.py --db STORE --extract DIR [--as-of 2019-08-31]
       [--vigil target/release/vigil]
Needs the ``duckdb`` package (``pip install duckdb``) and a release build of vigil.
"""

import argparse
import csv
import io
import re
import subprocess
import sys
import time

SIZE = 20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--extract", required=True)
    ap.add_argument("--as-of", default="2019-08-31")
    ap.add_argument("--vigil", default="target/release/vigil")
    a = ap.parse_args()
    try:
        import duckdb
    except ImportError:
        print("needs the duckdb package: pip install duckdb", file=sys.stderr)
        return 2

    # Once to build the columnar cache if it is stale, then the run that is timed.
    cmd = [a.vigil, "--db", a.db, "cohort", "perpetrators", "--lpa", "all", "--as-of", a.as_of,
           "--size", str(SIZE), "--format", "csv", "--timings"]
    subprocess.run(cmd, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    vigil_wall = time.perf_counter() - started
    m = re.search(r"snapshot load ([0-9.]+) s, cohorts of (\d+) areas? ([0-9.]+) s", done.stderr)
    if not m:
        print(f"no timings in: {done.stderr}", file=sys.stderr)
        return 2
    load_s, areas, compute_s = float(m.group(1)), int(m.group(2)), float(m.group(3))
    vigil = {}
    for row in csv.DictReader(io.StringIO(done.stdout)):
        vigil.setdefault(row["lpa"], []).append(row["person_id"])

    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"""CREATE TABLE incidents AS SELECT incident_id, lpa, victim_id, suspect_id,
        CAST(reported_at AS TIMESTAMP) AS reported_at
        FROM read_csv('{a.extract}/incidents.csv', header = true, all_varchar = true)""")
    con.execute(f"""CREATE TABLE offences AS SELECT incident_id, suspect_id, offence_group,
        CAST(recorded_date AS DATE) AS recorded_date
        FROM read_csv('{a.extract}/offences.csv', header = true, all_varchar = true)""")
    duck_load = time.perf_counter() - started
    started = time.perf_counter()
    rows = con.execute(f"""
        WITH w AS (SELECT DATE '{a.as_of}' AS as_of),
        inc AS (
            SELECT i.lpa, i.suspect_id, count(*) AS n, max(CAST(i.reported_at AS DATE)) AS last,
                   count(DISTINCT i.victim_id) AS victims
            FROM incidents i, w
            WHERE coalesce(i.suspect_id, '') <> ''
              AND CAST(i.reported_at AS DATE) BETWEEN w.as_of - 729 AND w.as_of
            GROUP BY 1, 2
        ),
        harm AS (
            SELECT i.lpa, o.suspect_id, sum(CASE o.offence_group
                WHEN 'sexual' THEN 900 WHEN 'violence_with_injury' THEN 150
                WHEN 'coercive_control' THEN 120 WHEN 'stalking_harassment' THEN 90
                WHEN 'violence_without_injury' THEN 30 WHEN 'criminal_damage' THEN 15
                WHEN 'public_order' THEN 10 ELSE 20 END) AS h
            FROM offences o JOIN incidents i USING (incident_id), w
            WHERE coalesce(o.suspect_id, '') <> ''
              AND o.recorded_date BETWEEN w.as_of - 729 AND w.as_of
            GROUP BY 1, 2
        ),
        parts AS (
            SELECT inc.lpa, inc.suspect_id, inc.last,
                CASE WHEN w.as_of - inc.last <= 30 THEN 1.0 WHEN w.as_of - inc.last <= 90 THEN 0.75
                     WHEN w.as_of - inc.last <= 180 THEN 0.5 WHEN w.as_of - inc.last <= 365 THEN 0.25
                     ELSE 0.0 END AS r,
                least(inc.n / 10.0, 1.0) AS f,
                least(coalesce(harm.h, 0) / 1000.0, 1.0) AS g,
                least(inc.victims / 3.0, 1.0) AS v
            FROM inc LEFT JOIN harm USING (lpa, suspect_id), w
        ),
        scored AS (
            SELECT lpa, suspect_id, last,
                100.0 * (0.2 * r + 0.3 * f + 0.35 * g + 0.15 * v) / (0.2 + 0.3 + 0.35 + 0.15) AS score
            FROM parts
        )
        SELECT lpa, suspect_id FROM (
            SELECT lpa, suspect_id, row_number() OVER (
                PARTITION BY lpa ORDER BY CAST(round(score * 1e6) AS BIGINT) DESC, last DESC,
                suspect_id COLLATE "C") AS rank
            FROM scored)
        WHERE rank <= {SIZE}
        ORDER BY lpa, rank
    """).fetchall()
    duck_compute = time.perf_counter() - started
    duck = {}
    for lpa, person in rows:
        duck.setdefault(lpa, []).append(person)

    agree = vigil == duck
    differ = [l for l in sorted(set(vigil) | set(duck)) if vigil.get(l) != duck.get(l)]
    print(f"areas: {areas}; members listed: vigil {sum(map(len, vigil.values()))}, "
          f"duckdb {sum(map(len, duck.values()))}; the cohorts agree: {agree}"
          + (f" (differ in {', '.join(differ[:5])})" if differ else ""))
    print(f"vigil: every area's cohort {compute_s:.3f} s after loading its snapshot ({load_s:.3f} s); "
          f"{vigil_wall:.2f} s end to end")
    print(f"duckdb: loading the CSV files {duck_load:.2f} s; the cohort SQL {duck_compute:.3f} s")
    print(f"ratio vigil / duckdb, compute only: {compute_s / duck_compute:.2f}; "
          f"end to end (vigil) / load + compute (duckdb): {vigil_wall / (duck_load + duck_compute):.2f}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
