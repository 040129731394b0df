#!/usr/bin/env bash
# Times the board report for the essex-2019 scenario end to end (process start, snapshot
# from the columnar cache, pack, HTML), over five runs, and the PDF when Chromium is
# installed. Usage: bench/report.sh [DB]  (default: a fresh demo store in a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p vigil
vigil=target/release/vigil
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=${1:-$work/essex.db}
[ -f "$db" ] || "$vigil" --db "$db" demo --no-serve > /dev/null
ms() { echo $(( ($2 - $1) / 1000000 )); }
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$vigil" --db "$db" report --out "$work/report.html" > /dev/null
  echo "report run $i: $(ms "$start" "$(date +%s%N)") ms"
done
if command -v chromium > /dev/null; then
  start=$(date +%s%N)
  "$vigil" --db "$db" report --out "$work/report.html" --pdf "$work/report.pdf" > /dev/null
  echo "report with PDF: $(ms "$start" "$(date +%s%N)") ms"
fi
