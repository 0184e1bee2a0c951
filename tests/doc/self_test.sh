#!/bin/sh
# self_test.sh - tests of the documentation runner itself (make check-doc).
#
# Usage: sh tests/doc/self_test.sh CLUSIM_BINARY
#
# conventions.md uses every convention of run_doc_tests.py and must pass;
# failing.md holds blocks the runner must reject, and its output must be
# failing.expected, exactly, with exit status 1.  Run from the source tree.

set -u
me=self_test
if [ $# -ne 1 ]; then
    echo "usage: sh tests/doc/self_test.sh CLUSIM_BINARY" >&2
    exit 2
fi
py=/usr/bin/python3
dir=tests/doc
out=$(mktemp "${TMPDIR:-/tmp}/clusim-doc-self.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT

if ! $py $dir/run_doc_tests.py "$1" $dir/conventions.md >"$out" 2>&1; then
    cat "$out"
    echo "$me: $dir/conventions.md must pass" >&2
    exit 1
fi
$py $dir/run_doc_tests.py "$1" $dir/failing.md >"$out" 2>&1
status=$?
if [ $status -ne 1 ] || ! diff -u $dir/failing.expected "$out"; then
    echo "$me: $dir/failing.md: exit status $status (1 expected), output above (diff with failing.expected)" >&2
    exit 1
fi
echo "runner self-test: conventions.md passes, failing.md fails as expected"
