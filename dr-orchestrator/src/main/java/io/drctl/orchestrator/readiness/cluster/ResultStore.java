package io.drctl.orchestrator.readiness.cluster;

import io.drctl.orchestrator.readiness.CheckResult;
import io.drctl.orchestrator.readiness.ReadinessResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * drctl's tables in the readiness store: one row per scheduled round (the schedule and the round's fire time are
 * the key: a round is written once, whichever daemon ran it), and one row per change of readiness, decided in the
 * round's transaction under an advisory lock, so exactly one daemon records (and announces) each change.
 *
 * @param ds       the store's connections
 * @param schedule the cluster's name (Quartz's scheduler name): the daemons of one inventory share it
 * @param instance this daemon's instance id
 */
public record ResultStore(StoreDataSource ds, String schedule, String instance) {
    /** The advisory lock that serialises the daemons' writes ({@code 'drctl'} in ASCII). */
    static final long LOCK = 0x6472_6374_6cL;

    /**
     * A change of readiness: the round at {@code fireTime} was ready ({@code ready}) when the one before was not, or
     * the other way round. The first round counts as a change when it is not ready.
     *
     * @param failing  the failing checks: {@code {check, detail}} each
     * @param instance the daemon that ran the round
     * @param delivery what became of its webhook message, empty before it was sent (or with no webhook)
     */
    public record Change(Instant fireTime, boolean ready, Instant at, List<Map<String, Object>> failing, String instance,
                         Optional<String> delivery) {
    }

