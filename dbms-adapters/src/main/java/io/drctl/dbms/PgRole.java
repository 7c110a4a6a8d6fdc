package io.drctl.dbms;

/** Role of a PostgreSQL server, from {@code pg_is_in_recovery()}. */
public enum PgRole {
    /** Not in recovery: accepts writes. */
    PRIMARY,
    /** In recovery (streaming or log-shipping standby): read-only, can be promoted. */
    REPLICA
}
