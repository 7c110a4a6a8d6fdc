package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Inventory;
import java.util.Map;

/** What {@link StepType#expand} may use. Planning never contacts hosts. */
public interface Expansion {

    Inventory inventory();

    Map<String, String> params();

    /** The expansion context of {@code inventory} with the parameter values {@code params}. */
    static Expansion of(Inventory inventory, Map<String, String> params) {
        record Of(Inventory inventory, Map<String, String> params) implements Expansion {
        }
        return new Of(inventory, params);
    }
}
