package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Problems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drctl validate}: strict checks of an inventory and runbooks; every problem, located. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check an inventory and runbooks strictly; report every problem with file:line:column.",
        footer = {"", "Examples:", "  drctl validate inventory/example.yaml runbooks/preflight.yaml",
                "  drctl validate inventory/lab.yaml runbooks/*.yaml"})
final class ValidateCommand extends CtxCommand {
    @Parameters(index = "0", paramLabel = "INVENTORY")
    Path inventory;

    @Parameters(index = "1..*", paramLabel = "RUNBOOK", arity = "0..*")
    List<Path> runbooks = new ArrayList<>();

    @Override
    public Integer call() throws InvalidInputException {
        Problems problems = Loaded.check(inventory, runbooks, ctx.rt().registry().get());
        problems.throwIfAny();
        ctx.out().println("OK: " + inventory + (runbooks.isEmpty() ? "" : " + " + runbooks.size() + " runbook(s)"));
        return ExitCodes.OK;
    }
}
