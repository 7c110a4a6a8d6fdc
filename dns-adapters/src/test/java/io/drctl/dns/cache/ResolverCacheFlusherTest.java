package io.drctl.dns.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Sleeper;
import io.drctl.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The flush/verify loop against scripted hosts (the CommandRunner port mocked) and a fake clock. */
class ResolverCacheFlusherTest {

    /** A host answering each command with a scripted result; records what it was asked. */
    static final class ScriptedHost extends io.drctl.testing.CommandByCommandRunner {
        final List<String> commands = Collections.synchronizedList(new ArrayList<>());
        final Function<String, CommandResult> script;

        ScriptedHost(OsFamily os, Function<String, CommandResult> script) {
            super(os);
            this.script = script;
        }

        @Override
        protected CommandResult runOne(String command, Duration timeout) throws HostAccessException {
            commands.add(command);
            CommandResult r = script.apply(command);
            if (r == null) {
                throw new HostAccessException(HostAccessException.Kind.UNREACHABLE, "scripted", "connection refused");
            }
            return r;
        }
    }

    static CommandResult ok(String out) {
        return new CommandResult(0, out, "", Duration.ZERO);
    }

    final FakeClock clock = new FakeClock();
    final Sleeper sleeper = clock::advance;
    final ResolverCacheFlusher flusher = new ResolverCacheFlusher(clock, sleeper, Duration.ofSeconds(10), Duration.ofSeconds(1));
    final ResolverCacheFlusher.Request req = new ResolverCacheFlusher.Request(
            Map.of("cfgmaster.cc.lab.test", Set.of("10.77.2.10")), Optional.empty(), Duration.ofSeconds(5));

    @Test
    void flushOne_linuxDnsmasqFlushedThenResolvesNew() throws Exception {
        int[] hups = {0};
        ScriptedHost h = new ScriptedHost(CommandRunner.OsFamily.LINUX, c -> {
            if (c.startsWith("if command -v resolvectl")) {
                return ok("dnsmasq\n");
            }
            if (c.equals(CacheCommands.flush(ResolverKind.DNSMASQ, Optional.empty(), List.of()))) {
                hups[0]++;
                return ok("");
            }
            // the cache answers the old address until the second flush
            return ok((hups[0] >= 2 ? "10.77.2.10" : "10.77.1.10") + "  STREAM cfgmaster.cc.lab.test\n");
        });
        List<FlushResult> r = List.of(flusher.flushOne(new CacheHost("region1/app-p", h), req));
        assertEquals(List.of(ResolverKind.DNSMASQ), r.get(0).flushed());
        assertEquals(2, r.get(0).attempts());
        assertEquals(Map.of("cfgmaster.cc.lab.test.", Set.of("10.77.2.10")), r.get(0).resolved());
        assertTrue(h.commands.contains("getent ahostsv4 'cfgmaster.cc.lab.test.'"), h.commands.toString());
    }

    @Test
    void flushOne_eachHostJudgedAlone_staleNamesHostNameExpectedSeen_unreachableIsHostAccess() throws Exception {
        ScriptedHost good = new ScriptedHost(CommandRunner.OsFamily.WINDOWS, c -> ok("10.77.2.10\r\n"));
        ScriptedHost stale = new ScriptedHost(CommandRunner.OsFamily.LINUX,
                c -> c.startsWith("getent") ? ok("10.77.1.10  STREAM x\n") : ok(c.startsWith("if") ? "nscd\n" : ""));
        ScriptedHost down = new ScriptedHost(CommandRunner.OsFamily.LINUX, c -> null);
        flusher.flushOne(new CacheHost("r1/app-b", good), req);
        assertTrue(good.commands.get(0).startsWith("try { Clear-DnsClientCache"), good.commands.toString());
        CacheFlushException e = assertThrows(CacheFlushException.class, () -> flusher.flushOne(new CacheHost("r1/app-p", stale), req));
        CacheFlushException.HostFailure f = e.failures().get(0);
        assertEquals(CacheFlushException.Kind.STALE, f.kind());
        assertTrue(f.message().startsWith("cfgmaster.cc.lab.test.: expected [10.77.2.10], seen [10.77.1.10] after 5.0 s"), f.message());
        assertTrue(stale.commands.stream().anyMatch(c -> c.contains("nscd -i hosts")), stale.commands.toString());
        CacheFlushException d = assertThrows(CacheFlushException.class, () -> flusher.flushOne(new CacheHost("r2/app-p", down), req));
        assertEquals(CacheFlushException.Kind.HOST_ACCESS, d.failures().get(0).kind());
        assertTrue(d.getMessage().contains("r2/app-p: detect resolver caches: scripted: connection refused"), d.getMessage());
        assertTrue(d.isRetriable());
    }

    @Test
    void flushOne_failingFlushCommandIsNotRetried() {
        ScriptedHost h = new ScriptedHost(CommandRunner.OsFamily.LINUX, c -> c.startsWith("if") ? ok("unbound\n")
                : c.startsWith("unbound-control") ? new CommandResult(1, "", "error: connect to 127.0.0.1:8953 failed", Duration.ZERO)
                : ok("10.77.2.10 STREAM\n"));
        CacheFlushException e = assertThrows(CacheFlushException.class, () -> flusher.flushOne(new CacheHost("app", h), req));
        assertEquals(CacheFlushException.Kind.FLUSH_FAILED, e.failures().get(0).kind());
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains("flushing unbound failed (exit 1): error: connect to 127.0.0.1:8953 failed"), e.getMessage());
    }
}
