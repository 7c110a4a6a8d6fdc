package io.drctl.orchestrator.steps.support;

import io.drctl.host.AdapterException;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.spi.StepFailure;

/**
 * A call into an adapter (DNS, firewall, VM, DBMS) from a step's verb. {@link #call} gives the adapter's own failure
 * as the step failure it means ({@link StepFailure#of}: its message as is, retriable as its kind says); a host-access
 * failure passes as itself, for the engine to classify.
 */
@FunctionalInterface
public interface AdapterCall<T> {

    T get() throws Exception;

    /** Runs {@code c}, an adapter's failure thrown as a {@link StepFailure}. */
    static <T> T call(AdapterCall<T> c) throws Exception {
        try {
            return c.get();
        } catch (HostAccessException e) {
            throw e;
        } catch (AdapterException e) {
            throw StepFailure.of(e);
        }
    }
}
