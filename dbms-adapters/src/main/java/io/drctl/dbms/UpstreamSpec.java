package io.drctl.dbms;

import io.drctl.host.Values;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The server a rejoined PostgreSQL instance is to stream from (normally the new primary), as reached from the
 * local DBMS host. No password appears here or on any command line: the local OS user's {@code .pgpass} (or
 * trust/cert auth) provides it, for drctl's client commands and for the walreceiver alike.
 *
 * @param host            address of the upstream (IP or host name); written verbatim into {@code primary_conninfo}
 *                        and compared with {@code pg_stat_wal_receiver.sender_host}
 * @param port            its port
 * @param replicationUser role for replication connections (pg_basebackup, the walreceiver, the pre-check): needs
 *                        the REPLICATION attribute and a {@code host replication <user> <local host>} line in the
 *                        upstream's pg_hba.conf
 * @param adminUser       role for ordinary SQL connections to database {@code postgres} on the upstream (pre-checks,
 *                        slot creation, pg_rewind's source connection, the proof marker): a superuser, or a role with
 *                        REPLICATION (for slots) and EXECUTE on {@code pg_ls_dir(text,boolean,boolean)},
 *                        {@code pg_stat_file(text,boolean)}, {@code pg_read_binary_file(text)} and
 *                        {@code pg_read_binary_file(text,bigint,bigint,boolean)} (for pg_rewind). May be the same
 *                        role as {@code replicationUser}
 * @param applicationName {@code application_name} the walreceiver reports (shown in the upstream's
 *                        {@code pg_stat_replication}; matters for {@code synchronous_standby_names}); empty = default
 * @param slotName        physical replication slot on the upstream to stream through; created when missing; empty
 *                        = no slot
 */
public record UpstreamSpec(String host, int port, String replicationUser, String adminUser,
                           Optional<String> applicationName, Optional<String> slotName) {

    private static final Pattern SLOT = Pattern.compile("^[a-z0-9_]{1,63}$");

    public UpstreamSpec {
        Values.address(Objects.requireNonNull(host, "host"));
        Values.port(port);
        Values.name(replicationUser);
        Values.name(adminUser);
        Objects.requireNonNull(applicationName, "applicationName");
        applicationName.ifPresent(Values::name);
        Objects.requireNonNull(slotName, "slotName");
        slotName.ifPresent(s -> {
            if (!SLOT.matcher(s).matches()) {
                throw new IllegalArgumentException("not a replication slot name: '" + s
                        + "' (lower-case letters, digits and '_', at most 63)");
            }
        });
    }

    /** One role for replication and admin connections, no application name, no slot. */
    public static UpstreamSpec of(String host, int port, String user) {
        return new UpstreamSpec(host, port, user, user, Optional.empty(), Optional.empty());
    }

    public UpstreamSpec withSlot(String slot) {
        return new UpstreamSpec(host, port, replicationUser, adminUser, applicationName, Optional.of(slot));
    }

    public UpstreamSpec withApplicationName(String name) {
        return new UpstreamSpec(host, port, replicationUser, adminUser, Optional.of(name), slotName);
    }

    public UpstreamSpec withAdminUser(String user) {
        return new UpstreamSpec(host, port, replicationUser, user, applicationName, slotName);
    }

    /** {@code host:port} for messages. */
    public String endpoint() {
        return host + ":" + port;
    }

    /**
     * The libpq connection string the walreceiver uses: host, port, user and application name only — no
     * password (from .pgpass), no dbname (replication connections ignore it). Every value is validated to
     * letters, digits and {@code _ . - :}, so none needs conninfo quoting.
     */
    public String primaryConninfo() {
        return "host=" + host + " port=" + port + " user=" + replicationUser
                + applicationName.map(a -> " application_name=" + a).orElse("");
    }

    /** Ordinary connection string for {@code user} to database {@code postgres}. */
    String sqlConninfo(String user, int connectTimeoutSeconds) {
        return "host=" + host + " port=" + port + " user=" + user + " dbname=postgres connect_timeout="
                + connectTimeoutSeconds;
    }
}
