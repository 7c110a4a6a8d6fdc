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
import java.util.regex.Pattern;

/**
 * Fences with nft, judged by effect ({@link NftRuleset}): the whole ruleset is read, and every rule of any
 * {@code ip}/{@code ip6}/{@code inet} table reachable from an input-hooked base chain that drops or rejects the port
 * from a source counts, whoever wrote it.
 *
 * <p>drctl's own rules live in {@code table inet drctl}, chain {@code input}, hooked at {@code priority filter - 10}:
 * <pre>ip saddr CIDR tcp dport P counter reject with tcp reset comment "drctl:fence:NAME"</pre>
 * ({@code ip6 saddr} for IPv6). In nftables a reject in any base chain is final while an accept only ends its own
 * base chain, so this chain blocks whatever other tables accept; running before {@code filter} also means it is not
 * even reached second. A chain made by an older drctl at {@code priority filter} is kept (nft cannot change a base
 * chain's priority in place) and works the same. Fencing adds only what no rule blocks yet, in one nft transaction,
 * then cuts the sources' tracked connections with {@code conntrack -D} where the tool exists (without it a held
 * connection is still cut at its next packet: drctl's rule matches every packet, not only new ones). See
 * {@link IptablesBackend} for why {@code tcp reset}.
 *
 * <p>Unfencing deletes every blocking rule, whoever wrote it, by {@code delete rule <family> <table> <chain> handle N},
 * all in one transaction, after the {@link RemovalJournal} got their exact text; the drctl table is dropped once empty.
 * {@link #restore} puts a removed rule back "verbatim": its text as {@code nft -a list ruleset} printed it (counter
 * values included) is added again to the same table and chain at its listed position ({@code insert rule ... position H}
 * before the rule now at that position, or appended); nft prints it back identically. Only the handle is new: the
 * kernel assigns handles and never reuses one.
 *
 * <p>Reading: {@code nft -j list ruleset} says what each rule matches; {@code nft -a list ruleset}, read in the same
 * command and joined by handle, gives the exact text. JSON rather than parsing nft's text grammar: sets, prefixes,
 * ranges, protocol and verdict come typed, whatever order or spelling the text uses.
 *
 * <p>Persistence: when the host has {@code /etc/nftables.conf} (Debian's nftables.service loads it at boot;
 * {@code /etc/sysconfig/nftables.conf} on RHEL), drctl writes its table to a file of its own
 * ({@code /etc/nftables.d/drctl.nft}, starting with {@code add table}/{@code delete table} so loading it twice is
 * harmless) and adds one {@code include} line for it to the end of the host's file if it is not there yet. That is the
 * least invasive choice: the operator's file, with its comments, variables and includes, is never rewritten. What
 * a reboot would bring is read, not guessed: the host file is loaded in a throw-away network namespace
 * ({@code unshare -n nft -f}) and analysed like the live ruleset. So a hand-made rule that lives in the operator's file
 * and was removed by an unfence is reported as coming back at reboot, not silently edited out of that file.
 */
public final class NftablesBackend extends LinuxFirewallBackend {

    /** drctl's table (family inet: one rule set for IPv4 and IPv6). */
    public static final String TABLE = "inet drctl";
    public static final String CHAIN = "input";
    /** Ahead of every chain at the {@code filter} priority. */
    public static final String PRIORITY = "filter - 10";
    static final int PRIORITY_VALUE = -10;

    /**
     * Where the host loads its ruleset at boot, and the file of drctl's own that it is made to include.
     *
     * @param confFile    the host's boot-time ruleset ({@code nft -f} at boot)
     * @param includeFile drctl's table, included from {@code confFile}
     */
    public record Persistence(String confFile, String includeFile) {
        /** Debian/Ubuntu nftables.service. */
        public static final Persistence DEBIAN = new Persistence("/etc/nftables.conf", "/etc/nftables.d/drctl.nft");
        /** RHEL/Rocky nftables.service. */
        public static final Persistence RHEL = new Persistence("/etc/sysconfig/nftables.conf", "/etc/nftables/drctl.nft");
        /** What a host may use, in the order looked for. */
        public static final List<Persistence> KNOWN = List.of(DEBIAN, RHEL);

