#!/usr/bin/env bash
# `cmake --install` into a temporary prefix: the binaries, the catalog where the installed
# lmp finds it, a man page per command that renders, and the completion scripts.
# Usage: tests/install_test.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
fail() {
  echo "FAIL: $*"
  exit 1
}

for f in bin/lmp bin/lmp-hub; do [ -x "$prefix/$f" ] || fail "$f is not installed"; done
for f in share/lmp/catalog/index.json share/bash-completion/completions/lmp \
  share/zsh/site-functions/_lmp share/man/man1/lmp.1 share/man/man1/lmp-run.1 \
  share/man/man1/lmp-build.1 share/man/man1/lmp-rm.1; do
  [ -f "$prefix/$f" ] || fail "$f is not installed"
done
echo "ok: binaries, catalog, man pages and completion scripts installed"

"$prefix/bin/lmp" run --help | grep -q -- --json || fail "lmp run --help has no --json"
"$prefix/bin/lmp" --help | grep -q -- --log-level || fail "lmp --help has no --log-level"
echo "ok: the installed lmp runs"

# The installed lmp has no build tree beside it: only BIN/../share/lmp/catalog can answer.
export LMP_HOME=$tmp/home
unset LMP_REPOSITORY
"$prefix/bin/lmp" __complete names | grep -qx opensnoop ||
  fail "the installed lmp does not find the installed catalog"
"$prefix/bin/lmp" info opensnoop >"$tmp/info.txt" 2>&1 ||
  fail "lmp info opensnoop: $(cat "$tmp/info.txt")"
grep -q opensnoop "$tmp/info.txt" || fail "lmp info opensnoop: $(cat "$tmp/info.txt")"
echo "ok: the installed lmp finds the installed catalog"

# The catalog's public key is installed with it, its secret key is not, and the installed lmp
# trusts it for the catalog's packages with no setup (docs/signing.md).
[ -f "$prefix/share/lmp/catalog/catalog.pub" ] || fail "share/lmp/catalog/catalog.pub is not installed"
if find "$prefix" -name '*.key' | grep -q .; then fail "a secret key is installed: $(find "$prefix" -name '*.key')"; fi
LMP_VERIFY=require "$prefix/bin/lmp" run opensnoop -h >"$tmp/verified.txt" 2>&1 ||
  fail "LMP_VERIFY=require lmp run opensnoop -h: $(cat "$tmp/verified.txt")"
echo "ok: the installed catalog is signed and verifies under LMP_VERIFY=require"

# Every command has a page, and every page renders without a warning.
pages=$(ls "$prefix/share/man/man1")
for c in $("$prefix/bin/lmp" --help | awk '/^Commands:/ { on = 1; next }
                                            on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'); do
  grep -qx "lmp-$c.1" <<<"$pages" || fail "no man page for lmp $c"
done
if command -v groff >/dev/null; then
  for page in "$prefix"/share/man/man1/*.1; do
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || fail "$(basename "$page"): $warnings"
  done
  groff -man -Tutf8 "$prefix/share/man/man1/lmp-run.1" 2>/dev/null | grep -q "json" ||
    fail "lmp-run.1 does not render the options"
  echo "ok: $(wc -w <<<"$pages") man pages render (groff)"
fi
