#!/usr/bin/env bash
# A short load test on loopback: requests a second and latency percentiles for a team queue
# page (the DAIT's, every area: the largest queue, 50 to a page with its true total), for
# intake (the HTML form with a full DASH, a new victim and suspect, routing, the case's
# tasks), for the work list the intakes filled (the response team's open tasks, a page
# with its total), and for the force's outstanding suspects (every team and area, a page
# with its total), against `vigil serve` over the synthetic essex-2019 store, measured with
# wrk.
#
#   bench/load.sh [SECONDS] [CONNECTIONS]      # defaults: 20 s, 16 connections
#   VIGIL_LOAD_DB=postgres://user@host/emptydb bench/load.sh   # the same on PostgreSQL
#
# VIGIL_LOAD_DB names an empty database to seed and serve instead of a temporary SQLite
# file (it is left seeded afterwards).
#
# Needs wrk (apt-get install wrk) and curl. On a 2-core machine wrk and the server share the
# cores, so the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
conns=${2:-16}
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench/load.sh needs $tool: apt-get install -y $tool" >&2; exit 1; }
done
cargo build --release -q -p vigil
bin=$PWD/target/release/vigil
tmp=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
db=${VIGIL_LOAD_DB:-$tmp/load.db}
echo "== seeding the synthetic essex-2019 store ($( [ -n "${VIGIL_LOAD_DB:-}" ] && echo PostgreSQL || echo SQLite))"
"$bin" --db "$db" demo --no-serve >/dev/null
password="lantern orbit velvet"
echo "$password" | "$bin" --db "$db" user add load.dait --role dait_investigator --name "Load DAIT" >/dev/null
echo "$password" | "$bin" --db "$db" user add load.officer --role response_officer --name "Load officer" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$bin" --db "$db" serve --bind "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -s -o /dev/null "$base/sign-in" && break; sleep 0.1; done

# Signs in as $1 and sets COOKIE and CSRF (the session's form token).
sign_in() {
  local jar=$tmp/jar.$1 token
  token=$(curl -s -c "$jar" "$base/sign-in" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=$1" --data-urlencode "password=$password" --data-urlencode "csrf=$token" "$base/sign-in"
  COOKIE="vigil_session=$(awk '$6 == "vigil_session" {print $7}' "$jar")"
  CSRF=$(curl -s -H "Cookie: $COOKIE" "$base/" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
}

sign_in load.dait
items=$(curl -s -H "Cookie: $COOKIE" "$base/api/v1/queues/dait?lpa=all" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "== queue page: GET /queues/dait (the whole queue: $items cases, 50 to a page), $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $COOKIE" "$base/queues/dait" | sed -n '/Latency Distribution/,/Requests\/sec/p'

sign_in load.officer
echo "== intake: POST /incidents (new victim and suspect, 27 DASH answers), $conns connections, ${secs}s"
VIGIL_COOKIE=$COOKIE VIGIL_CSRF=$CSRF wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/intake.lua "$base/incidents" | sed -n '/Latency Distribution/,$p' | grep -v "Transfer/sec"

total=$(curl -s -H "Cookie: $COOKIE" "$base/api/v1/tasks?owner=team" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "== work list: GET /tasks?owner=team (the team's open tasks: $total, 50 to a page), $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $COOKIE" "$base/tasks?owner=team" | sed -n '/Latency Distribution/,/Requests\/sec/p'

sign_in load.dait
total=$(curl -s -H "Cookie: $COOKIE" "$base/api/v1/suspects?team=all&lpa=all" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "== outstanding suspects: GET /suspects?team=all&lpa=all (the force's list: $total, 50 to a page), $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $COOKIE" "$base/suspects?team=all&lpa=all" | sed -n '/Latency Distribution/,/Requests\/sec/p'
# Concurrent writers must have kept the audit trail's hash chain whole.
"$bin" --db "$db" audit --verify
