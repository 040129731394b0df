#!/usr/bin/env python3
"""The Clare's Law right-to-know screen over a whole history: `vigil screen right-to-know`
on a store against DuckDB over the same extract's incidents.csv, the same rule written as
SQL. Prints both times, their ratio, and whether the two lists agree (they must).

Usage: bench/right_to_know_vs_duckdb.py --db STORE --extract DIR [--as-of 2019-08-31]
       [--vigil target/release/vigil]
Needs the ``duckdb`` package (``pip install duckdb``) and a release build of vigil.
"""

import argparse
import csv
import io
import subprocess
import sys
import time


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

    started = time.perf_counter()
    out = subprocess.run(
        [a.vigil, "--db", a.db, "screen", "right-to-know", "--as-of", a.as_of, "--format", "csv"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    vigil_s = time.perf_counter() - started
    vigil_ids = {row["incident_id"] for row in csv.DictReader(io.StringIO(out))}

    started = time.perf_counter()
    con = duckdb.connect()
    rows = con.execute(
        f"""
        WITH p AS (
            SELECT incident_id, victim_id, suspect_id, reported_at
            FROM read_csv('{a.extract}/incidents.csv', header = true, all_varchar = true)
            WHERE relationship IN ('partner', 'ex_partner') AND coalesce(suspect_id, '') <> ''
        )
        SELECT DISTINCT a.incident_id
        FROM p a JOIN p b
          ON a.suspect_id = b.suspect_id AND b.victim_id <> a.victim_id
         AND b.reported_at < a.reported_at
        WHERE a.reported_at <= '{a.as_of}T23:59:59'
        """
    ).fetchall()
    duck_s = time.perf_counter() - started
    duck_ids = {r[0] for r in rows}

    agree = vigil_ids == duck_ids
    print(f"incidents listed: vigil {len(vigil_ids)}, duckdb {len(duck_ids)}; the lists agree: {agree}")
    print(f"vigil screen (from its store): {vigil_s:.2f} s")
    print(f"duckdb (from the extract's CSV): {duck_s:.2f} s")
    print(f"ratio vigil / duckdb: {vigil_s / duck_s:.2f}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
