package io.drctl.host;

/**
 * One kind of an adapter's failures: each adapter's {@code Kind} enum implements it, and each constant
 * says once whether another attempt may succeed, by carrying {@link Retriable} or not.
 */
public interface FailureKind {
    /** The constant's name, e.g. {@code UNREACHABLE}. */
    String name();

    /**
     * Whether the same call may succeed if tried again later: for an enum, whether this constant is marked
     * {@link Retriable}. An implementation that is not an enum overrides this.
     */
    default boolean isRetriable() {
        return this instanceof Enum<?> e && RetriableConstants.OF.get(e.getDeclaringClass()).contains(e.name());
    }
}
