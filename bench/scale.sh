#!/bin/sh
# scale.sh - times Clusim on large generated scripts (issue 7, item 8):
# compile time and error reporting must stay linear in the size of the text.
#
# Usage: sh bench/scale.sh CLUSIM_BINARY [LINES...]     (default: 100000 200000)
#        sh bench/scale.sh --gen KIND LINES > script.clu
#
# Kinds of script, each LINES lines long:
#   lets      let vI = I.5           (a new constant and a new global per line)
#   clusters  cluster CI { jobs: I } (a declaration per line)
#   sum       let s = 1 + 1 + ... + 1 on one line (LINES terms), then print s
#   syntax    let = I                (a syntax error per line)
#   names     print nowhereI         (an unknown name per line)
#
# For each size and kind it prints the wall-clock time of one run, its exit
# status and how many lines it wrote to standard error.  A run longer than
# BENCH_TIMEOUT seconds (default 600) is stopped and shown as such.  KINDS
# (default: all five) chooses the kinds, e.g. KINDS="lets sum".  Not part of
# `make check`; no figure here is a test.

set -u

gen() {
    case $1 in
        lets)     awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "let v%d = %d.5\n", i, i }' ;;
        clusters) awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "cluster C%d { jobs: %d }\n", i, i }' ;;
        sum)      awk -v n="$2" 'BEGIN { printf "let s = 1"; for (i = 1; i < n; i++) printf " + 1"; printf "\nprint s\n" }' ;;
        syntax)   awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "let = %d\n", i }' ;;
        names)    awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "print nowhere%d\n", i }' ;;
        *) echo "scale.sh: unknown kind '$1' (lets, clusters, sum, syntax, names)" >&2; exit 2 ;;
    esac
}

if [ "${1:-}" = "--gen" ]; then
    [ $# -eq 3 ] || { echo "usage: sh bench/scale.sh --gen KIND LINES" >&2; exit 2; }
    gen "$2" "$3"
    exit 0
fi
[ $# -ge 1 ] || { echo "usage: sh bench/scale.sh CLUSIM_BINARY [LINES...]" >&2; exit 2; }
bin=$1
shift
[ -x "$bin" ] || { echo "scale.sh: $bin: no such executable" >&2; exit 2; }
[ $# -gt 0 ] || set -- 100000 200000
limit=${BENCH_TIMEOUT:-600}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-scale.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT

printf '%-9s %8s %10s %6s %12s\n' kind lines seconds exit stderr-lines
for n in "$@"; do
    for kind in ${KINDS:-lets clusters sum syntax names}; do
        gen "$kind" "$n" >"$tmp/s.clu"
        start=$(date +%s.%N)
        timeout "$limit" "$bin" "$tmp/s.clu" >/dev/null 2>"$tmp/err" </dev/null
        status=$?
        end=$(date +%s.%N)
        secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
        [ $status -eq 124 ] && secs=">$limit"
        printf '%-9s %8d %10s %6d %12d\n' "$kind" "$n" "$secs" "$status" "$(wc -l <"$tmp/err")"
    done
done
