#!/usr/bin/env bash
# Quick-start wall time: a fresh clone's first `dotnet run --project pipeline -- run all` (restore, build, every
# stage of the default pipeline.yaml, the report), RUNS times, each on its own fresh clone; prints each time and the
# median. Usage: bash benchmarks/quickstart.sh [RUNS=3]. Run it on an otherwise idle machine.
set -euo pipefail
runs=${1:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for i in $(seq 1 "$runs"); do
  git clone -q "$repo" "$work/clone$i"
  cd "$work/clone$i"
  start=$(date +%s.%N)
  dotnet run --project pipeline -- --quiet run all > "$work/run$i.log" 2>&1 || { cat "$work/run$i.log"; exit 1; }
  end=$(date +%s.%N)
  test -f artifacts/report/index.html && test -f artifacts/evaluate/results.md
  t=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
  times+=("$t")
  echo "run $i: ${t} s ($(tail -1 "$work/run$i.log"))"
  cd "$repo"
  rm -rf "$work/clone$i"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "median of $runs: ${median} s on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
