package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Inventory;
import java.util.Map;

/** What {@link StepType#validate} may use: the inventory, parameters, and a problem sink. */
public interface StepValidation {

    Inventory inventory();

    /** Parameter values in effect (defaults or the operator's). */
    Map<String, String> params();

    /** Reports a problem at field {@code field} of the step being validated. */
    void problem(String field, String message);

    /** Reports a problem with a fix hint ("did you mean …?", "expected …"). */
    void problem(String field, String message, String hint);
}
