package io.drctl.dbms;

/** How a replica is promoted. */
public enum PromoteMethod {
    /** {@code SELECT pg_promote(true, <timeout s>)} over a normal connection (PostgreSQL 12+). */
    PG_PROMOTE,
    /** {@code pg_ctl promote -D <dataDir> -w -t <timeout s>} on the DBMS host; needs the data directory. */
    PG_CTL
}
