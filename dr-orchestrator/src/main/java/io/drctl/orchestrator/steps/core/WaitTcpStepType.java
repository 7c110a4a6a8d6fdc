package io.drctl.orchestrator.steps.core;

import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import io.drctl.orchestrator.steps.support.HostAction;
import io.drctl.orchestrator.steps.support.NothingToUndo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code wait.tcp}: each target host's {@code port} accepts a TCP connection from the orchestrator
 * within {@code within} (default 5m; bounded by the step timeout too). Read-only: nothing to revert.
 *
 * <pre>
 * - id: cs-up
 *   type: wait.tcp
 *   hosts: "region=${to} role=framework"
 *   port: configServer        # a name from the inventory's ports, or a number
 *   within: 10m
 * </pre>
 *
 * <p>By default an accepted connection is enough: a real Configuration Server speaks its own protocol and sends
 * no banner. When the service does greet, the site says so where its facts live, on the inventory's port
 * ({@code configServer: { port: 2020, expect: "^CS OK" }}), and the step then also waits for that first line;
 * a step's own {@code expect} overrides the inventory's.
 */
public final class WaitTcpStepType extends DeclaredStepType {
    public WaitTcpStepType() {
        super("wait.tcp", Targets.HOSTS, "wait until host:port accepts TCP connections", List.of(
                FieldSpec.required("port", FieldKind.PORT, "port number or a name from the inventory's `ports`"),
                FieldSpec.optional("within", FieldKind.DURATION, "give up after this long (default 5m)"),
                FieldSpec.optional("interval", FieldKind.DURATION, "pause between attempts (default 1s)"),
                FieldSpec.optional("connectTimeout", FieldKind.DURATION, "timeout of one connection attempt (default 3s)"),
                FieldSpec.optional("expect", FieldKind.STRING,
                        "regex the first line the service sends must match (e.g. \"^CS OK\"); default: the inventory port's `expect`,"
                                + " else an accepted connection is enough")));
    }

    @Override
    public void validate(StepSpec step, io.drctl.orchestrator.spi.StepValidation v) {
        step.fields().optString("expect").ifPresent(e -> {
            try {
                Pattern.compile(e);
            } catch (java.util.regex.PatternSyntaxException x) {
                v.problem("expect", "`expect` is not a valid regular expression: " + x.getDescription(), "e.g. \"^CS OK\"");
            }
        });
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion expansion) {
        int port = step.fields().port("port").orElseThrow();
        Duration within = step.fields().duration("within").orElse(Duration.ofMinutes(5));
        Duration interval = step.fields().duration("interval").orElse(Duration.ofSeconds(1));
        Duration connect = step.fields().duration("connectTimeout").orElse(Duration.ofSeconds(3));
        Optional<Pattern> expect = step.fields().optString("expect")
                .or(() -> step.fields().portRef("port").flatMap(p -> p.name()).map(n -> expansion.inventory().greetings().get(n)))
                .map(Pattern::compile);
        List<Action> out = new ArrayList<>();
        for (Host h : step.hosts()) {
            out.add(new TcpWait(h, port, within, interval, connect, expect));
        }
        return out;
    }

    /** The wait for one host: {@code expect}, when present, is what its first line must match. */
    record TcpWait(Host host, int port, Duration within, Duration interval, Duration connect, Optional<Pattern> expect)
            implements HostAction, NothingToUndo {
        @Override
        public String nothingToUndo() {
            return "read-only check; nothing to undo";
        }

        private String where() {
            return host.address() + ":" + port;
        }

        @Override
        public boolean changes() {
            return false;
        }

        @Override
        public String description() {
            return "wait until " + where() + " accepts TCP" + expect.map(e -> " and greets /" + e + "/").orElse("")
                    + " (within " + within.toSeconds() + "s)";
        }

        @Override
        public Probe probe(ActionContext ctx) {
            Seen seen = attempt(ctx);
            return seen.ok() ? Probe.satisfied(want(), want()) : Probe.needed(where() + " " + seen.what(), want());
        }

        private String want() {
            return where() + " accepts" + expect.map(e -> ", greets /" + e + "/").orElse("");
        }

        private Seen attempt(ActionContext ctx) {
            Optional<String> fault = ctx.lost().host(host).or(() -> ctx.lost().address(host.address()));
            if (fault.isPresent()) { // powered off by assumption: no connection is tried
                return new Seen(false, "unreachable (" + ctx.lost().refuse(fault.get(), "tcp probe", where()) + ")");
            }
            try (Socket s = new Socket()) {
                int ms = (int) Math.max(1, ctx.cancellation().remaining(connect).toMillis());
                s.connect(new InetSocketAddress(host.address(), port), ms);
                if (expect.isEmpty()) {
                    return new Seen(true, "accepted");
                }
                s.setSoTimeout(ms);
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    return new Seen(false, "accepted but closed without a greeting");
                }
                String shown = line.length() > 120 ? line.substring(0, 120) + "..." : line;
                return expect.get().matcher(line).find() ? new Seen(true, "accepted, greeted '" + shown + "'")
                        : new Seen(false, "greeted '" + shown + "', expected /" + expect.get() + "/");
            } catch (IOException e) {
                return new Seen(false, e.getClass().getSimpleName().replace("Exception", "").toLowerCase(java.util.Locale.ROOT));
            }
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            Instant start = ctx.clock().instant();
            Instant giveUp = start.plus(within);
            String last = "not tried";
            while (true) {
                ctx.cancellation().check();
                Seen seen = attempt(ctx);
                if (seen.ok()) {
                    return Applied.of(where() + " accepted after "
                            + Duration.between(start, ctx.clock().instant()).toMillis() + "ms");
                }
                last = seen.what();
                if (!ctx.clock().instant().isBefore(giveUp)) {
                    throw new StepFailure(host.ref() + ": expected " + where() + " to accept TCP within "
                            + within.toSeconds() + "s, last attempt: " + last, true);
                }
                ctx.cancellation().pause(interval);
            }
        }

        @Override
        public Verified verify(ActionContext ctx) {
            Seen seen = attempt(ctx);
            ctx.evidence(new Evidence("drctl", where(), seen.what(), want(), seen.ok()));
            return seen.ok() ? Verified.ok(where() + " accepts")
                    : Verified.failed(host.ref() + ": expected " + where() + " to accept, got " + seen.what());
        }
    }

    /** One connection attempt: whether it gave what was wanted, and what was seen (the greeting, or why not). */
    private record Seen(boolean ok, String what) {
    }
}
