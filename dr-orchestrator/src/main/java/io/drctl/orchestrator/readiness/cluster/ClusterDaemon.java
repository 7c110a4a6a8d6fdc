package io.drctl.orchestrator.readiness.cluster;

import io.drctl.orchestrator.config.model.ReadinessSettings;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.readiness.ReadinessDaemon;
import io.drctl.orchestrator.readiness.ReadinessResult;
import io.drctl.orchestrator.readiness.ReadinessState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.quartz.SchedulerException;
import org.quartz.impl.StdSchedulerFactory;

/**
 * A daemon of a cluster: Quartz's clustered JDBC job store ({@code JobStoreTX}, {@code isClustered=true}) in the
 * readiness store runs each scheduled round once across the daemons, and takes a dead daemon's rounds over after
 * the check-in interval. Every check-in interval this supervisor checks the store (reachable, a primary, its
 * tables there, creating them when missing): while it is usable the daemon is in the cluster; while it is not, the
 * daemon runs the same schedule alone on an in-memory store (standalone) and says so, and it rejoins when the
 * store is back.
 */
public final class ClusterDaemon implements AutoCloseable, ReadinessState.Cluster {
    private final ReadinessSettings.Store settings;
    private final StoreDataSource ds;
    private final ResultStore results;
    private final String scheduleName;
    private final String instance;
    private final String cron;
    private final Clock clock;
    private final Consumer<String> log;
    private final Consumer<Instant> work;
    private final Duty duty;
    private final RoundRecorder recorder;
    private final Instant started;
    private final ScheduledExecutorService ticker;
    private final ReentrantLock oneRound = new ReentrantLock();

    private volatile boolean up;
    private volatile String detail = "not checked yet";
    private volatile Instant downSince;
    private String lastReason = "";
    private boolean tablesChecked;
    private Instant lastPrune = Instant.EPOCH;
    private ReadinessDaemon clustered;
    private ReadinessDaemon standalone;

    /**
     * What the daemon does each round and where the outcome goes.
     *
     * @param round     runs one round (never throws: a failure is a not-ready result)
     * @param state     what the HTTP endpoint serves
     * @param roundLog  one line per round
     * @param webhook   where changes are announced, if anywhere
     * @param inventory the inventory's name, for the webhook message
     * @param journal   where the changes this daemon announces are journaled
     */
    public record Duty(Supplier<ReadinessResult> round, ReadinessState state, Consumer<ReadinessResult> roundLog,
                       Optional<Webhook> webhook, String inventory, ChangeJournal journal) {
        /** One round at {@code fireTime}: run it, keep it as the state's last, log it, and hand it to {@code recorder}. */
        public void run(Instant fireTime, RoundRecorder recorder) {
            ReadinessResult r = round.get();
            state.record(r);
            roundLog.accept(r);
            recorder.record(fireTime, r);
        }
    }

