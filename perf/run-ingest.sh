#!/usr/bin/env bash
# Ingest benchmark: generates 10 MB and 100 MB Outlook-style feeds into perf/out/ and runs
# bench_ingest (our engine, then libical whole-file, each in its own process) on each.
#
# usage: perf/run-ingest.sh [BUILD_DIR] [--sizes "10 100"] [--seed S] [--callgrind [MB]]
#   --callgrind [MB]  also run our engine under valgrind --tool=callgrind on an MB-sized feed
#                     (default 10) and print instructions per input byte and the hot spots.
# Prints figures; never fails on a budget. Feeds are kept between runs (same size+seed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/../build"
sizes="10 100"
seed=1
callgrind_mb=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --callgrind)
      callgrind_mb=10
      if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then callgrind_mb="$2"; shift; fi
      shift ;;
    -*) echo "usage: $0 [BUILD_DIR] [--sizes \"10 100\"] [--seed S] [--callgrind [MB]]" >&2; exit 2 ;;
    *) build="$1"; shift ;;
  esac
done
gen="$build/perf/gen_feed"
bench="$build/perf/bench_ingest"
[ -x "$gen" ] && [ -x "$bench" ] || { echo "build first: ninja -C $build perf/gen_feed perf/bench_ingest" >&2; exit 2; }
out="$here/out"
mkdir -p "$out"

feed() {  # feed SIZE_MB -> path (generated once per size and seed)
  local f="$out/feed-${1}mb-seed${seed}.ics"
  [ -s "$f" ] || "$gen" --size-mb "$1" --seed "$seed" --out "$f" >&2
  echo "$f"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for mb in $sizes; do
  f="$(feed "$mb")"
  cat "$f" >/dev/null  # page cache warm for both engines
  echo
  "$bench" "$f"
done

if [ -n "$callgrind_mb" ]; then
  command -v valgrind >/dev/null || { echo "callgrind: valgrind is not installed (apt-get install valgrind)"; exit 0; }
  f="$(feed "$callgrind_mb")"
  cg="$out/callgrind.out"
  echo
  echo "callgrind: our engine on $f (only runOurs is counted)"
  valgrind --tool=callgrind --callgrind-out-file="$cg" --toggle-collect='*runOurs*' \
    "$bench" --engine ours "$f" 2>"$out/callgrind.log" | sed 's/^/  /'
  bytes=$(stat -c %s "$f")
  ir=$(awk '/^totals:/ {print $2}' "$cg")
  [ -n "$ir" ] || ir=$(awk '/^summary:/ {print $2}' "$cg")
  awk -v ir="$ir" -v b="$bytes" 'BEGIN { printf "callgrind: %d instructions for %d bytes = %.2f instructions/byte (budget <= 3)\n", ir, b, ir / b }'
  echo "hot spots (inclusive of nothing, self cost):"
  callgrind_annotate --threshold=95 "$cg" 2>/dev/null | sed -n '/^Ir/,$p' | head -25
fi