        public Persistence {
            BootFiles.requireSafe("an nft file", confFile, includeFile);
        }
    }

    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");

    private final NftPersistence persistence;

    /** Persists where the host does ({@link Persistence#KNOWN}), 30 s per command. */
    public NftablesBackend(CommandRunner runner) {
        this(runner, Persistence.KNOWN, Duration.ofSeconds(30));
    }

    /**
     * @param persistence candidates, in order; the first whose {@code confFile} exists on the host is used; none: never persist
     */
    public NftablesBackend(CommandRunner runner, List<Persistence> persistence, Duration timeout) {
        super(runner, timeout, "nft");
        this.persistence = new NftPersistence(cmd, persistence);
    }

    @Override
    public BackendKind kind() {
        return BackendKind.NFTABLES;
    }

    // ---- listing ----

    private NftRuleset list(String doing) throws FirewallException {
        try {
            return listOnce(doing);
        } catch (FirewallException e) {
            if (e.kind() != FirewallException.Kind.UNEXPECTED_OUTPUT) {
                throw e;
            }
            return listOnce(doing); // the ruleset changed between the JSON and the text listing: once more
        }
    }

    private NftRuleset listOnce(String doing) throws FirewallException {
        CommandResult r = cmd.require(NftRuleset.listCommand(), doing);
        return NftRuleset.parseListing(r.stdout(), cmd.target());
    }

    @Override
    public FenceProbe probe(Fence fence) throws FirewallException {
        return probe(fence, list("listing the nft ruleset for " + fence.tag()), persistence.read(fence));
    }

    private FenceProbe probe(Fence fence, NftRuleset rs, FencePersistence p) throws FirewallException {
        NftRuleset.Found f = rs.analyze(fence.sources(), fence.port(), fence.tag());
        List<FirewallRule> tagged = new ArrayList<>();
        for (NftRuleset.Rule r : drctlRules(rs, fence)) {
            FirewallRule t = NftRuleText.parseTagged(r.text() + " # handle " + r.handle(), fence.name(), cmd.target());
            boolean shadowed = f.blocking().stream().anyMatch(b -> isRule(b, r) && !b.effective());
            tagged.add(shadowed ? new FirewallRule(t.fenceName(), t.protocol(), t.port(), t.source(), t.ref(), false) : t);
        }
        return FenceProbe.of(fence, tagged, f.blocking(), f.alsoBlocking(), p);
    }

    /** The rules tagged with this fence in drctl's table. */
    private static List<NftRuleset.Rule> drctlRules(NftRuleset rs, Fence fence) {
        return rs.commented(fence.tag()).stream().filter(r -> (r.family() + " " + r.table()).equals(TABLE)).toList();
    }

    private static boolean isRule(BlockingRule b, NftRuleset.Rule r) {
        return b.family().equals(r.family()) && b.table().equals(r.table()) && b.chain().equals(r.chain()) && b.handle() == r.handle();
    }

    // ---- apply ----

    @Override
    public FenceChange apply(Fence fence, LockoutGuard guard) throws FirewallException {
        guard.check(fence, cmd.target());
        NftRuleset rs = list("listing the nft ruleset for " + fence.tag());
        FenceProbe before = probe(fence, rs, persistence.read(fence));
        List<Cidr> todo = before.unblocked();
        List<String> notes = new ArrayList<>();
        if (!todo.isEmpty()) {
            List<String> script = new ArrayList<>();
            NftRuleset.Chain mine = rs.chain("inet", "drctl", CHAIN);
            if (mine == null) {
                script.add("add table " + TABLE);
                script.add("add chain " + TABLE + " " + CHAIN + " { type filter hook input priority " + PRIORITY + "; policy accept; }");
            } else if (mine.prio() != PRIORITY_VALUE) {
                notes.add("drctl's chain is at priority " + mine.prio() + " (made by an older drctl); its rejects are final all the same");
            }
            // a drctl rule behind an accept in drctl's own chain lists but does not block: replace it by one inserted first
            for (NftRuleset.Rule r : drctlRules(rs, fence)) {
                boolean shadowed = before.blocking().stream().anyMatch(b -> isRule(b, r) && !b.effective() && todo.contains(b.source()));
                if (shadowed) {
                    script.add("delete rule " + TABLE + " " + r.chain() + " handle " + r.handle());
                }
            }
            for (Cidr c : todo) {
                script.add("insert rule " + TABLE + " " + CHAIN + " " + NftRuleText.ruleBody(fence, c));
            }
            cmd.require("nft " + Shell.quote(String.join("; ", script)), "adding " + fence.tag() + " " + todo);
            notes.add(cmd.cutConnections(fence,
                    "connections opened before the fence end at their next packet (drctl's rule rejects every packet from the sources)"));
        }
        boolean persist = !todo.isEmpty() || !before.persistence().survivesReboot(fence, true);
        FencePersistence saved = persist ? persistence.persist(fence) : before.persistence();
        FenceProbe after = probe(fence, list("listing the nft ruleset after adding " + fence.tag()), saved).requireBlocked(cmd.target());
        List<FirewallRule> added = after.addedSince(before);
        return new FenceChange(fence, FenceChange.Verb.FENCE, added, List.of(), before.present(), List.of(), saved, notes);
    }


