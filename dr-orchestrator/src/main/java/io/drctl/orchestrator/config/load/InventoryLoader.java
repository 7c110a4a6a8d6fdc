package io.drctl.orchestrator.config.load;

import io.drctl.orchestrator.config.yaml.Secrets;
import io.drctl.dbms.DbmsKind;
import io.drctl.dbms.PostgresInstance;
import io.drctl.dns.cache.ResolverKind;
import io.drctl.firewall.BackendKind;
import io.drctl.host.CommandRunner;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Dns;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Provider;
import io.drctl.orchestrator.config.model.Region;
import io.drctl.orchestrator.config.model.SshSettings;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.config.yaml.YNode;
import io.drctl.orchestrator.config.yaml.YamlTree;
import io.drctl.vm.CommandTemplates;
import io.drctl.vm.SecretRef;
import io.drctl.vm.VsphereConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads an inventory strictly: unknown keys, bad addresses/CIDRs/ports/names, dangling references
 * and inline secrets are all collected as problems. The returned inventory is best-effort (invalid
 * parts dropped) so runbook validation can still report its own problems in the same pass.
 */
public final class InventoryLoader {
    static final Set<String> OS = Set.of("linux", "windows");
    // the closed sets are defined once, by the adapters that implement them
    static final List<String> FIREWALLS = BackendKind.labels();
    static final List<String> RESOLVERS = ResolverKind.inventoryChoices();
    static final List<String> DB_KINDS = DbmsKind.labels();
    /** Largest TTL drctl writes: a week (RFC 2181 allows more, but a DR flip wants short TTLs). */
    static final int MAX_TTL = 604800;
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private InventoryLoader() {
    }

    public static Optional<Inventory> load(Path file, Problems problems) {
        return YamlTree.read(file, problems).map(root -> bind(root, problems));
    }

    public static Optional<Inventory> parse(String file, String text, Problems problems) {
        return YamlTree.parse(file, text, problems).map(root -> bind(root, problems));
    }

