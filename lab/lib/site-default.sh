# shellcheck shell=bash
# Lab site "default": drctl's own conventions (sourced by common.sh; see lab/README.md, "Sites").
# Region, host and record names as in inventory/example.yaml; the dormant DBMS fenced by drctl-tagged
# rules per Framework subnet; dnsmasq on every app host; one DNS server; PostgreSQL's Debian socket
# directory; the CS stand-in's greeting declared in the inventory (configServer: {port, expect}).
SITE_DESCRIPTION="drctl's own conventions"
declare -A REGION_NAME=([1]=region1 [2]=region2)
declare -A REGION_ROLE=([1]=primary [2]=dr)          # written to the inventory's regions.<r>.role
declare -A INV_NAME=([mfwkp]=mfwk-p [mfwkb]=mfwk-b [appp]=app-p [appb]=app-b [dbms]=dbms)
declare -A APP_CACHE=([appp]=dnsmasq [appb]=dnsmasq) # the resolver cache each app host runs
REC_CS_P=cfgmaster            # master Configuration Server, primary
REC_CS_B=cfgmaster-bk         # master Configuration Server, backup
REC_DB=configdb               # the Configuration Database
PG_SOCK=/run/postgresql       # unix_socket_directories
FENCE_STYLE=tagged            # iptables REJECT per Framework subnet, comment drctl:fence:dbms
INV_FRAMEWORK_SUBNET=8/29     # regions.<r>.subnets.framework = 10.77.<r>.<this>
SECOND_DNS=no                 # drl-dns2, a BIND secondary of the zone
CS_GREETING_IN_INVENTORY=yes  # ports.configServer: { port, expect: "^CS OK" }
