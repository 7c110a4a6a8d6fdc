package io.drctl.dbms;

import io.drctl.host.AdapterException;
import io.drctl.host.FailureKind;
import io.drctl.host.Retriable;

/**
 * A failure to probe, promote or rejoin a DBMS, classified by {@link Kind} (from exit codes and typed host-access
 * failures, never from message text). Messages name the instance and endpoint and say what was expected.
 */
public class DbmsException extends AdapterException {

    /** What went wrong; decides whether a later retry can help. */
    public enum Kind implements FailureKind {
        /** {@code psql}/{@code pg_ctl}/{@code runuser} (or a command template's program) is not installed or not executable (exit 126/127). */
        CLIENT_MISSING,
        /** psql could not connect to the server (psql exit 2): server down, wrong port, auth refused. */
        @Retriable CANNOT_CONNECT,
        /** The SQL failed on the server (psql exit 3 with ON_ERROR_STOP). */
        QUERY_FAILED,
        /** A client command failed otherwise (psql exit 1, runuser failure, pg_ctl failure). */
        COMMAND_FAILED,
        /** The server's answer fits neither a primary nor a replica. */
        UNEXPECTED_ROLE,
        /** A command's output does not match the pattern that should read it (e.g. a {@link CommandDbms} lag). */
        UNEXPECTED_OUTPUT,
        /** Promotion was requested but the server was still in recovery when the timeout ran out. */
        @Retriable PROMOTE_TIMEOUT,
        /** The server is out of recovery but refused the write check (e.g. default_transaction_read_only). */
        NOT_WRITABLE,
        /** The DBMS host could not be reached or the command timed out ({@link io.drctl.host.HostAccessException}). */
        @Retriable HOST_ACCESS,
        /** Misconfiguration on our side (e.g. PG_CTL without a data directory). */
        CONFIG,
        /** Waiting was interrupted. */
        INTERRUPTED,
        /**
         * The upstream refused the replication connection a rejoin needs (pg_hba.conf has no {@code replication}
         * line for this host and user, the role lacks REPLICATION, or a password is missing from .pgpass).
         */
        REPLICATION_REFUSED,
        /** The upstream is not the cluster the local server belongs to, or not a primary where one is required. */
        UPSTREAM_MISMATCH,
        /** The upstream's admin role lacks a privilege the rejoin needs (slot creation, pg_rewind's functions). */
        UPSTREAM_PRIVILEGE,
        /** Stopping, starting or crash-recovering the local server failed. */
        SERVER_CONTROL_FAILED,
        /** {@code pg_rewind} is impossible or failed, and falling back to {@code pg_basebackup} was not allowed. */
        REWIND_FAILED,
        /** {@code pg_basebackup} failed; the old data directory was put back. */
        BASEBACKUP_FAILED,
        /** The rejoined server did not stream from the upstream, or replay the proof marker, within the timeout. */
        @Retriable REPLICATION_TIMEOUT;
    }

    public DbmsException(Kind kind, String target, String message, Throwable cause) {
        super(kind, target, message, cause);
    }

    public DbmsException(Kind kind, String target, String message) {
        this(kind, target, message, null);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
