# shellcheck shell=bash
# Host lifecycle for the lab: network plumbing, power on/off and the services of each role.
# Sourced after common.sh. Every function is idempotent: it probes first and acts only if needed.

# ---------------------------------------------------------------- network

# ensure_bridge: drlab0 with the orchestrator address, up.
ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$ORCH_ADDR/$PREFIX_LEN" dev "$BRIDGE"
  ip link set "$BRIDGE" alias "drctl-lab:$STATE_DIR"   # see OWNER_STATE in common.sh
  ip link set "$BRIDGE" up
}

# write_resolv_conf NS: /etc/netns/NS/resolv.conf, which `ip netns exec` bind-mounts over /etc/resolv.conf
# (the host's init inherits that mount, and so does everything entering it with lab/exec).
# App hosts with dnsmasq use it (127.0.0.1); every other host asks BIND directly (an nscd host caches in
# front of that, through glibc).
write_resolv_conf() {
  local ns=$1 server=$DNS_ADDR
  [ "$(host_cache "$ns")" = dnsmasq ] && server=127.0.0.1
  if [ ! -d /etc/netns ]; then
    mkdir -p /etc/netns
    : >"$STATE_DIR/created-etc-netns"   # lab/down removes /etc/netns only if the lab created it
  fi
  mkdir -p "/etc/netns/$ns"
  printf 'nameserver %s\nsearch %s\noptions timeout:1 attempts:2\n' "$server" "$ZONE" >"/etc/netns/$ns/resolv.conf"
}

# ensure_host_net NS: namespace, veth pair (root side named like the namespace, host side eth0)
# attached to the bridge, the host's address. Returns 0; sets NEW_NETNS=1 when it was created now.
ensure_host_net() {
  local ns=$1 addr=${HOST_ADDR[$1]}
  write_resolv_conf "$ns"
  if ! netns_exists "$ns"; then
    ip netns add "$ns"
    NEW_NETNS=1
  fi
  if ! ip link show "$ns" >/dev/null 2>&1; then
    ip -n "$ns" link del eth0 2>/dev/null || true
    ip link add "$ns" type veth peer name eth0 netns "$ns"
  fi
  ip link set "$ns" master "$BRIDGE"
  # A partitioned host (lab/fault partition) keeps its switch port down until lab/fault heal.
  [ -f "$(host_dir "$ns")/partitioned" ] || ip link set "$ns" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr replace "$addr/$PREFIX_LEN" dev eth0
  mkdir -p "$(host_dir "$ns")"
}

# ---------------------------------------------------------------- power

# power_on NS: bring the host's NIC up, start its init and its role's services.
power_on() {
  local ns=$1 dir pid
  dir=$(host_dir "$ns")
  ip -n "$ns" link set eth0 up
  if ! host_running "$ns"; then
    local hostname=lab-${ns#drl-}
    [ "$(host_role "$ns")" != dns ] && hostname="$(host_region "$ns")-$(host_invname "$ns")"
    # Backgrounded with all stdio detached: callers (e.g. the Java fixture) must not inherit a pipe.
    setsid ip netns exec "$ns" unshare --pid --fork --kill-child --mount-proc --uts --ipc \
      "$LAB_LIB/host-init" "$hostname" "$STATE_DIR" </dev/null >>"$dir/init.log" 2>&1 9<&- &
    wait_until "init of $ns" 10 host_running "$ns" || die "host $ns: init did not start (see $dir/init.log)"
    pid=$(init_pid "$ns")
    echo "$pid" >"$dir/init.pid"
    wait_until "private /run of $ns" 10 nsenter -t "$pid" -m test -e /run/drl-ready \
      || die "host $ns: init did not finish its setup (see $dir/init.log)"
  fi
  start_services "$ns"
}

# power_off NS: SIGKILL the host's init (the kernel then kills its whole PID namespace), wait until
# no process is left in the network namespace, and take the NIC down so the host answers nothing.
power_off() {
  local ns=$1 pid pids
  netns_exists "$ns" || return 0
  pid=$(init_pid "$ns")
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  wait_until "processes of $ns to exit" 10 sh -c "[ -z \"\$(ip netns pids $ns)\" ]" || {
    # Whatever still lives in the namespace (e.g. a process someone started with plain `ip netns exec`).
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
    wait_until "processes of $ns to exit" 5 sh -c "[ -z \"\$(ip netns pids $ns)\" ]" || die "host $ns: processes survive: $(ip netns pids "$ns" | tr '\n' ' ')"
  }
  ip -n "$ns" link set eth0 down 2>/dev/null || true
  rm -f "$(host_dir "$ns")/init.pid"
}

# ---------------------------------------------------------------- services

start_services() {
  local ns=$1
  start_sshd "$ns"
  case "$(host_role "$ns")" in
    dns) if [ "$ns" = drl-dns2 ]; then start_named2; else start_named; fi ;;
    dbms) start_postgres "$ns" ;;
    app) if [ "$(host_cache "$ns")" = nscd ]; then start_nscd "$ns"; else start_dnsmasq "$ns"; fi ;;
    framework) start_cs "$ns" ;;
  esac
}