    // ---- remove ----

    @Override
    public FenceChange remove(Fence fence, RemovalJournal journal) throws FirewallException {
        NftRuleset rs = list("listing the nft ruleset for " + fence.tag());
        FenceProbe before = probe(fence, rs, persistence.read(fence));
        List<BlockingRule> doomed = new ArrayList<>(FenceProbe.distinct(before.blocking()));
        for (NftRuleset.Rule r : drctlRules(rs, fence)) { // stale ones too: other port, other source, shadowed
            if (doomed.stream().noneMatch(d -> isRule(d, r))) {
                FirewallRule t = NftRuleText.parseTagged(r.text() + " # handle " + r.handle(), fence.name(), cmd.target());
                doomed.add(new BlockingRule("nft", r.family(), r.table(), r.chain(), r.position(), r.text(), t.source(),
                        BlockingRule.Origin.DRCTL, t.active(), r.handle()));
            }
        }
        List<BlockingRule> removed = new ArrayList<>();
        if (!doomed.isEmpty()) {
            journal.aboutToRemove(doomed);
            removed.addAll(delete(doomed, fence));
        }
        NftRuleset left = list("listing the nft ruleset after removing " + fence.tag());
        if (left.hasTable("inet", "drctl") && left.chainsOf("inet", "drctl").stream().allMatch(c -> c.rules().isEmpty())) {
            cmd.require("nft " + Shell.quote("delete table " + TABLE), "dropping the now empty table " + TABLE);
            left = list("listing the nft ruleset after dropping " + TABLE);
        }
        FencePersistence saved = removed.isEmpty() && before.persistence().survivesReboot(fence, false) ? before.persistence() : persistence.persist(fence);
        FenceProbe after = probe(fence, left, saved).requireOpen(cmd.target());
        List<FirewallRule> removedTagged = before.tagged().stream()
                .filter(t -> removed.stream().anyMatch(r -> r.origin() == BlockingRule.Origin.DRCTL
                        && (r.family() + " " + r.table()).equals(TABLE) && String.valueOf(r.handle()).equals(t.ref()))).toList();
        return new FenceChange(fence, FenceChange.Verb.UNFENCE, List.of(), removedTagged, List.of(), removed, saved, List.of());
    }

    /**
     * Deletes {@code doomed} by handle in one transaction. A rule deleted meanwhile by someone else fails the whole
     * transaction: then the ruleset is listed again and what is still there (same place, handle and text) is deleted.
     *
     * @return the rules this call deleted
     */
    private List<BlockingRule> delete(List<BlockingRule> doomed, Fence fence) throws FirewallException {
        List<BlockingRule> todo = doomed;
        for (int attempt = 1; ; attempt++) {
            StringBuilder script = new StringBuilder();
            for (BlockingRule r : todo) {
                script.append(script.length() == 0 ? "" : "; ").append("delete rule ").append(r.family()).append(' ')
                        .append(name(r.table())).append(' ').append(name(r.chain())).append(" handle ").append(r.handle());
            }
            CommandResult del = cmd.run("nft " + Shell.quote(script.toString()), "removing the rules blocking " + fence);
            if (del.succeeded()) {
                return todo;
            }
            NftRuleset now = list("listing the nft ruleset for " + fence.tag());
            List<BlockingRule> still = todo.stream().filter(r -> {
                NftRuleset.Chain c = now.chain(r.family(), r.table(), r.chain());
                return c != null && c.rules().stream().anyMatch(x -> x.handle() == r.handle() && x.text().equals(r.text()));
            }).toList();
            if (attempt == 2 || still.size() == todo.size()) {
                throw cmd.failure(del, "removing the rules blocking " + fence);
            }
            if (still.isEmpty()) {
                return List.of();
            }
            todo = still;
        }
    }

