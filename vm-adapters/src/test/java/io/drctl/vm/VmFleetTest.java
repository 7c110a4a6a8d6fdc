package io.drctl.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.LocalCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmFleetTest {

    private final TestClock clock = new TestClock();
    private final VmFleet fleet = new VmFleet(new GuestWait(clock, clock.sleeper(), Duration.ofSeconds(1)));

    /** State-file VMs: {@code <dir>/<id>} holds running|stopped; start of a missing VM fails. */
    private CommandVmProvider fileProvider(Path dir) {
        String d = io.drctl.host.Shell.quote(dir.toString());
        CommandTemplates t = CommandTemplates.of(
                "test -f " + d + "/{id} && echo running > " + d + "/{id}",
                "test -f " + d + "/{id} && echo stopped > " + d + "/{id}",
                "cat " + d + "/{id}", "^running", "^stopped");
        return new CommandVmProvider("files", t, LocalCommandRunner.local(), Duration.ofSeconds(20),
                Duration.ofSeconds(10), Duration.ofSeconds(1), clock, clock.sleeper());
    }

    @Test
    void startAll_mixedFleet_reportsEachVmInOrder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a"), "stopped\n");
        Files.writeString(dir.resolve("b"), "running\n");
        Files.writeString(dir.resolve("c"), "stopped\n");
        CommandVmProvider p = fileProvider(dir);
        List<StartRequest> req = List.of(
                new StartRequest(VmRef.of("a"), p, List.of(), Duration.ZERO),
                new StartRequest(VmRef.of("b"), p, List.of(), Duration.ZERO),
                new StartRequest(VmRef.of("missing"), p, List.of(), Duration.ZERO),
                new StartRequest(VmRef.of("c"), p, List.of(), Duration.ZERO));

        List<FleetResult> r = fleet.startAll(req, 2, Duration.ofMinutes(1));

        assertEquals(List.of("a", "b", "missing", "c"), r.stream().map(x -> x.vm().id()).toList());
        assertTrue(((FleetResult.Started) r.get(0)).power().changed());
        assertEquals(PowerResult.Outcome.ALREADY_SATISFIED, ((FleetResult.Started) r.get(1)).power().outcome());
        assertEquals(VmException.Kind.COMMAND_FAILED, assertInstanceOf(FleetResult.Failed.class, r.get(2)).error().kind());
        assertTrue(r.get(3).isSuccessful());
        for (String id : List.of("a", "b", "c")) {
            assertEquals("running", Files.readString(dir.resolve(id)).strip(), id);
        }
    }

    @Test
    void startAll_guestNeverReady_isFailedWithGuestNotReady(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a"), "stopped\n");
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        StartRequest r = new StartRequest(VmRef.of("a"), fileProvider(dir),
                List.of(ReadinessCheck.tcp("127.0.0.1", closed, Duration.ofSeconds(1))), Duration.ofSeconds(5));

        FleetResult res = fleet.startAll(List.of(r), 1, Duration.ofMinutes(1)).get(0);

        assertEquals(VmException.Kind.GUEST_NOT_READY, assertInstanceOf(FleetResult.Failed.class, res).error().kind());
        assertEquals("running", Files.readString(dir.resolve("a")).strip(), "the VM was powered on");
    }

    /** A provider double whose start blocks at a barrier: proves how many starts run at once. */
    private static final class BarrierProvider implements VmProvider {
        final CyclicBarrier barrier;
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();

        BarrierProvider(int parties) {
            barrier = new CyclicBarrier(parties);
        }

        @Override
        public PowerState status(VmRef vm) {
            return new PowerState(Power.STOPPED, "");
        }

        @Override
        public PowerResult start(VmRef vm) throws VmException {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                barrier.await(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.BrokenBarrierException e) {
                // another start was cancelled and broke the barrier: this one stays blocked until it is
                // cancelled too, as a real start would (else it could end as Failed before the fleet
                // cancels it)
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                throw new VmException(VmException.Kind.TIMEOUT, vm.id(), "barrier broken: " + e);
            } catch (Exception e) {
                throw new VmException(VmException.Kind.TIMEOUT, vm.id(), "barrier not reached: " + e);
            } finally {
                running.decrementAndGet();
            }
            PowerState on = new PowerState(Power.RUNNING, "");
            return new PowerResult(vm, Power.RUNNING, PowerResult.Outcome.CHANGED, status(vm), on);
        }

        @Override
        public PowerResult stop(VmRef vm) {
            throw new AssertionError("VmFleet only starts VMs; stop(" + vm + ") must not be called");
        }

        @Override
        public String describe() {
            return "barrier";
        }
    }

    @Test
    void startAll_parallelismTwo_runsTwoAtOnceAndNoMore() {
        BarrierProvider p = new BarrierProvider(2);
        List<StartRequest> req = List.of("v1", "v2", "v3", "v4").stream()
                .map(id -> new StartRequest(VmRef.of(id), p, List.of(), Duration.ZERO)).toList();

        List<FleetResult> r = fleet.startAll(req, 2, Duration.ofMinutes(1));

        assertTrue(r.stream().allMatch(FleetResult::isSuccessful), r.toString());
        assertEquals(2, p.maxRunning.get());
    }

    @Test
    void startAll_overallTimeout_reportsUnfinishedAsTimedOut() {
        BarrierProvider p = new BarrierProvider(3); // with 2 threads the barrier is never reached
        List<StartRequest> req = List.of("v1", "v2").stream()
                .map(id -> new StartRequest(VmRef.of(id), p, List.of(), Duration.ZERO)).toList();

        List<FleetResult> r = fleet.startAll(req, 2, Duration.ofMillis(500));

        assertInstanceOf(FleetResult.TimedOut.class, r.get(0));
        assertInstanceOf(FleetResult.TimedOut.class, r.get(1));
    }
}
