# shellcheck shell=bash
# Lab site "manual": a site as the reference architecture's manual procedure leaves it, built without
# drctl (sourced by common.sh; see lab/README.md, "Sites"). Nothing here follows drctl's conventions:
#   - the dormant DBMS is fenced the way the Deployment Guide says ("Replicating DBMS"):
#       iptables -A INPUT -p tcp --dport <DBMS PORT> --src <Framework VM IP> -j REJECT
#     one untagged rule per Framework host, appended behind an ESTABLISHED,RELATED ACCEPT;
#   - other region, host and record names; no region roles (runbooks take the first region as primary);
#   - PostgreSQL's socket in a non-default directory;
#   - one proxy host per region caches with nscd, the other with dnsmasq;
#   - two authoritative DNS servers (a BIND secondary notified by the primary);
#   - the inventory declares no Configuration Server greeting (a real one sends no banner).
SITE_DESCRIPTION="as the manual procedure leaves a site"
declare -A REGION_NAME=([1]=dc-north [2]=dc-south)
declare -A REGION_ROLE=([1]="" [2]="")
declare -A INV_NAME=([mfwkp]=confserv-a [mfwkb]=confserv-b [appp]=proxy-1 [appb]=proxy-2 [dbms]=pgcfg)
declare -A APP_CACHE=([appp]=nscd [appb]=dnsmasq)
REC_CS_P=csmaster
REC_CS_B=csmaster-backup
REC_DB=cfgdb
PG_SOCK=/run/pg-cfgdb
FENCE_STYLE=manual
INV_FRAMEWORK_SUBNET=10/31    # the two Framework VMs of each region, .10 and .11
SECOND_DNS=yes
CS_GREETING_IN_INVENTORY=no
