#!/usr/bin/env bash
# The bash completion (completions/lmp.bash) against a built lmp: commands, options from
# the help text, --log-level values, and package names from the catalog.
# Usage: tests/completion_test.sh SOURCE_DIR LMP_BINARY
set -euo pipefail
source_dir=$1
PATH=$(cd "$(dirname "$2")" && pwd):$PATH
export LMP_HOME=$(mktemp -d)
trap 'rm -rf "$LMP_HOME"' EXIT
unset LMP_REPOSITORY
# Only the bundled catalog (BIN/catalog in the build tree) and an empty cache.
cd "$LMP_HOME"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  source /usr/share/bash-completion/bash_completion
fi
source "$source_dir/completions/lmp.bash"
complete -p lmp >/dev/null

failures=0
# expect "WORDS..." WANTED: completing the last word offers WANTED.
expect() {
  local line=$1 wanted=$2
  read -r -a COMP_WORDS <<<"$line"
  [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE=$line COMP_POINT=${#line}
  COMPREPLY=()
  _lmp || true
  local got
  for got in "${COMPREPLY[@]}"; do
    [[ $got == "$wanted" ]] && echo "ok: '$line<TAB>' offers $wanted" && return
  done
  echo "FAIL: '$line<TAB>' offers (${COMPREPLY[*]}), not $wanted"
  failures=$((failures + 1))
}
# not "WORDS..." UNWANTED: completing the last word does not offer UNWANTED.
not() {
  local line=$1 unwanted=$2
  read -r -a COMP_WORDS <<<"$line"
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _lmp || true
  local got
  for got in "${COMPREPLY[@]}"; do
    if [[ $got == "$unwanted" ]]; then
      echo "FAIL: '$line<TAB>' offers $unwanted"
      failures=$((failures + 1))
      return
    fi
  done
  echo "ok: '$line<TAB>' does not offer $unwanted"
}

expect "lmp r" run
expect "lmp r" rm
not "lmp r" build
expect "lmp -v pu" pull
expect "lmp --log-level warn bu" build
expect "lmp --log-level w" warn
expect "lmp --ver" --version
expect "lmp help ru" run
expect "lmp run --js" --json
expect "lmp build --ya" --yaml
expect "lmp push --fo" --force
expect "lmp run open" opensnoop
expect "lmp info exec" execsnoop
expect "lmp rm open" opensnoop
not "lmp run open" execsnoop
if ((failures)); then
  echo "$failures completion check(s) failed"
  exit 1
fi
