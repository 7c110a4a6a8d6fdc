package io.drctl.orchestrator.readiness.cluster;

import java.sql.SQLException;

/**
 * The readiness store cannot be used: what failed, why (from the SQLState, never from message text) and what to do.
 * The message never holds the password; it is one line, meant to be printed as is.
 */
public final class StoreException extends Exception {
    /** The closed set of reasons, each with its hint. */
    public enum Kind {
        UNREACHABLE("no PostgreSQL server answered, or none of the URL's hosts is a primary",
                "check the hosts and ports of readiness.store.url and that one of them is the primary (targetServerType=primary)"),
        AUTHENTICATION("the server refused the role's credentials",
                "check readiness.store.user and its passwordFile/passwordEnv"),
        NO_DATABASE("the database does not exist", "create it: CREATE DATABASE drctl OWNER drctl"),
        NO_RIGHTS("the role may not create or write the store's tables",
                "grant it: GRANT CREATE, USAGE ON SCHEMA public TO <role>, or create the tables once as the schema's owner"),
        READ_ONLY("the server is a read-only replica", "point readiness.store.url at the primary (targetServerType=primary)"),
        OTHER("the database refused", "see the SQLState; the store needs a PostgreSQL database the role can write");

        private final String what;
        private final String hint;

        Kind(String what, String hint) {
            this.what = what;
            this.hint = hint;
        }

        public String hint() {
            return hint;
        }
    }

    private final Kind kind;

    public StoreException(Kind kind, String doing, String detail) {
        super(doing + ": " + kind.what + (detail.isBlank() ? "" : " (" + detail + ")") + "; hint: " + kind.hint);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** {@code e} classified by its SQLState: 08 connection, 28 authentication, 3D000 no database, 42501 rights, 25006 read-only. */
    public static StoreException of(String doing, SQLException e) {
        if (e.getCause() instanceof SQLException cause) {
            return of(doing, cause); // the pool's timeout carries the driver's last failure: that one says why
        }
        if (e instanceof java.sql.SQLTransientConnectionException) {
            return new StoreException(Kind.UNREACHABLE, doing, "no connection could be opened within the pool's timeout");
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        Kind kind;
        if (state.startsWith("08")) {
            kind = Kind.UNREACHABLE;
        } else if (state.startsWith("28")) {
            kind = Kind.AUTHENTICATION;
        } else if (state.equals("3D000")) {
            kind = Kind.NO_DATABASE;
        } else if (state.equals("42501")) {
            kind = Kind.NO_RIGHTS;
        } else if (state.equals("25006")) {
            kind = Kind.READ_ONLY;
        } else {
            kind = Kind.OTHER;
        }
        String first = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return new StoreException(kind, doing, (state.isEmpty() ? "" : "SQLState " + state + ": ") + first);
    }
}
