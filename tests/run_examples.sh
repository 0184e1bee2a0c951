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
# FILTER keeps the scripts whose name contains it, e.g. `cliff`.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
status=0
for dir in examples doc/exercises; do
    echo "-- $dir"
    CLUSIM_SCRIPTS_ROOT=$top/$dir sh "$here/run_scripts.sh" "$@" || status=1
done
exit $status
