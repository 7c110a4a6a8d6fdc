package io.drctl.orchestrator.steps.dns;

import io.drctl.dns.DnsClient;
import io.drctl.dns.DnsServer;
import io.drctl.dns.DnsZone;
import io.drctl.dns.TsigKey;
import io.drctl.dns.TsigKeyException;
import io.drctl.dns.TsigKeys;
import io.drctl.host.HomeDir;
import io.drctl.orchestrator.config.model.Dns;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.LostTargets;
import io.drctl.orchestrator.spi.StepFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How DNS step types reach the inventory's zone and TSIG key; the secret is read from its reference here and never leaves the key object. */
public final class DnsAccess {
    /** How long one DNS query may take. */
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    private DnsAccess() {
    }

    /** The inventory's zone: updates go to the first server, verification asks every one. */
    public static DnsZone dnsZone(Inventory inv) {
        Dns dns = inv.dns().orElseThrow();
        List<DnsServer> servers = dns.servers().stream().map(s -> new DnsServer(s.name(), s.address(), s.port())).toList();
        return new DnsZone(dns.zone(), servers.get(0), servers);
    }

    /**
     * A client for the zone's servers that sends nothing to a server assumed lost ({@code --assume-lost
     * dns:SERVER}, or a lost host at its address): a message to it fails at once as unreachable, recorded.
     */
    public static DnsClient client(Optional<TsigKey> key, Clock clock, LostTargets lost) {
        DnsClient c = new DnsClient(key, clock, QUERY_TIMEOUT);
        if (lost.isEmpty()) {
            return c;
        }
        return c.refusing(server -> lost.dnsServer(server.name()).or(() -> lost.address(server.address()))
                .map(fault -> lost.refuse(fault, "dns message", server.name())));
    }

    /** The TSIG key the inventory references (key file or environment variable); empty when none is set. */
    public static Optional<TsigKey> tsigKey(ActionContext ctx) throws StepFailure {
        Optional<Dns.TsigRef> ref = ctx.inventory().dns().orElseThrow().tsig();
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (ref.get().keyFile().isPresent()) {
                return Optional.of(TsigKeys.fromFile(HomeDir.expand(ref.get().keyFile().get(), ctx.env()), Optional.empty()));
            }
            return Optional.of(TsigKeys.fromEnvironment(ctx.env(), ref.get().keyEnv().orElseThrow()));
        } catch (TsigKeyException e) {
            throw new StepFailure("TSIG key (" + ref.get() + "): " + e.getMessage(), false, e);
        }
    }
}
