package io.drctl.orchestrator.steps;

import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.FakeHostAccess;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.CancelledException;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepLog;
import io.drctl.orchestrator.spi.StepSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drives a step type through its public contract only: an inventory and runbook are loaded as {@code drctl} loads
 * them, planned by the real {@link Planner} with {@link Builtins#registry()}, and the step's actions' verbs are
 * called with an {@link ActionContext} built here: a {@link FakeClock}, scripted hosts ({@link ScriptedRunner} per
 * host reference), recorded log lines, notes, figures and pauses, operator approvals set by the test.
 */
public final class StepHarness {
    public static final String RUN_ID = "20261122T031500Z-test-0001";

    public final FakeClock clock = FakeClock.atRealTime();
    public final Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv("PATH")));
    /** Host reference → its scripted runner (created on first use). */
    public final Map<String, ScriptedRunner> runners = new ConcurrentHashMap<>();
    /** Host reference → how reaching it fails. */
    public final Map<String, HostAccessException.Kind> unreachable = new ConcurrentHashMap<>();
    /** Host reference → a runner to use instead of a scripted one (e.g. a real local shell). */
    public final Map<String, CommandRunner> realRunners = new ConcurrentHashMap<>();
    public final List<String> info = Collections.synchronizedList(new ArrayList<>());
    public final List<String> notices = Collections.synchronizedList(new ArrayList<>());
    public final Map<String, String> notes = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Every figure an action observed, in order. */
    public final List<Figure> figures = Collections.synchronizedList(new ArrayList<>());
    /** What the actions recorded as observed ({@code ctx.evidence}), in order. */
    public final List<io.drctl.orchestrator.spi.Evidence> evidence = Collections.synchronizedList(new ArrayList<>());
    public final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());
    /** Step id → the approval an operator gave (read by probe and verify, returned by await). */
    public final Map<String, Approvals.Approval> approved = new ConcurrentHashMap<>();
    /** Step id → the reason an operator rejected it with (await throws). */
    public final Map<String, String> rejected = new ConcurrentHashMap<>();
    public final Path runDir;
    public boolean dryRun;
    /** Called on every {@code ActionContext.pause}, after the clock moved: a test changes the world "meanwhile" here. */
    public volatile java.util.function.Consumer<Duration> onPause = d -> { };

    private final Loaded loaded;

    private StepHarness(Loaded loaded, Path runDir) {
        this.loaded = loaded;
        this.runDir = runDir;
    }

    /** Loads {@code inventory} and {@code runbook} (written into {@code dir}) with {@code params} as `-p` overrides. */
    public static StepHarness load(Path dir, String inventory, String runbook, Map<String, String> params) throws Exception {
        Path inv = Files.writeString(dir.resolve("inventory.yaml"), inventory);
        Path rb = Files.writeString(dir.resolve("runbook.yaml"), runbook);
        Loaded loaded = Loaded.load(inv, rb, params, Builtins.registry());
        Path runDir = Files.createDirectories(dir.resolve("state").resolve("runs").resolve(RUN_ID));
        return new StepHarness(loaded, runDir);
    }

    public static StepHarness load(Path dir, String inventory, String runbook) throws Exception {
        return load(dir, inventory, runbook, Map.of());
    }

    public Inventory inventory() {
        return loaded.inventory();
    }

    public Map<String, String> params() {
        return loaded.params();
    }

    public StepSpec spec(String stepId) {
        return loaded.steps().stream().filter(s -> s.id().equals(stepId)).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + stepId));
    }

    /** The step's actions, as the real {@link Planner} expands them. */
    public List<Action> actions(String stepId) {
        return Planner.plan(loaded, Builtins.registry()).step(stepId)
                .orElseThrow(() -> new AssertionError("no step " + stepId)).actions();
    }

    /** The step's only action. */
    public Action action(String stepId) {
        List<Action> a = actions(stepId);
        if (a.size() != 1) {
            throw new AssertionError("expected one action of " + stepId + ", got " + a.stream().map(Action::target).toList());
        }
        return a.get(0);
    }

    public Action action(String stepId, String target) {
        return actions(stepId).stream().filter(a -> a.target().equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError("no action " + target + " in " + actions(stepId).stream().map(Action::target).toList()));
    }

    /** The scripted runner of host {@code ref} ({@code region/name}). */
    public ScriptedRunner host(String ref) {
        return runners.computeIfAbsent(ref, ScriptedRunner::new);
    }

    public HostAccess hostAccess() {
        return new FakeHostAccess(unreachable, Set.of(), host -> {
            CommandRunner real = realRunners.get(host.ref());
            return real != null ? real : host(host.ref());
        });
    }

    /** A context for attempt 1 of {@code stepId}, no deadline. */
    public ActionContext ctx(String stepId) {
        return ctx(stepId, Cancellation.none(clock));
    }

    public ActionContext ctx(String stepId, Cancellation cancellation) {
        return new Context(stepId, loaded.inventory(), loaded.params(), hostAccess(), clock, cancellation, this);
    }

    /** Attempt 1 of a step in run {@link #RUN_ID}: what a verb reads is fixed, what it does is recorded in the harness. */
    private record Context(String stepId, Inventory inventory, Map<String, String> params, HostAccess hosts, FakeClock clock,
            Cancellation cancellation, StepHarness h) implements ActionContext {
        @Override
        public String runId() {
            return RUN_ID;
        }

        @Override
        public int attempt() {
            return 1;
        }

        /** Records the pause and moves the clock instead of waiting; then lets the test change the world. */
        @Override
        public void pause(Duration d) throws InterruptedException {
            try {
                cancellation.check();
            } catch (CancelledException e) {
                throw new InterruptedException(e.getMessage());
            }
            h.pauses.add(d);
            clock.advance(cancellation.remaining(d));
            h.onPause.accept(d);
        }

        @Override
        public StepLog log() {
            return new StepLog() {
                @Override
                public void info(String line) {
                    h.info.add(line);
                }

                @Override
                public void notice(String line) {
                    h.notices.add(line);
                }
            };
        }

        @Override
        public Map<String, String> env() {
            return h.env;
        }

        @Override
        public Approvals approvals() {
            return h.approvals();
        }

        @Override
        public Optional<Path> runDir() {
            return Optional.of(h.runDir);
        }

        @Override
        public void note(String key, String value) {
            h.notes.put(key, value);
        }

        @Override
        public void observe(Figure figure) {
            h.figures.add(figure);
        }

        @Override
        public void evidence(io.drctl.orchestrator.spi.Evidence e) {
            h.evidence.add(e);
        }

        @Override
        public boolean dryRun() {
            return h.dryRun;
        }
    }

    /** The operators: {@link #approved} and {@link #rejected} answer; no answer is a cancellation. */
    private Approvals approvals() {
        return new Approvals() {
            @Override
            public Optional<Approval> find(String id) {
                return Optional.ofNullable(approved.get(id));
            }

            @Override
            public Approval await(String id, String message, Cancellation c) throws StepFailure, CancelledException {
                c.check();
                if (rejected.containsKey(id)) {
                    throw new StepFailure("step " + id + " rejected by an operator: " + rejected.get(id), false);
                }
                Approval a = approved.get(id);
                if (a == null) {
                    throw new CancelledException(id + ": no operator answered", true);
                }
                return a;
            }
        };
    }

    /** Writes {@code text} to {@code dir/name}. */
    public static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
