package io.drctl.firewall;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fences with iptables (IPv4 sources) and ip6tables (IPv6 sources) in the filter table's INPUT chain:
 * <pre>-p tcp -s CIDR --dport P -m comment --comment "drctl:fence:NAME" -j REJECT --reject-with tcp-reset</pre>
 *
 * <p>{@code tcp-reset} rather than the default icmp-port-unreachable: a RST is the same answer a closed
 * port gives, every TCP stack (Windows included, which ignores ICMP errors on connect and waits ~21 s)
 * fails the connect at once, and it is not subject to the kernel's ICMP rate limit, so a burst of
 * reconnecting clients all get a prompt refusal.
 *
 * <p>Each rule is checked with {@code -C} before it is added (never a duplicate), found again by parsing
 * {@code iptables -S INPUT} for the exact tag, and deleted with {@code -D} and the specification exactly
 * as listed, so a hand-made rule, even one on the same port, is never touched.
 */
public final class IptablesBackend implements FirewallBackend {

    /** Where new rules go in INPUT: appended (as the seed's runbook does) or inserted first (wins over earlier ACCEPTs). */
    public enum Position { APPEND, INSERT_FIRST }

    /**
     * Boot-time rules files written with {@code iptables-save}/{@code ip6tables-save} after a change.
     *
     * @param v4File absolute path for the IPv4 rules
     * @param v6File absolute path for the IPv6 rules
     */
    public record Persistence(String v4File, String v6File) {
        private static final Pattern PATH = Pattern.compile("^/[A-Za-z0-9_./-]{1,255}$");

        /** Debian/Ubuntu iptables-persistent / netfilter-persistent. */
        public static final Persistence DEBIAN = new Persistence("/etc/iptables/rules.v4", "/etc/iptables/rules.v6");
        /** RHEL/CentOS/Rocky iptables-services. */
        public static final Persistence RHEL = new Persistence("/etc/sysconfig/iptables", "/etc/sysconfig/ip6tables");

        public Persistence {
            for (String p : new String[] {v4File, v6File}) {
                if (p == null || !PATH.matcher(p).matches() || p.contains("..")) {
                    throw new IllegalArgumentException("not a safe absolute path for a rules file: '" + p + "'");
                }
            }
        }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final HostCommands cmd;
    private final Position position;
    private final Optional<Persistence> persistence;

    /** Appends rules, does not persist, 30 s per command. */
    public IptablesBackend(CommandRunner runner) {
        this(runner, Position.APPEND, Optional.empty(), DEFAULT_TIMEOUT);
    }

    public IptablesBackend(CommandRunner runner, Position position, Optional<Persistence> persistence, Duration timeout) {
        this.cmd = new HostCommands(runner, timeout, "iptables");
        this.position = Objects.requireNonNull(position, "position");
        this.persistence = Objects.requireNonNull(persistence, "persistence");
    }

    @Override
    public BackendKind kind() {
        return BackendKind.IPTABLES;
    }

    @Override
    public BlockBehavior blockBehavior() {
        return BlockBehavior.REJECT;
    }

    @Override
    public String describe() {
        return cmd.target();
    }

    @Override
    public FenceProbe probe(Fence fence) throws FirewallException {
        List<FirewallRule> tagged = new ArrayList<>();
        CommandResult v4 = cmd.require("iptables -w -S INPUT", "listing iptables INPUT for " + fence.tag());
        tagged.addAll(parseListing(v4.stdout(), fence.name(), cmd.target()));
        // always list IPv6 too (an older definition may have left v6 rules), but a host without IPv6
        // (ip6tables failing while iptables works) must not break a fence that has no IPv6 source
        CommandResult v6 = cmd.run("ip6tables -w -S INPUT", "listing ip6tables INPUT for " + fence.tag());
        if (v6.succeeded()) {
            tagged.addAll(parseListing(v6.stdout(), fence.name(), cmd.target()));
        } else if (!fence.ipv6Sources().isEmpty()) {
            throw cmd.failure(v6, "listing ip6tables INPUT for " + fence.tag());
        }
        return FenceProbe.of(fence, tagged);
    }

    @Override
    public FenceChange apply(Fence fence, LockoutGuard guard) throws FirewallException {
        guard.check(fence, cmd.target());
        FenceProbe before = probe(fence);
        for (Cidr c : before.missing()) {
            String spec = ruleSpec(fence, c);
            String bin = binary(c);
            CommandResult check = cmd.run(bin + " -w -C INPUT " + spec, "checking " + fence.tag() + " " + c);
            if (check.exitCode() == 0) {
                continue; // appeared since the probe: never add twice
            }
            if (check.exitCode() != 1) {
                throw cmd.failure(check, "checking " + fence.tag() + " " + c);
            }
            String add = position == Position.APPEND ? " -w -A INPUT " : " -w -I INPUT 1 ";
            cmd.require(bin + add + spec, "adding " + fence.tag() + " " + c);
        }
        FenceProbe after = probe(fence);
        if (!after.isFenced()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(),
                    "after adding " + fence + " the listing still lacks " + after.missing());
        }
        List<FirewallRule> added = after.present().stream().filter(r -> !before.present().contains(r)).toList();
        boolean persisted = !added.isEmpty() && persistIfAsked();
        return new FenceChange(fence, FenceChange.Verb.FENCE, added, List.of(), before.present(), persisted);
    }