    // ---- restore ----

    @Override
    public FenceChange restore(Fence fence, List<BlockingRule> rules) throws FirewallException {
        NftRuleset rs = list("listing the nft ruleset to restore rules of " + fence.tag());
        List<BlockingRule> sorted = FenceProbe.distinct(rules).stream()
                .sorted(Comparator.comparing(BlockingRule::family).thenComparing(BlockingRule::table).thenComparing(BlockingRule::chain)
                        .thenComparingInt(BlockingRule::position)).toList();
        List<String> script = new ArrayList<>();
        Map<String, List<String[]>> chains = new HashMap<>(); // text, handle ("" once restored) per chain, as it will be
        List<BlockingRule> restored = new ArrayList<>();
        for (BlockingRule r : sorted) {
            if (!r.backend().equals("nft")) {
                throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, cmd.target(),
                        "cannot restore a " + r.backend() + " rule with nft: " + r.text());
            }
            String where = r.family() + " " + name(r.table()) + " " + name(r.chain());
            List<String[]> lines = chains.get(where);
            if (lines == null) {
                NftRuleset.Chain c = rs.chain(r.family(), r.table(), r.chain());
                if (c == null && (r.family() + " " + r.table()).equals(TABLE) && r.chain().equals(CHAIN)) {
                    script.add("add table " + TABLE);
                    script.add("add chain " + TABLE + " " + CHAIN + " { type filter hook input priority " + PRIORITY + "; policy accept; }");
                } else if (c == null) {
                    throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, cmd.target(),
                            "cannot restore into " + where + ": the chain no longer exists: " + r.text());
                }
                lines = new ArrayList<>();
                if (c != null) {
                    for (NftRuleset.Rule x : c.rules()) {
                        lines.add(new String[] {x.text(), String.valueOf(x.handle())});
                    }
                }
                chains.put(where, lines);
            }
            int pos = r.position();
            if (pos <= lines.size() && NftRuleset.withoutCounterValues(lines.get(pos - 1)[0]).equals(NftRuleset.withoutCounterValues(r.text()))) {
                continue; // already back where it was
            }
            if (pos <= lines.size()) {
                // rules are restored in ascending position, so the rule now at pos is one that was never removed: its handle is known
                script.add("insert rule " + where + " position " + lines.get(pos - 1)[1] + " " + r.text());
                lines.add(pos - 1, new String[] {r.text(), ""});
            } else {
                script.add("add rule " + where + " " + r.text());
                lines.add(new String[] {r.text(), ""});
            }
            restored.add(r);
        }
        if (!restored.isEmpty()) {
            cmd.require("nft " + Shell.quote(String.join("; ", script)), "restoring " + restored.size() + " rule(s) of " + fence.tag());
        }
        FencePersistence p = restored.isEmpty() ? persistence.read(fence) : persistence.persist(fence);
        // a restored rule fences again: cut what connected meanwhile (an earlier ct-state accept would keep it alive)
        List<String> notes = restored.isEmpty() ? List.of()
                : List.of(cmd.cutConnections(fence, "connections opened meanwhile end at their next packet unless an established accept comes first"));
        return new FenceChange(fence, FenceChange.Verb.RESTORE, List.of(), List.of(), List.of(), restored, p, notes);
    }

    /** A table or chain name as nft reads it: bare when plain, else double-quoted. */
    private String name(String n) throws FirewallException {
        if (NAME.matcher(n).matches()) {
            return n;
        }
        if (n.isEmpty() || n.contains("\"") || n.contains("\n") || n.contains("\\")) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(), "cannot address nft table or chain '" + n + "'");
        }
        return "\"" + n + "\"";
    }
}
