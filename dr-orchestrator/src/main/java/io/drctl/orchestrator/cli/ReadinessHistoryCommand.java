package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.Json;
import io.drctl.orchestrator.config.load.InventoryLoader;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.ReadinessSettings;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.readiness.cluster.ClusterDaemon;
import io.drctl.orchestrator.readiness.cluster.ResultStore;
import io.drctl.orchestrator.readiness.cluster.StoreDataSource;
import io.drctl.orchestrator.readiness.cluster.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drctl readiness history}: the changes of readiness the daemons recorded in the inventory's
 * {@code readiness.store}: when, which way, and the failing checks that caused it.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"The changes of readiness (ready -> not ready and back) the daemons recorded in readiness.store,",
                "oldest first: time, change, cause (the failing checks), the daemon, the webhook delivery."},
        footer = {"", "Examples:",
                "  drctl readiness history -i inventory/prod.yaml",
                "  drctl readiness history -i inventory/prod.yaml --since 7d --output json"})
final class ReadinessHistoryCommand extends StateCommand {
    @Option(names = {"-i", "--inventory"}, paramLabel = "INVENTORY", description = "inventory file (default $DRCTL_INVENTORY)")
    Path inventory;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "24h",
            description = "how far back (default: ${DEFAULT-VALUE}; e.g. 30m, 7d)")
    String since;

    @Override
    public Integer call() throws Exception {
        Optional<Duration> back = Durations.parse(since);
        if (back.isEmpty()) {
            throw new InvalidArgumentException("invalid --since '" + since + "': expected a duration like 30m, 24h, 7d (at most "
                    + Durations.format(Durations.MAX) + ")");
        }
        Path inv = InputOptions.inventory(ctx, inventory);
        Problems problems = new Problems();
        Optional<Inventory> loaded = InventoryLoader.load(inv, problems);
        problems.throwIfAny();
        Inventory inventory = loaded.orElseThrow();
        Optional<ReadinessSettings.Store> store = inventory.readiness().store();
        if (store.isEmpty()) {
            throw new InvalidArgumentException(inv + " has no readiness.store: the history of readiness changes lives in the daemons' store",
                    "add readiness: { store: { url: jdbc:postgresql://HOST:5432/drctl, user: drctl, passwordFile: ... } },"
                    + " or see single rounds with: drctl history --state-dir <state-dir>/readiness");
        }
        List<ResultStore.Change> changes;
        try (StoreDataSource ds = StoreDataSource.open(store.get(), ctx.rt().env(), "history")) {
            changes = new ResultStore(ds, ClusterDaemon.scheduleName(inventory.name()), "history").changes(ctx.rt().clock().instant().minus(back.get()));
        } catch (IOException e) {
            throw new InvalidArgumentException("readiness.store in " + inv + ": " + e.getMessage());
        } catch (StoreException e) {
            ctx.err().println("drctl: " + e.getMessage());
            return ExitCodes.STEP_FAILED;
        }
        if (shared.json()) {
            List<Object> out = new ArrayList<>();
            for (ResultStore.Change c : changes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", c.at().toString());
                m.put("round", c.fireTime().toString());
                m.put("event", c.ready() ? "ready" : "not_ready");
                m.put("failing", c.failing());
                m.put("instance", c.instance());
                m.put("delivery", c.delivery().orElse(null));
                out.add(m);
            }
            ctx.out().println(Json.write(out));
            return ExitCodes.OK;
        }
        if (changes.isEmpty()) {
            ctx.out().println("no change of readiness in the last " + Durations.format(back.get()) + " (" + inventory.name() + ")");
            return ExitCodes.OK;
        }
        for (ResultStore.Change c : changes) {
            String cause = String.join("; ", c.failing().stream().map(f -> f.get("check") + ": " + f.get("detail")).toList());
            ctx.out().println(c.at() + "  " + (c.ready() ? "READY again" : "NOT READY  ") + "  round " + c.fireTime()
                    + "  by " + c.instance() + (cause.isEmpty() ? "" : "\n    cause: " + cause)
                    + c.delivery().map(d -> "\n    webhook: " + d).orElse(""));
        }
        return ExitCodes.OK;
    }
}
