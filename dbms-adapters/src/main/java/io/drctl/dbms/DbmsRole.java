package io.drctl.dbms;

/** Role of a DBMS server as a {@link CommandDbms} reads it from the {@code role} command's output. */
public enum DbmsRole {
    /** The {@code primary} pattern matched: the server takes writes. */
    PRIMARY,
    /** The {@code replica} pattern matched: the server is a standby that can be promoted. */
    REPLICA,
    /** Neither pattern matched (e.g. an availability group replica in RESOLVING during a failover). */
    UNKNOWN
}
