package io.drctl.dbms;

/** How {@link PostgresRejoiner#rejoin} made the local server a replica. */
public enum RejoinMethod {
    /** It already streamed from the upstream: nothing was changed. */
    NONE,
    /** {@code pg_rewind} from the upstream, then standby configuration and start. */
    REWIND,
    /** A fresh {@code pg_basebackup} into the data directory; the old one was moved aside. */
    BASEBACKUP
}
