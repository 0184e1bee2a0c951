#!/bin/sh
# run_html.sh - the HTML report as a reader sees it: writes the report of
# tests/html/report.clu, renders it in headless Chromium and checks the
# rendered page, not only the HTML source.
#
# Usage: sh tests/html/run_html.sh CLUSIM_BINARY
#
# Two Chromium launches (the machine may be small): one dumps the DOM
# Chromium built from the page, with the browser's log on stderr (any
# console message is a failure: the page has no script, so a message can
# only be an error such as a resource it could not load); one prints the
# page to PDF, as a trainer would.  The checks:
#
#   - the file is self-contained: no script, nothing fetched from the
#     network (no http:, https: or protocol-relative src or href);
#   - the rendered DOM holds the scenario names, a number and a change of
#     the comparison worked out by hand in report.clu, the rule of the
#     `why` breakdown, an audit finding, and a param's doc with markup shown
#     as text (escaped, never parsed into an element);
#   - charts: an inline <svg> per comparison, with a <polyline> per
#     scenario;
#   - the PDF is a PDF of more than one page (print CSS: a page per part).
#
# Chromium is Debian's `chromium` package.  When it is missing, this script
# installs it through scripts/install-deps.sh (as root or with sudo -n);
# where that cannot be done it says so and skips the Chromium checks (the
# source checks still run).  Everything is written to a temporary directory
# that is removed at the end.

set -u
me=run_html

if [ $# -ne 1 ]; then
    echo "usage: sh tests/html/run_html.sh CLUSIM_BINARY" >&2
    exit 2
fi
bin=$1
case $bin in
    */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-html.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=0
pass() { echo "  ok   $1"; }
fail() { echo "  FAIL $1"; failed=$((failed + 1)); }

# has FILE TEXT LABEL: FILE contains TEXT (fixed string).
has() {
    if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3 (no '$2' in $(basename "$1"))"; fi
}
# lacks FILE REGEX LABEL: FILE has no match of the extended REGEX.
lacks() {
    if grep -qE -- "$2" "$1"; then
        fail "$3: $(grep -oE -- "$2" "$1" | head -n 1)"
    else
        pass "$3"
    fi
}

page=$tmp/report.html
if ! (cd "$here" && LC_ALL=C HOME=$tmp "$bin" report.clu "$page") >"$tmp/clusim.out" 2>"$tmp/clusim.err"; then
    echo "$me: clusim report.clu failed:" >&2
    cat "$tmp/clusim.err" >&2
    exit 1
fi
if [ ! -s "$page" ]; then
    echo "$me: report.clu wrote no report" >&2
    exit 1
fi

echo "== the HTML source"
lacks "$page" '<script' "no script"
lacks "$page" '(src|href)="(https?:)?//' "nothing fetched from the network"
lacks "$page" '<b>not bold' "markup in a param's doc escaped"

# Chromium: Debian's package, installed when missing and possible.
find_chromium() {
    for c in chromium chromium-browser; do
        if command -v "$c" >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}
chromium=$(find_chromium)
if [ -z "$chromium" ]; then
    echo "$me: chromium is missing: installing it (scripts/install-deps.sh chromium)"
    sh "$root/scripts/install-deps.sh" chromium >"$tmp/install.log" 2>&1
    chromium=$(find_chromium)
fi
if [ -z "$chromium" ]; then
    echo "$me: SKIPPED the rendering checks: chromium is not installed and could not be installed here:"
    sed 's/^/    /' "$tmp/install.log"
    [ $failed -eq 0 ] || { echo "$failed failed"; exit 1; }
    exit 0
fi

# Each launch gets its own profile in $tmp (never the user's), no sandbox
# (CI runs as root), and a time limit.
render() {
    timeout -k 5 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@" "file://$page"
}

echo "== rendered by $("$chromium" --version 2>/dev/null | head -n 1)"
render --dump-dom >"$tmp/dom.html" 2>"$tmp/dom.log"
status=$?
if [ $status -ne 0 ] || [ ! -s "$tmp/dom.html" ]; then
    fail "chromium --dump-dom (exit $status)"
    sed 's/^/    /' "$tmp/dom.log" | tail -n 20
else
    dom=$tmp/dom.html
    lacks "$tmp/dom.log" 'CONSOLE' "no console message (error or warning) from the page"
    has "$dom" '<h1>t_base and t_more</h1>' "the title names both scenarios"
    has "$dom" 'id="scenario-t_more"' "a part for each scenario"
    has "$dom" '<td class="num">160</td>' "A.t_v of t_more in 2028 (100 + 3 x 20)"
    has "$dom" '<td class="num up">+30</td>' "its change from t_base (160 - 130)"
    has "$dom" '+23.1%' "and in percent (30 / 130)"
    has "$dom" '(a share, in %; changes in percentage points, pp)' "a share's heading says how it is shown"
    has "$dom" '<td class="num">36.0%</td>' "a share in percent (A.export_share of t_more in 2028)"
    has "$dom" '<td class="num up">+3.0pp</td>' "its change in percentage points (36.0% - 33.0%)"
    has "$dom" '<td>t_walk</td>' "why: the rule that moved A.t_v"
    has "$dom" 'de minimis ceiling' "the audit's finding on t_more"
    has "$dom" 'No findings in' "t_base's audit finds nothing"
    has "$dom" 'test: yearly step &lt;b&gt;not bold&lt;/b&gt; &amp; "quoted"' "a param's doc shown as text"
    lacks "$dom" '<b>not bold' "no element made of it"
    tables=$(grep -o '<table' "$dom" | wc -l)
    if [ "$tables" -ge 7 ]; then pass "the tables parsed ($tables)"; else fail "only $tables tables in the DOM"; fi
    # a chart per comparison (A.t_v, total.jobs, total.members.sme,
    # A.export_share), a line per scenario in each
    svgs=$(grep -o '<svg' "$dom" | wc -l)
    lines=$(grep -o '<polyline' "$dom" | wc -l)
    if [ "$svgs" -eq 4 ]; then pass "an inline SVG chart per comparison"; else fail "$svgs SVG charts, not 4"; fi
    if [ "$lines" -ge 8 ]; then pass "their lines ($lines polylines)"; else fail "only $lines polylines"; fi
fi

render --print-to-pdf="$tmp/report.pdf" --no-pdf-header-footer >"$tmp/pdf.log" 2>&1
status=$?
if [ $status -ne 0 ] || [ ! -s "$tmp/report.pdf" ]; then
    fail "chromium --print-to-pdf (exit $status)"
    sed 's/^/    /' "$tmp/pdf.log" | tail -n 20
else
    if head -c 5 "$tmp/report.pdf" | grep -q '%PDF-'; then pass "printed to PDF"; else fail "not a PDF"; fi
    # page objects: /Type /Page, not /Type /Pages (the page tree's nodes)
    pages=$(grep -a -o '/Type */Pages*' "$tmp/report.pdf" | grep -c 'Page$')
    if [ "$pages" -ge 2 ]; then pass "$pages pages (a page per part)"; else fail "$pages page(s) printed"; fi
    lacks "$tmp/pdf.log" 'CONSOLE' "no console message while printing"
fi

if [ $failed -ne 0 ]; then
    echo "$failed failed"
    exit 1
fi
echo "all passed"
