#!/usr/bin/env bash
# Import throughput and peak memory on each backend, for an extract of any size:
#
#   bench/import.sh EXTRACT_DIR [POSTGRES_URL_OF_AN_EMPTY_DATABASE]
#
# e.g. the national scenario (68 million rows, 7.5 GB of CSV):
#   target/release/vigil synth --scenario national --years 10 --out /tmp/national
#   bench/import.sh /tmp/national postgres://vigil@127.0.0.1:5432/national
#
# Imports into a new SQLite file (in a temporary folder) and, given a URL, into that
# PostgreSQL database, with GNU time measuring the peak resident memory. Prints rows, wall
# time, rows a second and peak memory for each. Needs GNU time (apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
extract=${1:?usage: bench/import.sh EXTRACT_DIR [POSTGRES_URL]}
pg=${2:-}
[ -x /usr/bin/time ] || { echo "bench/import.sh needs GNU time: apt-get install -y time" >&2; exit 1; }
cargo build --release -q -p vigil
bin=$PWD/target/release/vigil
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

run() {
  local name=$1 db=$2
  echo "== $name"
  /usr/bin/time -v -o "$tmp/time.$name" "$bin" --db "$db" import "$extract" | tail -1
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.2f GB", $2 / 1048576}' "$tmp/time.$name")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time.$name")
  echo "$name: wall $wall, peak resident $rss"
}

run sqlite "$tmp/import.db"
if [ -n "$pg" ]; then
  run postgres "$pg"
fi
