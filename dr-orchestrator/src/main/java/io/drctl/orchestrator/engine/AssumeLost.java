package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.model.Dns;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Region;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.spi.LostTargets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --assume-lost VALUE} against an inventory: {@code REGION/HOST} (or {@code HOST} when the name is
 * unique), {@code REGION} (every host of the region), {@code dns:SERVER} (a server of the inventory's
 * {@code dns:} by name or address). Every unknown value is reported at once, naming the valid ones.
 */
public final class AssumeLost {
    /** The prefix of a DNS server value. */
    public static final String DNS = "dns:";

    private AssumeLost() {
    }

    /** The lost targets {@code values} name in {@code inv}; {@link LostTargets#NONE} for none. */
    public static LostTargets parse(List<String> values, Inventory inv) throws InvalidInputException {
        if (values.isEmpty()) {
            return LostTargets.NONE;
        }
        Problems problems = new Problems();
        Map<String, String> hosts = new LinkedHashMap<>();
        Map<String, String> dns = new LinkedHashMap<>();
        Map<String, String> addresses = new LinkedHashMap<>();
        List<String> faults = new ArrayList<>();
        for (String v : values) {
            String value = v == null ? "" : v.strip();
            if (faults.contains(value)) {
                continue;
            }
            List<Host> lostHosts = new ArrayList<>();
            Optional<Dns.Server> server = Optional.empty();
            if (value.startsWith(DNS)) {
                server = dnsServer(value.substring(DNS.length()), inv, problems, value);
                if (server.isEmpty()) {
                    continue;
                }
            } else if (!hostsOf(value, inv, lostHosts, problems)) {
                continue;
            }
            faults.add(value);
            for (Host h : lostHosts) {
                hosts.putIfAbsent(h.ref(), value);
                addresses.putIfAbsent(h.address(), value);
            }
            // by name: servers may share an address on different ports
            server.ifPresent(s -> dns.putIfAbsent(s.name(), value));
        }
        problems.throwIfAny();
        return new LostTargets(faults, hosts, dns, addresses, LostTargets.Skips.NONE);
    }

    private static Optional<Dns.Server> dnsServer(String name, Inventory inv, Problems problems, String value) {
        List<Dns.Server> servers = inv.dns().map(Dns::servers).orElse(List.of());
        Optional<Dns.Server> s = servers.stream().filter(x -> x.name().equals(name) || x.address().equals(name)).findFirst();
        if (s.isEmpty()) {
            List<String> valid = servers.stream().map(x -> DNS + x.name()).toList();
            problems.add(at(), "--assume-lost " + value + ": inventory `" + inv.name() + "` has no DNS server `" + name + "`",
                    valid.isEmpty() ? "its `dns:` lists no servers" : Hints.didYouMean(value, valid));
        }
        return s;
    }

    /** Adds the hosts {@code value} names (a region, a host ref, a unique host name); false with a problem when none. */
    private static boolean hostsOf(String value, Inventory inv, List<Host> out, Problems problems) {
        Region region = inv.regions().get(value);
        if (region != null) {
            out.addAll(region.hosts().values());
            return true;
        }
        if (value.contains("/")) {
            Optional<Host> h = inv.host(value);
            h.ifPresent(out::add);
            if (h.isEmpty()) {
                problems.add(at(), "--assume-lost " + value + ": inventory `" + inv.name() + "` has no host `" + value + "`",
                        Hints.didYouMean(value, valid(inv)));
            }
            return h.isPresent();
        }
        List<Host> named = inv.hosts().stream().filter(h -> h.name().equals(value)).toList();
        if (named.size() == 1) {
            out.add(named.get(0));
            return true;
        }
        if (named.size() > 1) {
            problems.add(at(), "--assume-lost " + value + ": several hosts are named `" + value + "`: "
                    + String.join(", ", named.stream().map(Host::ref).toList()), "name one as REGION/HOST");
        } else {
            problems.add(at(), "--assume-lost " + value + ": inventory `" + inv.name() + "` has no region, host or DNS server `"
                    + value + "`", Hints.didYouMean(value, valid(inv)));
        }
        return false;
    }

    /** Every value {@code --assume-lost} accepts for {@code inv}: regions, host refs, {@code dns:} servers. */
    static List<String> valid(Inventory inv) {
        List<String> out = new ArrayList<>(inv.regions().keySet());
        inv.hosts().forEach(h -> out.add(h.ref()));
        inv.dns().ifPresent(d -> d.servers().forEach(s -> out.add(DNS + s.name())));
        return out;
    }

    private static Location at() {
        return Location.synthetic("command line", "--assume-lost");
    }
}