    static Inventory bind(YNode root, Problems problems) {
        Secrets.scan(root, problems);
        Fields f = Fields.of(root, "the inventory", problems)
                .orElseGet(() -> Fields.of(new YNode.YMap(root.location(), Map.of(), Map.of()), "", problems).orElseThrow());
        String name = f.string("name").orElse("inventory");
        f.string("description");
        var rto = f.duration("rto");
        SshSettings ssh = f.fields("ssh").map(s -> ssh(s, false)).orElse(SshSettings.empty());
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, String> greetings = new LinkedHashMap<>();
        f.fields("ports").ifPresent(pf -> {
            for (String key : pf.map().entries().keySet()) {
                if (!Values.isName(key)) {
                    problems.add(pf.map().keyLocation(key), "port name '" + key + "' is not a safe name");
                }
                Optional<Integer> number;
                if (pf.map().get(key) instanceof YNode.YMap) {
                    // the long form: { port: 2020, expect: "^CS OK" } — a site fact about what the service sends first
                    Optional<Fields> pm = pf.fields(key);
                    number = pm.flatMap(m -> m.integer("port"));
                    if (pm.isPresent() && !pm.get().has("port")) {
                        problems.add(pf.at(key), "port `" + key + "` needs `port:` (its number)", "e.g. " + key + ": { port: 2020, expect: \"^CS OK\" }");
                    }
                    pm.flatMap(m -> m.string("expect")).ifPresent(e -> {
                        try {
                            Pattern.compile(e);
                            greetings.put(key, e);
                        } catch (PatternSyntaxException x) {
                            problems.add(pm.get().at("expect"), "port `" + key + "`: `expect` is not a valid regular expression: "
                                    + x.getDescription(), "the first line the service sends must match it, e.g. \"^CS OK\"");
                        }
                    });
                    pm.ifPresent(Fields::done);
                } else {
                    number = pf.integer(key);
                }
                number.ifPresent(p -> {
                    if (p < 1 || p > 65535) {
                        problems.add(pf.at(key), "port `" + key + "` is " + p + ", not a TCP port", "expected 1..65535");
                    } else {
                        ports.put(key, p);
                    }
                });
            }
        });
        Map<String, Provider> providers = new LinkedHashMap<>();
        f.fields("providers").ifPresent(pf -> {
            for (String key : pf.map().entries().keySet()) {
                pf.fields(key).flatMap(p -> provider(key, p)).ifPresent(p -> providers.put(key, p));
            }
        });
        Map<String, Region> regions = new LinkedHashMap<>();
        Optional<Fields> rf = f.fields("regions");
        if (rf.isEmpty()) {
            problems.add(f.location().child("regions"), "missing required key `regions`");
        }
        rf.ifPresent(r -> {
            for (String key : r.map().entries().keySet()) {
                if (!Values.isName(key)) {
                    problems.add(r.map().keyLocation(key), "region name '" + key + "' is not a safe name",
                            "letters, digits, '_', '.', '-'");
                } else if (key.equals(DnsRecord.GROUPS)) {
                    problems.add(r.map().keyLocation(key), "region name `" + key + "` is reserved: records use `"
                            + DnsRecord.GROUPS + ":` for their groups", "rename the region");
                }
                r.fields(key).map(rg -> region(key, rg, providers, problems)).ifPresent(rg -> regions.put(key, rg));
            }
        });
        for (String role : Region.ROLES) {
            List<String> claim = regions.values().stream().filter(g -> g.role().filter(role::equals).isPresent()).map(Region::name).toList();
            if (claim.size() > 1) {
                problems.add(rf.orElseThrow().map().keyLocation(claim.get(1)), "regions " + String.join(" and ", claim) + " both declare `role: " + role
                        + "`", "one region is the " + role + " region");
            }
        }
        Optional<Dns> dns = f.fields("dns").flatMap(d -> dns(d, problems));
        Map<String, DnsRecord> records = new LinkedHashMap<>();
        f.fields("records").ifPresent(recs -> {
            for (String key : recs.map().entries().keySet()) {
                if (!Values.isHostname(key)) {
                    problems.add(recs.map().keyLocation(key), "record name '" + key + "' is not a valid DNS name");
                }
                recs.fields(key).ifPresent(rec -> {
                    Map<String, String> byRegion = new LinkedHashMap<>();
                    List<String> groups = rec.has(DnsRecord.GROUPS) ? rec.stringList(DnsRecord.GROUPS) : List.of();
                    for (String g : groups) {
                        if (!Values.isName(g)) {
                            problems.add(rec.at(DnsRecord.GROUPS), "record `" + key + "`: group name '" + Fields.shorten(g)
                                    + "' is not a safe name", "letters, digits, '_', '.', '-'");
                        }
                    }
                    for (String region : rec.map().entries().keySet()) {
                        if (region.equals(DnsRecord.GROUPS)) {
                            continue;
                        }
                        rec.string(region).ifPresent(hostName -> {
                            Region rg = regions.get(region);
                            if (rg == null) {
                                problems.add(rec.map().keyLocation(region), "record `" + key + "` names unknown region `" + region + "`",
                                        Hints.didYouMean(region, regions.keySet()));
                            } else if (!rg.hosts().containsKey(hostName)) {
                                problems.add(rec.at(region), "record `" + key + "` names host `" + hostName
                                        + "` that region `" + region + "` lacks", Hints.didYouMean(hostName, rg.hosts().keySet()));
                            } else {
                                byRegion.put(region, hostName);
                            }
                        });
                    }
                    records.put(key, new DnsRecord(key, byRegion, groups));
                });
            }
        });
        f.done();
        dns.ifPresent(z -> checkRecordsInZone(z.zone(), recordsAt(f), problems));
        Inventory inv = new Inventory(name, rto, ssh, dns, ports, greetings, regions, records, providers);
        // references that need the whole inventory
        rf.ifPresent(r -> checkJumpHosts(inv, r, problems));
        f.fields("ssh").ifPresent(s -> s.string("jumpHost").ifPresent(j -> {
            if (inv.host(j).isEmpty()) {
                problems.add(s.at("jumpHost"), "jumpHost `" + j + "` is not a host of this inventory", "write region/name");
            }
        }));
        return inv;
    }

    /** Record names as written, with where their keys are. */
    private static Map<String, Location> recordsAt(Fields f) {
        Map<String, Location> out = new LinkedHashMap<>();
        YNode recs = f.map().get("records");
        if (recs instanceof YNode.YMap m) {
            m.entries().keySet().forEach(k -> out.put(k, m.keyLocation(k)));
        }
        return out;
    }

