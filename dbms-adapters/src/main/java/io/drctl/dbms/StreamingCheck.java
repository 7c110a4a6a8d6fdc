package io.drctl.dbms;

import java.util.Optional;

/**
 * Read-only answer of {@link PostgresRejoiner#check}: what the local server is and where it streams from.
 *
 * @param instance              the local instance's name
 * @param state                 running as primary or replica, stopped, or without a data directory
 * @param walReceiver           {@code pg_stat_wal_receiver.status} ({@code streaming}, ...); empty = no WAL receiver
 * @param senderHost            {@code pg_stat_wal_receiver.sender_host}: the host of its {@code primary_conninfo}
 * @param senderPort            {@code pg_stat_wal_receiver.sender_port}
 * @param slotName              {@code pg_stat_wal_receiver.slot_name}
 * @param streamingFromUpstream in recovery, status {@code streaming}, sender host (case-insensitively) and port equal
 *                              to the upstream's, and the slot equal to the upstream's slot when one is asked for
 */
public record StreamingCheck(String instance, State state, Optional<String> walReceiver, Optional<String> senderHost,
                             Optional<Integer> senderPort, Optional<String> slotName, boolean streamingFromUpstream) {

    /** What the local server is. */
    public enum State {
        /** Running, not in recovery. */
        PRIMARY,
        /** Running, in recovery. */
        REPLICA,
        /** Not running ({@code pg_ctl status} exit 3). */
        STOPPED,
        /** The data directory is missing or not a PostgreSQL data directory ({@code pg_ctl status} exit 4). */
        NO_DATA_DIR
    }

    public StreamingCheck {
        if (streamingFromUpstream && state != State.REPLICA) {
            throw new IllegalArgumentException(instance + " cannot stream from an upstream while " + state);
        }
    }

    /** For messages: e.g. {@code REPLICA, wal receiver streaming from 10.2.0.20:5432 slot region1}. */
    public String describe() {
        if (state != State.REPLICA) {
            return state.toString();
        }
        return "REPLICA, wal receiver " + walReceiver.map(s -> s + " from " + senderHost.orElse("?") + ":"
                + senderPort.map(String::valueOf).orElse("?") + slotName.map(s2 -> " slot " + s2).orElse(""))
                .orElse("absent");
    }
}
