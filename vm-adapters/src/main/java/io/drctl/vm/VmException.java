package io.drctl.vm;

import io.drctl.host.AdapterException;
import io.drctl.host.FailureKind;
import io.drctl.host.Retriable;

/**
 * A failure to query or change a VM's power, classified by {@link Kind} (never by message text).
 * Messages name the VM and the endpoint and never contain credentials.
 */
public class VmException extends AdapterException {

    /** What went wrong; decides whether a later retry can help. */
    public enum Kind implements FailureKind {
        /** The provider does not know the VM (HTTP 404, or the status command said so). */
        NOT_FOUND,
        /** The credentials were rejected (HTTP 401 even after a fresh login). */
        AUTH_FAILED,
        /** Authenticated, but not allowed to do this (HTTP 403). */
        FORBIDDEN,
        /** The request was not accepted as sent (HTTP 400 other than "already in desired state", 409...). */
        REJECTED,
        /** The provider failed on its side (HTTP 5xx) on every attempt. */
        @Retriable SERVER_ERROR,
        /** No answer within the configured timeout. */
        @Retriable TIMEOUT,
        /** Connection refused, no route, unknown host. */
        @Retriable UNREACHABLE,
        /** The TLS handshake failed: the server's certificate is not trusted by the configured trust store. */
        TLS,
        /** A power/status command exited non-zero or could not be run. */
        COMMAND_FAILED,
        /** The power operation was sent but the VM did not reach the desired state. */
        @Retriable UNEXPECTED_STATE,
        /** The guest did not become ready (ports, SSH, command) within its timeout. */
        @Retriable GUEST_NOT_READY,
        /** Local configuration is wrong: missing secret env var or file, unreadable trust store. */
        CONFIG,
        /** Waiting was interrupted. */
        INTERRUPTED;
    }

    /**
     * @param kind    classification
     * @param target  the VM or endpoint concerned, e.g. {@code vm-1001 at https://vc.example.com}
     * @param message what was expected and what was seen; must not contain secrets
     */
    public VmException(Kind kind, String target, String message, Throwable cause) {
        super(kind, target, message, cause);
    }

    public VmException(Kind kind, String target, String message) {
        this(kind, target, message, null);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
