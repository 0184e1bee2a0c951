#!/bin/sh
# sweep-scale.sh - a sweep at scale (issue 11): 3 x 3 param values x 100
# runs of the stdlib model on the generated world of 1,000 clusters
# (bench/world/world.clu), 1995..2025 - 900 runs of the whole world - timed
# three ways:
#
#   1. one process               clusim --jobs 1 sweep.clu
#   2. two worker processes      clusim --jobs 2 sweep.clu
#   3. two shards, GNU parallel  parallel clusim --shard {}/2 sweep.clu ::: 1 2
#                                then clusim merge sweep.clu.part-*
#
# Each is run once under /usr/bin/time -f '%e %M': wall-clock seconds, and
# the peak RSS of the largest single process (the parent, a worker or a
# shard).  The three outputs (the sweep's table) must be byte for byte the
# same (exit status 1 otherwise).  SWEEP_RUNS (100) and SWEEP_YEARS
# (1995..2025) change the work; the files go to bench/results/sweep.
# Expect 20 minutes or more on 2 cores; run it under `nice` on a shared
# machine.  Not part of `make check` or `make bench`; no figure here is a
# test.
#
# Usage: sh bench/sweep-scale.sh CLUSIM_BINARY

set -u
[ $# -eq 1 ] || { echo "usage: sh bench/sweep-scale.sh CLUSIM_BINARY" >&2; exit 2; }
bin=$1
case $bin in
    */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
runs=${SWEEP_RUNS:-100}
years=${SWEEP_YEARS:-1995..2025}
dir=$here/results/sweep
mkdir -p "$dir" || exit 1
[ -x /usr/bin/time ] || { echo "sweep-scale.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
command -v parallel >/dev/null 2>&1 || (cd "$here/.." && sh scripts/install-deps.sh parallel) >/dev/null 2>&1
command -v parallel >/dev/null 2>&1 || { echo "sweep-scale.sh: needs GNU parallel" >&2; exit 2; }

cp "$here/world/world.clu" "$dir/world.clu" || exit 1
cat >"$dir/sweep.clu" <<CLU
# bench/sweep-scale.sh: 3 x 3 params x $runs runs on the 1,000-cluster world
import "world.clu"
scenario bench {
  years: $years
  runs: $runs
  seed: 1
  set growth_rate = max(0%, random_normal(10%, 2%))
}
sweep bench over scaleup_boost in [2%, 4%, 6%] and fee_per_member in [1000 EUR / year, 1500 EUR / year, 2000 EUR / year] show total.jobs, total.members.sme, total.scaleups
CLU

echo "sweep: 3 x 3 cases x $runs runs, 1,000 clusters, $years; $bin"
status=0
timed() { # NAME COMMAND...: run it in $dir, print its time and peak RSS
    name=$1
    shift
    (cd "$dir" && /usr/bin/time -o "$dir/$name.time" -f '%e %M' "$@" >"$dir/$name.out" 2>"$dir/$name.err" </dev/null)
    rc=$?
    read -r wall rss <<TIME
$(tail -n 1 "$dir/$name.time" 2>/dev/null)
TIME
    case $rss in *[!0-9]*|"") rss=0 ;; esac
    if [ "$rc" -ne 0 ]; then
        echo "$name: FAILED (exit status $rc) after $wall s"
        sed 's/^/    /' "$dir/$name.err" | tail -n 5
        status=1
    fi
    printf '%-28s %8s s  peak RSS %6s MB\n' "$name" "$wall" "$((${rss:-0} / 1024))"
}
timed "one process (--jobs 1)" "$bin" --jobs 1 sweep.clu
cp "$dir/one process (--jobs 1).out" "$dir/one.out"
timed "two workers (--jobs 2)" "$bin" --jobs 2 sweep.clu
rm -f "$dir"/sweep.clu.part-*
start=$(date +%s)
timed "two shards (parallel)" parallel --will-cite "$bin" --shard {}/2 sweep.clu ::: 1 2
timed "merge" "$bin" merge sweep.clu.part-1-of-2 sweep.clu.part-2-of-2
echo "two shards + merge, wall: $(($(date +%s) - start)) s"
for name in "two workers (--jobs 2)" "merge"; do
    if ! cmp -s "$dir/one.out" "$dir/$name.out"; then
        echo "the output of '$name' differs from one process's"
        status=1
    fi
done
[ $status -eq 0 ] && echo "the three outputs are the same, byte for byte:" && cat "$dir/one.out"
exit $status
