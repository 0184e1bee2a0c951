#!/bin/sh
# install-deps.sh - make sure Clusim's build and test dependencies are present.
#
# Usage: sh scripts/install-deps.sh [--fuzz] [EXTRA-PACKAGE...]
#
# `make deps` runs this, and `make run` / `make check` run `make deps` first,
# so it must be quick and silent when nothing is missing.  On Debian and its
# derivatives it asks dpkg which packages are installed and installs the
# missing ones with apt-get (as root, or through `sudo -n`); otherwise it
# prints the command to run and fails.  Extra package names given as
# arguments are ensured too (bench/ passes lua5.4).  --fuzz adds what
# `make fuzz` needs and `make check` does not: clang and its runtime
# libraries, which hold libFuzzer (tests/fuzz/).
#
# Without dpkg it can only look for the commands and headers the build needs,
# and warns about what it cannot find (the build then says the rest).
#
# Environment: CLUSIM_NO_INSTALL=1 only checks, never installs.

PACKAGES="gcc make pkg-config flex bison libreadline-dev libgmp-dev check libjson-c-dev libxlsxwriter-dev"
FUZZ_PACKAGES="clang libclang-rt-dev"

if [ "${1:-}" = --fuzz ]; then
    shift
    fuzz=yes
else
    fuzz=no
fi

say() { printf 'install-deps: %s\n' "$*" >&2; }

# Without dpkg: look for the tools and headers directly; warn only.
check_without_dpkg() {
    missing=""
    for tool in make pkg-config flex bison; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    cc_cmd=${CC:-cc}
    if ! command -v "$cc_cmd" >/dev/null 2>&1; then
        if command -v gcc >/dev/null 2>&1; then cc_cmd=gcc; else missing="$missing C-compiler(cc/gcc)"; cc_cmd=""; fi
    fi
    if [ -n "$cc_cmd" ]; then
        for header in gmp.h readline/readline.h; do
            printf '#include <stdio.h>\n#include <%s>\n' "$header" |
                "$cc_cmd" -E -x c - >/dev/null 2>&1 || missing="$missing $header"
        done
        if ! pkg-config --exists check 2>/dev/null; then
            printf '#include <check.h>\n' | "$cc_cmd" -E -x c - >/dev/null 2>&1 ||
                missing="$missing check.h(Check)"
        fi
    fi
    for extra in "$@"; do
        command -v "$extra" >/dev/null 2>&1 || missing="$missing $extra"
    done
    if [ "$fuzz" = yes ]; then
        command -v clang >/dev/null 2>&1 || missing="$missing clang(with libFuzzer)"
    fi
    if [ -n "$missing" ]; then
        say "warning: no dpkg here, and these look missing:$missing"
        say "install them with your system's package manager (see README.md)."
    fi
    return 0
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    check_without_dpkg "$@"
    exit 0
fi

# One dpkg-query call for all packages: fast enough to run before every build.
# Unknown packages make dpkg-query complain on stderr; they count as missing.
wanted="$PACKAGES $*"
[ "$fuzz" = yes ] && wanted="$wanted $FUZZ_PACKAGES"
# shellcheck disable=SC2086  # word splitting of the package list is intended
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $wanted 2>/dev/null |
            awk '$2 == "install" && $3 == "ok" && $4 == "installed" { print $1 }')
missing=""
for pkg in $wanted; do
    case " $missing " in *" $pkg "*) continue ;; esac
    found=no
    for have in $installed; do
        # dpkg prints the name without an architecture qualifier (foo:amd64).
        if [ "$have" = "$pkg" ] || [ "$have" = "${pkg%%:*}" ]; then found=yes; break; fi
    done
    [ "$found" = yes ] || missing="${missing:+$missing }$pkg"
done

[ -z "$missing" ] && exit 0

install_cmd="apt-get install -y --no-install-recommends $missing"

if [ "${CLUSIM_NO_INSTALL:-0}" = 1 ]; then
    say "missing packages: $missing"
    say "install them with:  sudo apt-get update && sudo $install_cmd"
    exit 1
fi

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    sudo="sudo -n"
else
    say "missing packages: $missing"
    say "run as root:  apt-get update && $install_cmd"
    say "or:           sudo apt-get update && sudo $install_cmd"
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "missing packages: $missing (and no apt-get to install them with)"
    exit 1
fi

say "installing missing packages: $missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$sudo apt-get update -qq >/dev/null || say "warning: apt-get update failed; trying the install anyway"
# shellcheck disable=SC2086
if ! $sudo apt-get install -y -qq --no-install-recommends $missing </dev/null >/dev/null; then
    say "error: could not install: $missing"
    say "try by hand:  ${sudo:+sudo }apt-get update && ${sudo:+sudo }$install_cmd"
    exit 1
fi
say "installed: $missing"
exit 0
