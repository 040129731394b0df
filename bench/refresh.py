#!/usr/bin/env python3
"""How soon a saved incident reaches the pack, against rebuilding the snapshot.

Over a SQLite store (work on a copy: this adds incidents and two users to it), it starts
``vigil serve``, asks ``/api/v1/pack`` until the server holds the snapshot, then several
times saves an incident through ``POST /api/v1/incidents`` and asks for the pack again,
reading the snapshot's source and time from the response's ``Server-Timing`` header (the
server patches its snapshot with the rows changed since). Then it times the fallback, a
rebuild of the snapshot from every record (``vigil pack --force-only --timings`` with the
cache removed), and prints both and their ratio.

    python3 bench/refresh.py --db copy-of-essex.db
"""

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request

PASSWORD = b"bench refresh passphrase\n"


def vigil(args, *cmd, stdin=None):
    return subprocess.run([args.vigil, "--db", args.db, *cmd], input=stdin, capture_output=True)


def call(url, token, body=None):
    req = urllib.request.Request(url, method="POST" if body else "GET")
    req.add_header("Authorization", f"Bearer {token}")
    if body:
        req.add_header("Content-Type", "application/json")
        req.data = json.dumps(body).encode()
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=3600) as r:
        data = r.read()
        timing = r.headers.get("server-timing", "")
    return json.loads(data), timing, time.perf_counter() - start


def snapshot_timing(header):
    """('patched', 12.3) from 'snapshot;desc="patched";dur=12.3, measures;dur=…'."""
    part = header.split(",")[0]
    desc = part.split('desc="')[1].split('"')[0]
    dur = float(part.split("dur=")[1])
    return desc, dur


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a SQLite store (a copy: incidents are added to it)")
    ap.add_argument("--vigil", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "vigil"))
    ap.add_argument("--saves", type=int, default=5, help="incidents to save (default 5)")
    ap.add_argument("--port", type=int, default=18089)
    ap.add_argument("--no-rebuild", action="store_true", help="skip timing the rebuild (minutes on a national store)")
    args = ap.parse_args()
    args.vigil = os.path.abspath(args.vigil)
    if not os.path.exists(args.vigil):
        sys.exit(f"{args.vigil} not found: build it with cargo build --release")
    with sqlite3.connect(args.db) as db:
        (lpa,) = db.execute("SELECT lpa FROM incidents LIMIT 1").fetchone()
        (incidents,) = db.execute("SELECT count(*) FROM incidents").fetchone()
        (as_of,) = db.execute("SELECT as_of FROM extract_info").fetchone()
    for user, role in (("bench-analyst", "analyst"), ("bench-officer", "response_officer")):
        vigil(args, "user", "add", user, "--role", role, "--name", user, stdin=PASSWORD)
    token = lambda u: vigil(args, "user", "token", u, "--hours", "2").stdout.decode().strip()
    analyst, officer = token("bench-analyst"), token("bench-officer")
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [args.vigil, "--db", args.db, "serve", "--bind", f"127.0.0.1:{args.port}", "--clock", f"{as_of}T09:00:00Z"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.5)
        pack_url = f"{base}/api/v1/pack"
        _, first, first_wall = call(pack_url, analyst)
        _, held, _ = call(pack_url, analyst)
        print(f"{incidents:,} incidents; first pack {first_wall:.2f} s ({snapshot_timing(first)[0]}), then {snapshot_timing(held)}")
        patched = []
        for i in range(args.saves):
            body = {
                "call_grade": "priority", "reported_at": f"{as_of}T08:{10 + i:02}", "lpa": lpa,
                "victim": {"family_name": f"Benchmark{i}", "given_names": "Refresh", "sex": "female", "birth_date": "1990-01-01"},
                "suspect": {"family_name": f"Benchsuspect{i}", "given_names": "Refresh", "sex": "male"},
                "relationship": "partner", "children_present": False, "confirm_new_people": True,
                "dash": {"answers": ["no"] * 27},
            }
            call(f"{base}/api/v1/incidents", officer, body)
            _, timing, wall = call(pack_url, analyst)
            desc, dur = snapshot_timing(timing)
            if desc != "patched":
                sys.exit(f"the pack after a save was not patched: {timing}")
            patched.append((dur, wall))
            print(f"  save {i + 1}: snapshot patched in {dur:.1f} ms; the pack request {wall * 1000:.0f} ms")
    finally:
        server.terminate()
        server.wait()
    median = statistics.median(d for d, _ in patched)
    print()
    print(f"snapshot after a save, patched (median of {len(patched)}): {median:.1f} ms")
    if args.no_rebuild:
        return
    cache = args.db + ".snapshot"
    if os.path.exists(cache):
        os.remove(cache)
    out = vigil(args, "pack", "--force-only", "--json", "--timings")
    line = [l for l in out.stderr.decode().splitlines() if l.startswith("snapshot load")][-1]
    rebuild = float(line.split()[2])
    print(f"snapshot rebuilt from every record: {rebuild * 1000:.0f} ms")
    print(f"rebuild / patch: {rebuild * 1000 / max(median, 1e-6):.0f}x")


if __name__ == "__main__":
    main()
