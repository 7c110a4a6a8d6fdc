package io.drctl.host;

import java.util.Objects;

/**
 * The body every adapter's exception shares: a {@link FailureKind} from the adapter's closed set, the
 * target it concerns, and retriability taken from the kind alone. Subclasses build their message and
 * narrow {@link #kind()} to their own enum (Java allows no generic exception).
 */
public abstract class AdapterException extends Exception implements AdapterFailure {

    private final FailureKind kind;
    private final String target;

    /**
     * @param kind    classification
     * @param target  what failed: a host reference, a server, a VM, a record
     * @param message the complete message, as the subclass composes it
     */
    protected AdapterException(FailureKind kind, String target, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.target = Objects.requireNonNull(target, "target");
    }

    /** The failure's kind, from the adapter's closed set. */
    public FailureKind kind() {
        return kind;
    }

    @Override
    public String kindName() {
        return kind.name();
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public boolean isRetriable() {
        return kind.isRetriable();
    }
}
