package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.load.Params;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code [INVENTORY] RUNBOOK} or {@code -i INVENTORY RUNBOOK}, plus {@code -p name=value}. */
final class InputOptions {
    @Option(names = {"-i", "--inventory"}, paramLabel = "INVENTORY",
            description = "inventory file (or give it as the first argument; default $DRCTL_INVENTORY)")
    Path inventory;

    @Parameters(arity = "1..2", paramLabel = "FILE", description = "[INVENTORY] RUNBOOK")
    List<Path> files;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "runbook parameter (repeatable)")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--mode", paramLabel = "MODE",
            description = "planned (default): every step must succeed, the replica must have replayed all the old primary"
                    + " wrote before it is promoted (RPO 0, checked); forced: a region is gone, steps with `whenForced:` become"
                    + " best-effort with their short timeouts and the run lists what it skipped. Journaled; resume keeps it")
    String mode;

    /** The {@code -p} parameters, with {@code --mode} as the built-in parameter {@code mode}. */
    Map<String, String> params() {
        Map<String, String> out = new LinkedHashMap<>(params);
        if (mode != null) {
            out.put(Params.MODE, mode);
        }
        return out;
    }

    Path inventory(Ctx ctx) throws InvalidInputException {
        if (files.size() == 2) {
            return files.get(0);
        }
        return inventory(ctx, inventory, "pass -i INVENTORY, or INVENTORY RUNBOOK, or set DRCTL_INVENTORY");
    }

    Path runbook() {
        return files.get(files.size() - 1);
    }

    /** The inventory and runbook loaded and validated against {@code registry}, with the parameters. */
    Loaded load(Ctx ctx, StepTypeRegistry registry) throws InvalidInputException {
        return Loaded.load(inventory(ctx), runbook(), params(), registry);
    }

    /** For commands without a positional inventory (readiness, daemon): {@code option}, else $DRCTL_INVENTORY. */
    static Path inventory(Ctx ctx, Path option) throws InvalidInputException {
        return inventory(ctx, option, "pass -i INVENTORY, or set DRCTL_INVENTORY");
    }

    private static Path inventory(Ctx ctx, Path option, String hint) throws InvalidInputException {
        if (option != null) {
            return option;
        }
        String env = ctx.rt().env().get("DRCTL_INVENTORY");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Problems p = new Problems();
        p.add(Location.synthetic("command line", ""), "no inventory given", hint);
        throw new InvalidInputException(p.list());
    }
}
