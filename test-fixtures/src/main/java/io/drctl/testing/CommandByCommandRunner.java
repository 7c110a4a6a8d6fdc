package io.drctl.testing;

import io.drctl.host.Batch;
import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A fake {@link CommandRunner} that answers one command at a time: a {@link Batch} is answered command by command,
 * as the host's shell would run them, so scripts and assertions do not change when a caller batches. It describes
 * itself as {@code scripted}, a host of the family it was made with.
 */
public abstract class CommandByCommandRunner implements CommandRunner {

    private final OsFamily os;

    /** A fake of a host of the {@code os} family. */
    protected CommandByCommandRunner(OsFamily os) {
        this.os = os;
    }

    /** A fake of a Linux host. */
    protected CommandByCommandRunner() {
        this(OsFamily.LINUX);
    }

    /** Answers one command that is not a batch. */
    protected abstract CommandResult runOne(String command, Duration timeout) throws HostAccessException;

    @Override
    public final CommandResult run(String command, Duration timeout) throws HostAccessException {
        Optional<List<String>> batch = Batch.commandsOf(command);
        if (batch.isEmpty()) {
            return runConditional(command, timeout);
        }
        List<CommandResult> results = new ArrayList<>();
        for (String c : batch.get()) {
            results.add(runConditional(c, timeout));
        }
        return Batch.compose(command, results);
    }

    /** A command {@link Shell#onExit} built is answered as the shell runs it: its first part, then maybe the second. */
    private CommandResult runConditional(String command, Duration timeout) throws HostAccessException {
        Optional<Shell.OnExit> cond = Shell.parseOnExit(command);
        if (cond.isEmpty()) {
            return runOne(command, timeout);
        }
        CommandResult first = runOne(cond.get().first(), timeout);
        return first.exitCode() == cond.get().code() ? runOne(cond.get().then(), timeout) : first;
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
