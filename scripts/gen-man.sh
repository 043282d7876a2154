#!/usr/bin/env bash
# Writes lmp's man pages into OUT_DIR: lmp.1 from `lmp --help` and lmp-COMMAND.1 from
# `lmp COMMAND --help` for every command `lmp --help` lists, so the pages say what the
# binary says. Run by the build (cmake/install.cmake).
# Usage: scripts/gen-man.sh LMP_BINARY OUT_DIR VERSION
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 LMP_BINARY OUT_DIR VERSION" >&2
  exit 2
fi
lmp=$1 out=$2 version=$3
mkdir -p "$out"

# Help text on stdin -> a man page on stdout. The text's shape (CLI11's and lmp's own):
# "Usage: ..." is the synopsis; an unindented line ending in ':' starts a section; in a
# section, an indented "TAG  DESCRIPTION" line is an entry and deeper lines continue it;
# everything else is running text.
to_roff() {
  awk -v page="$1" -v summary="$2" -v version="$version" -v see_also="$3" '
    function esc(s) {
      gsub(/\\/, "\\e", s)
      if (s ~ /^[.\047]/) s = "\\&" s
      return s
    }
    function tag_esc(s) { s = esc(s); gsub(/-/, "\\-", s); return s }
    function indent_of(s) { match(s, /^ */); return RLENGTH }
    function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
    function section(title) {
      title = toupper(title)
      if (title == "POSITIONALS") title = "ARGUMENTS"
      if (title == "SUBCOMMANDS") title = "COMMANDS"
      print ".SH " esc(title)
      in_section = 1; entry = 0; gap = 0
    }
    function text(s) {
      if (gap) print ".PP"
      gap = 0; entry = 0
      print esc(s)
    }
    # An entry "TAG  DESCRIPTION"; without a two-space gap the tag is the leading words
    # that are options or upper-case placeholders ("--attach P=TARGET attach ...").
    function entry_line(s,    at, tag, body, n, words, i) {
      s = trim(s)
      at = match(s, /  +/)
      if (at) {
        tag = substr(s, 1, at - 1); body = trim(substr(s, at))
      } else {
        n = split(s, words, " ")
        tag = words[1]
        for (i = 2; i <= n && (words[i] ~ /^-/ || words[i] !~ /[a-z]/); i++) tag = tag " " words[i]
        body = ""
        for (; i <= n; i++) body = body (body == "" ? "" : " ") words[i]
      }
      print ".TP"
      print "\\fB" tag_esc(tag) "\\fR"
      if (body != "") print esc(body)
      entry = 1; entry_indent = indent_of($0); gap = 0
    }
    { lines[NR] = $0 }
    END {
      print ".TH " toupper(page) " 1 \"\" \"lmp " version "\" \"lmp manual\""
      print ".SH NAME"
      print esc(page) " \\- " esc(summary)
      for (i = 1; i <= NR; i++) if (lines[i] ~ /^Usage: /) {
        print ".SH SYNOPSIS"
        print ".B " esc(substr(lines[i], 8))
        break
      }
      print ".SH DESCRIPTION"
      for (i = 1; i <= NR; i++) {
        $0 = lines[i]
        if ($0 ~ /^Usage: /) { gap = 1; continue }
        if ($0 ~ /^ *$/) { gap = 1; entry = 0; continue }
        if ($0 ~ /^[A-Za-z][^:]*:$/ && length($0) < 60) { section(substr($0, 1, length($0) - 1)); continue }
        if (in_section && $0 ~ /^ +[^ ]/) {
          if (entry && indent_of($0) > entry_indent + 2) { print esc(trim($0)); continue }
          if (indent_of($0) <= 4) { entry_line($0); continue }
        }
        text(trim($0))
      }
      if (see_also != "") {
        print ".SH SEE ALSO"
        print see_also
      }
    }'
}

help=$("$lmp" --help)
# "  NAME   SUMMARY" rows of the "Commands:" table.
table=$(awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print } on && /^$/ { exit }' \
  <<<"$help")
commands=$(awk '{ print $1 }' <<<"$table")

see_also=""
for c in $commands; do see_also+="${see_also:+, }\\fBlmp-$c\\fR(1)"; done
summary=$(head -n 1 <<<"$help")
to_roff lmp "$summary" "$see_also" <<<"$help" >"$out/lmp.1.tmp"
mv "$out/lmp.1.tmp" "$out/lmp.1"

for c in $commands; do
  summary=$(awk -v c="$c" '$1 == c { sub(/^ *[^ ]+ +/, ""); print; exit }' <<<"$table")
  "$lmp" "$c" --help | to_roff "lmp-$c" "$summary" "\\fBlmp\\fR(1)" >"$out/lmp-$c.1.tmp"
  mv "$out/lmp-$c.1.tmp" "$out/lmp-$c.1"
done
