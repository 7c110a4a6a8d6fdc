package io.drctl.dns.cache;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Flushing or verifying failed on at least one host. Lists every failed host with why; the hosts that
 * succeeded are in {@link #succeeded()}.
 */
public class CacheFlushException extends Exception {

    /** Why one host failed. */
    public enum Kind {
        /** The host could not be reached or a command timed out: may work on retry. */
        HOST_ACCESS(true),
        /** The host refused us (host key, authentication) or a local program/file is missing: a retry cannot help. */
        HOST_ACCESS_DENIED(false),
        /** A flush command exited non-zero. */
        FLUSH_FAILED(false),
        /** The name still did not resolve to the expected addresses there when the timeout passed. */
        STALE(true);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean isRetriable() {
            return retriable;
        }
    }

    /** One host's failure: the message names host, name, expected and seen. */
    public record HostFailure(String host, Kind kind, String message) {
        @Override
        public String toString() {
            return host + ": " + message + " [" + kind + "]";
        }
    }

    private final List<HostFailure> failures;
    private final List<FlushResult> succeeded;

    public CacheFlushException(List<HostFailure> failures, List<FlushResult> succeeded) {
        super(failures.size() + " of " + (failures.size() + succeeded.size()) + " host(s) failed the cache flush: "
                + failures.stream().map(HostFailure::toString).collect(Collectors.joining("; ")));
        this.failures = List.copyOf(failures);
        this.succeeded = List.copyOf(succeeded);
    }

    public List<HostFailure> failures() {
        return failures;
    }

    public List<FlushResult> succeeded() {
        return succeeded;
    }

    /** Retrying helps only if every failure is of a retriable kind. */
    public boolean isRetriable() {
        return failures.stream().allMatch(f -> f.kind().isRetriable());
    }
}