# wait_services NS: wait until every service of the host answers from outside.
wait_services() {
  local ns=$1 addr=${HOST_ADDR[$1]}
  wait_until "sshd on $ns ($addr:22)" 15 tcp_open "$addr" 22 || die "sshd on $ns does not answer (see $(host_dir "$ns")/sshd.log)"
  case "$(host_role "$ns")" in
    framework) wait_until "CS stand-in on $ns" 15 tcp_open "$addr" "$CS_PORT" || die "CS stand-in on $ns does not listen (see $(host_dir "$ns")/cs.log)" ;;
    app) if [ "$(host_cache "$ns")" = nscd ]; then
           wait_until "nscd on $ns" 15 hexec "$ns" test -S /run/nscd/socket || die "nscd on $ns has no socket (see $(host_dir "$ns")/nscd.log)"
         else
           wait_until "dnsmasq on $ns" 15 hexec "$ns" dig +short +time=1 +tries=1 @127.0.0.1 "$ZONE." SOA || die "dnsmasq on $ns does not answer (see $(host_dir "$ns")/dnsmasq.log)"
         fi ;;
  esac
}

# ensure_host_key NS: the host's own ed25519 host key (kept for the life of the state dir).
ensure_host_key() {
  local dir; dir=$(host_dir "$1")
  mkdir -p "$dir"
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$dir/ssh_host_ed25519_key"
}

write_sshd_config() {
  local ns=$1 dir; dir=$(host_dir "$ns")
  ensure_host_key "$ns"
  cat >"$dir/sshd_config" <<EOF
# sshd of lab host $ns (generated by lab/up)
ListenAddress ${HOST_ADDR[$ns]}
Port 22
HostKey $dir/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
# every connection is logged ("Connection from ..."): a test proves a host was not contacted
LogLevel VERBOSE
EOF
}

start_sshd() {
  local ns=$1 dir; dir=$(host_dir "$ns")
  hpgrep "$ns" -x sshd >/dev/null && return 0
  write_sshd_config "$ns"
  hexec "$ns" /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >>"$dir/sshd.log" 2>&1
}

# ---- BIND on the dns host

NAMED_DIR="$STATE_DIR/hosts/drl-dns/named"

