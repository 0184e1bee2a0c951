#!/bin/sh
# run_examples.sh - runs the teaching material as tests: every examples/*.clu
# and every solution doc/exercises/*.clu, comparing its standard output,
# standard error and exit status with NAME.out, NAME.err and its `# exit:`
# line, exactly as tests/run_scripts.sh does for tests/scripts (same
# directives, same deterministic environment: LC_ALL=C, NO_COLOR=1, no
# COLUMNS, a fresh HOME; each script runs in its own directory, so
# `import "../../examples/x.clu"` works and nothing is written into the tree).
#
# Usage: sh tests/run_examples.sh CLUSIM_BINARY [FILTER]
#        sh tests/run_examples.sh --update CLUSIM_BINARY [FILTER]
#
# --update rewrites the expected outputs from what the binary prints now
# (after a change of output format, say); read `git diff examples doc` before
# committing. Each script's assertions still have to hold: an example whose
# lesson no longer holds fails with its assertion's message, whatever --update.
# FILTER (or CLUSIM_TEST_FILTER) keeps the scripts whose name contains it,
# e.g. `cliff`; a directory with none is skipped.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
# the filter, if any: the argument after the binary
filter=
case $# in
    2) [ "$1" = "--update" ] || filter=$2 ;;
    3) filter=$3 ;;
esac
filter=${filter:-${CLUSIM_TEST_FILTER:-}}
status=0
ran=no
for dir in examples doc/exercises; do
    # with a filter, skip a directory none of whose scripts it matches
    if [ -n "$filter" ] && ! (cd "$top/$dir" && find . -name '*.clu') | grep -qF -- "$filter"; then
        continue
    fi
    ran=yes
    echo "-- $dir"
    CLUSIM_SCRIPTS_ROOT=$top/$dir sh "$here/run_scripts.sh" "$@" || status=1
done
if [ $ran = no ]; then
    echo "run_examples: no example or exercise matched the filter '$filter'"
    exit 1
fi
exit $status
