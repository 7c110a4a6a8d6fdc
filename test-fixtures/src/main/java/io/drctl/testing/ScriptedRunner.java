package io.drctl.testing;

import io.drctl.host.CommandResult;
import io.drctl.host.HostAccessException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link CommandRunner} that answers with scripted results in order, each for a command that starts with an
 * expected prefix (or for any command), and records what it was asked. An unexpected or extra command fails the
 * test with an {@link AssertionError}. A batch is answered command by command (what it records is the batch's
 * commands).
 */
public final class ScriptedRunner extends CommandByCommandRunner {

    private record Step(Predicate<String> expect, String what, CommandResult result, HostAccessException error) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<String> commands = new ArrayList<>();
    private final List<Duration> timeouts = new ArrayList<>();

    public ScriptedRunner(OsFamily os) {
        super(os);
    }

    public ScriptedRunner() {
        this(OsFamily.LINUX);
    }

    /** The next command must start with {@code prefix}; it exits {@code exit} printing {@code stdout}. */
    public ScriptedRunner on(String prefix, int exit, String stdout) {
        return on(prefix, exit, stdout, exit == 0 ? "" : "error output of " + prefix);
    }

    public ScriptedRunner on(String prefix, int exit, String stdout, String stderr) {
        return add(c -> c.startsWith(prefix), prefix, new CommandResult(exit, stdout, stderr, Duration.ZERO), null);
    }

    /** {@code times} times the same answer. */
    public ScriptedRunner repeat(int times, String prefix, int exit, String stdout) {
        for (int i = 0; i < times; i++) {
            on(prefix, exit, stdout);
        }
        return this;
    }

    /** The next command, whatever it is, exits {@code exit} printing {@code stdout}. */
    public ScriptedRunner any(int exit, String stdout) {
        return add(c -> true, "any command", new CommandResult(exit, stdout, exit == 0 ? "" : "error output", Duration.ZERO), null);
    }

    /** The next command must start with {@code prefix}; running it throws {@code e}. */
    public ScriptedRunner fail(String prefix, HostAccessException e) {
        return add(c -> c.startsWith(prefix), prefix, null, e);
    }

    /** The next command, whatever it is, throws {@code e}. */
    public ScriptedRunner fail(HostAccessException e) {
        return add(c -> true, "any command", null, e);
    }

    private ScriptedRunner add(Predicate<String> expect, String what, CommandResult result, HostAccessException error) {
        steps.add(new Step(expect, what, result, error));
        return this;
    }

    @Override
    protected CommandResult runOne(String command, Duration timeout) throws HostAccessException {
        commands.add(command);
        timeouts.add(timeout);
        Step s = steps.poll();
        if (s == null) {
            throw new AssertionError("unexpected command (script exhausted): " + command);
        }
        if (!s.expect().test(command)) {
            throw new AssertionError("expected " + s.what() + ", got: " + command);
        }
        if (s.error() != null) {
            throw s.error();
        }
        return s.result();
    }

    /** The commands run so far, in order. */
    public List<String> commands() {
        return Collections.unmodifiableList(commands);
    }

    /** The timeout each command was run with, in order. */
    public List<Duration> timeouts() {
        return Collections.unmodifiableList(timeouts);
    }

    /** Whether every scripted answer was used. */
    public boolean exhausted() {
        return steps.isEmpty();
    }

    /** How many commands run so far start with {@code prefix}. */
    public long count(String prefix) {
        return commands.stream().filter(c -> c.startsWith(prefix)).count();
    }
}