    /**
     * Writes the round at {@code fireTime} unless a daemon already did.
     *
     * @return the change of readiness this round made, recorded by this call (its announcement is this daemon's job)
     */
    public Optional<Change> record(Instant fireTime, ReadinessResult r) throws StoreException {
        try (Connection c = ds.connection()) {
            try {
                lock(c);
                try (PreparedStatement p = c.prepareStatement("INSERT INTO drctl_readiness_rounds"
                        + " (sched_name, fire_time, instance_id, ok, finished, result) VALUES (?, ?, ?, ?, ?, ?::jsonb)"
                        + " ON CONFLICT DO NOTHING")) {
                    p.setString(1, schedule);
                    p.setTimestamp(2, Timestamp.from(fireTime));
                    p.setString(3, instance);
                    p.setBoolean(4, r.ok());
                    p.setTimestamp(5, Timestamp.from(r.finished()));
                    p.setString(6, ResultJson.write(r.toMap()));
                    if (p.executeUpdate() == 0) {
                        c.commit();
                        return Optional.empty();
                    }
                }
                boolean before = true;
                try (PreparedStatement p = c.prepareStatement("SELECT ready FROM drctl_readiness_changes WHERE sched_name = ?"
                        + " AND fire_time < ? ORDER BY fire_time DESC LIMIT 1")) {
                    p.setString(1, schedule);
                    p.setTimestamp(2, Timestamp.from(fireTime));
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            before = rs.getBoolean(1);
                        }
                    }
                }
                Optional<Change> change = Optional.empty();
                if (before != r.ok()) {
                    Change ch = new Change(fireTime, r.ok(), r.finished(), failing(r), instance, Optional.empty());
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO drctl_readiness_changes"
                            + " (sched_name, fire_time, ready, at, failing, instance_id) VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT DO NOTHING")) {
                        p.setString(1, schedule);
                        p.setTimestamp(2, Timestamp.from(fireTime));
                        p.setBoolean(3, ch.ready());
                        p.setTimestamp(4, Timestamp.from(ch.at()));
                        p.setString(5, ResultJson.write(ch.failing()));
                        p.setString(6, instance);
                        if (p.executeUpdate() == 1) {
                            change = Optional.of(ch);
                        }
                    }
                }
                c.commit();
                return change;
            } catch (SQLException e) {
                StoreSchema.rollback(c);
                throw e;
            }
        } catch (SQLException e) {
            throw StoreException.of("recording the round of " + fireTime, e);
        }
    }

    /** Notes what became of the webhook message of the change at {@code fireTime}. */
    public void delivered(Instant fireTime, String outcome) throws StoreException {
        update("recording the webhook delivery", "UPDATE drctl_readiness_changes SET delivery = ? WHERE sched_name = ? AND fire_time = ?",
                p -> {
                    p.setString(1, outcome);
                    p.setString(2, schedule);
                    p.setTimestamp(3, Timestamp.from(fireTime));
                });
    }

    /** The newest round's result, whichever daemon ran it. */
    public Optional<ReadinessResult> latest() throws StoreException {
        try (Connection c = ds.connection();
             PreparedStatement p = c.prepareStatement("SELECT result::text FROM drctl_readiness_rounds WHERE sched_name = ?"
                     + " ORDER BY fire_time DESC LIMIT 1")) {
            p.setString(1, schedule);
            try (ResultSet rs = p.executeQuery()) {
                Optional<ReadinessResult> r = rs.next() ? Optional.of(ResultJson.read(rs.getString(1))) : Optional.empty();
                c.commit();
                return r;
            }
        } catch (SQLException e) {
            throw StoreException.of("reading the latest round", e);
        }
    }

    /** Rounds (any daemon's) since {@code since}: {@code [all, not ready]}. */
    public long[] counts(Instant since) throws StoreException {
        try (Connection c = ds.connection();
             PreparedStatement p = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE NOT ok) FROM drctl_readiness_rounds"
                     + " WHERE sched_name = ? AND fire_time >= ?")) {
            p.setString(1, schedule);
            p.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                long[] out = {rs.getLong(1), rs.getLong(2)};
                c.commit();
                return out;
            }
        } catch (SQLException e) {
            throw StoreException.of("counting rounds", e);
        }
    }

    /** The changes of readiness since {@code since}, oldest first. */
    public List<Change> changes(Instant since) throws StoreException {
        try (Connection c = ds.connection();
             PreparedStatement p = c.prepareStatement("SELECT fire_time, ready, at, failing::text, instance_id, delivery"
                     + " FROM drctl_readiness_changes WHERE sched_name = ? AND fire_time >= ? ORDER BY fire_time")) {
            p.setString(1, schedule);
            p.setTimestamp(2, Timestamp.from(since));
            List<Change> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    List<Map<String, Object>> failing = new ArrayList<>();
                    for (Object o : ResultJson.JSON.readValue(rs.getString(4), List.class)) {
                        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
                        failing.add(m);
                    }
                    out.add(new Change(rs.getTimestamp(1).toInstant(), rs.getBoolean(2), rs.getTimestamp(3).toInstant(), failing,
                            rs.getString(5), Optional.ofNullable(rs.getString(6))));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a stored change is not JSON: " + e.getOriginalMessage(), e);
            }
            c.commit();
            return out;
        } catch (SQLException e) {
            throw StoreException.of("reading the readiness history", e);
        }
    }

    /**
     * Deletes rounds and changes older than {@code before}; the newest change is kept whatever its age (it is the
     * state the next round is compared with).
     *
     * @return rounds deleted
     */
    public int prune(Instant before) throws StoreException {
        update("deleting rounds older than " + before, "DELETE FROM drctl_readiness_changes WHERE sched_name = ? AND fire_time < ?"
                + " AND fire_time < (SELECT max(fire_time) FROM drctl_readiness_changes WHERE sched_name = ?)", p -> {
                    p.setString(1, schedule);
                    p.setTimestamp(2, Timestamp.from(before));
                    p.setString(3, schedule);
                });
        return update("deleting rounds older than " + before, "DELETE FROM drctl_readiness_rounds WHERE sched_name = ? AND fire_time < ?",
                p -> {
                    p.setString(1, schedule);
                    p.setTimestamp(2, Timestamp.from(before));
                });
    }

    /** The failing checks of {@code r} ({@code check}, {@code detail}), or its error as one entry. */
    static List<Map<String, Object>> failing(ReadinessResult r) {
        List<Map<String, Object>> out = new ArrayList<>();
        r.error().ifPresent(e -> out.add(entry("(round)", e)));
        for (CheckResult c : r.failed()) {
            out.add(entry(c.id(), c.detail()));
        }
        return out;
    }

    private static Map<String, Object> entry(String check, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("check", check);
        m.put("detail", detail);
        return m;
    }

    private static void lock(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
        }
    }

    private interface Binder {
        void bind(PreparedStatement p) throws SQLException;
    }

    private int update(String doing, String sql, Binder binder) throws StoreException {
        try (Connection c = ds.connection(); PreparedStatement p = c.prepareStatement(sql)) {
            binder.bind(p);
            int n = p.executeUpdate();
            c.commit();
            return n;
        } catch (SQLException e) {
            throw StoreException.of(doing, e);
        }
    }
}
