package io.drctl.host;

/**
 * One kind of an adapter's failures: each adapter's {@code Kind} enum implements it, and each constant
 * says once whether another attempt may succeed.
 */
public interface FailureKind {
    /** The constant's name, e.g. {@code UNREACHABLE}. */
    String name();

    /** Whether the same call may succeed if tried again later. */
    boolean isRetriable();
}
