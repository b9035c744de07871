#!/usr/bin/env bash
# Time one cold `make book` end to end (issue 18's budget): a fresh clone of HEAD, a fresh
# virtualenv, an empty run store, decoded-data cache and execution cache; nothing reused.
#
#   tools/time_cold_build.sh [DIR]        # default: ../coldbuild next to this checkout
#
# DIR must sit beside this checkout's parent's `shared/` (the Makefile finds ../shared/data).
# Each invocation is one timed segment, appended to DIR/timing.log; when a session stops the
# build midway, run the same command again: the runs already stored are kept, an interrupted
# run resumes from its checkpoint, and the log's total is the sum of the segments (the work
# lost to an interruption, at most one evaluation interval per run, is counted twice).
# Run it on an otherwise idle machine: a time taken beside another sweep is not a measurement.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$(dirname "$here")/coldbuild}"

if [ ! -d "$dir/repo" ]; then
  mkdir -p "$dir"
  git clone -q "$here" "$dir/repo"
  echo "# cold build of $(git -C "$dir/repo" rev-parse --short HEAD), $(nproc) cores" >> "$dir/timing.log"
fi
export GANCOND_RUNS="$dir/runs" GANCOND_CACHE="$dir/cache"
unset GANCOND_SCALE GANCOND_RESULTS
if [ -d "$here/../shared/data" ] && [ -z "${GANCOND_DATA:-}" ]; then
  GANCOND_DATA="$(cd "$here/../shared/data" && pwd)"
  export GANCOND_DATA
fi

t0=$(date +%s)
set +e
(cd "$dir/repo" && make book) > "$dir/segment-$t0.log" 2>&1
rc=$?
set -e
t1=$(date +%s)
echo "segment $(date -u -d @"$t0" +%FT%TZ) $((t1 - t0)) s rc=$rc" >> "$dir/timing.log"
total=$(awk '/^segment/ {s += $3} END {print s}' "$dir/timing.log")
echo "make book: rc=$rc, this segment $((t1 - t0)) s; all segments $total s ($((total / 60)) min); log $dir/segment-$t0.log"
exit $rc
