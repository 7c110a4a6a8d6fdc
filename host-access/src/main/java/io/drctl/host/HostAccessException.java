package io.drctl.host;

/**
 * A failure to reach or use a host, classified by {@link Kind} (never by message text).
 * The message names the target and says what was expected.
 */
public class HostAccessException extends AdapterException {

    /** What went wrong; decides whether a retry can help. */
    public enum Kind implements FailureKind {
        /** The host's key is not in the known_hosts file: refused under strict checking. */
        UNKNOWN_HOST_KEY,
        /** The host presented a key different from the one in known_hosts: possible interception. */
        CHANGED_HOST_KEY,
        /** The server rejected our credentials. */
        AUTH_FAILED,
        /** Connection refused, no route, DNS failure, or connect timeout. */
        @Retriable UNREACHABLE,
        /** The command did not exit within its timeout and was killed. */
        @Retriable COMMAND_TIMEOUT,
        /** The local program needed is missing, or a local file (key, known_hosts) cannot be read. */
        LOCAL_SETUP,
        /** Another I/O failure while talking to the host. */
        @Retriable IO;
    }

    public HostAccessException(Kind kind, String target, String message, Throwable cause) {
        super(kind, target, target + ": " + message, cause);
    }

    public HostAccessException(Kind kind, String target, String message) {
        this(kind, target, message, null);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
