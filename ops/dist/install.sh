#!/usr/bin/env bash
# Installs a qraft node from a distribution tarball (qraft-VERSION.tar.gz). Safe to run again.
#
#   install.sh --tarball PATH --node-id ID --advertise HOST --peers 'id@host:grpcPort:raftPort,...'
#              [--prefix /opt/qraft] [--data-dir /var/lib/qraft] [--log-dir /var/log/qraft]
#              [--grpc-port 5691] [--raft-port 6691] [--http-port 15691] [--bind 0.0.0.0|advertise|ADDR]
#              [--user qraft] [--no-user] [--no-systemd] [--unit-dir /etc/systemd/system] [--force-config]
#              [--tls-cert FILE --tls-key FILE --tls-ca FILE] [--admin-user admin] [--admin-password-file FILE]
#
# It unpacks the tarball into PREFIX/qraft-VERSION and points PREFIX/current at it; creates the
# system user (unless --no-user) and the data and log directories, owned by that user; writes
# PREFIX/current/conf/qraft.conf from the arguments (an existing, configured qraft.conf is kept
# unless --force-config; an upgrade carries it over from the previous version); sets the log
# directory in conf/qraft-env.sh; and writes the systemd unit qraft.service (unless --no-systemd),
# running 'systemctl daemon-reload' when systemd is running. It does not start the node.
# The cluster's first administrator (tag administrator, every permission) is written to
# PREFIX/first-admin (auth.bootstrap_file; mode 0640, group of --user): the node that first leads
# the cluster's metadata adds it. Without --admin-password-file a password is generated into
# PREFIX/admin-password (mode 0600): give that file as --admin-password-file on the other hosts.
#
#   --peers       every node of the cluster, this one included, as id@host:grpcPort:raftPort:
#                 the addresses clients and the other nodes use (cluster.nodes)
#   --advertise   this node's host in --peers; its entry there must name this host and these ports
#   --bind        what the listeners bind: 0.0.0.0 (default, every interface), 'advertise' (the
#                 --advertise address only) or an address of this host
#   --no-user     do not create the user; the directories go to --user if it exists, else stay
#                 with the user running install.sh
#   --tls-*       PEM files of this node (bin/qraft-certs makes test ones): clients and Raft over
#                 TLS (tls.cert_file, tls.key_file, tls.ca_file); all three or none
# Exit status: 0 done, 1 failed, 2 bad arguments.
set -euo pipefail

prog="install.sh"
script="${BASH_SOURCE[0]}"
script_dir="$(cd "$(dirname "$script")" && pwd)"

usage() {
  local code="${1:-2}"
  if ((code == 0)); then
    sed -n '2,30s/^# \{0,1\}//p' "$script"
  else
    sed -n '2,30s/^# \{0,1\}//p' "$script" >&2
  fi
  exit "$code"
}

# A bad argument: says what is wrong and exits with 2.
bad() {
  echo "$prog: $*" >&2
  echo "$prog: run '$prog --help' for the usage" >&2
  exit 2
}

die() {
  echo "$prog: $*" >&2
  exit 1
}

say() {
  echo "$prog: $*"
}

tarball=""
prefix="/opt/qraft"
data_dir="/var/lib/qraft"
log_dir="/var/log/qraft"
node_id=""
advertise=""
peers=""
grpc_port="5691"
raft_port="6691"
http_port="15691"
bind="0.0.0.0"
user="qraft"
user_given=false
create_user=true
systemd=true
unit_dir="/etc/systemd/system"
force_config=false
tls_cert=""
tls_key=""
tls_ca=""
admin_user="admin"
admin_password_file=""

