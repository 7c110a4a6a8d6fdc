package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.Explain;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.journal.LockHeldException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * drctl's entry point. {@link #run} returns the exit code; only {@link #main} calls {@code System.exit}.
 */
@Command(name = "drctl", mixinStandardHelpOptions = true, version = "drctl " + io.drctl.orchestrator.journal.Provenance.VERSION,
        description = "Disaster-recovery orchestrator: validates, plans and runs journaled, resumable runbooks.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  ok", "  1  internal error", "  2  invalid input (nothing was run)",
                "  3  a step failed; the run is journaled and resumable (drctl resume RUN)",
                "  4  refused: another run holds the state-dir lock, or a safety check refused",
                "",
                "Examples:",
                "  drctl validate inventory/example.yaml runbooks/preflight.yaml",
                "  drctl plan --offline inventory/example.yaml runbooks/preflight.yaml",
                "  drctl run -i inventory/lab.yaml runbooks/preflight.yaml -p region=region2",
                "  drctl resume 20261122T031500Z-preflight-7f3a",
                "  drctl status --output json"})
public final class Main implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.INVALID_INPUT;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs drctl with the real environment. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(CliRuntime.system(), out, err, args);
    }

    /** Runs drctl with {@code runtime} (tests inject the environment, clock and host access). */
    public static int run(CliRuntime runtime, PrintStream out, PrintStream err, String... args) {
        Ctx ctx = new Ctx(runtime, out, err);
        CommandLine cl = new CommandLine(new Main());
        for (CtxCommand c : List.of(new ValidateCommand(), new PlanCommand(), new RunCommand(), new ResumeCommand(),
                new ApproveCommand(), new RollbackCommand(), new StatusCommand(), new HistoryCommand(), new DrillCommand(),
                new ReadinessCommand(), new DaemonCommand(), new ForecastCommand(), new SchemaCommand())) {
            cl.addSubcommand(c.in(ctx)); // named by its @Command
        }
        // `readiness history`: a subcommand of readiness
        cl.getSubcommands().get("readiness").addSubcommand(new ReadinessHistoryCommand().in(ctx));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExitCodeExceptionMapper(t -> ExitCodes.INTERNAL);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("drctl: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ExitCodes.INVALID_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> exitFor(ex, err, runtime.env()));
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The one place a command's exception becomes an exit code: invalid input (every problem, located),
     * an argument that cannot be used (a run that is not there, among others), and a held state-directory
     * lock are the operator's to fix; anything else is a bug, with its stack trace when DRCTL_DEBUG=true.
     */
    private static int exitFor(Exception ex, PrintStream err, Map<String, String> env) {
        if (ex instanceof InvalidInputException e) {
            Explain.invalidInput(err, e);
            return ExitCodes.INVALID_INPUT;
        }
        if (ex instanceof InvalidArgumentException e) {
            err.println("drctl: " + e.getMessage());
            e.hint().ifPresent(hint -> err.println("  " + hint));
            return ExitCodes.INVALID_INPUT;
        }
        if (ex instanceof LockHeldException e) {
            Explain.refused(err, e.getMessage());
            return ExitCodes.REFUSED;
        }
        err.println("drctl: internal error: " + ex);
        if (Boolean.parseBoolean(env.getOrDefault("DRCTL_DEBUG", "false"))) {
            ex.printStackTrace(err);
        }
        return ExitCodes.INTERNAL;
    }
}
