#!/bin/sh
# check_editors.sh - the editor support in editors/ knows the whole language.
#
# Usage: sh tests/editors/check_editors.sh   (from the top of the checkout)
#
# Every keyword of the scanner (the table in grammar/lexer.l) and every
# built-in function (lib_register in src/, `fn` in stdlib/prelude.clu) must
# be highlighted by both the Vim syntax file and the TextMate grammar:
#   - Vim: the word is in a `syn keyword` line of editors/vim/syntax/clusim.vim,
#     and, when vim is installed, Vim itself loads the file without an error
#     and gives the expected highlight groups in a sample script;
#   - TextMate: the JSON files parse, and some pattern of the grammar matches
#     the word as a whole (checked with Python's re, whose syntax the
#     grammar's simple patterns share with Oniguruma).
# Prints what is missing and exits non-zero if anything is.

set -u
me=check_editors
vim_syntax=editors/vim/syntax/clusim.vim
grammar=editors/vscode/syntaxes/clusim.tmLanguage.json
fail=0

for f in "$vim_syntax" editors/vim/ftdetect/clusim.vim "$grammar" editors/vscode/package.json \
    editors/vscode/language-configuration.json grammar/lexer.l stdlib/prelude.clu; do
    [ -f "$f" ] || { echo "$me: missing $f" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-editors.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# The scanner's keyword table: lines of {"word", TOKEN} pairs.
sed -n '/^static const struct {/,/^};/p' grammar/lexer.l |
    grep -o '{"[a-z_]*", [A-Z_]*}' | sed 's/{"\([a-z_]*\)".*/\1/' | sort -u >"$tmp/keywords"
# Built-ins: natives registered in C (not the %internal ones), prelude functions.
grep -ho 'lib_register(I, "[a-z_][a-z_0-9]*"' src/*.c | sed 's/.*"\(.*\)"/\1/' >"$tmp/builtins"
sed -n 's/^fn \([a-z_][a-z_0-9]*\).*/\1/p' stdlib/prelude.clu >>"$tmp/builtins"
sort -u -o "$tmp/builtins" "$tmp/builtins"

nk=$(wc -l <"$tmp/keywords")
nb=$(wc -l <"$tmp/builtins")
if [ "$nk" -lt 40 ] || [ "$nb" -lt 40 ]; then
    echo "$me: found only $nk keywords and $nb built-ins: has the scanner's table or lib_register changed shape?" >&2
    exit 1
fi

# Vim: the words of the `syn keyword` lines (after the group name).
sed -n 's/^syn keyword [A-Za-z]* *//p' "$vim_syntax" | tr ' ' '\n' | grep -v '^contained$' | sort -u >"$tmp/vim_words"
for w in $(cat "$tmp/keywords" "$tmp/builtins"); do
    grep -qx "$w" "$tmp/vim_words" || { echo "$me: $vim_syntax does not highlight '$w'" >&2; fail=1; }
done

# TextMate: valid JSON, and a pattern matching each word.
py=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1; then py=$p; break; fi
done
if [ -z "$py" ]; then
    echo "$me: no python3: cannot check the TextMate grammar (install python3)" >&2
    exit 1
fi
"$py" - "$grammar" "$tmp/keywords" "$tmp/builtins" editors/vscode/package.json \
    editors/vscode/language-configuration.json <<'PY' || fail=1
import json, re, sys
grammar_path, kw_path, bi_path = sys.argv[1:4]
for extra in sys.argv[4:]:
    json.load(open(extra))
g = json.load(open(grammar_path))
patterns = []
def walk(node):
    if isinstance(node, dict):
        if "match" in node:
            patterns.append((node.get("name", ""), re.compile(node["match"])))
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(g)
ok = True
def covered(word, text, want):
    for name, rx in patterns:
        m = rx.search(text)
        if m and m.start() == text.index(word) and m.group(0).startswith(word) and want in name:
            return True
    return False
for w in open(kw_path).read().split():
    if not covered(w, w + " x", ""):
        print("check_editors: %s: no pattern matches the keyword '%s'" % (grammar_path, w), file=sys.stderr)
        ok = False
for w in open(bi_path).read().split():
    if not covered(w, w + "(x)", "support.function"):
        print("check_editors: %s: no pattern highlights the built-in '%s'" % (grammar_path, w), file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY

# Vim itself: the file loads, and a sample gets the expected groups.
if command -v vim >/dev/null 2>&1; then
    cat >"$tmp/sample.clu" <<'CLU'
cluster A { budget: 250k EUR / year }
# a comment
print "share {x}", round(35%, 2)
CLU
    vim -u NONE -i NONE -N -es -c "set rtp^=$PWD/editors/vim" -c 'syntax on' -c 'filetype on' \
        -c "edit $tmp/sample.clu" \
        -c 'let g = [&filetype, synIDattr(synID(1, 1, 1), "name"), synIDattr(synID(1, 22, 1), "name"), synIDattr(synID(1, 27, 1), "name"), synIDattr(synID(2, 3, 1), "name"), synIDattr(synID(3, 1, 1), "name"), synIDattr(synID(3, 8, 1), "name"), synIDattr(synID(3, 22, 1), "name")]' \
        -c "call writefile([join(g, ' ')], '$tmp/groups')" -c 'qa!' >"$tmp/vim.log" 2>&1
    want="clusim cluDeclaration cluNumber cluUnit cluComment cluStatement cluString cluBuiltin"
    got=$(cat "$tmp/groups" 2>/dev/null)
    if [ "$got" != "$want" ]; then
        echo "$me: vim highlights the sample as '$got', expected '$want'" >&2
        cat "$tmp/vim.log" >&2
        fail=1
    fi
else
    echo "$me: vim not installed: only the word lists of the Vim file were checked"
fi

if [ "$fail" -eq 0 ]; then
    echo "editors: $nk keywords and $nb built-ins highlighted by the Vim syntax and the TextMate grammar"
fi
exit "$fail"
