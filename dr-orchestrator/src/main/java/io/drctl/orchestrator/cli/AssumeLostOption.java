package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.load.InventoryLoader;
import io.drctl.orchestrator.config.load.Params;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.engine.AssumeLost;
import io.drctl.orchestrator.spi.LostTargets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --assume-lost TARGET} (repeatable) of run, plan and drill: safe fault injection. drctl treats the
 * targets as powered off and unreachable and contacts none of them. It needs {@code --mode forced}: a lost
 * host is a disaster, planned mode expects every host to answer, and forced mode changes what a run does
 * (best-effort old region, no RPO proof), so the operator asks for it knowingly rather than drctl choosing it.
 */
final class AssumeLostOption {
    @Option(names = "--assume-lost", paramLabel = "TARGET",
            description = "inject a fault safely (repeatable): treat TARGET as powered off and unreachable and contact it"
                    + " in no way (no SSH session, DNS message, TCP probe or VM provider call); the journal and the report"
                    + " list what was skipped. TARGET: REGION/HOST (or HOST when unique), REGION (all its hosts), or"
                    + " dns:SERVER (a server of the inventory's dns:). Needs --mode forced")
    List<String> values = new ArrayList<>();

    /** The lost targets in {@code inventory}; {@link LostTargets#NONE} without the option. Checks before anything runs. */
    LostTargets lost(Path inventory, String mode) throws InvalidInputException {
        if (values.isEmpty()) {
            return LostTargets.NONE;
        }
        Problems problems = new Problems();
        if (!Params.FORCED.equals(mode)) {
            problems.add(Location.synthetic("command line", "--assume-lost"),
                    "--assume-lost " + String.join(", ", values) + " needs --mode forced"
                            + (mode == null ? "" : " (got --mode " + mode + ")"),
                    "a lost host is a disaster: planned mode expects every host to answer; add --mode forced, so the"
                            + " steps marked whenForced become best-effort, as they would be for a real loss");
        }
        Optional<Inventory> inv = InventoryLoader.load(inventory, problems);
        problems.throwIfAny();
        return AssumeLost.parse(values, inv.orElseThrow());
    }
}
