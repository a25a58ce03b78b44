#!/usr/bin/env bash
# Fails when a C++ file under the source root is not formatted per .clang-format.
set -euo pipefail
root=${1:-.}
cd "$root"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find daemon render ics hal layouts tests perf -name '*.[ch]pp')
[ ${#files[@]} -gt 0 ] || { echo "no C++ files found"; exit 1; }
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files formatted"
