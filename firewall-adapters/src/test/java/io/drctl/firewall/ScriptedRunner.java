package io.drctl.firewall;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/** A runner that answers with recorded results in order, each for a command matching an expectation. */
final class ScriptedRunner implements CommandRunner {

    private record Step(Predicate<String> expect, String what, CommandResult result, HostAccessException error) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    final List<String> commands = new ArrayList<>();
    private final OsFamily os;

    ScriptedRunner(OsFamily os) {
        this.os = os;
    }

    ScriptedRunner() {
        this(OsFamily.LINUX);
    }

    ScriptedRunner on(String prefix, int exit, String stdout) {
        steps.add(new Step(c -> c.startsWith(prefix), prefix, new CommandResult(exit, stdout, exit == 0 ? "" : "error output", Duration.ZERO), null));
        return this;
    }

    ScriptedRunner any(int exit, String stdout) {
        steps.add(new Step(c -> true, "any command", new CommandResult(exit, stdout, exit == 0 ? "" : "error output", Duration.ZERO), null));
        return this;
    }

    ScriptedRunner fail(HostAccessException e) {
        steps.add(new Step(c -> true, "any command", null, e));
        return this;
    }

    @Override
    public CommandResult run(String command, Duration timeout) throws HostAccessException {
        commands.add(command);
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

    @Override
    public String describe() {
        return "scripted";
    }

    @Override
    public OsFamily os() {
        return os;
    }
}
