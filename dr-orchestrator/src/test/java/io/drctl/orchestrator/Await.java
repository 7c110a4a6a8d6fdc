package io.drctl.orchestrator;

import io.drctl.orchestrator.journal.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting in tests for what happens elsewhere (another thread, a child process, a daemon), within a limit. */
public final class Await {
    private Await() {
    }

    /** One look at what is awaited: empty until it is there. */
    @FunctionalInterface
    public interface Probe<T, X extends Exception> {
        Optional<T> look() throws X;
    }

    /**
     * What {@code probe} finds, looking every {@code every}; an {@link AssertionError} "not within LIMIT: WHAT" once
     * {@code limit} has passed ({@code what} is asked only then, so it may gather logs).
     */
    public static <T, X extends Exception> T until(Duration limit, Duration every, Probe<T, X> probe, Supplier<String> what)
            throws X, InterruptedException {
        Instant giveUp = Instant.now().plus(limit);
        while (true) {
            Optional<T> found = probe.look();
            if (found.isPresent()) {
                return found.get();
            }
            if (!Instant.now().isBefore(giveUp)) {
                throw new AssertionError("not within " + limit + ": " + what.get());
            }
            Thread.sleep(every.toMillis());
        }
    }

    /** Returns once {@code condition} holds, checking every {@code every}; fails as the {@link Probe} variant does. */
    public static void until(Duration limit, Duration every, BooleanSupplier condition, Supplier<String> what)
            throws InterruptedException {
        until(limit, every, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty(), what);
    }

    /**
     * The run under {@code stateDir} whose journal ({@link Fixtures#brief}) first satisfies {@code condition}, looking
     * every 20 ms; fails naming {@code what} when {@code limit} passes or the {@code drctl} process, if any, exits first.
     */
    public static Path run(Path stateDir, Predicate<List<String>> condition, String what, Duration limit,
            Optional<Process> drctl) throws IOException, InterruptedException {
        return run(stateDir, condition, what, limit, drctl, Duration.ofMillis(20));
    }

    /** {@link #run} looking every {@code every}: a kill point a few milliseconds wide needs a short one. */
    public static Path run(Path stateDir, Predicate<List<String>> condition, String what, Duration limit,
            Optional<Process> drctl, Duration every) throws IOException, InterruptedException {
        return until(limit, every, () -> {
            Optional<Path> run = runWhere(stateDir.resolve("runs"), condition);
            if (run.isEmpty() && drctl.isPresent() && !drctl.get().isAlive()) {
                throw new AssertionError("drctl exited (" + drctl.get().exitValue() + ") before " + what);
            }
            return run;
        }, () -> what);
    }

    private static Optional<Path> runWhere(Path runs, Predicate<List<String>> condition) throws IOException {
        if (!Files.isDirectory(runs)) {
            return Optional.empty();
        }
        try (var s = Files.list(runs)) {
            for (Path run : s.toList()) {
                if (Files.exists(run.resolve(Journal.FILE)) && condition.test(Fixtures.brief(run))) {
                    return Optional.of(run);
                }
            }
        }
        return Optional.empty();
    }
}
