package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Inventory;
import java.util.Map;

/** What {@link StepType#expand} may use. Planning never contacts hosts. */
public interface Expansion {

    Inventory inventory();

    Map<String, String> params();
}
