#!/usr/bin/env python3
"""Vigil's performance pack against DuckDB over the same records.

Generates the national synthetic scenario (``--years 1``: about 1.4 million incidents, the
quick run; ``--years 10``: about 15 million), imports it into Vigil's store, exports it as
Parquet, then times in the same run:

* Vigil: loading the columnar snapshot, and computing the force-wide pack
  (``vigil pack --force-only --json --timings``; the pack also computes measures DuckDB is not
  asked for, so the comparison flatters DuckDB);
* DuckDB: loading the Parquet files into typed tables, and computing the same measures by
  SQL written from METRICS.md (window functions and joins, no correlated subqueries).

It prints both sides' times, their ratios, each side's peak memory, and whether the two agree
on every value compared. Needs the ``duckdb`` package (``pip install duckdb``) and a release
build of Vigil (``cargo build --release``).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

AS_OF = "2019-09-01"
WINDOWS = ["2018-09-01..2019-08-31", "2017-09-01..2018-08-31", "2018-04-01..2019-03-31"]
SOLVED = ("1", "1A", "2", "3", "4", "6", "7", "8")
RESOLVED = ("5", "9", "10", "20", "21", "22")


def run(cmd):
    """Runs a command; returns (stdout, stderr, seconds, peak resident memory of that process in KB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        o, e = out.read(), err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{o}\n{e}")
    return o, e, seconds, usage.ru_maxrss


def duckdb_measures(con):
    q = lambda sql: con.execute(sql).fetchall()
    m = {}
    as_of = f"DATE '{AS_OF}'"
    m["da_offences"] = {k: float(v) for k, v in q(
        f"SELECT strftime(recorded_date, '%Y-%m'), count(*) FROM offences WHERE recorded_date <= {as_of} GROUP BY 1")}
    m["non_crime_incidents"] = {k: float(v) for k, v in q(f"""
        SELECT strftime(i.reported_at, '%Y-%m'), count(*) FROM incidents i
        WHERE i.reported_at < {as_of} + INTERVAL 1 DAY
          AND NOT EXISTS (SELECT 1 FROM offences o WHERE o.incident_id = i.incident_id)
        GROUP BY 1""")}
    m["arrests"] = {k: float(v) for k, v in q(
        f"SELECT strftime(arrested_at, '%Y-%m'), count(*) FROM arrests WHERE arrested_at < {as_of} + INTERVAL 1 DAY GROUP BY 1")}
    m["solved_outcomes"] = {k: float(v) for k, v in q(f"""
        SELECT strftime(outcome_date, '%Y-%m'), count(*) FROM offences
        WHERE outcome_code IN {SOLVED} AND outcome_date <= {as_of} GROUP BY 1""")}
    m["resolved_outcomes"] = {k: float(v) for k, v in q(f"""
        SELECT strftime(outcome_date, '%Y-%m'), count(*) FROM offences
        WHERE outcome_code IN {RESOLVED} AND outcome_date <= {as_of} GROUP BY 1""")}
    m["outcome_16"] = {k: float(v) for k, v in q(f"""
        SELECT strftime(outcome_date, '%Y-%m'), count(*) FROM offences
        WHERE outcome_code = '16' AND outcome_date <= {as_of} GROUP BY 1""")}
    m["days_to_finalise"] = {k: v for k, v in q(f"""
        SELECT strftime(outcome_date, '%Y-%m'), avg(outcome_date - recorded_date) FROM offences
        WHERE outcome_code IS NOT NULL AND outcome_date <= {as_of} GROUP BY 1""")}
    m["response_on_target"] = {k: v for k, v in q(f"""
        SELECT strftime(reported_at, '%Y-%m'), avg(CASE WHEN response_target_met THEN 1.0 ELSE 0.0 END)
        FROM incidents WHERE call_grade = 'emergency' AND response_target_met IS NOT NULL
          AND reported_at < {as_of} + INTERVAL 1 DAY GROUP BY 1""")}
    m["repeat_incident_rate"] = {k: v for k, v in q(f"""
        WITH prior AS (
            SELECT reported_at,
                   count(*) OVER (PARTITION BY victim_id ORDER BY reported_at
                       RANGE BETWEEN INTERVAL 365 DAYS PRECEDING AND INTERVAL 1 MICROSECOND PRECEDING) AS earlier
            FROM incidents)
        SELECT strftime(reported_at, '%Y-%m'), avg(CASE WHEN earlier > 0 THEN 1.0 ELSE 0.0 END)
        FROM prior WHERE reported_at < {as_of} + INTERVAL 1 DAY GROUP BY 1""")}
    for w in WINDOWS:
        a, b = w.split("..")
        in_w = lambda col: f"{col} >= DATE '{a}' AND {col} < DATE '{b}' + INTERVAL 1 DAY"
        (share,) = q(f"""
            SELECT avg(CASE WHEN c.incident_id IS NOT NULL THEN 1.0 ELSE 0.0 END)
            FROM incidents i LEFT JOIN (SELECT DISTINCT incident_id FROM offences) c USING (incident_id)
            WHERE {in_w('i.reported_at')}""")[0]
        m[f"crime_incident_share {w}"] = share
        (rel,) = q(f"""SELECT avg(CASE WHEN relationship IN ('partner', 'ex_partner') THEN 1.0 ELSE 0.0 END)
                      FROM incidents WHERE {in_w('reported_at')}""")[0]
        m[f"relationship_share {w}"] = rel
        (solved, recorded) = q(f"""
            SELECT (SELECT count(*) FROM offences WHERE outcome_code IN {SOLVED} AND {in_w('outcome_date')} AND outcome_date <= {as_of}),
                   (SELECT count(*) FROM offences WHERE {in_w('recorded_date')})""")[0]
        m[f"solved_rate {w}"] = solved / recorded if recorded else None
        (pos,) = q(f"""SELECT avg(CASE WHEN outcome_code IN {SOLVED} AND outcome_date <= {as_of} THEN 1.0 ELSE 0.0 END)
                      FROM offences WHERE {in_w('recorded_date')}""")[0]
        m[f"positive_outcome_rate {w}"] = pos
        (idva,) = q(f"""
            WITH high AS (SELECT incident_id, victim_id, reported_at FROM incidents
                          WHERE risk_level = 'high' AND {in_w('reported_at')}),
                 idva AS (SELECT person_id, referred_at FROM referrals WHERE kind = 'idva' AND referred_at < {as_of} + INTERVAL 1 DAY),
                 hit AS (SELECT DISTINCT h.incident_id FROM high h JOIN idva r ON r.person_id = h.victim_id
                         AND r.referred_at >= h.reported_at AND r.referred_at <= h.reported_at + INTERVAL 28 DAYS)
            SELECT (SELECT count(*) FROM hit) * 1.0 / nullif((SELECT count(*) FROM high), 0)""")[0]
        m[f"idva_referral_rate {w}"] = idva
    return m


def vigil_measures(pack):
    f = pack["force"]
    m = {
        "da_offences": f["da_offences"],
        "non_crime_incidents": f["non_crime_incidents"],
        "arrests": f["arrests"],
        "solved_outcomes": f["solved_outcomes"],
        "resolved_outcomes": f["resolved_outcomes"],
        "outcome_16": f["outcome_series"]["16"],
        "days_to_finalise": f["days_to_finalise"],
        "response_on_target": f["response_on_target"],
        "repeat_incident_rate": f["repeat_incident_rate"],
    }
    for w in WINDOWS:
        a, b = w.split("..")
        m[f"crime_incident_share {w}"] = f["crime_incident_share"][f"{a}..{b}"]
        m[f"relationship_share {w}"] = f["relationship_share"][f"{a}..{b}"]
        m[f"solved_rate {w}"] = f["solved_rate"][f"{a}..{b}"]
        m[f"positive_outcome_rate {w}"] = f["positive_outcome_rate"][f"{a}..{b}"]["rate"]
        m[f"idva_referral_rate {w}"] = f["idva_referral_rate"][f"{a}..{b}"]["rate"]
    return m


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def compare(v, d):
    disagreements = []
    for name, value in v.items():
        other = d.get(name)
        if isinstance(value, dict):
            # Vigil's monthly series cover the complete months up to as_of (METRICS.md); the
            # SQL also returns the partial month of as_of itself, which is not compared.
            for month in sorted(value):
                x, y = value.get(month), (other or {}).get(month)
                # A month with nothing in it is 0 (or null for a mean) on Vigil's side and absent in SQL.
                if y is None and x in (0, 0.0, None):
                    continue
                if not same(x, y):
                    disagreements.append(f"{name} {month}: vigil {x}, duckdb {y}")
        elif not same(value, other):
            disagreements.append(f"{name}: vigil {value}, duckdb {other}")
    return disagreements


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=int, default=1, help="years of the national scenario (1 quick, 10 full)")
    ap.add_argument("--vigil", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "vigil"))
    ap.add_argument("--work", help="working folder (default: a temporary one, removed afterwards)")
    args = ap.parse_args()
    try:
        import duckdb
    except ImportError:
        sys.exit("this benchmark needs DuckDB: pip install duckdb")
    vigil = os.path.abspath(args.vigil)
    if not os.path.exists(vigil):
        sys.exit(f"{vigil} not found: build it with cargo build --release")
    work = args.work or tempfile.mkdtemp(prefix="vigil-bench-")
    extract, parquet, db = (os.path.join(work, x) for x in ("extract", "parquet", "bench.db"))
    print(f"working in {work}", flush=True)
    if not os.path.exists(os.path.join(extract, "manifest.json")):
        _, _, secs, _ = run([vigil, "synth", "--scenario", "national", "--years", str(args.years), "--out", extract])
        print(f"generated the national scenario ({args.years} years) in {secs:.1f} s", flush=True)
    if not os.path.exists(db):
        out, _, secs, _ = run([vigil, "--db", db, "import", extract])
        print(f"imported into Vigil's store in {secs:.1f} s: {out.strip().splitlines()[-1].strip()}", flush=True)
        _, _, secs, _ = run([vigil, "--db", db, "export", parquet, "--format", "parquet"])
        print(f"exported Parquet in {secs:.1f} s", flush=True)

    # Vigil: snapshot load and measures, as the binary reports them, and its peak memory.
    # A first run makes sure the columnar cache is current (import writes it; an older
    # cache format is rebuilt); the second is measured.
    run([vigil, "--db", db, "pack", "--force-only", "--json"])
    out, err, wall, peak = run([vigil, "--db", db, "pack", "--force-only", "--json", "--timings"])
    line = [l for l in err.splitlines() if l.startswith("snapshot load")][-1]
    v_load = float(line.split()[2])
    v_measures = float(line.split("measures")[1].split()[0])
    pack = json.loads(out)

    # DuckDB: load typed tables from the Parquet files, then the measures.
    con = duckdb.connect()
    start = time.perf_counter()
    for t in ("incidents", "offences", "arrests", "referrals"):
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet('{os.path.join(parquet, t + '.parquet')}')")
    d_load = time.perf_counter() - start
    start = time.perf_counter()
    d = duckdb_measures(con)
    d_measures = time.perf_counter() - start
    d_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    incidents = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    disagreements = compare(vigil_measures(pack), d)
    print()
    print(f"national scenario, {args.years} year(s): {incidents:,} incidents")
    print(f"{'':24}{'Vigil':>12}{'DuckDB':>12}{'DuckDB / Vigil':>18}")
    print(f"{'load':24}{v_load:>11.3f}s{d_load:>11.3f}s{d_load / max(v_load, 1e-9):>17.1f}x")
    print(f"{'measures':24}{v_measures:>11.3f}s{d_measures:>11.3f}s{d_measures / max(v_measures, 1e-9):>17.1f}x")
    print(f"{'peak memory':24}{peak / 1024:>10.0f}MB{d_peak / 1024:>10.0f}MB")
    print(f"vigil pack wall time {wall:.2f} s (process start, cache read, all measures, JSON)")
    compared = sum(len(x) if isinstance(x, dict) else 1 for x in vigil_measures(pack).values())
    if disagreements:
        print(f"DISAGREE on {len(disagreements)} of {compared} values:")
        for line in disagreements[:20]:
            print("  " + line)
        sys.exit(1)
    print(f"agree on all {compared} values compared")


if __name__ == "__main__":
    main()
