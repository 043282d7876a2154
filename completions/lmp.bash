# bash completion for lmp. Installed as share/bash-completion/completions/lmp.
# Commands and options come from the help text of the lmp being completed (`lmp --help`,
# `lmp COMMAND --help`), package names from the hidden `lmp __complete names` (the bundled
# catalog, local repositories and the cache), so nothing here has to be kept in step.

# Option names in help text on stdin: the words starting with '-' at the front of the
# indented lines ("  -o,--output TEXT  ...", "  -j, --json  ...").
_lmp_options() {
  awk '/^ +-/ {
    n = split($0, w, /[ ,=]+/)
    for (i = 1; i <= n; i++) {
      if (w[i] == "") continue
      if (w[i] !~ /^--?[A-Za-z0-9][-A-Za-z0-9_]*$/) break
      print w[i]
    }
  }'
}

# The "  NAME  SUMMARY" rows of the Commands: table of `lmp --help`.
_lmp_commands() {
  "$1" --help 2>/dev/null |
    awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'
}

_lmp() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local lmp=${COMP_WORDS[0]} i command="" command_at=0
  [[ $lmp == "~/"* ]] && lmp=$HOME/${lmp#"~/"}
  COMPREPLY=()
  # The command is the first word after the global options (--log-level takes a value).
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --log-level) ((i++)) ;;
      -*) ;;
      *) command=${COMP_WORDS[i]} command_at=$i && break ;;
    esac
  done
  if [[ $prev == --log-level ]]; then
    COMPREPLY=($(compgen -W "debug info warn error quiet" -- "$cur"))
    return
  fi
  if [[ -z $command ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$("$lmp" --help 2>/dev/null | _lmp_options)" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(_lmp_commands "$lmp") help" -- "$cur"))
    fi
    return
  fi
  if [[ $command == help ]]; then
    ((COMP_CWORD == command_at + 1)) &&
      COMPREPLY=($(compgen -W "$(_lmp_commands "$lmp")" -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$("$lmp" "$command" --help 2>/dev/null | _lmp_options)" -- "$cur"))
    return
  fi
  case $command in
    run | pull | info | rm)
      # Package names; run also takes files and directories (package.json, app.wasm, ...).
      COMPREPLY=($(compgen -W "$("$lmp" __complete names 2>/dev/null)" -- "$cur"))
      if [[ $command == run ]]; then
        local IFS=$'\n'
        compopt -o filenames 2>/dev/null || true
        COMPREPLY+=($(compgen -f -- "$cur"))
      fi
      ;;
    *)
      local IFS=$'\n'
      compopt -o filenames 2>/dev/null || true
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
  esac
}

complete -F _lmp lmp
