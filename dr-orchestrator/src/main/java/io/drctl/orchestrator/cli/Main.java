package io.drctl.orchestrator.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * drctl's entry point. {@link #run} returns the exit code; only {@link #main} calls {@code System.exit}.
 */
@Command(name = "drctl", mixinStandardHelpOptions = true, version = "drctl 0.1.0",
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
        Commands.Ctx ctx = new Commands.Ctx(runtime, out, err);
        CommandLine cl = new CommandLine(new Main())
                .addSubcommand("validate", new Commands.Validate(ctx))
                .addSubcommand("plan", new Commands.PlanCmd(ctx))
                .addSubcommand("run", new Commands.Run(ctx))
                .addSubcommand("resume", new Commands.Resume(ctx))
                .addSubcommand("approve", new Commands.Approve(ctx))
                .addSubcommand("rollback", new Commands.Rollback(ctx))
                .addSubcommand("status", new Commands.StatusCmd(ctx))
                .addSubcommand("history", new Commands.History(ctx))
                .addSubcommand("drill", new Drill(ctx))
                .addSubcommand("readiness", new ReadinessCommand(ctx))
                .addSubcommand("daemon", new DaemonCommand(ctx))
                .addSubcommand("schema", new Commands.Schema(ctx));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExitCodeExceptionMapper(t -> ExitCodes.INTERNAL);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("drctl: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ExitCodes.INVALID_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            err.println("drctl: internal error: " + ex);
            if (Boolean.parseBoolean(runtime.env().getOrDefault("DRCTL_DEBUG", "false"))) {
                ex.printStackTrace(err);
            }
            return ExitCodes.INTERNAL;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
