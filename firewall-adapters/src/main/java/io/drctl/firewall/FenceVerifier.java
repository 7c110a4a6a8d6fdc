package io.drctl.firewall;

import io.drctl.host.Batch;
import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Shell;
import io.drctl.host.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Proves a fence from outside: from a source host (e.g. a Framework VM, over SSH) it opens a TCP
 * connection to the fenced host's port and classifies what happens, and it lists the fence's rules.
 * A fence that lists fine but does not block, or an unfence that lists clean but still refuses, fails.
 *
 * <p>On a Linux source the probe is bash's {@code /dev/tcp} under {@code timeout}, no interpreter (exit 124 =
 * timed out; otherwise the C-locale errno text, the only signal bash gives); several probes from one source go
 * in one round trip ({@link #connectAll}).
 * On a Windows source it uses {@code System.Net.Sockets.TcpClient} and the {@code SocketErrorCode}.
 * Either way the command prints one fixed token {@code drctl-connect: <OUTCOME>}.
 */
public final class FenceVerifier {

    /** What a TCP connect from the source host saw. */
    public enum ConnectOutcome {
        /** The three-way handshake completed. */
        CONNECTED,
        /** The target answered with a reset (or ICMP port unreachable): a prompt refusal. */
        REFUSED,
        /** No answer within the connect timeout (dropped). */
        TIMED_OUT,
        /** No route / network unreachable / other error: says nothing about the fence. */
        ERROR
    }

    /**
     * The verdict.
     *
     * @param expectFenced true when the fence was expected in place
     * @param outcome      what the connection from the source saw
     * @param probe        what the rule listing showed
     * @param passed       rules and effect both as expected
     * @param detail       one line for journals and errors
     */
    public record Verification(boolean expectFenced, ConnectOutcome outcome, FenceProbe probe, boolean passed, String detail) {
        /** Throws {@link FirewallException.Kind#VERIFICATION_FAILED} unless passed. */
        public Verification orThrow(String target) throws FirewallException {
            if (!passed) {
                throw new FirewallException(FirewallException.Kind.VERIFICATION_FAILED, target, detail);
            }
            return this;
        }
    }

    private final Duration connectTimeout;

    public FenceVerifier(Duration connectTimeout) {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || connectTimeout.toSeconds() > 300) {
            throw new IllegalArgumentException("connect timeout must be 1..300 s, got " + connectTimeout);
        }
        this.connectTimeout = connectTimeout.toSeconds() < 1 ? Duration.ofSeconds(1) : connectTimeout;
    }

    /**
     * Verifies {@code fence} on {@code backend}'s host: lists the rules and connects from {@code source}
     * to {@code targetAddress}:{@code fence.port()}.
     *
     * @param expectFenced true: every source must be blocked by a rule (drctl's or not) and the connection must be
     *                     refused (or, for a dropping backend, refused or timed out); false: no rule blocks any source
     *                     and the connection is accepted
     * @param targetAddress the fenced host's address as the source host reaches it
     */
    public Verification verify(FirewallBackend backend, Fence fence, boolean expectFenced, CommandRunner source,
                               String targetAddress) throws FirewallException {
        return verifyFrom(backend, fence, expectFenced, List.of(source), targetAddress).get(0);
    }

    /**
     * {@link #verify} from several sources: the rules listed once, the connections from all sources at once (one
     * thread each, one round trip per source); the verifications in the order of {@code sources}.
     */
    public List<Verification> verifyFrom(FirewallBackend backend, Fence fence, boolean expectFenced, List<CommandRunner> sources,
                                         String targetAddress) throws FirewallException {
        FenceProbe probe = backend.probe(fence);
        if (sources.size() == 1) { // no thread for one source
            ConnectOutcome outcome = connect(sources.get(0), targetAddress, fence.port());
            return List.of(judge(backend, fence, expectFenced, probe, sources.get(0), targetAddress, outcome));
        }
        List<Verification> out = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, Math.max(1, sources.size())), r -> {
            Thread t = new Thread(r, "drctl-fence-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ConnectOutcome>> outcomes = new ArrayList<>();
            for (CommandRunner source : sources) {
                outcomes.add(pool.submit(() -> connect(source, targetAddress, fence.port())));
            }
            for (int i = 0; i < sources.size(); i++) {
                out.add(judge(backend, fence, expectFenced, probe, sources.get(i), targetAddress, outcome(outcomes.get(i))));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static ConnectOutcome outcome(Future<ConnectOutcome> f) throws FirewallException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, "fence verification", "interrupted while connecting from the sources", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FirewallException x) {
                throw x;
            }
            if (e.getCause() instanceof RuntimeException x) {
                throw x;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static Verification judge(FirewallBackend backend, Fence fence, boolean expectFenced, FenceProbe probe,
                                      CommandRunner source, String targetAddress, ConnectOutcome outcome) {
        boolean rulesOk = expectFenced ? probe.isBlocked() : probe.isOpen();
        boolean effectOk = expectFenced
                ? outcome == ConnectOutcome.REFUSED || (backend.blockBehavior() == BlockBehavior.DROP && outcome == ConnectOutcome.TIMED_OUT)
                : outcome == ConnectOutcome.CONNECTED;
        String want = expectFenced
                ? (backend.blockBehavior() == BlockBehavior.DROP ? "REFUSED or TIMED_OUT" : "REFUSED")
                : "CONNECTED";
        String detail = (expectFenced ? "fenced " : "unfenced ") + fence.name() + ": from " + source.describe() + " to "
                + targetAddress + ":" + fence.port() + " expected " + want + ", saw " + outcome
                + "; rules: " + probe.describe()
                + (expectFenced || probe.isOpen() ? "" : ": " + probe.blocking() + (probe.isUnfenced() ? "" : " " + probe.tagged()))
                + "; " + probe.persistence().describe(fence, expectFenced);
        return new Verification(expectFenced, outcome, probe, rulesOk && effectOk, detail);
    }

    /** One TCP connect from {@code source} to {@code address}:{@code port}, classified. */
    public ConnectOutcome connect(CommandRunner source, String address, int port) throws FirewallException {
        try {
            return connectAll(source, List.of(address), port, connectTimeout.plusSeconds(15)).get(0);
        } catch (HostAccessException e) {
            throw FirewallException.from(e, "connecting to " + address + ":" + port);
        }
    }

    /**
     * A TCP connect from {@code source} to each of {@code addresses} on {@code port}, classified, in order; from a
     * Linux source all in one round trip ({@link Batch}), each bounded by the connect timeout.
     *
     * @param commandTimeout bound of the whole call on the source
     * @throws HostAccessException the source could not be asked (the caller decides what an unreachable source means)
     */
    public List<ConnectOutcome> connectAll(CommandRunner source, List<String> addresses, int port, Duration commandTimeout)
            throws HostAccessException, FirewallException {
        Values.port(port);
        List<String> commands = new ArrayList<>();
        for (String address : addresses) {
            Values.ip(address);
            commands.add(connectCommand(source.os(), address, port));
        }
        List<CommandResult> results = new ArrayList<>();
        if (source.os() == CommandRunner.OsFamily.WINDOWS) {
            for (String c : commands) {
                results.add(source.run(c, commandTimeout));
            }
        } else {
            results = Batch.run(source, commands, commandTimeout.plus(connectTimeout.multipliedBy(addresses.size())));
        }
        List<ConnectOutcome> out = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            out.add(outcome(source, results.get(i), addresses.get(i), port));
        }
        return out;
    }

    private static ConnectOutcome outcome(CommandRunner source, CommandResult r, String address, int port) throws FirewallException {
        for (String line : r.stdout().split("\\R")) {
            if (line.startsWith("drctl-connect: ")) {
                try {
                    return ConnectOutcome.valueOf(line.substring("drctl-connect: ".length()).strip());
                } catch (IllegalArgumentException e) {
                    break;
                }
            }
        }
        throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, source.describe(),
                "connect probe to " + address + ":" + port + " printed no outcome (exit " + r.exitCode() + "): " + r.lastLine());
    }

    /** The probe command for a source host of {@code os} (package-private for tests). */
    String connectCommand(CommandRunner.OsFamily os, String address, int port) {
        long secs = Math.max(1, connectTimeout.toSeconds());
        if (os == CommandRunner.OsFamily.WINDOWS) {
            String script = String.join("\n",
                    "$c = New-Object System.Net.Sockets.TcpClient",
                    "try {",
                    "  $t = $c.ConnectAsync(" + Shell.quotePowerShell(address) + ", " + port + ")",
                    "  if ($t.Wait(" + secs * 1000 + ")) { 'drctl-connect: CONNECTED' } else { 'drctl-connect: TIMED_OUT' }",
                    "} catch {",
                    "  $e = $_.Exception; while ($e.InnerException) { $e = $e.InnerException }",
                    "  if ($e -is [System.Net.Sockets.SocketException] -and $e.SocketErrorCode -eq 'ConnectionRefused') { 'drctl-connect: REFUSED' }",
                    "  elseif ($e -is [System.Net.Sockets.SocketException] -and $e.SocketErrorCode -eq 'TimedOut') { 'drctl-connect: TIMED_OUT' }",
                    "  else { 'drctl-connect: ERROR' }",
                    "} finally { $c.Dispose() }");
            return WindowsFirewallBackend.encode(script);
        }
        String devTcp = Shell.quote("exec 3<>/dev/tcp/" + address + "/" + port);
        return "out=$(LC_ALL=C timeout " + secs + " bash -c " + devTcp + " 2>&1); rc=$?; "
                + "if [ $rc -eq 0 ]; then echo 'drctl-connect: CONNECTED'; "
                + "elif [ $rc -eq 124 ]; then echo 'drctl-connect: TIMED_OUT'; "
                + "else case \"$out\" in *'Connection refused'*) echo 'drctl-connect: REFUSED';; *) echo 'drctl-connect: ERROR';; esac; fi";
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public String toString() {
        return "FenceVerifier(connect timeout " + connectTimeout.toSeconds() + " s)";
    }

}
