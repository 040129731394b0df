#!/usr/bin/env python3
"""Vigil's performance pack against DuckDB over the same records.

Generates the national synthetic scenario (``--years 1``: about 1.4 million incidents, the
quick run; ``--years 10``: about 15 million), imports it into Vigil's store, exports it as
Parquet, then times in the same run:

* Vigil: loading the columnar snapshot, and computing the force-wide pack
  (``vigil pack --force-only --json --timings``; the pack also computes measures DuckDB is not
  asked for, so the comparison flatters DuckDB);
* DuckDB: loading the Parquet files into typed tables, and computing the same measures by
  SQL written from METRICS.md (window functions and joins, no correlated subqueries);
* Vigil's full pack (every area and risk level, and the cohorts) against DuckDB computing the
  same measures grouped by area.

It prints both sides' times, their ratios (end to end, force-wide and by area), the full pack's
time over the force-wide one, each side's peak memory, and whether the two agree on every
value compared. Needs the ``duckdb`` package (``pip install duckdb``) and a release
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


def duckdb_measures(con, by_area=False):
    """Every compared measure by SQL. With ``by_area``, each grouped by Local Policing Area as
    well: offences take their incident's area; arrests and referrals their incident's, else
    their person's (as Vigil's snapshot does); a victim's earlier incidents count in any area.
    Keys are months (or windows) for the force, and (area, month) pairs by area."""
    q = lambda sql: con.execute(sql).fetchall()
    g = "lpa, " if by_area else ""
    key = (lambda row: (row[0], row[1])) if by_area else (lambda row: row[0])
    val = lambda row: row[-1]
    series = lambda sql, f=float: {key(r): (f(val(r)) if val(r) is not None else None) for r in q(sql)}
    # Where each row counts: the tables as loaded for the force; joined to their area by area.
    if by_area:
        off = "(SELECT o.*, i.lpa FROM offences o JOIN incidents i USING (incident_id))"
        arr = """(SELECT a.*, coalesce(i.lpa, p.lpa) AS lpa FROM arrests a
                  LEFT JOIN incidents i USING (incident_id) LEFT JOIN persons p ON p.person_id = a.person_id)"""
        ref = """(SELECT r.*, coalesce(i.lpa, p.lpa) AS lpa FROM referrals r
                  LEFT JOIN incidents i USING (incident_id) LEFT JOIN persons p ON p.person_id = r.person_id)"""
    else:
        off, arr, ref = "offences", "arrests", "referrals"
    m = {}
    as_of = f"DATE '{AS_OF}'"
    m["da_offences"] = series(
        f"SELECT {g}strftime(recorded_date, '%Y-%m'), count(*) FROM {off} WHERE recorded_date <= {as_of} GROUP BY ALL")
    m["non_crime_incidents"] = series(f"""
        SELECT {g}strftime(i.reported_at, '%Y-%m'), count(*) FROM incidents i
        WHERE i.reported_at < {as_of} + INTERVAL 1 DAY
          AND NOT EXISTS (SELECT 1 FROM offences o WHERE o.incident_id = i.incident_id)
        GROUP BY ALL""")
    m["arrests"] = series(
        f"SELECT {g}strftime(arrested_at, '%Y-%m'), count(*) FROM {arr} WHERE arrested_at < {as_of} + INTERVAL 1 DAY GROUP BY ALL")
    m["solved_outcomes"] = series(f"""
        SELECT {g}strftime(outcome_date, '%Y-%m'), count(*) FROM {off}
        WHERE outcome_code IN {SOLVED} AND outcome_date <= {as_of} GROUP BY ALL""")
    m["resolved_outcomes"] = series(f"""
        SELECT {g}strftime(outcome_date, '%Y-%m'), count(*) FROM {off}
        WHERE outcome_code IN {RESOLVED} AND outcome_date <= {as_of} GROUP BY ALL""")
    m["outcome_16"] = series(f"""
        SELECT {g}strftime(outcome_date, '%Y-%m'), count(*) FROM {off}
        WHERE outcome_code = '16' AND outcome_date <= {as_of} GROUP BY ALL""")
    m["days_to_finalise"] = series(f"""
        SELECT {g}strftime(outcome_date, '%Y-%m'), avg(outcome_date - recorded_date) FROM {off}
        WHERE outcome_code IS NOT NULL AND outcome_date <= {as_of} GROUP BY ALL""")
    m["response_on_target"] = series(f"""
        SELECT {g}strftime(reported_at, '%Y-%m'), avg(CASE WHEN response_target_met THEN 1.0 ELSE 0.0 END)
        FROM incidents WHERE call_grade = 'emergency' AND response_target_met IS NOT NULL
          AND reported_at < {as_of} + INTERVAL 1 DAY GROUP BY ALL""")
    m["repeat_incident_rate"] = series(f"""
        WITH prior AS (
            SELECT lpa, reported_at,
                   count(*) OVER (PARTITION BY victim_id ORDER BY reported_at
                       RANGE BETWEEN INTERVAL 365 DAYS PRECEDING AND INTERVAL 1 MICROSECOND PRECEDING) AS earlier
            FROM incidents)
        SELECT {g}strftime(reported_at, '%Y-%m'), avg(CASE WHEN earlier > 0 THEN 1.0 ELSE 0.0 END)
        FROM prior WHERE reported_at < {as_of} + INTERVAL 1 DAY GROUP BY ALL""")
    for w in WINDOWS:
        a, b = w.split("..")
        in_w = lambda col: f"{col} >= DATE '{a}' AND {col} < DATE '{b}' + INTERVAL 1 DAY"
        one = lambda sql: ({r[0]: r[-1] for r in q(sql)} if by_area else q(sql)[0][-1])
        m[f"crime_incident_share {w}"] = one(f"""
            SELECT {g}avg(CASE WHEN c.incident_id IS NOT NULL THEN 1.0 ELSE 0.0 END)
            FROM incidents i LEFT JOIN (SELECT DISTINCT incident_id FROM offences) c USING (incident_id)
            WHERE {in_w('i.reported_at')} GROUP BY ALL""")
        m[f"relationship_share {w}"] = one(f"""
            SELECT {g}avg(CASE WHEN relationship IN ('partner', 'ex_partner') THEN 1.0 ELSE 0.0 END)
            FROM incidents WHERE {in_w('reported_at')} GROUP BY ALL""")
        m[f"solved_rate {w}"] = one(f"""
            WITH solved AS (SELECT {g}count(*) AS n FROM {off}
                            WHERE outcome_code IN {SOLVED} AND {in_w('outcome_date')} AND outcome_date <= {as_of} GROUP BY ALL),
                 recorded AS (SELECT {g}count(*) AS n FROM {off} WHERE {in_w('recorded_date')} GROUP BY ALL)
            SELECT {'r.lpa, ' if by_area else ''}coalesce(s.n, 0) * 1.0 / nullif(r.n, 0)
            FROM recorded r {'LEFT JOIN solved s USING (lpa)' if by_area else ', solved s'}""")
        m[f"positive_outcome_rate {w}"] = one(f"""
            SELECT {g}avg(CASE WHEN outcome_code IN {SOLVED} AND outcome_date <= {as_of} THEN 1.0 ELSE 0.0 END)
            FROM {off} WHERE {in_w('recorded_date')} GROUP BY ALL""")
        m[f"idva_referral_rate {w}"] = one(f"""
            WITH high AS (SELECT incident_id, lpa, victim_id, reported_at FROM incidents
                          WHERE risk_level = 'high' AND {in_w('reported_at')}),
                 idva AS (SELECT person_id, referred_at FROM referrals WHERE kind = 'idva' AND referred_at < {as_of} + INTERVAL 1 DAY),
                 hit AS (SELECT DISTINCT h.incident_id FROM high h JOIN idva r ON r.person_id = h.victim_id
                         AND r.referred_at >= h.reported_at AND r.referred_at <= h.reported_at + INTERVAL 28 DAYS)
            SELECT {'h.lpa, ' if by_area else ''}avg(CASE WHEN hit.incident_id IS NOT NULL THEN 1.0 ELSE 0.0 END)
            FROM high h LEFT JOIN hit USING (incident_id) GROUP BY ALL""")
    return m


def vigil_area_measures(pack):
    """Vigil's measures by area, keyed as ``duckdb_measures(by_area=True)`` keys them."""
    out = {}
    for lpa, measures in pack["by_lpa"].items():
        for name, value in vigil_measures({"force": measures}).items():
            if isinstance(value, dict):
                out.setdefault(name, {}).update({(lpa, k): v for k, v in value.items()})
            else:
                out.setdefault(name, {})[lpa] = value
    return out


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
    # cache format is rebuilt); the second is measured. Then the full pack: every area and
    # risk level, and the cohorts.
    run([vigil, "--db", db, "pack", "--force-only", "--json"])

    def vigil_pack(*extra):
        out, err, wall, peak = run([vigil, "--db", db, "pack", "--json", "--timings", *extra])
        line = [l for l in err.splitlines() if l.startswith("snapshot load")][-1]
        load = float(line.split()[2])
        measures = float(line.split("measures")[1].split()[0])
        return json.loads(out), load, measures, wall, peak

    pack, v_load, v_measures, wall, peak = vigil_pack("--force-only")
    full, f_load, f_measures, f_wall, f_peak = vigil_pack()

    # DuckDB: load typed tables from the Parquet files, then the measures; then the persons
    # (an arrest or referral with no incident counts in its person's area) and the same
    # measures by area.
    con = duckdb.connect()
    load_table = lambda t: con.execute(
        f"CREATE TABLE {t} AS SELECT * FROM read_parquet('{os.path.join(parquet, t + '.parquet')}')")
    start = time.perf_counter()
    for t in ("incidents", "offences", "arrests", "referrals"):
        load_table(t)
    d_load = time.perf_counter() - start
    start = time.perf_counter()
    d = duckdb_measures(con)
    d_measures = time.perf_counter() - start
    start = time.perf_counter()
    load_table("persons")
    d_area_load = time.perf_counter() - start
    start = time.perf_counter()
    d_area = duckdb_measures(con, by_area=True)
    d_area_measures = time.perf_counter() - start
    d_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    incidents = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    areas = len(full["by_lpa"])
    disagreements = compare(vigil_measures(pack), d) + compare(vigil_area_measures(full), d_area)
    v_force, d_force = v_load + v_measures, d_load + d_measures
    v_full, d_full = f_load + f_measures, d_load + d_area_load + d_area_measures
    ratio = lambda a, b: f"{a / max(b, 1e-9):>17.1f}x"
    print()
    print(f"national scenario, {args.years} year(s): {incidents:,} incidents, {areas} areas")
    print(f"{'':32}{'Vigil':>12}{'DuckDB':>12}{'DuckDB / Vigil':>18}")
    print(f"{'force: load':32}{v_load:>11.3f}s{d_load:>11.3f}s{ratio(d_load, v_load)}")
    print(f"{'force: measures':32}{v_measures:>11.3f}s{d_measures:>11.3f}s{ratio(d_measures, v_measures)}")
    print(f"{'force: end to end':32}{v_force:>11.3f}s{d_force:>11.3f}s{ratio(d_force, v_force)}")
    print(f"{'by area: end to end':32}{v_full:>11.3f}s{d_full:>11.3f}s{ratio(d_full, v_full)}")
    print(f"  (Vigil's full pack also has every risk level and the cohorts; DuckDB's, the areas only)")
    print(f"{'full pack / force-wide pack':32}{v_full / max(v_force, 1e-9):>11.2f}x{d_full / max(d_force, 1e-9):>11.2f}x")
    print(f"{'peak memory':32}{max(peak, f_peak) / 1024:>10.0f}MB{d_peak / 1024:>10.0f}MB")
    print(f"vigil pack wall time {wall:.2f} s force-wide, {f_wall:.2f} s full (process start, cache read, measures, JSON)")
    compared = sum(len(x) if isinstance(x, dict) else 1 for x in vigil_measures(pack).values())
    compared += sum(len(x) for x in vigil_area_measures(full).values())
    if disagreements:
        print(f"DISAGREE on {len(disagreements)} of {compared} values:")
        for line in disagreements[:20]:
            print("  " + line)
        sys.exit(1)
    print(f"agree on all {compared} values compared (force-wide and by area)")


if __name__ == "__main__":
    main()
