package io.drctl.orchestrator.readiness.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the store's tables when they are missing: Quartz's own ({@code tables_postgres.sql} from the quartz
 * jar, without its {@code DROP}s) and drctl's ({@code drctl_readiness_rounds}: one row per scheduled round,
 * keyed by the schedule and its fire time, so a round is written once; {@code drctl_readiness_changes}: one row
 * per change of readiness, keyed the same way, so one daemon alone announces it). Existing tables are left as
 * they are.
 */
public final class StoreSchema {
    static final String QUARTZ_SQL = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    private static final String DRCTL_SQL = """
            CREATE TABLE IF NOT EXISTS drctl_readiness_rounds (
              sched_name  VARCHAR(120) NOT NULL,
              fire_time   TIMESTAMPTZ  NOT NULL,
              instance_id VARCHAR(200) NOT NULL,
              ok          BOOLEAN      NOT NULL,
              finished    TIMESTAMPTZ  NOT NULL,
              result      JSONB        NOT NULL,
              PRIMARY KEY (sched_name, fire_time));
            CREATE TABLE IF NOT EXISTS drctl_readiness_changes (
              sched_name  VARCHAR(120) NOT NULL,
              fire_time   TIMESTAMPTZ  NOT NULL,
              ready       BOOLEAN      NOT NULL,
              at          TIMESTAMPTZ  NOT NULL,
              failing     JSONB        NOT NULL,
              instance_id VARCHAR(200) NOT NULL,
              delivery    TEXT,
              PRIMARY KEY (sched_name, fire_time));
            """;

    private StoreSchema() {
    }

    /**
     * Creates whatever is missing, in one transaction.
     *
     * @return what was created, e.g. {@code ["Quartz tables (tables_postgres.sql)", "drctl readiness tables"]}; empty when nothing was
     * @throws StoreException the store cannot be reached or the role may not create tables
     */
    public static List<String> ensure(Connection c) throws StoreException {
        List<String> created = new ArrayList<>();
        try {
            try (Statement lock = c.createStatement()) {
                lock.execute("SELECT pg_advisory_xact_lock(" + ResultStore.LOCK + ")"); // two daemons starting together
            }
            boolean quartz = exists(c, "qrtz_locks");
            boolean drctl = exists(c, "drctl_readiness_rounds") && exists(c, "drctl_readiness_changes");
            try (Statement s = c.createStatement()) {
                if (!quartz) {
                    for (String sql : statements(quartzSql())) {
                        s.execute(sql);
                    }
                    created.add("Quartz tables (tables_postgres.sql of quartz " + quartzVersion() + ")");
                }
                if (!drctl) {
                    for (String sql : statements(DRCTL_SQL)) {
                        s.execute(sql);
                    }
                    created.add("drctl readiness tables (drctl_readiness_rounds, drctl_readiness_changes)");
                }
            }
            c.commit();
            return created;
        } catch (SQLException e) {
            rollback(c);
            throw StoreException.of("creating the readiness store's tables", e);
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            p.setString(1, table);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getBoolean(1);
            }
        }
    }

    /** The script's statements without comments and without its {@code DROP TABLE}s (it is only run on an empty store). */
    static List<String> statements(String script) {
        StringBuilder b = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (!t.startsWith("--")) {
                b.append(line).append('\n');
            }
        }
        List<String> out = new ArrayList<>();
        for (String sql : b.toString().split(";")) {
            String t = sql.strip();
            if (!t.isEmpty() && !t.regionMatches(true, 0, "DROP ", 0, 5) && !t.equalsIgnoreCase("commit")) {
                out.add(t);
            }
        }
        return out;
    }

    static String quartzSql() {
        try (InputStream in = org.quartz.Scheduler.class.getResourceAsStream(QUARTZ_SQL)) {
            if (in == null) {
                throw new IllegalStateException("the quartz jar has no " + QUARTZ_SQL);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quartzVersion() {
        String v = org.quartz.Scheduler.class.getPackage().getImplementationVersion();
        return v == null ? "(unknown version)" : v;
    }

    static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken: the pool drops it
        }
    }
}
