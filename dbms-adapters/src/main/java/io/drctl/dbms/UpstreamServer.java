package io.drctl.dbms;

import io.drctl.host.CommandResult;
import java.util.Arrays;
import java.util.List;

/**
 * The upstream of a rejoin as seen from the local DBMS host: what it is ({@code IDENTIFY_SYSTEM} over a replication
 * connection, then the admin role's facts over SQL), SQL as its admin role, and the replication slot.
 *
 * @param pg   runs psql on the local DBMS host, for the local server (named in messages)
 * @param spec the upstream
 */
record UpstreamServer(PgClient pg, UpstreamSpec spec) {

    /** On the upstream as the admin role: in recovery, superuser, REPLICATION, pg_rewind's grants, full_page_writes. */
    static final String UPSTREAM_SQL = "SELECT pg_is_in_recovery(), r.rolsuper, r.rolreplication, "
            + "has_function_privilege('pg_catalog.pg_ls_dir(text, boolean, boolean)', 'EXECUTE') "
            + "AND has_function_privilege('pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE') "
            + "AND has_function_privilege('pg_catalog.pg_read_binary_file(text)', 'EXECUTE') "
            + "AND has_function_privilege('pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)', 'EXECUTE'), "
            + "current_setting('full_page_writes') FROM pg_roles AS r WHERE r.rolname = current_user";
    static final String IDENTIFY_SYSTEM = "IDENTIFY_SYSTEM";

    /** What the pre-checks learnt about the upstream. */
    record Facts(String systemId, boolean inRecovery, boolean superuser, boolean replication, boolean rewindGrants,
                 boolean fullPageWrites) {
    }

    /** The local server. */
    private PostgresInstance db() {
        return pg.instance();
    }

    /**
     * Opens a replication connection ({@code IDENTIFY_SYSTEM}) and reads the admin role's facts.
     *
     * @throws DbmsException {@link DbmsException.Kind#REPLICATION_REFUSED} without a replication connection
     */
    Facts inspect() throws DbmsException {
        String conn = spec.primaryConninfo() + " dbname=replication replication=true connect_timeout="
                + PgClient.CONNECT_TIMEOUT_S;
        CommandResult r = pg.run(pg.psqlCommand(PgClient.byConninfo(conn), IDENTIFY_SYSTEM), PgClient.QUICK);
        if (r.exitCode() == 2) {
            throw new DbmsException(DbmsException.Kind.REPLICATION_REFUSED, pg.target(), "could not open a replication"
                    + " connection to upstream " + spec.endpoint() + " as role " + spec.replicationUser()
                    + " from " + pg.describe() + " (the upstream is down or unreachable, or refuses it: it needs a 'host replication " + spec.replicationUser()
                    + " <this host>' line in its pg_hba.conf, the REPLICATION attribute, and a password in the "
                    + "~/.pgpass of " + db().osUser().orElse("the runner's user") + " unless trusted): "
                    + r.lastLine() + ". Nothing was changed on " + db().name() + " (" + pg.dataDir() + ")");
        }
        if (!r.succeeded()) {
            throw pg.classify(r, "psql (replication)", spec.endpoint());
        }
        String[] id = r.stdout().strip().split(PgClient.FIELD_SEP, -1);
        if (id.length < 2 || !id[0].matches("\\d+")) {
            throw new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, pg.target(), "upstream " + spec.endpoint()
                    + ": expected systemid|timeline from IDENTIFY_SYSTEM, got '" + r.stdout().strip() + "'");
        }
        List<String[]> rows = query(UPSTREAM_SQL);
        if (rows.size() != 1 || rows.get(0).length != 5) {
            throw pg.unexpected("one row of upstream facts from " + spec.endpoint(), rows);
        }
        String[] f = rows.get(0);
        return new Facts(id[0], f[0].equals("t"), f[1].equals("t"), f[2].equals("t"), f[3].equals("t"),
                f[4].equals("on"));
    }

    /** SQL on the upstream as its admin role. */
    List<String[]> query(String sql) throws DbmsException {
        return pg.query(PgClient.byConninfo(spec.sqlConninfo(spec.adminUser(), PgClient.CONNECT_TIMEOUT_S)),
                "upstream " + spec.endpoint() + " (role " + spec.adminUser() + ") via " + pg.describe(), sql,
                PgClient.QUICK);
    }

    /** Creates the physical slot when missing (reserving WAL at once); a note says which. */
    void ensureSlot(List<String> notes) throws DbmsException {
        String slot = spec.slotName().orElseThrow();
        List<String[]> r = query("SELECT slot_type FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        if (r.isEmpty()) {
            query("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            notes.add("created physical replication slot " + slot + " on " + spec.endpoint());
        } else if (r.get(0).length == 1 && r.get(0)[0].equals("physical")) {
            notes.add("reused physical replication slot " + slot + " on " + spec.endpoint());
        } else {
            throw new DbmsException(DbmsException.Kind.UPSTREAM_MISMATCH, pg.target(), "replication slot " + slot
                    + " on " + spec.endpoint() + " exists but is not physical (" + Arrays.toString(r.get(0))
                    + "); choose another slot name");
        }
    }
}
