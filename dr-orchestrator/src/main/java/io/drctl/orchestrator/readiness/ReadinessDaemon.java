package io.drctl.orchestrator.readiness;

import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Runs readiness rounds on a Quartz cron schedule: an in-memory job store (RAMJobStore) for a daemon alone, or
 * the cluster's JDBC job store ({@code readiness.cluster.ClusterDaemon}), one worker thread, {@link DisallowConcurrentExecution} (never two rounds at once), and misfires dropped
 * ({@code withMisfireHandlingInstructionDoNothing}: a round that overran its slot does not cause a pile
 * of catch-up rounds; the next regular fire time runs). Each round's result goes to the
 * {@link ReadinessState} the HTTP endpoint serves.
 */
public final class ReadinessDaemon implements AutoCloseable {
    /** Every 5 minutes, at second 0. */
    public static final String DEFAULT_SCHEDULE = "0 */5 * * * ?";

    private static final JobKey JOB = JobKey.jobKey("readiness", "drctl");
    private static final TriggerKey TRIGGER = TriggerKey.triggerKey("readiness-schedule", "drctl");

    private final Scheduler scheduler;

    private ReadinessDaemon(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Checks a Quartz cron expression.
     *
     * @return the expression's problem, empty when valid
     */
    public static java.util.Optional<String> cronProblem(String expression) {
        try {
            CronExpression.validateExpression(expression);
            new CronExpression(expression);
            return java.util.Optional.empty();
        } catch (ParseException | RuntimeException e) {
            return java.util.Optional.of(String.valueOf(e.getMessage()));
        }
    }

    /**
     * Starts the schedule.
     *
     * @param cron     Quartz cron expression (checked with {@link #cronProblem} first)
     * @param round    runs one readiness round; must not throw for check failures (return a result)
     * @param state    receives every round's result
     * @param log      one line per round
     * @param runFirst also run one round right away (then follow the schedule)
     */
    public static ReadinessDaemon start(String cron, Supplier<ReadinessResult> round, ReadinessState state,
                                        Consumer<ReadinessResult> log, boolean runFirst) throws SchedulerException {
        Objects.requireNonNull(round, "round");
        return schedule(ramStore(), cron, fireTime -> {
            ReadinessResult r = round.get();
            state.record(r);
            log.accept(r);
        }, runFirst);
    }

    /** The in-memory job store's properties (a scheduler of its own, named at random). */
    public static Properties ramStore() {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "drctl-readiness-" + UUID.randomUUID());
        p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
        return p;
    }

    /**
     * Starts the schedule on the job store {@code store} describes ({@link #ramStore()}, or a clustered JDBC store:
     * then the cluster's job and trigger are created by the first daemon and kept by the others, a changed
     * {@code cron} replacing the trigger).
     *
     * @param work one round, given the round's scheduled fire time (the round's identity across a cluster)
     */
    public static ReadinessDaemon schedule(Properties store, String cron, Consumer<Instant> work, boolean runFirst)
            throws SchedulerException {
        Objects.requireNonNull(work, "work");
        cronProblem(cron).ifPresent(p -> {
            throw new IllegalArgumentException("invalid Quartz cron expression '" + cron + "': " + p);
        });
        Properties p = new Properties();
        p.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.putAll(store);
        Scheduler s = new StdSchedulerFactory(p).getScheduler();
        s.setJobFactory((bundle, sched) -> new RoundJob(work));
        JobDetail job = JobBuilder.newJob(RoundJob.class).withIdentity(JOB).storeDurably().build();
        Trigger t = TriggerBuilder.newTrigger().withIdentity(TRIGGER)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionDoNothing())
                .forJob(job).build();
        try {
            Trigger existing = s.getTrigger(TRIGGER);
            if (existing == null) {
                s.scheduleJob(job, t);
            } else if (!(existing instanceof CronTrigger c) || !c.getCronExpression().equals(cron)) {
                s.rescheduleJob(TRIGGER, t);
            }
        } catch (ObjectAlreadyExistsException e) {
            // another daemon of the cluster scheduled it first: theirs is the same
        } catch (SchedulerException e) {
            s.shutdown(false);
            throw e;
        }
        s.start();
        if (runFirst) {
            s.triggerJob(JOB);
        }
        return new ReadinessDaemon(s);
    }

    /** Stops the schedule, waiting for a round in progress to finish. */
    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            // shutting down: nothing left to do with it
        }
    }

    /** The Quartz job: one readiness round; never two at once. */
    @DisallowConcurrentExecution
    public static final class RoundJob implements Job {
        private final Consumer<Instant> work;

        RoundJob(Consumer<Instant> work) {
            this.work = work;
        }

        @Override
        public void execute(JobExecutionContext context) {
            Date scheduled = context.getScheduledFireTime();
            work.accept((scheduled != null ? scheduled : context.getFireTime()).toInstant());
        }
    }
}