    /**
     * A record is relative to the zone ({@code cfgmaster}) or absolute inside it ({@code cfgmaster.cc.example.com.});
     * drctl only ever updates names of its zone, and the full name must fit DNS's 253 characters.
     */
    static void checkRecordsInZone(String zone, Map<String, Location> records, Problems problems) {
        String z = zone.endsWith(".") ? zone : zone + ".";
        records.forEach((name, at) -> {
            if (!Values.isHostname(name)) {
                return; // reported already
            }
            String fqdn = name.endsWith(".") ? name : name + "." + z;
            if (name.endsWith(".") && !(fqdn.equalsIgnoreCase(z) || fqdn.toLowerCase(java.util.Locale.ROOT)
                    .endsWith("." + z.toLowerCase(java.util.Locale.ROOT)))) {
                problems.add(at, "record `" + name + "` is outside the zone " + z, "write it relative to the zone, e.g. "
                        + name.substring(0, name.indexOf('.') > 0 ? name.indexOf('.') : name.length()));
            } else if (fqdn.length() > 254 || !Values.isHostname(fqdn)) {
                problems.add(at, "record `" + Fields.shorten(name) + "` with the zone is not a valid DNS name (" + fqdn.length()
                        + " characters, labels at most 63)");
            }
        });
    }