# named_options DIR ADDR NOTIFY: the options both lab BIND servers share (authoritative only, answering on
# ADDR and loopback, files in DIR), then an empty controls block.
named_options() {
  local dir=$1 addr=$2 notify=$3
  cat <<EOF
options {
  directory "$dir";
  pid-file "$dir/named.pid";
  session-keyfile "$dir/session.key";
  managed-keys-directory "$dir";
  listen-on port 53 { $addr; 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  allow-query { any; };
  allow-transfer { none; };
  dnssec-validation no;
  notify $notify;
};
controls { };
EOF
}

write_named_config() {
  mkdir -p "$NAMED_DIR"
  cat >"$NAMED_DIR/named.conf" <<EOF
// BIND of the lab (generated by lab/up). Authoritative only; updates only with TSIG key $TSIG_NAME.
include "$TSIG_FILE";
$(named_options "$NAMED_DIR" "$DNS_ADDR" "$( [ "$SECOND_DNS" = yes ] && echo explicit || echo no )")
zone "$ZONE" {
  type primary;
  file "$NAMED_DIR/$ZONE.db";
  allow-update { key $TSIG_NAME; };
  allow-transfer { key $TSIG_NAME; };   # drctl counts the zone's records for its change threshold
$( [ "$SECOND_DNS" = yes ] && echo "  also-notify { $DNS2_ADDR; };          # the secondary (drl-dns2) transfers at once" )
};
EOF
  # Zone data only on first creation: later changes (dynamic updates, journal) belong to the user.
  if [ ! -f "$NAMED_DIR/$ZONE.db" ]; then
    cat >"$NAMED_DIR/$ZONE.db" <<EOF
\$TTL 5
@             IN SOA ns.$ZONE. hostmaster.$ZONE. 1 60 30 600 5
              IN NS  ns.$ZONE.
$( [ "$SECOND_DNS" = yes ] && printf '              IN NS  ns2.%s.\nns2           IN A   %s' "$ZONE" "$DNS2_ADDR" )
ns            IN A   $DNS_ADDR
$REC_CS_P IN A ${HOST_ADDR[drl-r1-mfwkp]}
$REC_CS_B IN A ${HOST_ADDR[drl-r1-mfwkb]}
$REC_DB IN A ${HOST_ADDR[drl-r1-dbms]}
EOF
  fi
}

# ---- BIND secondary on drl-dns2 (site with SECOND_DNS=yes): transfers the zone from drl-dns, signed
# with the lab key, at once on NOTIFY.

NAMED2_DIR="$STATE_DIR/hosts/drl-dns2/named"

start_named2() {
  hpgrep drl-dns2 -x named >/dev/null && return 0
  mkdir -p "$NAMED2_DIR"
  cat >"$NAMED2_DIR/named.conf" <<EOF
// BIND secondary of the lab (generated by lab/up). Serves the zone it transfers from $DNS_ADDR.
include "$TSIG_FILE";
$(named_options "$NAMED2_DIR" "$DNS2_ADDR" no)
zone "$ZONE" {
  type secondary;
  file "$NAMED2_DIR/$ZONE.db";
  primaries { $DNS_ADDR key $TSIG_NAME; };
};
EOF
  hspawn drl-dns2 "$NAMED2_DIR/named.log" /usr/sbin/named -g -4 -c "$NAMED2_DIR/named.conf"
}

start_named() {
  hpgrep drl-dns -x named >/dev/null && return 0
  write_named_config
  hspawn drl-dns "$NAMED_DIR/named.log" /usr/sbin/named -g -4 -c "$NAMED_DIR/named.conf"
}

stop_named() {
  local pids
  pids=$(hpgrep drl-dns -x named || true)
  [ -z "$pids" ] && return 0
  hexec drl-dns kill -TERM $pids || true
  wait_until "named to stop" 10 sh -c "! $LAB_DIR/exec drl-dns pgrep -x named" || hexec drl-dns pkill -KILL -x named || true
}

# ---- PostgreSQL on the dbms hosts (region1 primary, region2 streaming replica)

pg_dir()  { echo "$(host_dir "$1")/pg"; }
pg_data() { echo "$(pg_dir "$1")/data"; }

pg_as() { local ns=$1; shift; hexec "$ns" runuser -u postgres -- "$@"; }

# init_primary_data: initdb + lab settings (runs outside the host: it needs no network).
init_primary_data() {
  local ns=drl-r1-dbms data; data=$(pg_data "$ns")
  [ -f "$data/PG_VERSION" ] && return 0
  rm -rf "$data"
  mkdir -p "$(pg_dir "$ns")"
  chown postgres:postgres "$(pg_dir "$ns")"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C \
    --no-sync --no-instructions >>"$(pg_dir "$ns")/initdb.log" 2>&1
  cat >>"$data/postgresql.conf" <<EOF

# ---- lab settings (lab/up) ----
listen_addresses = '*'          # inside the host's netns: 127.0.0.1 and its own address
port = $DB_PORT
unix_socket_directories = '$PG_SOCK'   # in the host's private /run
fsync = off                     # a lab: speed over durability
synchronous_commit = off
shared_buffers = 16MB
max_connections = 30
wal_level = replica
max_wal_senders = 5
wal_keep_size = 64MB
wal_log_hints = on              # pg_rewind can rejoin a former primary (drctl's db.rejoin)
hot_standby = on
EOF
  cat >"$data/pg_hba.conf" <<EOF
# lab (lab/up): local superuser, replication between the two DBMS hosts, the orchestrator; the DBMS
# hosts' superuser to each other (pg_rewind and slot management when a former primary rejoins).
local   all          all                          trust
host    all          all          127.0.0.1/32    trust
host    all          all          $ORCH_ADDR/32    trust
host    all          all          10.77.1.8/29    trust   # the Framework hosts: the DBMS's clients
host    all          all          10.77.2.8/29    trust
host    all          postgres     ${HOST_ADDR[drl-r1-dbms]}/32   trust
host    all          postgres     ${HOST_ADDR[drl-r2-dbms]}/32   trust
host    replication  replicator   ${HOST_ADDR[drl-r1-dbms]}/32   trust
host    replication  replicator   ${HOST_ADDR[drl-r2-dbms]}/32   trust
EOF
  chown postgres:postgres "$data/pg_hba.conf"
}

# pg_running NS: a postmaster runs on the host. Asked of the host's own PID namespace, not of
# `pg_ctl status`: after a power cycle the PID in a stale postmaster.pid may belong to another process.
pg_running() { hpgrep "$1" -x postgres >/dev/null; }

start_postgres() {
  local ns=$1 data; data=$(pg_data "$ns")
  pg_running "$ns" && return 0
  hexec "$ns" install -d -o postgres -g postgres -m 2775 "$PG_SOCK"
  # No postgres runs in this host's PID namespace, so a postmaster.pid is stale (power cut); left in
  # place, postgres could mistake an unrelated process with that PID for a running postmaster.
  rm -f "$data/postmaster.pid"
  if [ ! -f "$data/PG_VERSION" ]; then
    if [ "$ns" = drl-r1-dbms ]; then
      init_primary_data
    else
      # The replica is cloned from the region-1 primary (which must be up).
      mkdir -p "$(pg_dir "$ns")"; chown postgres:postgres "$(pg_dir "$ns")"
      pg_as "$ns" "$PG_BIN/pg_basebackup" -h "${HOST_ADDR[drl-r1-dbms]}" -p "$DB_PORT" -U replicator \
        -D "$data" -R -X stream -c fast --no-sync >>"$(pg_dir "$ns")/basebackup.log" 2>&1 \
        || die "pg_basebackup for $ns failed (see $(pg_dir "$ns")/basebackup.log)"
    fi
  fi
  pg_as "$ns" "$PG_BIN/pg_ctl" -D "$data" -l "$(pg_dir "$ns")/postgres.log" -w -t 30 start \
    </dev/null >>"$(pg_dir "$ns")/pg_ctl.log" 2>&1 || die "PostgreSQL on $ns did not start (see $(pg_dir "$ns")/postgres.log)"
  if [ "$ns" = drl-r1-dbms ]; then
    pg_as "$ns" "$PG_BIN/psql" -qAt -h "$PG_SOCK" -p "$DB_PORT" -U postgres -c \
      "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') THEN CREATE ROLE replicator WITH REPLICATION LOGIN; END IF; END \$\$;" \
      >/dev/null || die "cannot create role replicator on $ns"
  fi
}

# ---- fence on the dormant DBMS (region 2): REJECT the DBMS port from both Framework subnets

fence_rules() {
  local ns=drl-r2-dbms action=$1 net
  if [ "$FENCE_STYLE" = manual ]; then
    # as the Deployment Guide's manual procedure writes them: no comment, appended, per Framework VM,
    # behind the stateful ACCEPT many hosts carry
    local est=(INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT) h
    ip netns exec "$ns" iptables -C "${est[@]}" 2>/dev/null || ip netns exec "$ns" iptables -A "${est[@]}"
    for h in drl-r1-mfwkp drl-r1-mfwkb drl-r2-mfwkp drl-r2-mfwkb; do
      local rule=(INPUT -p tcp --dport "$DB_PORT" --src "${HOST_ADDR[$h]}" -j REJECT)
      ip netns exec "$ns" iptables -C "${rule[@]}" 2>/dev/null || ip netns exec "$ns" iptables -A "${rule[@]}"
    done
    return 0
  fi
  for net in "${FRAMEWORK_SUBNETS[@]}"; do
    local rule=(INPUT -p tcp -s "$net" --dport "$DB_PORT" -m comment --comment "$FENCE_COMMENT" -j REJECT --reject-with tcp-reset)
    case "$action" in
      add) ip netns exec "$ns" iptables -C "${rule[@]}" 2>/dev/null || ip netns exec "$ns" iptables -A "${rule[@]}" ;;
    esac
  done
}

