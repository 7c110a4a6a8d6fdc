package io.drctl.host;

/**
 * The one failure contract every adapter's exception implements (host access, DNS, firewall, VM,
 * DBMS): what kind of failure (a closed set per adapter, e.g. {@code NOTAUTH}, {@code UNREACHABLE}),
 * on which target, and whether another attempt may succeed. The engine decides retry from this alone,
 * in one place; adapters never retry on their own (a retry must be journaled).
 */
public interface AdapterFailure {
    /** The failure kind's name, e.g. {@code UNREACHABLE}, {@code BADSIG}. */
    String kindName();

    /** What failed: a host reference, a server, a VM, a record. */
    String target();

    /** Whether the same call may succeed if tried again later. */
    boolean isRetriable();

    /** The message, without the kind or target prefix the engine adds. */
    String getMessage();
}
