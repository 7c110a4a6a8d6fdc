package io.drctl.firewall;

import io.drctl.host.AdapterException;
import io.drctl.host.FailureKind;
import io.drctl.host.HostAccessException;
import io.drctl.host.Retriable;

/**
 * A firewall operation that failed, classified by {@link Kind} (from exit codes and exception types,
 * never from message text). The message names the host and says what was expected and what was seen.
 */
public class FirewallException extends AdapterException {

    public enum Kind implements FailureKind {
        /** The host could not be reached or the command timed out (from {@link HostAccessException}). */
        @Retriable HOST_UNREACHABLE,
        /** The firewall tool refused for lack of privilege (iptables exit 4; nft exit 1 as non-root). */
        PERMISSION_DENIED,
        /** The firewall tool is not installed or not on PATH (shell exit 127; missing cmdlet on Windows). */
        BACKEND_MISSING,
        /** The lock-out guard refused the fence: it would cut drctl's own access to the host. */
        LOCKOUT_REFUSED,
        /** The tool ran and failed for another reason (its exit code and last output line are quoted). */
        COMMAND_FAILED,
        /** The tool's output could not be understood. */
        UNEXPECTED_OUTPUT,
        /** The rules list fine but the effect seen from outside is not the one expected. */
        VERIFICATION_FAILED;
    }

    public FirewallException(Kind kind, String target, String message, Throwable cause) {
        super(kind, target, target + ": " + message, cause);
    }

    public FirewallException(Kind kind, String target, String message) {
        this(kind, target, message, null);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }

    /** Wraps a host-access failure: unreachable, auth, timeouts all become {@link Kind#HOST_UNREACHABLE}. */
    public static FirewallException from(HostAccessException e, String doing) {
        Kind k = e.kind() == HostAccessException.Kind.LOCAL_SETUP ? Kind.BACKEND_MISSING : Kind.HOST_UNREACHABLE;
        return new FirewallException(k, e.target(), doing + ": " + e.kind() + ": " + e.getMessage(), e);
    }
}
