package io.drctl.dbms;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/** A runner that answers with recorded results in order, each for a command starting with an expected prefix. */
final class ScriptedRunner implements CommandRunner {

    private record Step(Predicate<String> expect, String what, CommandResult result, HostAccessException error) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    final List<String> commands = new ArrayList<>();
    final List<Duration> timeouts = new ArrayList<>();
    private final OsFamily os;

    ScriptedRunner(OsFamily os) {
        this.os = os;
    }

    ScriptedRunner() {
        this(OsFamily.LINUX);
    }

    /** The next command must start with {@code prefix}; it exits {@code exit} printing {@code stdout}. */
    ScriptedRunner on(String prefix, int exit, String stdout) {
        return on(prefix, exit, stdout, exit == 0 ? "" : "error output of " + prefix);
    }

    ScriptedRunner on(String prefix, int exit, String stdout, String stderr) {
        steps.add(new Step(c -> c.startsWith(prefix), prefix, new CommandResult(exit, stdout, stderr, Duration.ZERO), null));
        return this;
    }

    /** {@code times} times the same answer. */
    ScriptedRunner repeat(int times, String prefix, int exit, String stdout) {
        for (int i = 0; i < times; i++) {
            on(prefix, exit, stdout);
        }
        return this;
    }

    ScriptedRunner fail(String prefix, HostAccessException e) {
        steps.add(new Step(c -> c.startsWith(prefix), prefix, null, e));
        return this;
    }

    @Override
    public CommandResult run(String command, Duration timeout) throws HostAccessException {
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

    boolean exhausted() {
        return steps.isEmpty();
    }

    long count(String prefix) {
        return commands.stream().filter(c -> c.startsWith(prefix)).count();
    }

    @Override
    public String describe() {
        return "scripted";
    }

    @Override
    public OsFamily os() {
        return os;
    }
}
