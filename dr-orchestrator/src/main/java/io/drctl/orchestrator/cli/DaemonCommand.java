package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.ReadinessView;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.model.ReadinessSettings;
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
import io.drctl.orchestrator.readiness.cluster.ChangeJournal;
import io.drctl.orchestrator.readiness.cluster.ClusterDaemon;
import io.drctl.orchestrator.readiness.cluster.RoundRecorder;
import io.drctl.orchestrator.readiness.cluster.StoreDataSource;
import io.drctl.orchestrator.readiness.cluster.Webhook;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
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
                "One round runs at start (alone; a cluster follows its schedule only). Stops cleanly on SIGTERM.",
                "With readiness.store in the inventory, daemons (one per region) form a Quartz cluster in that PostgreSQL",
                "database: each round runs once across them, results and state changes live there, a change is POSTed once",
                "to readiness.webhook; while the store is unusable each daemon runs rounds alone (/healthz says so)."},
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
                "  drctl daemon -i inventory/prod.yaml --instance-id region2-a   # one of a cluster (readiness.store)",
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

    @Option(names = "--instance-id", paramLabel = "ID", defaultValue = "AUTO",
            description = "this daemon's id in the cluster of daemons sharing the inventory's readiness.store (distinct per"
                    + " daemon; default ${DEFAULT-VALUE}: host name and process id)")
    String instanceId;

    @Option(names = "--once", description = "run one round, print it, and exit (0 ready, 3 not ready)")
    boolean once;

    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    @Override
    public Integer call() throws Exception {
        Optional<String> cron = ReadinessDaemon.cronProblem(schedule);
        if (cron.isPresent()) {
            throw new InvalidArgumentException("invalid --schedule '" + schedule + "': " + cron.get(),
                    "Quartz cron has 6 or 7 fields: seconds minutes hours day-of-month month day-of-week [year],"
                    + " with '?' in one day field; e.g. '0 */5 * * * ?' (every 5 minutes)");
        }
        Optional<InetSocketAddress> addr = listenAddress(listen);
        if (addr.isEmpty()) {
            throw new InvalidArgumentException("invalid --listen '" + listen + "': expected HOST:PORT with an IP address or "
                    + "localhost and a port 0..65535, e.g. 127.0.0.1:9464");
        }
        if (keepRuns < 1) {
            throw new InvalidArgumentException("invalid --keep-runs " + keepRuns + ": must be at least 1");
        }
        if (!instanceId.equals("AUTO") && !INSTANCE.matcher(instanceId).matches()) {
            throw new InvalidArgumentException("invalid --instance-id '" + instanceId + "': letters, digits, '_', '.', '-', at"
                    + " most 100 characters, e.g. region1-a (or AUTO: host name and process id)");
        }
        Path inv = input.inventory(ctx);
        // refuse to start on invalid input
        Loaded loaded = Loaded.load(inv, input.runbook, params, ctx.rt().registry().get());
        String runbookName = loaded.runbook().name();
        ReadinessSettings readiness = loaded.inventory().readiness();
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
            server = ReadinessServer.start(addr.get(), state, stateDir);
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot listen on " + listen + ": " + e.getMessage());
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
        String instance = instanceId.equals("AUTO") ? autoInstance() : instanceId;
        Optional<Webhook> webhook = readiness.webhook().map(w -> new Webhook(w, ctx.rt().env(), Duration.ofSeconds(5), Duration.ofSeconds(1)));
        String invName = loaded.inventory().name();
        Consumer<String> say = line -> {
            ctx.out().println(line);
            ctx.out().flush();
        };
        Consumer<ReadinessResult> logRound = r -> say.accept(ReadinessView.logLine(r));
        ChangeJournal changes = new ChangeJournal(store.stateDir(), ctx.rt().clock(), Redactor.forInventoryFile(inv, ctx.rt().env()));
        AutoCloseable daemon;
        ClusterDaemon.Duty duty = new ClusterDaemon.Duty(round, state, logRound, webhook, invName, changes);
        StoreDataSource pool = null;
        if (readiness.store().isPresent()) {
            try {
                pool = StoreDataSource.open(readiness.store().get(), ctx.rt().env(), instance);
            } catch (IOException e) {
                server.close();
                throw new InvalidArgumentException("readiness.store in " + inv + ": " + e.getMessage());
            }
            daemon = ClusterDaemon.start(readiness.store().get(), pool, ClusterDaemon.scheduleName(invName), instance, schedule,
                    duty, ctx.rt().clock(), say);
        } else {
            RoundRecorder recorder = new RoundRecorder(Optional.empty(), webhook, invName, instance, () -> false, say, changes);
            ReadinessDaemon alone = ReadinessDaemon.schedule(ReadinessDaemon.ramStore(), schedule,
                    fireTime -> duty.run(fireTime, recorder), true);
            daemon = () -> {
                alone.close();
                recorder.close();
            };
        }
        StoreDataSource closePool = pool;
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            ctx.out().println("drctl daemon: stopping (waiting for a round in progress)");
            try {
                daemon.close();
            } catch (Exception e) {
                ctx.err().println("drctl daemon: stopping the schedule: " + e.getMessage());
            }
            if (closePool != null) {
                closePool.close();
            }
            server.close();
            ctx.out().println("drctl daemon: stopped");
            ctx.out().flush();
            stopped.countDown();
        }, "drctl-daemon-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return ExitCodes.OK;
    }

    /** {@code host-pid}: unique among daemons on distinct hosts, and among processes on one. */
    private static String autoInstance() {
        String id = CliRuntime.hostName().replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + ProcessHandle.current().pid();
        return id.length() > 100 ? id.substring(id.length() - 100) : id;
    }

    /**
     * One round in the readiness store (its own lock: never the operator's); never throws (invalid
     * input or an internal error becomes a not-ready result), and the result is redacted.
     */
    private ReadinessResult round(RunStore store, Path inv) {
        java.time.Instant started = ctx.rt().clock().instant();
        ReadinessResult r;
        try {
            Runs runs = ctx.runs(store, ctx.options(false, false, Progress.NONE));
            r = ctx.readiness(runs).run(inv, input.runbook, params);
        } catch (InvalidInputException | RuntimeException e) {
            String why = e instanceof InvalidInputException invalid ? ReadinessView.oneLine(invalid) : "internal error: " + e;
            r = ReadinessResult.failedToRun(input.runbook.toString(), inv.toString(), started, ctx.rt().clock().instant(), why);
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