    private static void checkJumpHosts(Inventory inv, Fields regionsField, Problems problems) {
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

    private static SshSettings ssh(Fields s, boolean override) {
        Optional<Integer> port = s.integer("port");
        port.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                s.problems().add(s.at("port"), "ssh port " + p + " is not a TCP port", "expected 1..65535");
            }
        });
        Optional<String> user = s.string("user");
        user.ifPresent(u -> {
            if (!u.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                s.problems().add(s.at("user"), "ssh user '" + u + "' is not a valid login name");
            }
        });
        Optional<String> identity = s.string("identityFile");
        Optional<String> knownHosts = s.string("knownHosts");
        checkPath(s, "identityFile", identity);
        checkPath(s, "knownHosts", knownHosts);
        SshSettings out = new SshSettings(user, port, identity, knownHosts, s.duration("connectTimeout"), s.string("jumpHost"));
        s.done();
        return out;
    }

    private static Optional<Provider> provider(String name, Fields p) {
        Problems problems = p.problems();
        Optional<String> kind = p.requiredString("kind");
        if (kind.isEmpty()) {
            p.allow("url", "user", "passwordEnv", "trustStore", "start", "stop", "status", "running", "stopped");
            p.done();
            return Optional.empty();
        }
        Optional<Provider> out;
        switch (kind.get()) {
            case "vsphere" -> {
                var url = p.requiredString("url");
                url.ifPresent(u -> {
                    if (!u.startsWith("https://")) {
                        problems.add(p.at("url"), "vSphere url '" + u + "' must use https://");
                    }
                });
                var user = p.requiredString("user");
                var env = p.requiredString("passwordEnv");
                env.ifPresent(e -> checkEnvName(p, "passwordEnv", e));
                var trust = p.string("trustStore");
                checkPath(p, "trustStore", trust);
                int before = problems.size();
                out = url.isPresent() && user.isPresent() && env.isPresent()
                        ? Optional.of(new Provider.Vsphere(name, url.get(), user.get(), env.get(), trust)) : Optional.empty();
                if (out.isPresent() && problems.size() == before && ENV_NAME.matcher(env.get()).matches()) {
                    try {
                        VsphereConfig.of(URI.create(url.get()), user.get(), SecretRef.env(env.get()), null);
                    } catch (IllegalArgumentException e) {
                        problems.add(p.location(), "vSphere provider `" + name + "`: " + e.getMessage());
                    }
                }
            }
            case "command" -> {
                var start = p.requiredString("start");
                var stop = p.requiredString("stop");
                var status = p.requiredString("status");
                var running = p.requiredString("running");
                var stopped = p.requiredString("stopped");
                for (String key : List.of("running", "stopped")) {
                    p.string(key).ifPresent(re -> {
                        try {
                            Pattern.compile(re);
                        } catch (PatternSyntaxException e) {
                            problems.add(p.at(key), "`" + key + "` is not a valid regular expression: " + e.getDescription());
                        }
                    });
                }
                out = start.isPresent() && stop.isPresent() && status.isPresent() && running.isPresent() && stopped.isPresent()
                        ? Optional.of(new Provider.Command(name, start.get(), stop.get(), status.get(), running.get(), stopped.get()))
                        : Optional.empty();
                if (out.isPresent()) {
                    try {
                        CommandTemplates.of(start.get(), stop.get(), status.get(), running.get(), stopped.get());
                    } catch (IllegalArgumentException e) {
                        problems.add(p.location(), "command provider `" + name + "`: " + e.getMessage());
                    }
                }
            }
            default -> {
                problems.add(p.at("kind"), "unknown provider kind `" + kind.get() + "`",
                        Hints.didYouMean(kind.get(), List.of("vsphere", "command")));
                p.allow("url", "user", "passwordEnv", "trustStore", "start", "stop", "status", "running", "stopped");
                out = Optional.empty();
            }
        }
        p.done();
        return out;
    }

    /** {@code value} must be a variable name; it may be a pasted secret, so the problem never quotes it. */
    static void checkEnvName(Fields f, String key, String value) {
        if (!ENV_NAME.matcher(value).matches()) {
            f.problems().add(f.at(key), "`" + key + "` must name an environment variable (its value is not shown: it may be a secret)",
                    "letters, digits and '_', e.g. DRCTL_VSPHERE_PASSWORD; put the secret itself in that variable");
        }
    }

    /** A file path drctl opens: no control characters (NUL cannot be a path); the value is not quoted. */
    static void checkPath(Fields f, String key, Optional<String> value) {
        value.ifPresent(v -> {
            if (v.isBlank() || v.chars().anyMatch(Character::isISOControl)) {
                f.problems().add(f.at(key), "`" + key + "` must be a file path without control characters");
            }
        });
    }

    /** {@code kind: command}: the templates that promote and probe the DBMS ({@code dbms-adapters/COMMAND-DBMS.md}). */
    private static Optional<io.drctl.dbms.CommandDbmsTemplates> commandTemplates(Fields d, Problems problems) {
        Optional<String> promote = d.requiredString("promote");
        Optional<String> role = d.requiredString("role");
        Optional<String> primary = d.requiredString("primary");
        Optional<String> replica = d.requiredString("replica");
        Optional<String> lag = d.string("lag");
        Optional<String> lagPattern = d.string("lagPattern");
        Optional<String> writeCheck = d.string("writeCheck");
        if (promote.isEmpty() || role.isEmpty() || primary.isEmpty() || replica.isEmpty()) {
            return Optional.empty();
        }
        try {
            io.drctl.dbms.CommandDbmsTemplates t = io.drctl.dbms.CommandDbmsTemplates.of(promote.get(), role.get(), primary.get(), replica.get());
            if (lag.isPresent() || lagPattern.isPresent()) {
                t = t.withLag(lag.orElse(""), lagPattern.orElse(""));
            }
            if (writeCheck.isPresent()) {
                t = t.withWriteCheck(writeCheck.get());
            }
            return Optional.of(t);
        } catch (IllegalArgumentException e) {
            problems.add(d.location(), "db (kind: command): " + e.getMessage(), "see dbms-adapters/COMMAND-DBMS.md for working templates");
            return Optional.empty();
        }
    }

    private static Region region(String regionName, Fields r, Map<String, Provider> providers, Problems problems) {
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
        Optional<Host.VmRef> vm = h.fields("vm").flatMap(v -> {
            Optional<String> provider = v.requiredString("provider");
            Optional<String> id = v.requiredString("id");
            v.done();
            provider.ifPresent(p -> {
                if (!providers.containsKey(p)) {
                    problems.add(v.at("provider"), "unknown VM provider `" + p + "`", Hints.didYouMean(p, providers.keySet()));
                }
            });
            id.ifPresent(i -> {
                if (!Values.isName(i)) {
                    problems.add(v.at("id"), "VM id '" + i + "' is not a safe name", "letters, digits, '_', '.', '-'");
                }
            });
            return provider.isPresent() && id.isPresent() ? Optional.of(new Host.VmRef(provider.get(), id.get())) : Optional.empty();
        });
        Optional<String> firewall = h.string("firewall");
        firewall.ifPresent(fw -> {
            if (!FIREWALLS.contains(fw)) {
                problems.add(h.at("firewall"), "unknown firewall kind `" + Fields.shorten(fw) + "`", Hints.didYouMean(fw, FIREWALLS));
            }
        });
        Optional<String> resolver = h.string("resolver");
        boolean windows = os == CommandRunner.OsFamily.WINDOWS;
        resolver.ifPresent(rs -> {
            if (!RESOLVERS.contains(rs)) {
                problems.add(h.at("resolver"), "unknown resolver kind `" + Fields.shorten(rs) + "`", Hints.didYouMean(rs, RESOLVERS));
            } else if (rs.equals(ResolverKind.WINDOWS_DNS_CLIENT.label()) != windows && ResolverKind.declared(rs).map(l -> !l.isEmpty()).orElse(false)) {
                problems.add(h.at("resolver"), "resolver `" + rs + "` does not run on " + (windows ? "Windows" : "Linux") + " hosts",
                        windows ? "windows-dns-client, auto or none" : "systemd-resolved, nscd, dnsmasq, unbound, auto or none");
            }
        });
        Optional<String> resolverPidFile = h.string("resolverPidFile");
        resolverPidFile.ifPresent(f -> {
            if (!PostgresInstance.isSafePath(f)) {
                problems.add(h.at("resolverPidFile"), "resolverPidFile '" + Fields.shorten(f) + "' is not a safe absolute path",
                        "letters, digits and _ . @ + - / only, e.g. /run/dnsmasq/dnsmasq.pid");
            } else if (!resolver.map(r -> r.equals(ResolverKind.DNSMASQ.label())).orElse(false)) {
                problems.add(h.at("resolverPidFile"), "resolverPidFile is read only for `resolver: dnsmasq`",
                        "declare resolver: dnsmasq, or remove resolverPidFile");
            }
        });
        Optional<Host.DbSpec> db = h.fields("db").flatMap(d -> {
            Optional<String> kind = d.requiredString("kind");
            kind.ifPresent(k -> {
                if (!DB_KINDS.contains(k)) {
                    problems.add(d.at("kind"), "unknown db kind `" + Fields.shorten(k) + "`", Hints.didYouMean(k, DB_KINDS));
                }
            });
            Optional<String> version = d.string("version");
            version.ifPresent(ver -> {
                if (!PostgresInstance.isMajorVersion(ver)) {
                    problems.add(d.at("version"), "db version '" + Fields.shorten(ver) + "' is not a major version number",
                            "e.g. 15 or 9.6");
                }
            });
            Optional<String> dataDir = d.string("dataDir");
            dataDir.ifPresent(dir -> {
                if (!PostgresInstance.isSafePath(dir)) {
                    problems.add(d.at("dataDir"), "dataDir '" + Fields.shorten(dir) + "' is not a safe absolute path",
                            "letters, digits and _ . @ + - / only, e.g. /var/lib/postgresql/15/main");
                }
            });
            Optional<String> socketDir = d.string("socketDir");
            Optional<String> binDir = d.string("binDir");
            for (String field : List.of("socketDir", "binDir")) {
                (field.equals("socketDir") ? socketDir : binDir).ifPresent(dir -> {
                    if (!PostgresInstance.isSafePath(dir)) {
                        problems.add(d.at(field), field + " '" + Fields.shorten(dir) + "' is not a safe absolute path",
                                "letters, digits and _ . @ + - / only, e.g. " + (field.equals("socketDir")
                                        ? "/var/run/postgresql" : "/usr/lib/postgresql/15/bin"));
                    }
                });
            }
            Optional<String> osUser = d.string("osUser");
            osUser.ifPresent(u -> {
                if (!u.matches("[A-Za-z_][A-Za-z0-9_.-]*") || !Values.isName(u)) {
                    problems.add(d.at("osUser"), "osUser '" + Fields.shorten(u) + "' is not a valid user name");
                }
            });
            Optional<String> replicationUser = d.string("replicationUser");
            replicationUser.ifPresent(u -> {
                if (!Values.isName(u)) {
                    problems.add(d.at("replicationUser"), "replicationUser '" + Fields.shorten(u) + "' is not a valid role name",
                            "letters, digits, '_', '.', '-'");
                }
            });
            Optional<Integer> port = d.integer("port");
            port.ifPresent(p -> {
                if (p < 1 || p > 65535) {
                    problems.add(d.at("port"), "db port " + p + " is not a TCP port", "expected 1..65535");
                }
            });
            Optional<io.drctl.dbms.CommandDbmsTemplates> templates = kind.filter(DbmsKind.COMMAND.label()::equals)
                    .flatMap(k -> commandTemplates(d, problems));
            d.done();
            return kind.map(k -> new Host.DbSpec(k, version, dataDir, osUser, port, socketDir, binDir, replicationUser, templates));
        });
        Optional<SshSettings> ssh = h.fields("ssh").map(s -> ssh(s, true));
        h.done();
        return ok ? Optional.of(new Host(region, name, address.get(), os, roles, vm, firewall, db, resolver, ssh,
                resolverPidFile))
                : Optional.empty();
    }

    private static Optional<Dns> dns(Fields d, Problems problems) {
        Optional<String> zone = d.requiredString("zone");
        zone.ifPresent(z -> {
            if (!Values.isHostname(z) || !z.endsWith(".")) {
                problems.add(d.at("zone"), "zone '" + z + "' must be a DNS name with a trailing dot", "e.g. cc.example.com.");
            }
        });
        List<Dns.Server> servers = new ArrayList<>();
        Optional<YNode> sn = d.node("servers");
        if (sn.isEmpty()) {
            problems.add(d.location().child("servers"), "missing required key `servers`");
        } else if (sn.get() instanceof YNode.YList list) {
            if (list.items().isEmpty()) {
                problems.add(list.location(), "`servers` is empty", "list every authoritative server: - { name: ns1, address: 192.0.2.53 }");
            }
            for (YNode item : list.items()) {
                Fields.of(item, "a DNS server", problems).ifPresent(s -> {
                    Optional<String> name = s.requiredString("name");
                    Optional<String> address = s.requiredString("address");
                    Optional<Integer> port = s.integer("port");
                    s.done();
                    boolean ok = name.isPresent() && address.isPresent();
                    if (name.isPresent() && !Values.isName(name.get())) {
                        problems.add(s.at("name"), "DNS server name '" + Fields.shorten(name.get()) + "' is not a safe name",
                                "letters, digits, '_', '.', '-', e.g. ns1");
                        ok = false;
                    }
                    if (address.isPresent() && !Values.isIp(address.get())) {
                        problems.add(s.at("address"), "DNS server address is not an IP address: '"
                                + Fields.shorten(address.get()) + "'", "expected e.g. 192.0.2.53 (updates and queries go to an address)");
                        ok = false;
                    }
                    int p = port.orElse(53);
                    if (p < 1 || p > 65535) {
                        problems.add(s.at("port"), "DNS server port " + p + " is not a port", "expected 1..65535");
                        ok = false;
                    }
                    if (ok && servers.stream().anyMatch(x -> x.name().equals(name.get()))) {
                        problems.add(s.at("name"), "DNS server name `" + name.get() + "` is listed twice", "each server needs its own name");
                        ok = false;
                    }
                    if (ok) {
                        servers.add(new Dns.Server(name.get(), address.get(), p));
                    }
                });
            }
        } else {
            problems.add(sn.get().location(), "`servers` must be a list, found " + sn.get().kind());
        }
        Optional<Dns.TsigRef> tsig = d.fields("tsig").flatMap(t -> {
            Optional<String> keyFile = t.string("keyFile");
            Optional<String> keyEnv = t.string("keyEnv");
            t.done();
            checkPath(t, "keyFile", keyFile);
            keyEnv.ifPresent(e -> checkEnvName(t, "keyEnv", e));
            if (keyFile.isPresent() == keyEnv.isPresent()) {
                problems.add(t.location(), "tsig needs exactly one of `keyFile`, `keyEnv`");
                return Optional.empty();
            }
            return Optional.of(new Dns.TsigRef(keyFile, keyEnv));
        });
        int ttl = d.integer("ttl").orElse(60);
        if (ttl < 0 || ttl > MAX_TTL) {
            problems.add(d.at("ttl"), "ttl must be 0.." + MAX_TTL + " seconds, got " + ttl);
        }
        d.done();
        return zone.map(z -> new Dns(z, servers, tsig, ttl));
    }
}