    private ClusterDaemon(ReadinessSettings.Store settings, StoreDataSource ds, String scheduleName, String instance, String cron,
                          Clock clock, Consumer<String> log, Duty duty) {
        this.settings = settings;
        this.ds = ds;
        this.results = new ResultStore(ds, scheduleName, instance);
        this.scheduleName = scheduleName;
        this.instance = instance;
        this.cron = cron;
        this.clock = clock;
        this.log = log;
        this.duty = duty;
        this.work = this::round;
        this.recorder = new RoundRecorder(Optional.of(results), duty.webhook(), duty.inventory(), instance, () -> up, log, duty.journal());
        this.started = clock.instant();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drctl-store-supervisor");
            t.setDaemon(true);
            return t;
        });
    }

    /** The schedule (and store key) of an inventory's readiness rounds: every daemon of the cluster and the history use it. */
    public static String scheduleName(String inventoryName) {
        return "drctl-readiness:" + inventoryName;
    }

    /**
     * Joins the cluster (or, the store being unusable, runs alone) and serves the cluster's rounds to the duty's state.
     *
     * @param scheduleName the cluster's name: every daemon of one inventory uses the same
     * @param instance     this daemon's id in the cluster (unique among the daemons)
     * @param log          one line per event of the store (joined, unusable, tables created, old rounds deleted)
     */
    public static ClusterDaemon start(ReadinessSettings.Store settings, StoreDataSource ds, String scheduleName, String instance,
                                      String cron, Duty duty, Clock clock, Consumer<String> log) {
        ClusterDaemon d = new ClusterDaemon(settings, ds, scheduleName, instance, cron, clock, log, duty);
        duty.state().join(d);
        d.tick();
        long every = settings.checkin().toMillis();
        d.ticker.scheduleWithFixedDelay(d::tick, every, every, TimeUnit.MILLISECONDS);
        return d;
    }

    private void round(Instant fireTime) {
        oneRound.lock(); // the standalone and the clustered schedule overlap for a moment when switching
        try {
            duty.run(fireTime, recorder);
        } finally {
            oneRound.unlock();
        }
    }

    /** One check of the store, and the switch between clustered and standalone it calls for. Never throws. */
    synchronized void tick() {
        try {
            List<String> created = check();
            created.forEach(c -> log.accept("drctl daemon: created the " + c + " in the readiness store"));
            if (clustered == null) {
                clustered = ReadinessDaemon.schedule(quartz(), cron, work, false);
                log.accept("drctl daemon: clustered as instance " + instance + " (store " + redactedUrl() + ", check-in every "
                        + settings.checkin().toMillis() + " ms)" + (standalone != null ? "; the standalone schedule stands down" : ""));
            }
            if (standalone != null) {
                standalone.close();
                standalone = null;
            }
            up = true;
            downSince = null;
            detail = "clustered as instance " + instance;
            prune();
        } catch (StoreException | SchedulerException | RuntimeException e) {
            String why = e instanceof StoreException ? e.getMessage() : "the clustered scheduler failed: " + e.getMessage();
            String reason = e instanceof StoreException se ? se.kind().name() : why;
            boolean news = up || downSince == null || !reason.equals(lastReason);
            lastReason = reason;
            up = false;
            if (downSince == null) {
                downSince = clock.instant();
            }
            detail = "unreachable since " + downSince + ": " + why;
            if (clustered != null) {
                clustered.close();
                clustered = null;
            }
            if (standalone == null) {
                try {
                    standalone = ReadinessDaemon.schedule(ReadinessDaemon.ramStore(), cron, work, false);
                } catch (SchedulerException x) {
                    log.accept("drctl daemon: cannot start the standalone schedule: " + x.getMessage());
                }
            }
            if (news) {
                log.accept("drctl daemon: readiness store unusable: " + why + "; running rounds alone (standalone) until it is back");
            }
        }
    }

    /** Reachable, a primary, with its tables (created when missing). */
    private List<String> check() throws StoreException {
        try (Connection c = ds.connection()) {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
                r.next();
                if (r.getBoolean(1)) {
                    throw new StoreException(StoreException.Kind.READ_ONLY, "connecting to the readiness store", "");
                }
            }
            c.commit();
            if (!tablesChecked) {
                List<String> created = StoreSchema.ensure(c);
                tablesChecked = true;
                return created;
            }
            return List.of();
        } catch (SQLException e) {
            throw StoreException.of("connecting to the readiness store", e);
        }
    }

    private void prune() {
        Instant now = clock.instant();
        if (Duration.between(lastPrune, now).compareTo(Duration.ofHours(1)) < 0) {
            return;
        }
        lastPrune = now;
        try {
            int n = results.prune(now.minus(settings.retention()));
            if (n > 0) {
                log.accept("drctl daemon: deleted " + n + " rounds older than " + Durations.format(settings.retention())
                        + " (readiness.store.retention) from the readiness store");
            }
        } catch (StoreException e) {
            log.accept("drctl daemon: could not delete old rounds: " + e.getMessage());
        }
    }

    /** Quartz's clustered JDBC job store on this daemon's pool. */
    private Properties quartz() {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, scheduleName);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, instance);
        p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", ds.quartzName());
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(settings.checkin().toMillis()));
        p.setProperty("org.quartz.jobStore.dbRetryInterval", Long.toString(settings.checkin().toMillis()));
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return p;
    }

    /** The store's URL without its query (which could carry credentials). */
    private String redactedUrl() {
        int q = settings.url().indexOf('?');
        return q < 0 ? settings.url() : settings.url().substring(0, q);
    }

    @Override
    public boolean storeUp() {
        return up;
    }

    @Override
    public String storeDetail() {
        return detail;
    }

    @Override
    public String mode() {
        return up ? "clustered" : "standalone";
    }

    @Override
    public Optional<Optional<ReadinessResult>> last() {
        try {
            return Optional.of(results.latest());
        } catch (StoreException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<long[]> counts() {
        try {
            return Optional.of(results.counts(started));
        } catch (StoreException e) {
            return Optional.empty();
        }
    }

    /** Stops both schedules (waiting for a round in progress) and the supervisor; the pool is the caller's. */
    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        recorder.close();
        if (clustered != null) {
            clustered.close();
            clustered = null;
        }
        if (standalone != null) {
            standalone.close();
            standalone = null;
        }
    }
}
