#!/bin/sh
# world-scale.sh - the world simulation at scale (issue 12): the stdlib model
# on the generated world of 1,000 clusters, 1995..2025, with 1,000 runs -
# 845 million numbers, 6.8 GB as a matrix of doubles, more than the Monte
# Carlo keeps in memory (CLUSIM_RUNS_MEMORY, default 1G): the runs' rows go
# to a temporary file and the statistics read it back by blocks.  The target:
# under 2 GB peak memory, with the same percentiles as in memory.
#
# Usage: sh bench/world-scale.sh CLUSIM_BINARY [JOBS...]     (default JOBS: 2)
#
# For each JOBS it runs `CLUSIM --jobs JOBS bench.clu` once under
# /usr/bin/time -f '%e %M' and prints the wall-clock time, the peak RSS (of
# the largest single process: the parent or one worker) and the 7 totals the
# bench prints.  With several JOBS the totals must be equal (exit status 1
# otherwise).  SCALE_CLUSTERS (1000) and SCALE_RUNS (1000) change the world;
# SCALE_DIR (bench/results/scale) is where it is generated, once (again when
# gen.py is newer).  TMPDIR is where the temporary file goes: it needs about
# CLUSTERS x 845 x RUNS x 8 bytes free (6.8 GB for the default).  One run
# takes 10 minutes or more on 2 cores (25 minutes with --jobs 2 under `nice`
# on a busy machine: peak RSS 276 MB); run it under `nice` on a shared
# machine.  Not part of `make check` or `make bench`; no figure here is a test.

set -u

[ $# -ge 1 ] || { echo "usage: sh bench/world-scale.sh CLUSIM_BINARY [JOBS...]" >&2; exit 2; }
bin=$1
shift
[ $# -ge 1 ] || set -- 2
case $bin in
    */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
clusters=${SCALE_CLUSTERS:-1000}
runs=${SCALE_RUNS:-1000}
dir=${SCALE_DIR:-$here/results/scale}
mkdir -p "$dir" || exit 1

if [ ! -f "$dir/bench.clu" ] || [ "$here/world/gen.py" -nt "$dir/bench.clu" ] ||
    ! grep -q "runs: $runs\$" "$dir/bench.clu" || [ "$(grep -c '^cluster ' "$dir/world.clu")" -ne "$clusters" ]; then
    python3 "$here/world/gen.py" --clusters "$clusters" --runs "$runs" --out "$dir" >/dev/null || exit 1
fi
[ -x /usr/bin/time ] || { echo "world-scale.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }

echo "world: $clusters clusters, 1995..2025, $runs runs; $bin"
echo "CLUSIM_RUNS_MEMORY=${CLUSIM_RUNS_MEMORY:-(default)} TMPDIR=${TMPDIR:-/tmp}"
first=
status=0
for jobs in "$@"; do
    out=$dir/out.jobs$jobs
    (cd "$dir" && /usr/bin/time -o "$out.time" -f '%e %M' "$bin" --jobs "$jobs" bench.clu >"$out" 2>"$out.err" </dev/null)
    rc=$?
    read -r wall rss <"$out.time" 2>/dev/null || { wall=?; rss=?; }
    if [ "$rc" -ne 0 ]; then
        echo "--jobs $jobs: FAILED (exit status $rc), after $wall s:"
        sed 's/^/    /' "$out.err"
        status=1
        continue
    fi
    case $rss in
        *[!0-9]*|'') mb=? ;;
        *) mb=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }') ;;
    esac
    echo "--jobs $jobs: wall $wall s, peak RSS $mb MB (largest process)"
    sed 's/^/    /' "$out"
    if [ -z "$first" ]; then
        first=$out
    elif ! cmp -s "$first" "$out"; then
        echo "--jobs $jobs prints other totals than $(basename "$first")"
        status=1
    fi
done
exit $status
