# Sourced by the bench scripts first: where the source tree (root) and the distribution they
# run (dist) are, and checks of their arguments, made before anything starts, with a message
# that names the argument.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist="$root/ops/target/qraft"
# The client addresses of cluster.sh's three nodes, as qraft-perf and qraftctl take them.
nodes=(--node 127.0.0.1:7791 --node 127.0.0.1:7792 --node 127.0.0.1:7793)
# The user cluster.sh makes the first administrator; qraft-perf and qraftctl log in with it.
export QRAFT_USER="${QRAFT_USER:-bench}"
export QRAFT_PASSWORD="${QRAFT_PASSWORD:-bench-$RANDOM$RANDOM$RANDOM}"

# cluster_up DIR [KEY=VALUE...]: cluster.sh's three nodes in DIR, stopped when the script exits.
cluster_up() {
  local d="$1"
  shift
  trap '"$root/bench/scripts/cluster.sh" down "'"$d"'"' EXIT
  "$root/bench/scripts/cluster.sh" up "$d" 3 "$@"
}
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
