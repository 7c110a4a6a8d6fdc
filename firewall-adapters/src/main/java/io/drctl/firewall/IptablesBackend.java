package io.drctl.firewall;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Fences with iptables (IPv4 sources) and ip6tables (IPv6 sources) in the filter table's INPUT chain:
 * <pre>-p tcp -s CIDR --dport P -m comment --comment "drctl:fence:NAME" -j REJECT --reject-with tcp-reset</pre>
 *
 * <p>{@code tcp-reset} rather than the default icmp-port-unreachable: a RST is the same answer a closed
 * port gives, every TCP stack (Windows included, which ignores ICMP errors on connect and waits ~21 s)
 * fails the connect at once, and it is not subject to the kernel's ICMP rate limit, so a burst of
 * reconnecting clients all get a prompt refusal.
 *
 * <p>A fence is judged by effect ({@link IptablesRuleset}): the whole filter table is listed with
 * {@code iptables -S}, and every rule reachable from INPUT that rejects or drops the port from a source
 * counts, tagged or not. Fencing inserts drctl's rules first in INPUT (ahead of any ACCEPT, e.g. an
 * ESTABLISHED,RELATED one), never twice ({@code -C} first), then cuts the sources' live connections with
 * {@code conntrack -D} where the tool exists. Unfencing deletes every blocking rule, whoever wrote it, with
 * {@code -D} and the specification exactly as listed; {@link #restore} re-inserts such rules verbatim at
 * their listed positions.
 *
 * <p>Persistence: after every change the rules are saved with {@code iptables-save}/{@code ip6tables-save}
 * (atomically: write, then rename) to the first {@link Persistence} candidate whose files exist on the host
 * (netfilter-persistent's {@code /etc/iptables/rules.v4}, iptables-services' {@code /etc/sysconfig/iptables});
 * a host with neither is reported as not persisting (a reboot would lose the fence).
 */
public final class IptablesBackend extends LinuxFirewallBackend {

    /** Where new rules go in INPUT: inserted first (wins over earlier ACCEPTs; the default) or appended. */
    public enum Position { APPEND, INSERT_FIRST }

    /**
     * Boot-time rules files written with {@code iptables-save}/{@code ip6tables-save} after a change, used when
     * they exist on the host.
     *
     * @param v4File absolute path for the IPv4 rules
     * @param v6File absolute path for the IPv6 rules
     */
    public record Persistence(String v4File, String v6File) {
        /** Debian/Ubuntu iptables-persistent / netfilter-persistent. */
        public static final Persistence DEBIAN = new Persistence("/etc/iptables/rules.v4", "/etc/iptables/rules.v6");
        /** RHEL/CentOS/Rocky iptables-services. */
        public static final Persistence RHEL = new Persistence("/etc/sysconfig/iptables", "/etc/sysconfig/ip6tables");
        /** What a host may use, in the order looked for. */
        public static final List<Persistence> KNOWN = List.of(DEBIAN, RHEL);

        public Persistence {
            BootFiles.requireSafe("a rules file", v4File, v6File);
        }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Position position;
    private final IptablesPersistence persistence;

    /** Inserts rules first, persists where the host does ({@link Persistence#KNOWN}), 30 s per command. */
    public IptablesBackend(CommandRunner runner) {
        this(runner, Position.INSERT_FIRST, Persistence.KNOWN, DEFAULT_TIMEOUT);
    }

    /**
     * @param persistence candidates, in order; the first whose IPv4 or IPv6 file exists on the host is used, none: never persist
     */
    public IptablesBackend(CommandRunner runner, Position position, List<Persistence> persistence, Duration timeout) {
        super(runner, timeout, "iptables");
        this.position = Objects.requireNonNull(position, "position");
        this.persistence = new IptablesPersistence(cmd, persistence);
    }

    @Override
    public BackendKind kind() {
        return BackendKind.IPTABLES;
    }

    /** Both families' live rule sets as listed, and the persisted files as read (null: none). */
    private record Live(IptablesRuleset v4, IptablesRuleset v6, IptablesPersistence.SavedFiles saved) {
        IptablesRuleset of(String family) {
            return family.equals("ipv6") ? v6 : v4;
        }
    }

    /**
     * Runs {@code first} (each must exit 0, checked in order; {@code doing} names what they do), then lists both
     * families' rules and reads the persisted files: all in one round trip ({@link io.drctl.host.Batch}).
     */
    private Live listLive(Fence fence, List<String> first, java.util.function.Function<String, String> doing,
                          List<CommandResult> firstResults) throws FirewallException {
        List<String> all = new ArrayList<>(first);
        all.add("iptables -w -S");
        all.add("ip6tables -w -S");
        persistence.readCommand().ifPresent(all::add);
        List<CommandResult> r = cmd.runAll(all, "listing iptables rules for " + fence.tag());
        for (int i = 0; i < first.size(); i++) {
            if (!r.get(i).succeeded()) {
                throw cmd.failure(r.get(i), doing.apply(first.get(i)));
            }
            firstResults.add(r.get(i));
        }
        CommandResult v4 = r.get(first.size());
        CommandResult v6 = r.get(first.size() + 1);
        if (!v4.succeeded()) {
            throw cmd.failure(v4, "listing iptables rules for " + fence.tag());
        }
        // a host without IPv6 (ip6tables failing while iptables works) must not break a fence without IPv6 sources
        if (!v6.succeeded() && !fence.ipv6Sources().isEmpty()) {
            throw cmd.failure(v6, "listing ip6tables rules for " + fence.tag());
        }
        IptablesPersistence.SavedFiles saved = persistence.parse(r.size() > first.size() + 2
                ? java.util.Optional.of(r.get(first.size() + 2)) : java.util.Optional.empty());
        return new Live(IptablesRuleset.parse(v4.stdout(), false, cmd.target()),
                IptablesRuleset.parse(v6.succeeded() ? v6.stdout() : "", true, cmd.target()), saved);
    }

    private Live listLive(Fence fence) throws FirewallException {
        return listLive(fence, List.of(), c -> "", new ArrayList<>());
    }

    @Override
    public FenceProbe probe(Fence fence) throws FirewallException {
        return probe(fence, listLive(fence));
    }

    private FenceProbe probe(Fence fence, Live live) throws FirewallException {
        IptablesRuleset.Found f4 = live.v4().analyze(fence.ipv4Sources(), fence.port(), fence.tag(), "ipv4");
        IptablesRuleset.Found f6 = live.v6().analyze(fence.ipv6Sources(), fence.port(), fence.tag(), "ipv6");
        List<BlockingRule> blocking = new ArrayList<>(f4.blocking());
        blocking.addAll(f6.blocking());
        List<BlockingRule> also = new ArrayList<>(f4.alsoBlocking());
        also.addAll(f6.alsoBlocking());
        List<FirewallRule> tagged = new ArrayList<>();
        for (BlockingRule t : concat(f4.tagged(), f6.tagged())) {
            FirewallRule r = IptablesRuleText.parseTagged(t.text(), t.family().equals("ipv6"), fence.name(), cmd.target());
            boolean shadowed = blocking.stream().anyMatch(b -> b.sameRule(t) && !b.effective());
            tagged.add(shadowed ? new FirewallRule(r.fenceName(), r.protocol(), r.port(), r.source(), r.ref(), false) : r);
        }
        return FenceProbe.of(fence, tagged, blocking, also, persistence.analyse(fence, live.saved()));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * Runs the after-change commands (conntrack cut, persistence saves), then lists again: one round trip.
     *
     * @param cut whether to cut the sources' live connections; its note is added to {@code notes}
     */
    private FenceProbe finish(Fence fence, Live before, boolean persist, boolean cut, String withoutConntrack,
                              List<String> notes) throws FirewallException {
        List<String> first = new ArrayList<>();
        if (cut) {
            first.add(HostCommands.cutConnectionsCommand(fence));
        }
        if (persist) {
            first.addAll(persistence.saveCommands(before.saved()));
        }
        List<CommandResult> results = new ArrayList<>();
        Live after = listLive(fence, first, c -> c.startsWith("if command -v conntrack")
                ? "cutting live connections from " + fence.sources() : IptablesPersistence.saving(c), results);
        if (cut) {
            notes.add(HostCommands.cutNote(results.get(0), withoutConntrack));
        }
        return probe(fence, after);
    }

    @Override
    public FenceChange apply(Fence fence, LockoutGuard guard) throws FirewallException {
        guard.check(fence, cmd.target());
        Live live = listLive(fence);
        FenceProbe before = probe(fence, live);
        List<Cidr> todo = before.unblocked();
        // one round trip: a drctl rule behind an ACCEPT lists but does not block, so it is taken out (to go first);
        // then for every missing source -C, and -I (or -A) only when -C does not find the rule (exit 1), in one shell
        // command: a rule that appeared since the probe is never added twice
        String add = position == Position.APPEND ? " -w -A INPUT " : " -w -I INPUT 1 ";
        List<String> commands = new ArrayList<>();
        List<String> doing = new ArrayList<>();
        for (FirewallRule r : before.tagged()) {
            if (!r.active() && todo.contains(r.source())) {
                commands.add(IptablesRuleText.binary(r.source()) + " -w -D INPUT " + r.ref());
                doing.add("moving shadowed " + fence.tag() + " " + r.source());
            }
        }
        int moves = commands.size();
        for (Cidr c : todo) {
            String spec = IptablesRuleText.ruleSpec(fence, c);
            String bin = IptablesRuleText.binary(c);
            commands.add(Shell.onExit(bin + " -w -C INPUT " + spec, 1, bin + add + spec));
            doing.add("adding " + fence.tag() + " " + c + " (unless present)");
        }
        List<CommandResult> results = cmd.runAll(commands, "adding iptables rules for " + fence.tag());
        for (int i = 0; i < results.size(); i++) {
            int exit = results.get(i).exitCode();
            boolean ok = i < moves ? exit == 0 || exit == 1 : exit == 0; // a move's 1: already gone (removed concurrently)
            if (!ok) {
                throw cmd.failure(results.get(i), doing.get(i));
            }
        }
        List<String> notes = new ArrayList<>();
        boolean persist = !todo.isEmpty() || !before.persistence().survivesReboot(fence, true);
        FenceProbe after = finish(fence, live, persist, !todo.isEmpty(),
                "connections opened before the fence end at their next packet (the rule is first in INPUT)", notes)
                .requireBlocked(cmd.target());
        return new FenceChange(fence, FenceChange.Verb.FENCE, after.addedSince(before), List.of(), before.present(), List.of(), after.persistence(), notes);
    }

    @Override
    public FenceChange remove(Fence fence, RemovalJournal journal) throws FirewallException {
        Live live = listLive(fence);
        FenceProbe before = probe(fence, live);
        List<BlockingRule> doomed = new ArrayList<>(before.blocking());
        for (String family : List.of("ipv4", "ipv6")) {
            List<Cidr> none = List.of();
            for (BlockingRule t : live.of(family).analyze(none, fence.port(), fence.tag(), family).tagged()) {
                if (doomed.stream().noneMatch(d -> d.sameRule(t) && d.position() == t.position())) {
                    doomed.add(t);
                }
            }
        }
        if (!doomed.isEmpty()) {
            journal.aboutToRemove(doomed);
        }
        List<String> deletes = new ArrayList<>();
        for (BlockingRule r : doomed) {
            String bin = r.family().equals("ipv6") ? "ip6tables" : "iptables";
            deletes.add(bin + " -w -D " + r.chain() + " " + IptablesRuleText.specOf(r.text()));
        }
        List<CommandResult> results = cmd.runAll(deletes, "removing iptables rules for " + fence.tag());
        List<BlockingRule> removed = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            CommandResult del = results.get(i);
            if (del.exitCode() == 0) {
                removed.add(doomed.get(i));
            } else if (del.exitCode() != 1) { // 1: already gone (removed concurrently)
                throw cmd.failure(del, "removing " + doomed.get(i).text());
            }
        }
        boolean persist = !removed.isEmpty() || !before.persistence().survivesReboot(fence, false);
        FenceProbe after = finish(fence, live, persist, false, "", new ArrayList<>()).requireOpen(cmd.target());
        List<FirewallRule> removedTagged = before.tagged().stream()
                .filter(t -> removed.stream().anyMatch(r -> r.origin() == BlockingRule.Origin.DRCTL && IptablesRuleText.specOf(r.text()).equals(t.ref()))).toList();
        return new FenceChange(fence, FenceChange.Verb.UNFENCE, List.of(), removedTagged, List.of(), removed, after.persistence(), List.of());
    }

    @Override
    public FenceChange restore(Fence fence, List<BlockingRule> rules) throws FirewallException {
        Live live = listLive(fence);
        List<BlockingRule> sorted = rules.stream()
                .sorted(Comparator.comparing(BlockingRule::family).thenComparing(BlockingRule::chain)
                        .thenComparingInt(BlockingRule::position)).toList();
        List<BlockingRule> restored = new ArrayList<>();
        List<String> inserts = new ArrayList<>();
        Map<String, List<String>> chains = new HashMap<>();
        for (BlockingRule r : sorted) {
            if (!r.backend().equals("iptables")) {
                throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, cmd.target(),
                        "cannot restore a " + r.backend() + " rule with iptables: " + r.text());
            }
            List<String> lines = chains.computeIfAbsent(r.family() + " " + r.chain(),
                    k -> new ArrayList<>(live.of(r.family()).chain(r.chain()).stream().map(IptablesRuleset.Rule::line).toList()));
            if (r.position() <= lines.size() && lines.get(r.position() - 1).equals(r.text())) {
                continue; // already back where it was
            }
            int pos = Math.min(r.position(), lines.size() + 1);
            String bin = r.family().equals("ipv6") ? "ip6tables" : "iptables";
            inserts.add(bin + " -w -I " + r.chain() + " " + pos + " " + IptablesRuleText.specOf(r.text()));
            lines.add(pos - 1, r.text());
            restored.add(r);
        }
        // in order: each insert's position counts the ones before it
        List<CommandResult> results = cmd.runAll(inserts, "restoring iptables rules for " + fence.tag());
        for (int i = 0; i < results.size(); i++) {
            if (!results.get(i).succeeded()) {
                throw cmd.failure(results.get(i), "restoring " + restored.get(i).text());
            }
        }
        // a restored rule fences again: connections opened meanwhile would live on behind an ESTABLISHED accept
        List<String> notes = new ArrayList<>();
        FenceProbe after = finish(fence, live, !restored.isEmpty(), !restored.isEmpty(),
                "connections opened meanwhile end at their next packet only where no ESTABLISHED accept comes first", notes);
        return new FenceChange(fence, FenceChange.Verb.RESTORE, List.of(), List.of(), List.of(), restored, after.persistence(), notes);
    }

}
