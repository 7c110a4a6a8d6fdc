package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.yaml.InvalidInputException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code -i INVENTORY [RUNBOOK]} of readiness and daemon: the runbook defaults to the readiness runbook. */
final class ReadinessInput {
    static final String DEFAULT_RUNBOOK = "runbooks/readiness.yaml";

    @Option(names = {"-i", "--inventory"}, paramLabel = "INVENTORY", description = "inventory file (default $DRCTL_INVENTORY)")
    Path inventory;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUNBOOK", defaultValue = DEFAULT_RUNBOOK,
            description = "readiness runbook (default: ${DEFAULT-VALUE})")
    Path runbook;

    /** {@code -i}, else {@code $DRCTL_INVENTORY}. */
    Path inventory(Ctx ctx) throws InvalidInputException {
        return InputOptions.inventory(ctx, inventory);
    }
}