[[ $# -gt 0 ]] || usage
while [[ $# -gt 0 ]]; do
  opt="$1"
  case "$opt" in
    -h|--help) usage 0 ;;
    --no-user) create_user=false; shift; continue ;;
    --no-systemd) systemd=false; shift; continue ;;
    --force-config) force_config=true; shift; continue ;;
    --*=*) value="${opt#*=}"; opt="${opt%%=*}"; shift ;;
    --*)
      [[ $# -ge 2 ]] || bad "$opt needs a value"
      value="$2"
      shift 2
      ;;
    *) bad "unexpected argument '$opt'" ;;
  esac
  case "$opt" in
    --tarball) tarball="$value" ;;
    --prefix) prefix="$value" ;;
    --data-dir) data_dir="$value" ;;
    --log-dir) log_dir="$value" ;;
    --node-id) node_id="$value" ;;
    --advertise) advertise="$value" ;;
    --peers) peers="$value" ;;
    --grpc-port) grpc_port="$value" ;;
    --raft-port) raft_port="$value" ;;
    --http-port) http_port="$value" ;;
    --bind) bind="$value" ;;
    --user) user="$value"; user_given=true ;;
    --unit-dir) unit_dir="$value" ;;
    --tls-cert) tls_cert="$value" ;;
    --tls-key) tls_key="$value" ;;
    --tls-ca) tls_ca="$value" ;;
    --admin-user) admin_user="$value" ;;
    --admin-password-file) admin_password_file="$value" ;;
    *) bad "unknown option '$opt'" ;;
  esac
done

# ---- validation: every problem is reported before anything changes --------------------------

id_re='^[A-Za-z0-9_-]{1,64}$'
host_re='^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$'

