package io.drctl.orchestrator.readiness.cluster;

import io.drctl.orchestrator.readiness.ReadinessResult;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What follows a round: its row in the store and, when the round changed readiness, the webhook message. With the
 * store, the store decides the change (one daemon records it, that daemon sends it); without the store (none
 * configured, or unusable now) this daemon compares with its own previous round and sends alone.
 */
public final class RoundRecorder {
    private final Optional<ResultStore> store;
    private final Optional<Webhook> webhook;
    private final String inventory;
    private final String instance;
    private final BooleanSupplier storeUp;
    private final Consumer<String> log;
    private final ChangeJournal journal;
    private final AtomicReference<Boolean> lastLocal = new AtomicReference<>();
    private final AtomicReference<String> lastStoreProblem = new AtomicReference<>("");
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "drctl-webhook");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param storeUp whether the store is usable now (the supervisor's latest check)
     * @param log     one line per event worth an operator's eye (a change, a delivery, a store failure)
     * @param journal where this daemon journals the changes it announced
     */
    public RoundRecorder(Optional<ResultStore> store, Optional<Webhook> webhook, String inventory, String instance,
                         BooleanSupplier storeUp, Consumer<String> log, ChangeJournal journal) {
        this.journal = journal;
        this.store = store;
        this.webhook = webhook;
        this.inventory = inventory;
        this.instance = instance;
        this.storeUp = storeUp;
        this.log = log;
    }

    /** Records the round that was due at {@code fireTime}; never throws. */
    public void record(Instant fireTime, ReadinessResult r) {
        Optional<ResultStore.Change> local = localChange(fireTime, r);
        if (store.isPresent() && storeUp.getAsBoolean()) {
            try {
                Optional<ResultStore.Change> change = store.get().record(fireTime, r);
                lastStoreProblem.set("");
                change.ifPresent(c -> announce(c, false));
                return;
            } catch (StoreException e) {
                if (!e.getMessage().equals(lastStoreProblem.getAndSet(e.getMessage()))) {
                    log.accept("drctl daemon: round of " + fireTime + " not recorded in the store: " + e.getMessage());
                }
            }
        }
        local.ifPresent(c -> announce(c, store.isPresent()));
    }

    /** The change against this daemon's previous round (the first round is a change when not ready). */
    private Optional<ResultStore.Change> localChange(Instant fireTime, ReadinessResult r) {
        Boolean before = lastLocal.getAndSet(r.ok());
        boolean was = before == null || before;
        return was == r.ok() ? Optional.empty()
                : Optional.of(new ResultStore.Change(fireTime, r.ok(), r.finished(), ResultStore.failing(r), instance, Optional.empty()));
    }

    /** Sends in order, off the round's thread: a slow or failing webhook never delays a round. */
    private void announce(ResultStore.Change c, boolean withoutStore) {
        sender.execute(() -> deliver(c, withoutStore));
    }

    private void deliver(ResultStore.Change c, boolean withoutStore) {
        String what = (c.ready() ? "READY again" : "NOT READY") + " at round " + c.fireTime()
                + (c.failing().isEmpty() ? "" : " (failing: " + String.join(", ", c.failing().stream().map(f -> String.valueOf(f.get("check"))).toList()) + ")");
        if (webhook.isEmpty()) {
            log.accept("drctl daemon: readiness changed: " + what + "; no webhook configured");
            journal.write(c, "no webhook configured", log);
            return;
        }
        String outcome = webhook.get().send(inventory, c);
        journal.write(c, outcome, log);
        log.accept("drctl daemon: readiness changed: " + what + "; webhook " + outcome
                + (withoutStore ? " (sent by this daemon alone: the store is unusable, another daemon may send it too)" : ""));
        if (!withoutStore) {
            try {
                store.orElseThrow().delivered(c.fireTime(), outcome);
            } catch (StoreException e) {
                log.accept("drctl daemon: webhook outcome not recorded in the store: " + e.getMessage());
            }
        }
    }

    /** Waits (10 s at most) for messages being sent. */
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
