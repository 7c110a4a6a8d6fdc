package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.schema.InventorySchema;
import io.drctl.orchestrator.config.schema.RunbookSchema;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drctl schema}: the JSON Schema of inventories or runbooks, for editors. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Print the JSON Schema of inventories or runbooks (for editors); the runbook schema covers every registered step type.",
        footer = {"", "Examples:", "  drctl schema runbook > runbooks/runbook.schema.json", "  drctl schema inventory"})
final class SchemaCommand extends CtxCommand {
    @Parameters(index = "0", paramLabel = "KIND", description = "inventory or runbook")
    String kind;

    @Override
    public Integer call() throws IOException, InvalidArgumentException {
        switch (kind) {
            case "runbook" -> ctx.out().print(RunbookSchema.generate(ctx.rt().registry().get()));
            case "inventory" -> ctx.out().print(InventorySchema.generate());
            default -> throw new InvalidArgumentException("schema KIND must be inventory or runbook, got '" + kind + "'");
        }
        return ExitCodes.OK;
    }
}
