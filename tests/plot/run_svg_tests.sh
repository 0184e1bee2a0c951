#!/bin/sh
# run_svg_tests.sh - the SVG charts of `plot ... to FILE`.
#
# Usage: sh tests/plot/run_svg_tests.sh CLUSIM_BINARY [--update]
#
# Each tests/plot/NAME.clu writes a chart to the file named by its first
# argument, in a temporary directory (nothing is left in the source tree).
# The run must succeed silently (or print what NAME.out says: a sweep prints
# its table before it writes its charts), the file must be well-formed XML (checked
# by xmllint, installed through scripts/install-deps.sh when missing, else
# by Python's XML parser; the test fails if neither can be had), must equal
# NAME.svg byte for byte, and no temporary file may be left beside it.
# --update rewrites NAME.svg from what the binary writes now.

set -u
me=run_svg_tests
if [ $# -lt 1 ]; then
    echo "usage: sh tests/plot/run_svg_tests.sh CLUSIM_BINARY [--update]" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
update=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v xmllint >/dev/null 2>&1; then
    sh "$here/../../scripts/install-deps.sh" libxml2-utils >/dev/null 2>&1 || true
fi
if command -v xmllint >/dev/null 2>&1; then
    check_xml() { xmllint --noout "$1"; }
elif command -v python3 >/dev/null 2>&1; then
    check_xml() { python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"; }
else
    echo "$me: neither xmllint nor python3 is available to check the SVG files" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-svg.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C NO_COLOR=1
unset COLUMNS CLUSIM_PLOT

passed=0
failed=0
for file in "$here"/*.clu; do
    name=$(basename "$file" .clu)
    out=$tmp/$name/chart.svg
    mkdir -p "$tmp/$name"
    ok=yes
    (cd "$here" && "$bin" "$name.clu" "$out") </dev/null >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    if [ -f "$here/$name.out" ]; then
        expected=$here/$name.out
    else
        expected=/dev/null
    fi
    if [ $status -ne 0 ] || ! cmp -s "$expected" "$tmp/stdout" || [ -s "$tmp/stderr" ]; then
        echo "FAIL svg/$name: exit status $status, output:"
        sed 's/^/    /' "$tmp/stdout" "$tmp/stderr"
        ok=no
    elif ! check_xml "$out" >"$tmp/xml" 2>&1; then
        echo "FAIL svg/$name: not well-formed XML:"
        sed 's/^/    /' "$tmp/xml"
        ok=no
    elif [ "$(ls -A "$tmp/$name")" != chart.svg ]; then
        echo "FAIL svg/$name: files left beside the chart: $(ls -A "$tmp/$name")"
        ok=no
    elif [ "$update" = --update ]; then
        cmp -s "$out" "$here/$name.svg" || { cp "$out" "$here/$name.svg"; echo "wrote svg/$name.svg"; }
    elif ! cmp -s "$out" "$here/$name.svg"; then
        echo "FAIL svg/$name: differs from $name.svg"
        diff -u "$here/$name.svg" "$out" | head -n 40 | sed 's/^/    /'
        ok=no
    fi
    if [ $ok = yes ]; then
        echo "ok   svg/$name"
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
