package io.drctl.orchestrator.steps.firewall;

import io.drctl.firewall.BlockingRule;
import io.drctl.firewall.Fence;
import io.drctl.firewall.FencePersistence;
import io.drctl.firewall.FenceProbe;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Region;
import io.drctl.orchestrator.spi.Probe;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the fence step types share: the plan text of a fence probe, the failure mapping, and the inventory look-ups. */
final class Fences {
    private Fences() {
    }

    /** Which of the three step types acts. */
    enum Mode { FENCE, UNFENCE, VERIFY }

    /** Plan/probe text: what is there (each rule with its origin), what will be removed or kept, and persistence. */
    static Probe describeProbe(Mode mode, Fence fence, boolean expectFenced, FenceProbe p) {
        String persisted = p.persistence().describe(fence, expectFenced);
        StringBuilder current = new StringBuilder(p.describe());
        if (!p.foreign().isEmpty()) {
            current.append("; rules drctl did not write: ");
            current.append(String.join(" | ", p.foreign().stream().map(BlockingRule::text).toList()));
        }
        current.append("; ").append(persisted);
        if (mode == Mode.VERIFY) {
            // verification changes nothing: report what the listing shows; verify() proves the effect
            return new Probe(Probe.State.UNKNOWN, current.toString(), (expectFenced ? "fenced from " : "open to ") + fence.sources()
                    + ", proven by connecting");
        }
        boolean persistenceOk = p.persistence().state() != FencePersistence.State.SAVED || p.persistence().survivesReboot(fence, expectFenced);
        StringBuilder desired = new StringBuilder();
        boolean satisfied;
        if (mode == Mode.FENCE) {
            satisfied = p.isBlocked() && persistenceOk;
            desired.append("fenced from ").append(fence.sources());
            if (!p.isBlocked()) {
                desired.append(": will insert ").append(fence.tag()).append(" rules first in INPUT for ").append(p.unblocked())
                        .append(" and cut their live connections");
            }
            if (!p.foreign().isEmpty()) {
                desired.append("; keeps ").append(p.foreign().size()).append(" rule(s) drctl did not write");
            }
        } else {
            satisfied = p.isOpen() && persistenceOk;
            desired.append("open to ").append(fence.sources());
            List<String> doomed = new ArrayList<>();
            p.blocking().forEach(r -> doomed.add((r.foreign() ? "[not drctl's] " : "") + r.text()));
            p.unexpected().forEach(r -> doomed.add(r.ref()));
            if (!doomed.isEmpty()) {
                desired.append(": will remove ").append(doomed.size()).append(" rule(s): ").append(String.join(" | ", doomed));
            }
        }
        if (!p.alsoBlocking().isEmpty()) {
            desired.append("; kept (they block every port, not a fence of ").append(fence.port()).append("): ")
                    .append(String.join(" | ", p.alsoBlocking().stream().map(BlockingRule::text).toList()));
        }
        if (!persistenceOk) {
            desired.append("; will save the rules where the host restores them at boot");
        }
        return satisfied ? Probe.satisfied(current.toString(), desired.toString()) : Probe.needed(current.toString(), desired.toString());
    }

    /** The local address the kernel would use to reach {@code target} (a routing lookup; no packet is sent). */
    static List<String> controllerAddress(String target) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(Values.ip(target)), 9));
            InetAddress local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? List.of() : List.of(local.getHostAddress());
        } catch (Exception e) {
            return List.of();
        }
    }

    static List<String> resolveSubnet(String name, Inventory inv) {
        List<String> out = new ArrayList<>();
        for (Region r : inv.regions().values()) {
            String c = r.subnets().get(name);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    static Set<String> subnetNames(Inventory inv) {
        Set<String> names = new LinkedHashSet<>();
        inv.regions().values().forEach(r -> names.addAll(r.subnets().keySet()));
        return names;
    }

    static String portName(Inventory inv, int port) {
        return inv.ports().entrySet().stream().filter(e -> e.getValue() == port).map(Map.Entry::getKey)
                .findFirst().orElse("port" + port);
    }
}