    @Override
    public FenceChange remove(Fence fence) throws FirewallException {
        FenceProbe before = probe(fence);
        List<FirewallRule> removed = new ArrayList<>();
        for (FirewallRule r : before.tagged()) {
            CommandResult del = cmd.run(binary(r.source()) + " -w -D INPUT " + r.ref(), "removing " + fence.tag() + " " + r.source());
            if (del.exitCode() == 0) {
                removed.add(r);
            } else if (del.exitCode() != 1) { // 1: already gone (removed concurrently)
                throw cmd.failure(del, "removing " + fence.tag() + " " + r.source());
            }
        }
        FenceProbe after = probe(fence);
        if (!after.isUnfenced()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(),
                    "after removing " + fence.tag() + " rules are still listed: " + after.tagged());
        }
        boolean persisted = !removed.isEmpty() && persistIfAsked();
        return new FenceChange(fence, FenceChange.Verb.UNFENCE, List.of(), removed, List.of(), persisted);
    }

    /**
     * Saves the current IPv4 and IPv6 rule sets to the configured files (atomically: write, then rename).
     *
     * @return false if no persistence was configured
     */
    public boolean persistIfAsked() throws FirewallException {
        if (persistence.isEmpty()) {
            return false;
        }
        Persistence p = persistence.get();
        save("iptables-save", p.v4File());
        save("ip6tables-save", p.v6File());
        return true;
    }

    private void save(String tool, String file) throws FirewallException {
        String f = Shell.quote(file);
        String tmp = Shell.quote(file + ".drctl-tmp");
        cmd.require("mkdir -p \"$(dirname " + f + ")\" && " + tool + " > " + tmp + " && mv -f " + tmp + " " + f,
                "persisting rules to " + file);
    }

    /** The rule specification after {@code -A INPUT}, every word shell-safe (values validated, tag quoted). */
    static String ruleSpec(Fence fence, Cidr source) {
        return "-p " + fence.protocol().keyword() + " -s " + source + " --dport " + fence.port()
                + " -m comment --comment " + Shell.quote(fence.tag()) + " -j REJECT --reject-with tcp-reset";
    }

    static String binary(Cidr c) {
        return c.isIpv6() ? "ip6tables" : "iptables";
    }

    /**
     * Finds the rules tagged exactly {@code drctl:fence:<fenceName>} in {@code iptables -S} output.
     * The {@link FirewallRule#ref()} of each is its specification as listed, shell-quoted word by word.
     */
    static List<FirewallRule> parseListing(String listing, String fenceName, String target) throws FirewallException {
        String tag = Fence.TAG_PREFIX + fenceName;
        List<FirewallRule> out = new ArrayList<>();
        for (String line : listing.split("\\R")) {
            if (!line.startsWith("-A INPUT ")) {
                continue;
            }
            List<String> words = words(line, target);
            List<String> spec = words.subList(2, words.size());
            if (!tag.equals(valueOf(spec, "--comment"))) {
                continue;
            }
            String proto = valueOf(spec, "-p");
            String dport = valueOf(spec, "--dport");
            String src = valueOf(spec, "-s");
            String verdict = valueOf(spec, "-j");
            if (!"tcp".equals(proto) || dport == null || !dport.matches("\\d{1,5}") || !"REJECT".equals(verdict)) {
                throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                        "a rule tagged " + tag + " is not a TCP port REJECT rule drctl would write: " + line);
            }
            Cidr source;
            try {
                source = Cidr.parse(src == null ? "0.0.0.0/0" : src);
            } catch (IllegalArgumentException e) {
                throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                        "cannot read the source of rule tagged " + tag + ": " + line, e);
            }
            StringBuilder ref = new StringBuilder();
            for (String w : spec) {
                ref.append(ref.length() == 0 ? "" : " ").append(Shell.quote(w));
            }
            out.add(new FirewallRule(fenceName, Fence.Protocol.TCP, Integer.parseInt(dport), source, ref.toString()));
        }
        return out;
    }

    private static String valueOf(List<String> spec, String option) {
        for (int i = 0; i + 1 < spec.size(); i++) {
            if (spec.get(i).equals(option)) {
                return spec.get(i + 1);
            }
        }
        return null;
    }

    /** Splits one {@code iptables -S} line into words; double-quoted words (comments) may hold spaces and \" escapes. */
    static List<String> words(String line, String target) throws FirewallException {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inQuotes = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (inQuotes) {
                if (ch == '\\' && i + 1 < line.length()) {
                    w.append(line.charAt(++i));
                } else if (ch == '"') {
                    inQuotes = false;
                } else {
                    w.append(ch);
                }
            } else if (ch == '"') {
                inQuotes = true;
                any = true;
            } else if (ch == ' ') {
                if (any) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(ch);
                any = true;
            }
        }
        if (inQuotes) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target, "unbalanced quote in: " + line);
        }
        if (any) {
            out.add(w.toString());
        }
        return out;
    }
}
