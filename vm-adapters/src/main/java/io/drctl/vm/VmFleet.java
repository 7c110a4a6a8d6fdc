package io.drctl.vm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts several VMs with bounded parallelism: each VM is powered on ({@link VmProvider#start}, idempotent) and
 * then waited for ({@link GuestWait}); one VM's failure does not stop the others.
 */
public final class VmFleet {

    private final GuestWait guestWait;

    /** @param guestWait used for requests with readiness checks */
    public VmFleet(GuestWait guestWait) {
        this.guestWait = Objects.requireNonNull(guestWait, "guestWait");
    }

    /**
     * Starts every requested VM, at most {@code parallelism} at a time.
     *
     * @param requests    VMs in the order results are wanted
     * @param parallelism 1..64 concurrent starts
     * @param timeout     overall bound; VMs unfinished by then are cancelled (interrupted) and reported
     *                    {@link FleetResult.TimedOut}
     * @return one result per request, in request order
     */
    public List<FleetResult> startAll(List<StartRequest> requests, int parallelism, Duration timeout) {
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("parallelism must be 1..64, got " + parallelism);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (requests.isEmpty()) {
            return List.of();
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "drctl-vm-start-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, requests.size()), tf);
        try {
            List<Callable<FleetResult>> tasks = new ArrayList<>();
            for (StartRequest r : requests) {
                tasks.add(() -> startOne(r));
            }
            List<Future<FleetResult>> futures;
            try {
                futures = pool.invokeAll(tasks, timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                List<FleetResult> out = new ArrayList<>();
                for (StartRequest r : requests) {
                    out.add(new FleetResult.Failed(r.vm(), new VmException(VmException.Kind.INTERRUPTED,
                            r.vm().toString(), "fleet start interrupted before VM " + r.vm() + " finished")));
                }
                return out;
            }
            List<FleetResult> out = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                out.add(collect(requests.get(i), futures.get(i), timeout));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private FleetResult startOne(StartRequest r) {
        try {
            PowerResult power = r.provider().start(r.vm());
            Optional<GuestReady> guest = Optional.empty();
            if (!r.readiness().isEmpty()) {
                guest = Optional.of(guestWait.await(r.vm().name(), r.readiness(), r.guestTimeout()));
            }
            return new FleetResult.Started(r.vm(), power, guest);
        } catch (VmException e) {
            return new FleetResult.Failed(r.vm(), e);
        } catch (RuntimeException e) {
            return new FleetResult.Failed(r.vm(), new VmException(VmException.Kind.CONFIG, r.vm().toString(),
                    "starting VM " + r.vm() + " via " + r.provider().describe() + " failed unexpectedly: " + e, e));
        }
    }

    private static FleetResult collect(StartRequest r, Future<FleetResult> f, Duration timeout) {
        try {
            return f.get();
        } catch (CancellationException e) {
            return new FleetResult.TimedOut(r.vm(), timeout);
        } catch (ExecutionException e) {
            return new FleetResult.Failed(r.vm(), new VmException(VmException.Kind.CONFIG, r.vm().toString(),
                    "starting VM " + r.vm() + " failed unexpectedly: " + e.getCause(), e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FleetResult.Failed(r.vm(), new VmException(VmException.Kind.INTERRUPTED, r.vm().toString(),
                    "interrupted while collecting the result of VM " + r.vm(), e));
        }
    }
}