valid_port() {
  [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}

[[ -n "$tarball" ]] || bad "--tarball is required: the qraft-VERSION.tar.gz to install"
[[ -f "$tarball" && -r "$tarball" ]] || bad "--tarball '$tarball' is not a readable file"
[[ -n "$node_id" ]] || bad "--node-id is required: this node's id, as in --peers"
[[ "$node_id" =~ $id_re ]] || bad "--node-id '$node_id' may use only letters, digits, '_' and '-' (1 to 64)"
[[ -n "$advertise" ]] || bad "--advertise is required: the host (name or address) other nodes and clients reach this node at"
[[ "$advertise" =~ $host_re ]] || bad "--advertise '$advertise' is not a host name or address"
[[ -n "$peers" ]] || bad "--peers is required: every node as id@host:grpcPort:raftPort, comma-separated"
for p in grpc_port raft_port http_port; do
  valid_port "${!p}" || bad "--${p//_/-} '${!p}' is not a port (1-65535)"
done
[[ "$grpc_port" != "$raft_port" && "$grpc_port" != "$http_port" && "$raft_port" != "$http_port" ]] \
  || bad "--grpc-port, --raft-port and --http-port must differ (they are $grpc_port, $raft_port, $http_port)"
for d in prefix data_dir log_dir; do
  [[ "${!d}" == /* ]] || bad "--${d//_/-} '${!d}' must be an absolute path"
  [[ "${!d}" != *[[:space:]]* ]] || bad "--${d//_/-} '${!d}' must not contain white space"
done
[[ "${prefix%/}" != "" ]] || bad "--prefix must not be /"
prefix="${prefix%/}"
data_dir="${data_dir%/}"
log_dir="${log_dir%/}"
[[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || bad "--user '$user' is not a valid user name"
if [[ -n "$tls_cert$tls_key$tls_ca" ]]; then
  for f in tls_cert tls_key tls_ca; do
    [[ -n "${!f}" ]] || bad "--tls-cert, --tls-key and --tls-ca go together: --${f//_/-} is missing"
    [[ "${!f}" == /* ]] || bad "--${f//_/-} '${!f}' must be an absolute path"
    [[ "${!f}" != *[[:space:]]* ]] || bad "--${f//_/-} '${!f}' must not contain white space"
    [[ -f "${!f}" && -r "${!f}" ]] || bad "--${f//_/-} '${!f}' is not a readable file"
  done
fi
# A plain name for the first user (the cluster takes more: any UTF-8 without ':' and controls).
[[ "$admin_user" =~ ^[A-Za-z0-9._@-]{1,64}$ ]] \
  || bad "--admin-user '$admin_user' may use only letters, digits and . _ @ - (1 to 64)"
admin_password=""
if [[ -n "$admin_password_file" ]]; then
  [[ -f "$admin_password_file" && -r "$admin_password_file" ]] \
    || bad "--admin-password-file '$admin_password_file' is not a readable file"
  admin_password="$(head -n 1 "$admin_password_file" | tr -d '\r')"
  [[ -n "$admin_password" ]] || bad "--admin-password-file '$admin_password_file' is empty: its first line is the password"
  [[ "$admin_password" != *[[:cntrl:]]* ]] || bad "--admin-password-file: the password has a control character"
fi
case "$bind" in
  advertise) bind_host="$advertise" ;;
  *)
    [[ "$bind" =~ $host_re ]] || bad "--bind '$bind' is not 0.0.0.0, 'advertise' or an address"
    bind_host="$bind"
    ;;
esac

# --peers: id@host:grpcPort:raftPort entries; unique ids and endpoints; this node among them,
# at the advertised host and the ports given.
self_entry=""
declare -A seen_ids=() seen_endpoints=()
IFS=',' read -r -a peer_entries <<<"$peers"
[[ "${peers: -1}" != "," ]] || bad "--peers '$peers' ends with an empty entry"
((${#peer_entries[@]} >= 1)) || bad "--peers is empty"
((${#peer_entries[@]} <= 7)) || bad "--peers lists ${#peer_entries[@]} nodes; a cluster has at most 7"
normalized=()
for raw in "${peer_entries[@]}"; do
  entry="${raw//[[:space:]]/}"
  [[ -n "$entry" ]] || bad "--peers '$peers' has an empty entry"
  [[ "$entry" == *@*:*:* ]] || bad "--peers entry '$entry' is not id@host:grpcPort:raftPort"
  pid_="${entry%%@*}"
  rest="${entry#*@}"
  p_raft="${rest##*:}"
  rest="${rest%:*}"
  p_grpc="${rest##*:}"
  p_host="${rest%:*}"
  [[ "$pid_" =~ $id_re ]] || bad "--peers entry '$entry': the id '$pid_' may use only letters, digits, '_' and '-'"
  [[ "$p_host" =~ $host_re ]] || bad "--peers entry '$entry': '$p_host' is not a host name or address"
  valid_port "$p_grpc" || bad "--peers entry '$entry': the gRPC port '$p_grpc' is not a port"
  valid_port "$p_raft" || bad "--peers entry '$entry': the Raft port '$p_raft' is not a port"
  [[ -z "${seen_ids[$pid_]:-}" ]] || bad "--peers names the node id '$pid_' twice"
  seen_ids[$pid_]=1
  for ep in "$p_host:$p_grpc" "$p_host:$p_raft"; do
    [[ -z "${seen_endpoints[$ep]:-}" ]] || bad "--peers uses $ep twice"
    seen_endpoints[$ep]=1
  done
  if [[ "$pid_" == "$node_id" ]]; then
    self_entry="$entry"
    [[ "$p_host" == "$advertise" ]] \
      || bad "--peers gives node $node_id the host '$p_host', but --advertise is '$advertise'"
    [[ "$((10#$p_grpc))" == "$((10#$grpc_port))" && "$((10#$p_raft))" == "$((10#$raft_port))" ]] \
      || bad "--peers gives node $node_id the ports $p_grpc:$p_raft, but --grpc-port/--raft-port are $grpc_port:$raft_port"
  fi
  normalized+=("$entry")
done
[[ -n "$self_entry" ]] || bad "--node-id '$node_id' is not one of the nodes in --peers"
cluster_nodes="$(
  IFS=,
  echo "${normalized[*]}"
)"
cluster_nodes="${cluster_nodes//,/, }"

# The tarball: one top directory qraft-VERSION holding bin/qraft-server.
top="$(tar -tzf "$tarball" 2>/dev/null | head -n 1)" || true
top="${top%%/*}"
[[ "$top" =~ ^qraft-[A-Za-z0-9._+-]+$ ]] \
  || bad "--tarball '$tarball' is not a qraft distribution (its top directory is '${top:-?}', not qraft-VERSION)"
tar -tzf "$tarball" "$top/bin/qraft-server" >/dev/null 2>&1 \
  || bad "--tarball '$tarball' has no $top/bin/qraft-server"

user_exists=false
if id -u "$user" >/dev/null 2>&1; then
  user_exists=true
fi
if [[ "$create_user" == false && "$user_exists" == false ]]; then
  if [[ "$systemd" == true ]]; then
    bad "--no-user, but the user '$user' does not exist: the unit runs as it (create it, drop --no-user, or add --no-systemd)"
  elif [[ "$user_given" == true ]]; then
    bad "--no-user, but the user '$user' given with --user does not exist"
  fi
fi
if [[ "$create_user" == true && "$user_exists" == false && "$(id -u)" != 0 ]]; then
  die "creating the user '$user' needs root (or pass --no-user)"
fi

# ---- the user --------------------------------------------------------------------------------

if [[ "$create_user" == true ]]; then
  if [[ "$user_exists" == true ]]; then
    say "user $user exists"
  else
    nologin="$(command -v nologin || echo /usr/sbin/nologin)"
    if command -v useradd >/dev/null 2>&1; then
      useradd --system --user-group --home-dir "$data_dir" --no-create-home --shell "$nologin" \
        --comment "qraft node" "$user"
    elif command -v adduser >/dev/null 2>&1; then
      adduser -S -D -H -h "$data_dir" -s "$nologin" "$user"
    else
      die "cannot create the user '$user': neither useradd nor adduser is installed"
    fi
    say "created system user $user"
    user_exists=true
  fi
fi
owner=""
if [[ "$user_exists" == true ]]; then
  owner="$user:$(id -gn "$user")"
fi

# ---- directories -----------------------------------------------------------------------------

mkdir -p "$prefix"
for d in "$data_dir" "$log_dir"; do
  mkdir -p "$d"
  if [[ -n "$owner" ]]; then
    chown "$owner" "$d"
  fi
  chmod 0750 "$d"
done

# ---- the distribution: PREFIX/qraft-VERSION and PREFIX/current -------------------------------

version_dir="$prefix/$top"
staging="$(mktemp -d "$prefix/.install-$top.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
tar -xzf "$tarball" -C "$staging" --no-same-owner
chmod 0755 "$staging/$top"

# A configured qraft.conf (any line that is not a comment) and the env file are the operator's:
# kept when this version is installed again, carried over from the previous version on an upgrade.
configured() {
  [[ -f "$1" ]] && grep -qv -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$1"
}
previous_conf=""
if [[ -d "$version_dir/conf" ]]; then
  previous_conf="$version_dir/conf"
elif [[ -L "$prefix/current" && -d "$prefix/current/conf" ]]; then
  previous_conf="$(cd -P "$prefix/current/conf" && pwd)"
fi

if [[ -d "$version_dir" ]] && diff -rq --exclude=conf "$staging/$top" "$version_dir" >/dev/null 2>&1; then
  say "$version_dir is already installed from this tarball"
else
  if [[ -n "$previous_conf" ]]; then
    if configured "$previous_conf/qraft.conf"; then
      cp -p "$previous_conf/qraft.conf" "$staging/$top/conf/qraft.conf"
    fi
    if [[ -f "$previous_conf/qraft-env.sh" ]] \
      && ! cmp -s "$previous_conf/qraft-env.sh" "$staging/$top/conf/qraft-env.sh"; then
      cp -p "$staging/$top/conf/qraft-env.sh" "$staging/$top/conf/qraft-env.sh.dist"
      cp -p "$previous_conf/qraft-env.sh" "$staging/$top/conf/qraft-env.sh"
    fi
  fi
  if [[ -d "$version_dir" ]]; then
    old="$(mktemp -d "$prefix/.old-$top.XXXXXX")"
    mv "$version_dir" "$old/"
    mv "$staging/$top" "$version_dir"
    rm -rf "$old"
    say "replaced $version_dir (the tarball differed from what was installed)"
  else
    mv "$staging/$top" "$version_dir"
    say "unpacked $top into $version_dir"
  fi
fi
rm -rf "$staging"
trap - EXIT

# current -> qraft-VERSION, switched atomically.
if [[ -e "$prefix/current" && ! -L "$prefix/current" ]]; then
  die "$prefix/current exists and is not a symbolic link; move it away"
fi
if [[ "$(readlink "$prefix/current" 2>/dev/null || true)" != "$top" ]]; then
  ln -sfn "$top" "$prefix/.current.new"
  mv -Tf "$prefix/.current.new" "$prefix/current"
  say "$prefix/current -> $top"
fi
conf_dir="$version_dir/conf"

# ---- conf/qraft.conf -------------------------------------------------------------------------

# The shipped qraft.conf with the keys set here uncommented: every other key stays documented,
# commented out at its default.
render_config() {
  local shipped="$1"
  {
    echo "# Written by install.sh for node $node_id. Keys this node sets are uncommented below; the others"
    echo "# are at their defaults. Rerun install.sh with --force-config to rewrite this file."
    echo "#"
    awk -v id="$node_id" -v data="$data_dir" -v grpc="$bind_host:$grpc_port" \
      -v raft="$bind_host:$raft_port" -v http="$bind_host:$http_port" -v nodes="$cluster_nodes" \
      -v admin="$prefix/first-admin" -v cert="$tls_cert" -v key="$tls_key" -v ca="$tls_ca" '
      BEGIN {
        v["node.id"] = id; v["node.data_dir"] = data; v["listeners.grpc"] = grpc
        v["listeners.raft"] = raft; v["listeners.http"] = http; v["cluster.nodes"] = nodes
        v["auth.bootstrap_file"] = admin
        keys = "node.id node.data_dir listeners.grpc listeners.raft listeners.http cluster.nodes auth.bootstrap_file"
        if (cert != "") {
          v["tls.cert_file"] = cert; v["tls.key_file"] = key; v["tls.ca_file"] = ca
          keys = keys " tls.cert_file tls.key_file tls.ca_file"
        }
        n = split(keys, order, " ")
      }
      /^#[[:space:]]*[a-z_.]+[[:space:]]*=/ {
        key = $0; sub(/^#[[:space:]]*/, "", key); sub(/[[:space:]]*=.*/, "", key)
        if (key in v && !(key in done)) { print key " = " v[key]; done[key] = 1; next }
      }
      { print }
      END {
        for (i = 1; i <= n; i++) if (!(order[i] in done)) print order[i] " = " v[order[i]]
      }' "$shipped"
  }
}

