# Sourced by the bench scripts first: where the source tree (root) and the distribution they
# run (dist) are, and checks of their arguments, made before anything starts, with a message
# that names the argument.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist="$root/ops/target/qraft"
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
