package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code fake}: a step type for engine tests whose actions do what the runbook scripts, against a
 * real state file (the "system"): apply appends {@code "step target"} to {@code store}, revert removes
 * it, the probe reads it. Per attempt, {@code script} says what apply does:
 * <ul>
 *   <li>{@code ok} — change the store, succeed</li>
 *   <li>{@code fail} / {@code fatal} — fail before changing anything (retriable / not)</li>
 *   <li>{@code hang} — wait (cancellably) an hour of the clock's time</li>
 *   <li>{@code stubborn} — ignore cancellation and interrupts for {@code stubbornMs} of real time, then fail</li>
 *   <li>{@code slow} — ignore cancellation for {@code stubbornMs} of real time, then change the store and succeed</li>
 *   <li>{@code crash} — throw an unexpected RuntimeException (a bug in a step type)</li>
 *   <li>{@code advance} — move the test's {@link ScaledClock} forward by {@code advance}, then wait cancellably</li>
 *   <li>{@code kill} — call the test's kill hook (a crash of drctl: the test snapshots the state), then end this run (the snapshot is the crashed state)</li>
 * </ul>
 * The last entry repeats. {@code probe: store} reads the store (honest idempotence), {@code needed} /
 * {@code unknown} / {@code satisfied} are fixed answers. {@code verify: fail} makes verification fail, {@code hang} makes it wait an hour.
 */
public final class FakeStepType extends DeclaredStepType {
    /** Called by {@code kill} entries with (step, target); tests install it. */
    public static volatile java.util.function.BiConsumer<String, String> killHook = (s, t) -> { };
    /** Attempts per "step target", across runs of one JVM (tests reset it). */
    public static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();

    public FakeStepType() {
        super("fake", Targets.NONE, "test step: scripted outcomes against a state file", List.of(
                FieldSpec.required("store", FieldKind.STRING, "state file"),
                FieldSpec.optional("targets", FieldKind.INTEGER, "number of actions (default 1)"),
                FieldSpec.optional("changes", FieldKind.BOOLEAN, "changes the system (default true)"),
                FieldSpec.optional("stopsWithDrctl", FieldKind.BOOLEAN, "whatever apply starts ends with drctl"),
                FieldSpec.optional("script", FieldKind.STRING_LIST, "per attempt: ok|slow|fail|fatal|hang|stubborn|crash|advance|kill"),
                FieldSpec.optional("probe", FieldKind.STRING, "store|needed|unknown|satisfied (default store)"),
                FieldSpec.optional("verify", FieldKind.STRING, "ok|fail|hang (default ok)"),
                FieldSpec.optional("advance", FieldKind.DURATION, "how far `advance` moves the clock"),
                FieldSpec.optional("stubbornMs", FieldKind.INTEGER, "real ms a `stubborn` attempt ignores cancellation")));
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion expansion) {
        int n = step.fields().integer("targets").orElse(1);
        List<Action> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(new FakeAction(step, "t" + i));
        }
        return out;
    }

    static final class FakeAction implements Action {
        private final String step;
        private final String target;
        private final Path store;
        private final boolean changes;
        private final boolean stopsWithDrctl;
        private final List<String> script;
        private final String probe;
        private final String verify;
        private final Duration advance;
        private final int stubbornMs;

        FakeAction(StepSpec spec, String target) {
            this.step = spec.id();
            this.target = target;
            this.store = Path.of(spec.fields().string("store"));
            this.changes = spec.fields().bool("changes", true);
            this.stopsWithDrctl = spec.fields().bool("stopsWithDrctl", false);
            List<String> sc = spec.fields().strings("script");
            this.script = sc.isEmpty() ? List.of("ok") : sc;
            this.probe = spec.fields().optString("probe").orElse("store");
            this.verify = spec.fields().optString("verify").orElse("ok");
            this.advance = spec.fields().duration("advance").orElse(Duration.ofMinutes(10));
            this.stubbornMs = spec.fields().integer("stubbornMs").orElse(300);
        }

        String line() {
            return step + " " + target;
        }

        @Override
        public String target() {
            return target;
        }

        @Override
        public String description() {
            return "fake " + line();
        }

        @Override
        public boolean changes() {
            return changes;
        }

        @Override
        public boolean stopsWithDrctl() {
            return stopsWithDrctl;
        }

        /** Adds this action's line to the store, when it changes anything. */
        private void record() throws IOException {
            if (changes) {
                synchronized (FakeStepType.class) {
                    Files.writeString(store, line() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
        }

        boolean present() throws IOException {
            return Files.exists(store) && Files.readAllLines(store).contains(line());
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            return switch (probe) {
                case "needed" -> Probe.needed("not done", "done");
                case "unknown" -> Probe.unknown("cannot tell");
                case "satisfied" -> Probe.satisfied("done", "done");
                default -> present() ? Probe.satisfied("done", "done") : Probe.needed("not done", "done");
            };
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            int attempt = ATTEMPTS.computeIfAbsent(line(), k -> new AtomicInteger()).incrementAndGet();
            String what = script.get(Math.min(attempt, script.size()) - 1);
            switch (what) {
                case "ok" -> {
                    record();
                    return Applied.of("did " + line());
                }
                case "slow" -> {
                    uninterruptibleSleep(stubbornMs);
                    record();
                    return Applied.of("did " + line() + " slowly");
                }
                case "fail" -> throw new StepFailure(line() + ": scripted failure", true);
                case "fatal" -> throw new StepFailure(line() + ": scripted fatal failure", false);
                case "hang" -> {
                    ctx.cancellation().pause(Duration.ofHours(1));
                    throw new StepFailure(line() + ": hung for an hour", true);
                }
                case "stubborn" -> {
                    uninterruptibleSleep(stubbornMs);
                    throw new StepFailure(line() + ": stubborn attempt gave up", true);
                }
                case "crash" -> throw new IllegalStateException("scripted bug in " + line());
                case "advance" -> {
                    ((ScaledClock) ctx.clock()).advance(advance);
                    ctx.cancellation().pause(Duration.ofHours(1));
                    throw new StepFailure(line() + ": after advancing the clock", true);
                }
                case "kill" -> {
                    killHook.accept(step, target);
                    // this process "died" at the snapshot; end its run quickly (the test discards what follows)
                    throw new StepFailure(line() + ": killed (the test keeps the journal as of the kill)", false);
                }
                default -> throw new IllegalArgumentException("unknown script entry " + what);
            }
        }

        private static void uninterruptibleSleep(int ms) {
            long until = System.nanoTime() + ms * 1_000_000L;
            boolean interrupted = false;
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    interrupted = true; // ignores interrupts, as a blocking library call might
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            if (verify.equals("hang")) {
                ctx.cancellation().pause(Duration.ofHours(1));
                return Verified.failed(line() + ": verification hung for an hour");
            }
            if (verify.equals("fail")) {
                return Verified.failed(line() + ": scripted verification failure");
            }
            if (changes && probe.equals("store") && !present()) {
                return Verified.failed(line() + ": not in the store");
            }
            return Verified.ok(line() + " verified");
        }

        @Override
        public boolean revertible() {
            return true;
        }

        @Override
        public Reverted revert(ActionContext ctx) throws Exception {
            synchronized (FakeStepType.class) {
                List<String> lines = Files.exists(store) ? new ArrayList<>(Files.readAllLines(store)) : new ArrayList<>();
                lines.removeIf(line()::equals);
                Files.write(store, lines);
            }
            return Reverted.done("removed " + line());
        }
    }
}
