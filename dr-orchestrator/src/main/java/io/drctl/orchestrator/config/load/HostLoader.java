package io.drctl.orchestrator.config.load;

import io.drctl.dbms.PostgresInstance;
import io.drctl.dns.cache.ResolverKind;
import io.drctl.firewall.BackendKind;
import io.drctl.host.CommandRunner;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Provider;
import io.drctl.orchestrator.config.model.Region;
import io.drctl.orchestrator.config.model.SshSettings;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads a region ({@code subnets}, {@code hosts}, {@code role}) and its hosts: address, os, roles, vm, firewall, resolver, db, ssh. */
final class HostLoader {
    static final Set<String> OS = Set.of("linux", "windows");
    // the closed sets are defined once, by the adapters that implement them
    static final List<String> FIREWALLS = BackendKind.labels();
    static final List<String> RESOLVERS = ResolverKind.inventoryChoices();

    private HostLoader() {
    }

    static Region region(String regionName, Fields r, Map<String, Provider> providers, Problems problems) {
        Map<String, String> subnets = new LinkedHashMap<>();
        r.fields("subnets").ifPresent(sf -> {
            for (String key : sf.map().entries().keySet()) {
                sf.string(key).ifPresent(cidr -> {
                    if (!Values.isCidr(cidr) || cidr.matches(".*\\.\\d{4,}.*")) {
                        problems.add(sf.at(key), "subnet `" + key + "` is not a CIDR: '" + cidr + "'", "expected e.g. 10.1.0.0/24");
                    } else {
                        subnets.put(key, cidr);
                    }
                });
            }
        });
        Map<String, Host> hosts = new LinkedHashMap<>();
        Optional<Fields> hf = r.fields("hosts");
        if (hf.isEmpty()) {
            problems.add(r.location().child("hosts"), "region `" + regionName + "` has no `hosts`");
        }
        hf.ifPresent(h -> {
            for (String key : h.map().entries().keySet()) {
                if (!Values.isName(key)) {
                    problems.add(h.map().keyLocation(key), "host name '" + key + "' is not a safe name",
                            "letters, digits, '_', '.', '-'");
                }
                h.fields(key).flatMap(hostF -> host(regionName, key, hostF, providers)).ifPresent(x -> hosts.put(key, x));
            }
        });
        Optional<String> role = r.string("role");
        r.done();
        role.filter(x -> !Region.ROLES.contains(x)).ifPresent(x -> problems.add(r.at("role"), "region `" + regionName
                + "`: role '" + Fields.shorten(x) + "' is not a region role", "expected one of: " + String.join(", ", Region.ROLES)));
        return new Region(regionName, subnets, hosts, role.filter(Region.ROLES::contains));
    }

