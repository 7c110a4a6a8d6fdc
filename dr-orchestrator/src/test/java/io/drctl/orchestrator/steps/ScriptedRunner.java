package io.drctl.orchestrator.steps;

import io.drctl.host.CommandResult;
import io.drctl.host.HostAccessException;
import io.drctl.testing.CommandByCommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A host's command runner that answers by the command text: the most recently added rule whose predicate matches
 * decides the exit code and output. Anything unscripted exits 127 ("not found"), as on a host without the tool.
 * Every command is recorded, in order; a batch command by command, as the host's shell would run them.
 * (Unlike {@link io.drctl.testing.ScriptedRunner}, an ordered script that fails the test on an unexpected command,
 * this one answers by rules, in any order, as often as asked: the fakes of whole hosts are built on it.)
 */
public final class ScriptedRunner extends CommandByCommandRunner {

    /** What a matched command returns; may change the fake's state. */
    @FunctionalInterface
    public interface Answer {
        CommandResult answer(String command) throws HostAccessException;
    }

    private record Rule(Predicate<String> match, Answer answer) {
    }

    private final String name;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<String> commands = Collections.synchronizedList(new ArrayList<>());

    public ScriptedRunner(String name) {
        this.name = name;
    }

    /** Adds a rule; it wins over every rule added before it. */
    public ScriptedRunner on(Predicate<String> match, Answer answer) {
        rules.add(0, new Rule(match, answer));
        return this;
    }

    /** Commands containing {@code text} exit {@code exit} with {@code stdout}. */
    public ScriptedRunner whenContains(String text, int exit, String stdout) {
        return on(c -> c.contains(text), c -> result(exit, stdout, ""));
    }

    public static CommandResult ok(String stdout) {
        return result(0, stdout, "");
    }

    public static CommandResult result(int exit, String stdout, String stderr) {
        return new CommandResult(exit, stdout, stderr, Duration.ofMillis(1));
    }

    @Override
    protected CommandResult runOne(String command, Duration timeout) throws HostAccessException {
        commands.add(command);
        for (Rule r : rules) {
            if (r.match().test(command)) {
                return r.answer().answer(command);
            }
        }
        return result(127, "", "sh: 1: unscripted command on " + name);
    }

    /** Every command run so far, in order. */
    public List<String> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    public List<String> commandsContaining(String text) {
        return commands().stream().filter(c -> c.contains(text)).toList();
    }

    @Override
    public String describe() {
        return "scripted " + name;
    }
}
