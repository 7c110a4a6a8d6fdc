package io.drctl.orchestrator.config.model;

import io.drctl.host.CommandRunner;
import java.util.List;
import java.util.Optional;

/**
 * One host of the inventory.
 *
 * @param region   region name
 * @param name     host name inside the region (unique per region)
 * @param address  IP address or DNS name
 * @param os       command dialect
 * @param roles    roles selectors match, e.g. {@code framework}, {@code dbms}, {@code cs-proxy}
 * @param vm       VM power control, if the host is a VM drctl may start/stop
 * @param firewall firewall kind for fencing ({@code iptables}, {@code nftables}, {@code windows}, {@code auto})
 * @param db       database on this host, if any
 * @param resolver local caching resolver kind (e.g. {@code dnsmasq}, {@code systemd-resolved})
 * @param ssh      per-host SSH overrides
 * @param resolverPidFile the pid file of the host's resolver cache (dnsmasq), when it is not where the
 *                 resolver's packaging puts it: flushes signal that process, never every process of the name
 */
public record Host(String region, String name, String address, CommandRunner.OsFamily os, List<String> roles,
                   Optional<VmRef> vm, Optional<String> firewall, Optional<DbSpec> db, Optional<String> resolver,
                   Optional<SshSettings> ssh, Optional<String> resolverPidFile) {
    public Host {
        roles = List.copyOf(roles);
    }

    /** {@code region/name}: the host's unique reference, used as the target name in plans and journals. */
    public String ref() {
        return region + "/" + name;
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /**
     * @param provider name of an inventory provider
     * @param id       the provider's VM id (validated as a safe name)
     */
    public record VmRef(String provider, String id) {
    }

    /**
     * @param kind    DBMS kind, e.g. {@code postgresql}
     * @param version major version, if given
     * @param dataDir data directory, if given
     * @param osUser  OS user the DBMS runs as, if given
     * @param port    DBMS port (else the inventory's {@code ports.dbms})
     * @param socketDir the local socket directory on the host (PostgreSQL: else {@code /var/run/postgresql})
     * @param binDir  the server's binary directory on the host (PostgreSQL: else Debian's, from the version)
     * @param replicationUser the role (REPLICATION) a replica of this host connects as; {@code db.rejoin} needs it
     * @param templates for {@code kind: command}: the commands that promote and probe this DBMS (SQL Server, Oracle, ...)
     */
    public record DbSpec(String kind, Optional<String> version, Optional<String> dataDir, Optional<String> osUser,
                         Optional<Integer> port, Optional<String> socketDir, Optional<String> binDir,
                         Optional<String> replicationUser, Optional<io.drctl.dbms.CommandDbmsTemplates> templates) {
        /** A DBMS driven through command templates rather than drctl's own PostgreSQL support. */
        public boolean isCommand() {
            return templates.isPresent();
        }
    }
}
