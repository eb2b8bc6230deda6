# Sourced by the bench scripts: checks of their arguments, made before anything starts, with a
# message that names the argument.
# whole_numbers SCRIPT NAME=VALUE ...: exits with status 2 unless every VALUE is a whole number.
whole_numbers() {
  local script="$1" kv
  shift
  for kv in "$@"; do
    case "${kv#*=}" in
      ''|*[!0-9]*) echo "$script: ${kv%%=*} must be a whole number, not '${kv#*=}'" >&2; exit 2 ;;
    esac
  done
}