# ---- dnsmasq caching resolver on the app hosts

start_dnsmasq() {
  local ns=$1 dir; dir=$(host_dir "$ns")
  hpgrep "$ns" -x dnsmasq >/dev/null && return 0
  # --min-cache-ttl=3600 (dnsmasq's maximum) keeps answers stale until SIGHUP flushes the cache.
  hexec "$ns" /usr/sbin/dnsmasq --conf-file=/dev/null --listen-address=127.0.0.1 --bind-interfaces \
    --port=53 --no-resolv --no-hosts --server="$DNS_ADDR" --min-cache-ttl=3600 --cache-size=1000 \
    --pid-file=/run/dnsmasq.pid --user=root --group=root --log-queries --log-facility="$dir/dnsmasq.log" \
    </dev/null >>"$dir/dnsmasq.log" 2>&1
}

# ---- nscd on the app hosts of a site that caches with it (glibc consults the host's /run/nscd/socket)

start_nscd() {
  local ns=$1 dir; dir=$(host_dir "$ns")
  hexec "$ns" test -S /run/nscd/socket && hpgrep "$ns" -x nscd >/dev/null && return 0
  # The host's own configuration: nothing persistent or shared on the machine's filesystem.
  cat >"$dir/nscd.conf" <<EOF
# nscd of lab host $ns (generated by lab/up): a hosts cache only
logfile $dir/nscd.log
debug-level 0
paranoia no
enable-cache passwd no
enable-cache group no
enable-cache services no
enable-cache netgroup no
enable-cache hosts yes
positive-time-to-live hosts 3600
negative-time-to-live hosts 5
check-files hosts yes
persistent hosts no
shared hosts no
EOF
  hexec "$ns" mkdir -p /run/nscd
  hexec "$ns" /usr/sbin/nscd -f "$dir/nscd.conf" </dev/null >>"$dir/nscd.log" 2>&1
}

# ---- Configuration Server stand-in on the Framework hosts

start_cs() {
  local ns=$1 dir; dir=$(host_dir "$ns")
  hpgrep "$ns" -f cs-standin.py >/dev/null && return 0
  hspawn "$ns" "$dir/cs.log" "$PYTHON" "$LAB_LIB/cs-standin.py" "${HOST_ADDR[$ns]}" "$CS_PORT" "$DNS_ADDR" "$REC_DB.$ZONE" "$DB_PORT"
}
