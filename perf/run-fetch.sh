#!/usr/bin/env bash
# Fetch benchmark: 10 MB and 100 MB generated feeds downloaded over loopback by the Fetcher.
#
# usage: perf/run-fetch.sh [BUILD_DIR] [--sizes "10 100"] [--seed S]
# Prints figures; never fails on a budget. Feeds are shared with run-ingest.sh (perf/out/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/../build"
sizes="10 100"
seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    -*) echo "usage: $0 [BUILD_DIR] [--sizes \"10 100\"] [--seed S]" >&2; exit 2 ;;
    *) build="$1"; shift ;;
  esac
done
gen="$build/perf/gen_feed"
bench="$build/perf/bench_fetch"
httpd="$build/tests/support/cb_test_httpd"
for x in "$gen" "$bench" "$httpd"; do
  [ -x "$x" ] || { echo "build first: ninja -C $build perf/gen_feed perf/bench_fetch tests/support/cb_test_httpd" >&2; exit 2; }
done
out="$here/out"
mkdir -p "$out"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for mb in $sizes; do
  f="$out/feed-${mb}mb-seed${seed}.ics"
  [ -s "$f" ] || "$gen" --size-mb "$mb" --seed "$seed" --out "$f" >&2
  echo
  "$bench" --httpd "$httpd" "$f"
done
