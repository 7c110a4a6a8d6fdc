# shellcheck shell=bash
# Shared definitions for the lab scripts (sourced, never executed).
#
# The lab is a miniature of the two-region DR architecture on one Linux machine:
#   - bridge drlab0 in the root namespace, orchestrator address 10.77.0.1/16;
#   - one network namespace per host (drl-*), each with a long-lived init process that owns
#     a PID + mount + UTS + IPC namespace of its own ("the VM"). Killing that init powers the
#     host off: the kernel kills every process of its PID namespace.
# Host ids: the network namespace name (e.g. drl-r2-mfwkp) is the canonical id everywhere
# (inventory vm.id, lab/vmctl, lab/exec); inventory style "region2/mfwk-p" is accepted as an alias.

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB_LIB="$LAB_DIR/lib"
REPO_ROOT="$(cd "$LAB_DIR/.." && pwd)"
BRIDGE=drlab0
# There is one lab per machine (the drl-* names are global), but several checkouts may drive it.
# The bridge's interface alias records the state dir of the lab that is up ("drctl-lab:<dir>"), so
# scripts run from any checkout find the running lab's keys, pid files and logs.
# On a lab host (no bridge there) the host's private /run/drl-lab-state says the same.
# Order: DRCTL_LAB_STATE, else the running lab's state dir, else <this checkout>/lab/state.
OWNER_STATE=""
if [ -r "/sys/class/net/$BRIDGE/ifalias" ]; then
  OWNER_STATE=$(cat "/sys/class/net/$BRIDGE/ifalias" 2>/dev/null || true)
  [[ "$OWNER_STATE" == drctl-lab:/* ]] && OWNER_STATE=${OWNER_STATE#drctl-lab:} || OWNER_STATE=""
elif [ -r /run/drl-lab-state ]; then
  OWNER_STATE=$(cat /run/drl-lab-state)
fi
if [ -n "${DRCTL_LAB_STATE:-}" ]; then
  STATE_DIR=$DRCTL_LAB_STATE
elif [ -n "$OWNER_STATE" ]; then
  STATE_DIR=$OWNER_STATE
else
  STATE_DIR=$LAB_DIR/state
fi
INVENTORY_FILE="$REPO_ROOT/inventory/lab.yaml"

# The kind of site the lab imitates (lab/up --site NAME, remembered in the state dir while the lab is up):
# lib/site-default.sh (drctl's conventions) or lib/site-manual.sh (as the manual procedure leaves a site).
if [ -r "$STATE_DIR/site" ]; then
  LAB_SITE=$(cat "$STATE_DIR/site")
  case "$LAB_SITE" in default|manual) ;; *) printf 'lab: error: %s/site names no known site\n' "$STATE_DIR" >&2; exit 2 ;; esac
else
  LAB_SITE=${LAB_SITE_REQUESTED:-default}
fi
[ -r "$LAB_LIB/site-$LAB_SITE.sh" ] || { printf 'lab: error: unknown site %s (lab/lib/site-*.sh)\n' "$LAB_SITE" >&2; exit 2; }
# shellcheck source=site-default.sh
source "$LAB_LIB/site-$LAB_SITE.sh"

ORCH_ADDR=10.77.0.1
PREFIX_LEN=16
DNS_ADDR=10.77.0.53
ZONE=cc.lab.test
TSIG_NAME=drctl-update
TSIG_FILE="$STATE_DIR/tsig/$TSIG_NAME.key"
SSH_DIR="$STATE_DIR/ssh"
CS_PORT=2020
DB_PORT=5432
FENCE_COMMENT="drctl:fence:dbms"
FRAMEWORK_SUBNETS=(10.77.1.8/29 10.77.2.8/29)
PG_BIN=/usr/lib/postgresql/15/bin
PYTHON=/usr/bin/python3

DNS2_ADDR=10.77.0.54
# Every host, in start order (DNS first, then the DBMS pair, then the rest).
HOSTS=(drl-dns)
[ "$SECOND_DNS" = yes ] && HOSTS+=(drl-dns2)
HOSTS+=(drl-r1-dbms drl-r2-dbms
        drl-r1-appp drl-r1-appb drl-r2-appp drl-r2-appb
        drl-r1-mfwkp drl-r1-mfwkb drl-r2-mfwkp drl-r2-mfwkb)
# The DNS servers of the zone (the first accepts updates).
DNS_SERVERS=("$DNS_ADDR")
[ "$SECOND_DNS" = yes ] && DNS_SERVERS+=("$DNS2_ADDR")
# Hosts that are powered off after a fresh lab/up (the dormant region-2 Framework).
DORMANT=(drl-r2-mfwkp drl-r2-mfwkb)

declare -A HOST_ADDR=(
  [drl-dns]=10.77.0.53 [drl-dns2]=10.77.0.54
  [drl-r1-mfwkp]=10.77.1.10 [drl-r1-mfwkb]=10.77.1.11 [drl-r1-appp]=10.77.1.20
  [drl-r1-appb]=10.77.1.21  [drl-r1-dbms]=10.77.1.30
  [drl-r2-mfwkp]=10.77.2.10 [drl-r2-mfwkb]=10.77.2.11 [drl-r2-appp]=10.77.2.20
  [drl-r2-appb]=10.77.2.21  [drl-r2-dbms]=10.77.2.30
)

# ---------------------------------------------------------------- output helpers

LAB_T0=${LAB_T0:-$(date +%s.%N)}
elapsed() { awk -v a="$(date +%s.%N)" -v b="$LAB_T0" 'BEGIN { printf "%.1f", a - b }'; }
log()  { printf '[%5ss] %s\n' "$(elapsed)" "$*"; }
warn() { printf 'lab: %s\n' "$*" >&2; }
die()  { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, iptables, sshd)"; }

# lab_lock: serialize the scripts that change the lab (up, down, vmctl, fault), e.g. two test JVMs
# calling Lab.up() at once; nested calls (fault -> vmctl) inherit the lock through DRCTL_LAB_LOCKED.
lab_lock() {
  [ "${DRCTL_LAB_LOCKED:-}" = 1 ] && return 0
  # The lock must be machine-wide (scripts of several checkouts drive the same lab) and leave no
  # file behind: flock a directory that always exists and that nothing else flocks.
  if [ -d /run/lock ]; then exec 9</run/lock; else exec 9</tmp; fi
  flock -w 300 9 || die "another lab script holds the lab lock for more than 300 s"
  export DRCTL_LAB_LOCKED=1
}

# ---------------------------------------------------------------- host naming

# host_role NS -> dns | framework | app | dbms
host_role() {
  case "$1" in
    drl-dns|drl-dns2) echo dns ;;
    drl-r?-mfwk?) echo framework ;;
    drl-r?-app?) echo app ;;
    drl-r?-dbms) echo dbms ;;
    *) die "unknown lab host '$1'" ;;
  esac
}

# host_region NS -> the site's region name (region1 | region2 by default) | "" (dns)
host_region() { case "$1" in drl-r1-*) echo "${REGION_NAME[1]}" ;; drl-r2-*) echo "${REGION_NAME[2]}" ;; *) echo "" ;; esac; }

# host_invname NS -> the site's inventory host name (mfwk-p, app-b, dbms by default; dns, dns2)
host_invname() {
  case "$1" in
    drl-dns) echo dns ;; drl-dns2) echo dns2 ;;
    *) echo "${INV_NAME[${1##*-}]}" ;;
  esac
}

# host_cache NS -> the resolver cache an app host runs (dnsmasq | nscd), "" for other hosts
host_cache() { case "$1" in drl-r?-app?) echo "${APP_CACHE[${1##*-}]}" ;; *) echo "" ;; esac; }

# resolve_host ARG -> canonical netns name. Accepts "drl-r2-mfwkp", "region2/mfwk-p", "region2-mfwk-p", "dns".
resolve_host() {
  local arg=$1 h
  for h in "${HOSTS[@]}"; do
    local r n; r=$(host_region "$h"); n=$(host_invname "$h")
    if [ "$arg" = "$h" ] || { [ -n "$r" ] && { [ "$arg" = "$r/$n" ] || [ "$arg" = "$r-$n" ]; }; } \
       || { [ "$h" = drl-dns ] && [ "$arg" = dns ]; } || { [ "$h" = drl-dns2 ] && [ "$arg" = dns2 ]; }; then
      echo "$h"; return 0
    fi
  done
  die "unknown lab host '$arg' (use a netns name like drl-r1-mfwkp or region1/mfwk-p)"
}

host_dir() { echo "$STATE_DIR/hosts/$1"; }
is_dormant() { local h; for h in "${DORMANT[@]}"; do [ "$h" = "$1" ] && return 0; done; return 1; }

# ---------------------------------------------------------------- host processes

netns_exists() { [ -e "/run/netns/$1" ]; }

# init_pid NS -> prints the root-namespace PID of the host's init (PID 1 of its PID namespace),
# or nothing when the host is powered off. The recorded pid file is trusted only after checking
# that the process really is a PID-namespace init inside that network namespace (no PID reuse).
init_pid() {
  local ns=$1 pidfile pid
  pidfile="$(host_dir "$ns")/init.pid"
  netns_exists "$ns" || return 0
  if [ -r "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if is_init_of "$ns" "$pid"; then echo "$pid"; return 0; fi
  fi
  # Fall back to scanning the namespace (pid file lost or stale).
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    if is_init_of "$ns" "$pid"; then echo "$pid" >"$pidfile" 2>/dev/null || true; echo "$pid"; return 0; fi
  done
  return 0
}

# is_init_of NS PID: PID lives in netns NS and is PID 1 of its own PID namespace.
is_init_of() {
  local ns=$1 pid=$2 nspid
  [ -n "$pid" ] && [ -r "/proc/$pid/status" ] || return 1
  nspid=$(awk '/^NSpid:/ { if (NF >= 3) print $NF }' "/proc/$pid/status" 2>/dev/null) || return 1
  [ "$nspid" = 1 ] || return 1
  [ "$(ip netns identify "$pid" 2>/dev/null)" = "$ns" ]
}

host_running() { [ -n "$(init_pid "$1")" ]; }

# hexec NS CMD...: run CMD inside the host (its net, PID, mount, UTS and IPC namespaces).
hexec() {
  local ns=$1 pid; shift
  pid=$(init_pid "$ns")
  [ -n "$pid" ] || { warn "host $ns is stopped"; return 255; }
  nsenter -t "$pid" -n -p -m -u -i -- "$@" 9<&-   # the lab lock fd must not outlive this script
}

# hspawn NS LOG CMD...: start a long-running CMD inside the host, detached: `setsid -f` forks, so
# the daemon is re-parented to the host's init and nothing of it stays in the root namespace.
hspawn() {
  local ns=$1 logf=$2; shift 2
  hexec "$ns" setsid -f "$@" </dev/null >>"$logf" 2>&1
}

# hpgrep NS ARGS...: pgrep inside the host (sees only that host's processes).
hpgrep() { local ns=$1; shift; hexec "$ns" pgrep "$@" 2>/dev/null; }

# wait_until DESCRIPTION TIMEOUT_S CMD...: bounded poll (every 0.1 s) until CMD succeeds.
wait_until() {
  local what=$1 timeout=$2; shift 2
  local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$deadline" ] || { warn "timed out after ${timeout}s waiting for $what"; return 1; }
    sleep 0.1
  done
}

# tcp_open ADDR PORT: a TCP connection from the root namespace succeeds within 2 s.
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

soa_answers() { [ -n "$(dig +short +time=1 +tries=1 @"${1:-$DNS_ADDR}" "$ZONE." SOA 2>/dev/null)" ]; }
