package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.ReadinessView;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.readiness.Readiness;
import io.drctl.orchestrator.readiness.ReadinessDaemon;
import io.drctl.orchestrator.readiness.ReadinessResult;
import io.drctl.orchestrator.readiness.ReadinessServer;
import io.drctl.orchestrator.readiness.ReadinessState;
import io.drctl.orchestrator.readiness.RunPruner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drctl daemon}: runs readiness on a Quartz cron schedule and serves {@code /healthz},
 * {@code /metrics} and {@code /results} over HTTP. Stops cleanly on SIGTERM/SIGINT.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Run readiness on a schedule (Quartz cron; one round at a time, no catch-up pile).",
                "Serves /healthz (200 when the last round passed, else 503), /metrics (Prometheus text), /results (JSON).",
                "One round runs at start. Stops cleanly on SIGTERM."},
        footer = {"", "Schedule: Quartz cron, 6 or 7 fields:",
                "  seconds minutes hours day-of-month month day-of-week [year]",
                "  one of the two day fields must be '?'; default every 5 minutes: '0 */5 * * * ?'", "",
                "Each round is a journaled run in <state-dir>/readiness/ under a lock of its own: rounds never",
                "overlap, and an operator's `drctl run` on the same --state-dir is never refused because of one.",
                "See past rounds with: drctl history --state-dir <state-dir>/readiness", "",
                "Examples:",
                "  drctl daemon -i inventory/prod.yaml",
                "  drctl daemon -i inventory/prod.yaml --schedule '0 0/15 * * * ?' --listen 127.0.0.1:9464",
                "  drctl daemon -i inventory/lab.yaml --once --listen 127.0.0.1:0",
                "  curl -s 127.0.0.1:9464/metrics"})
final class DaemonCommand extends StateCommand {
    @Mixin
    ReadinessInput input;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "runbook parameter (repeatable)")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--schedule", paramLabel = "CRON", defaultValue = ReadinessDaemon.DEFAULT_SCHEDULE,
            description = "Quartz cron expression (default: '${DEFAULT-VALUE}', every 5 minutes)")
    String schedule;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
            description = "HTTP address (default: ${DEFAULT-VALUE}; port 0 picks a free port)")
    String listen;

    @Option(names = "--keep-runs", paramLabel = "N", defaultValue = "288",
            description = "keep the newest N finished readiness runs in <state-dir>/readiness, delete older ones (default: "
                    + "${DEFAULT-VALUE}, one day at 5-minute rounds); runs of other runbooks are never touched")
    int keepRuns;

    @Option(names = "--once", description = "run one round, print it, and exit (0 ready, 3 not ready)")
    boolean once;

    DaemonCommand(Ctx ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws Exception {
        Optional<String> cron = ReadinessDaemon.cronProblem(schedule);
        if (cron.isPresent()) {
            ctx.err().println("drctl: invalid --schedule '" + schedule + "': " + cron.get());
            ctx.err().println("  Quartz cron has 6 or 7 fields: seconds minutes hours day-of-month month day-of-week [year],"
                    + " with '?' in one day field; e.g. '0 */5 * * * ?' (every 5 minutes)");
            return ExitCodes.INVALID_INPUT;
        }
        Optional<InetSocketAddress> addr = listenAddress(listen);
        if (addr.isEmpty()) {
            ctx.err().println("drctl: invalid --listen '" + listen + "': expected HOST:PORT with an IP address or localhost "
                    + "and a port 0..65535, e.g. 127.0.0.1:9464");
            return ExitCodes.INVALID_INPUT;
        }
        if (keepRuns < 1) {
            ctx.err().println("drctl: invalid --keep-runs " + keepRuns + ": must be at least 1");
            return ExitCodes.INVALID_INPUT;
        }
        Path inv = input.inventory(ctx);
        // refuse to start on invalid input
        String runbookName = Loaded.load(inv, input.runbook, params, ctx.rt().registry().get()).runbook().name();
        Path stateDir = shared.stateDir(ctx);
        RunStore store = Readiness.store(stateDir);
        Supplier<ReadinessResult> round = () -> {
            ReadinessResult r = round(store, inv);
            try {
                RunPruner.prune(store, runbookName, keepRuns);
            } catch (IOException | RuntimeException e) {
                ctx.err().println("drctl daemon: could not prune old readiness runs in " + store.stateDir() + ": " + e.getMessage());
            }
            return r;
        };
        ReadinessState state = new ReadinessState();
        ReadinessServer server;
        try {
            server = ReadinessServer.start(addr.get(), state);
        } catch (IOException e) {
            ctx.err().println("drctl: cannot listen on " + listen + ": " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        InetSocketAddress bound = server.address();
        String base = "http://" + bound.getAddress().getHostAddress() + ":" + bound.getPort();
        ctx.out().println("drctl daemon: serving " + base + "/healthz, /metrics, /results; readiness " + input.runbook + " on " + inv
                + (once ? " once" : ", schedule '" + schedule + "'") + "; readiness runs in " + store.stateDir());
        if (once) {
            try (server) {
                ReadinessResult r = round.get();
                state.record(r);
                ctx.out().println(ReadinessView.logLine(r));
                return r.ok() ? ExitCodes.OK : ExitCodes.STEP_FAILED;
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ReadinessDaemon daemon = ReadinessDaemon.start(schedule, round, state, r -> ctx.out().println(ReadinessView.logLine(r)), true);
        Thread hook = new Thread(() -> {
            ctx.out().println("drctl daemon: stopping (waiting for a round in progress)");
            daemon.close();
            server.close();
            ctx.out().println("drctl daemon: stopped");
            ctx.out().flush();
            stopped.countDown();
        }, "drctl-daemon-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return ExitCodes.OK;
    }

    /**
     * One round in the readiness store (its own lock: never the operator's); never throws (invalid
     * input or an internal error becomes a not-ready result), and the result is redacted.
     */
    private ReadinessResult round(RunStore store, Path inv) {
        java.time.Instant started = ctx.rt().clock().instant();
        ReadinessResult r;
        try {
            Runs runs = new Runs(store, ctx.rt().registry().get(), ctx.options(false, false, Progress.NONE));
            r = new Readiness(runs, ctx.rt().clock(), ctx.rt().env()).run(inv, input.runbook, params);
        } catch (InvalidInputException e) {
            r = ReadinessResult.failedToRun(input.runbook.toString(), inv.toString(), started, ctx.rt().clock().instant(),
                    ReadinessView.oneLine(e));
        } catch (RuntimeException e) {
            r = ReadinessResult.failedToRun(input.runbook.toString(), inv.toString(), started, ctx.rt().clock().instant(),
                    "internal error: " + e);
        }
        return r.redacted(Redactor.forInventoryFile(inv, ctx.rt().env()));
    }

    /** {@code HOST:PORT} with an IP literal (or localhost) and a port 0..65535. */
    static Optional<InetSocketAddress> listenAddress(String s) {
        int i = s.lastIndexOf(':');
        if (i <= 0 || i == s.length() - 1) {
            return Optional.empty();
        }
        String host = s.substring(0, i);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(i + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (port < 0 || port > 65535) {
            return Optional.empty();
        }
        if (!host.equals("localhost") && !io.drctl.host.Values.isIp(host)) {
            return Optional.empty();
        }
        try {
            InetSocketAddress a = new InetSocketAddress(java.net.InetAddress.getByName(host), port);
            return Optional.of(a);
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