    private static Optional<Host> host(String region, String name, Fields h, Map<String, Provider> providers) {
        Problems problems = h.problems();
        Optional<String> address = h.requiredString("address");
        boolean ok = address.isPresent();
        if (address.isPresent() && !Addresses.isAddress(address.get())) {
            problems.add(h.at("address"), "host " + region + "/" + name + ": not an IP address or host name: '"
                    + address.get() + "'", "expected e.g. 10.77.1.10");
            // keep the host so references to it do not cascade into more problems
        }
        CommandRunner.OsFamily os = CommandRunner.OsFamily.LINUX;
        Optional<String> osText = h.string("os");
        if (osText.isPresent()) {
            if (OS.contains(osText.get())) {
                os = osText.get().equals("windows") ? CommandRunner.OsFamily.WINDOWS : CommandRunner.OsFamily.LINUX;
            } else {
                problems.add(h.at("os"), "unknown os `" + osText.get() + "`", Hints.didYouMean(osText.get(), OS));
            }
        }
        List<String> roles = h.stringList("roles");
        for (String role : roles) {
            if (!Values.isName(role)) {
                problems.add(h.at("roles"), "role '" + role + "' is not a safe name");
            }
        }
        Optional<Host.VmRef> vm = h.fields("vm").flatMap(v -> vm(v, providers));
        Optional<String> firewall = Checks.string(h, "firewall", FIREWALLS::contains,
                fw -> "unknown firewall kind `" + Fields.shorten(fw) + "`", fw -> Hints.didYouMean(fw, FIREWALLS));
        Optional<String> resolver = Checks.string(h, "resolver", RESOLVERS::contains,
                rs -> "unknown resolver kind `" + Fields.shorten(rs) + "`", rs -> Hints.didYouMean(rs, RESOLVERS));
        boolean windows = os == CommandRunner.OsFamily.WINDOWS;
        resolver.filter(RESOLVERS::contains).ifPresent(rs -> {
            if (rs.equals(ResolverKind.WINDOWS_DNS_CLIENT.label()) != windows && ResolverKind.declared(rs).map(l -> !l.isEmpty()).orElse(false)) {
                problems.add(h.at("resolver"), "resolver `" + rs + "` does not run on " + (windows ? "Windows" : "Linux") + " hosts",
                        windows ? "windows-dns-client, auto or none" : "systemd-resolved, nscd, dnsmasq, unbound, auto or none");
            }
        });
        Optional<String> resolverPidFile = Checks.safePath(h, "resolverPidFile", "/run/dnsmasq/dnsmasq.pid");
        resolverPidFile.filter(PostgresInstance::isSafePath)
                .filter(f -> !resolver.map(r -> r.equals(ResolverKind.DNSMASQ.label())).orElse(false))
                .ifPresent(f -> problems.add(h.at("resolverPidFile"), "resolverPidFile is read only for `resolver: dnsmasq`",
                        "declare resolver: dnsmasq, or remove resolverPidFile"));
        Optional<Host.DbSpec> db = h.fields("db").flatMap(d -> DbFactsLoader.db(d, problems));
        Optional<SshSettings> ssh = h.fields("ssh").map(s -> ssh(s, true));
        h.done();
        return ok ? Optional.of(new Host(region, name, address.get(), os, roles, vm, firewall, db, resolver, ssh,
                resolverPidFile))
                : Optional.empty();
    }

    private static Optional<Host.VmRef> vm(Fields v, Map<String, Provider> providers) {
        Optional<String> provider = v.requiredString("provider");
        Optional<String> id = v.requiredString("id");
        v.done();
        provider.filter(p -> !providers.containsKey(p)).ifPresent(p -> v.problems().add(v.at("provider"),
                "unknown VM provider `" + p + "`", Hints.didYouMean(p, providers.keySet())));
        id.filter(i -> !Values.isName(i)).ifPresent(i -> v.problems().add(v.at("id"),
                "VM id '" + i + "' is not a safe name", "letters, digits, '_', '.', '-'"));
        return provider.isPresent() && id.isPresent() ? Optional.of(new Host.VmRef(provider.get(), id.get())) : Optional.empty();
    }

    /** {@code ssh:} settings, of the whole inventory or ({@code override}) of one host. */
    static SshSettings ssh(Fields s, boolean override) {
        Optional<Integer> port = Checks.port(s, "port", "ssh port");
        Optional<String> user = Checks.string(s, "user", u -> u.matches("[A-Za-z_][A-Za-z0-9_.-]*"),
                u -> "ssh user '" + u + "' is not a valid login name", (String) null);
        Optional<String> identity = s.string("identityFile");
        Optional<String> knownHosts = s.string("knownHosts");
        Checks.checkPath(s, "identityFile", identity);
        Checks.checkPath(s, "knownHosts", knownHosts);
        SshSettings out = new SshSettings(user, port, identity, knownHosts, s.duration("connectTimeout"), s.string("jumpHost"));
        s.done();
        return out;
    }

    static void checkJumpHosts(Inventory inv, Fields regionsField, Problems problems) {
        for (Host h : inv.hosts()) {
            h.ssh().flatMap(SshSettings::jumpHost).ifPresent(j -> {
                if (inv.host(j).isEmpty()) {
                    Location at = regionsField.at(h.region());
                    problems.add(at.child("hosts." + h.name() + ".ssh.jumpHost"),
                            "jumpHost `" + j + "` of " + h.ref() + " is not a host of this inventory", "write region/name");
                }
            });
        }
    }
}