shipped_conf="$(mktemp)"
trap 'rm -f "$shipped_conf"' EXIT
# The shipped, all-commented qraft.conf of this version (the one in conf/ may be the operator's).
tar -xzOf "$tarball" "$top/conf/qraft.conf" >"$shipped_conf"
wanted="$(render_config "$shipped_conf")"
conf="$conf_dir/qraft.conf"
if configured "$conf" && [[ "$force_config" == false ]]; then
  if [[ "$(cat "$conf")" == "$wanted" ]]; then
    say "$conf is up to date"
  else
    say "kept $conf, which differs from what these arguments give (--force-config rewrites it)"
  fi
else
  if configured "$conf"; then
    backup="$conf.$(date +%Y%m%d%H%M%S).bak"
    cp -p "$conf" "$backup"
    say "saved the previous qraft.conf as $backup"
  fi
  printf '%s\n' "$wanted" >"$conf.new"
  chmod 0644 "$conf.new"
  mv -f "$conf.new" "$conf"
  say "wrote $conf"
fi
rm -f "$shipped_conf"
trap - EXIT

# ---- the first administrator -----------------------------------------------------------------

# PREFIX/first-admin (USER:PASSWORD) outlives versions; the node reads it only while the cluster
# has no user. Readable by the node's group, never by others; written afresh only when a
# password is given (a run again keeps the one there).
first_admin="$prefix/first-admin"
if [[ -n "$admin_password" || ! -f "$first_admin" ]]; then
  if [[ -z "$admin_password" ]]; then
    admin_password="$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)"
    [[ ${#admin_password} -eq 24 ]] || die "could not draw a password from /dev/urandom"
    (umask 077 && printf '%s\n' "$admin_password" >"$prefix/admin-password.new")
    mv -f "$prefix/admin-password.new" "$prefix/admin-password"
    say "generated the password of the first administrator '$admin_user' into $prefix/admin-password" \
      "(readable by $(id -un) only); install the other hosts with --admin-user $admin_user" \
      "--admin-password-file <a copy of it>, so that every node holds the same"
  fi
  (umask 077 && printf '%s:%s\n' "$admin_user" "$admin_password" >"$first_admin.new")
  if [[ -n "$owner" && "$(id -u)" == 0 ]]; then
    chgrp "${owner#*:}" "$first_admin.new"
    chmod 0640 "$first_admin.new"
  fi
  mv -f "$first_admin.new" "$first_admin"
  say "wrote $first_admin: the first administrator '$admin_user', added when the cluster first has a leader"
else
  say "kept $first_admin (--admin-password-file replaces it)"
fi

# ---- conf/qraft-env.sh: the log directory ---------------------------------------------------

# A marked block, replaced on every run; the rest of the file is left as it is.
env_file="$conf_dir/qraft-env.sh"
begin_mark="# BEGIN install.sh"
end_mark="# END install.sh"
[[ -f "$env_file" ]] || : >"$env_file"
{
  sed "/^$begin_mark/,/^$end_mark/d" "$env_file"
  echo "$begin_mark (rewritten on every install; edit the options above this block)"
  echo "# Where bin/qraft-server logs (qraft.log, rolled daily); a value set in the environment wins."
  echo "QRAFT_LOG_DIR=\"\${QRAFT_LOG_DIR:-$log_dir}\""
  echo "export QRAFT_LOG_DIR"
  echo "$end_mark"
} >"$env_file.new"
chmod 0644 "$env_file.new"
mv -f "$env_file.new" "$env_file"

# ---- the systemd unit ------------------------------------------------------------------------

if [[ "$systemd" == true ]]; then
  unit_src="$version_dir/systemd/qraft.service"
  [[ -f "$unit_src" ]] || unit_src="$script_dir/systemd/qraft.service"
  [[ -f "$unit_src" ]] || unit_src="$script_dir/src/dist/systemd/qraft.service"
  [[ -f "$unit_src" ]] || die "no systemd/qraft.service in $version_dir or beside install.sh"
  group="$(id -gn "$user")"
  mkdir -p "$unit_dir"
  unit="$unit_dir/qraft.service"
  sed -e "s|^User=.*|User=$user|" \
    -e "s|^Group=.*|Group=$group|" \
    -e "s|^WorkingDirectory=.*|WorkingDirectory=$data_dir|" \
    -e "s|^Environment=QRAFT_LOG_DIR=.*|Environment=QRAFT_LOG_DIR=$log_dir|" \
    -e "s|^ExecStart=.*|ExecStart=$prefix/current/bin/qraft-server --config $prefix/current/conf/qraft.conf|" \
    -e "s|^ReadWritePaths=.*|ReadWritePaths=$data_dir $log_dir|" \
    "$unit_src" >"$unit.new"
  chmod 0644 "$unit.new"
  if [[ -f "$unit" ]] && cmp -s "$unit.new" "$unit"; then
    rm -f "$unit.new"
    say "$unit is up to date"
  else
    mv -f "$unit.new" "$unit"
    say "wrote $unit"
  fi
  # systemd is running when /run/systemd/system exists (what sd_booted() checks).
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload
    say "systemctl daemon-reload done; start the node with: systemctl enable --now qraft"
  else
    say "systemd is not running on this machine: skipped 'systemctl daemon-reload'"
  fi
fi

say "node $node_id installed: $prefix/current, data $data_dir, logs $log_dir"
if [[ "$systemd" == false ]]; then
  say "start it with: $prefix/current/bin/qraft-server --config $prefix/current/conf/qraft.conf"
fi
