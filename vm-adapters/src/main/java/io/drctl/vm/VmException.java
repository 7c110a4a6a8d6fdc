package io.drctl.vm;

import io.drctl.host.AdapterException;
import io.drctl.host.FailureKind;

/**
 * A failure to query or change a VM's power, classified by {@link Kind} (never by message text).
 * Messages name the VM and the endpoint and never contain credentials.
 */
public class VmException extends AdapterException {

    /** What went wrong; decides whether a later retry can help. */
    public enum Kind implements FailureKind {
        /** The provider does not know the VM (HTTP 404, or the status command said so). */
        NOT_FOUND(false),
        /** The credentials were rejected (HTTP 401 even after a fresh login). */
        AUTH_FAILED(false),
        /** Authenticated, but not allowed to do this (HTTP 403). */
        FORBIDDEN(false),
        /** The request was not accepted as sent (HTTP 400 other than "already in desired state", 409...). */
        REJECTED(false),
        /** The provider failed on its side (HTTP 5xx) on every attempt. */
        SERVER_ERROR(true),
        /** No answer within the configured timeout. */
        TIMEOUT(true),
        /** Connection refused, no route, unknown host. */
        UNREACHABLE(true),
        /** The TLS handshake failed: the server's certificate is not trusted by the configured trust store. */
        TLS(false),
        /** A power/status command exited non-zero or could not be run. */
        COMMAND_FAILED(false),
        /** The power operation was sent but the VM did not reach the desired state. */
        UNEXPECTED_STATE(true),
        /** The guest did not become ready (ports, SSH, command) within its timeout. */
        GUEST_NOT_READY(true),
        /** Local configuration is wrong: missing secret env var or file, unreadable trust store. */
        CONFIG(false),
        /** Waiting was interrupted. */
        INTERRUPTED(false);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        @Override
        public boolean isRetriable() {
            return retriable;
        }
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
