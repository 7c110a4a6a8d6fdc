package io.drctl.firewall;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fences with nft in a table of drctl's own, {@code table inet drctl}, whose {@code input} chain is
 * hooked at {@code priority filter} with policy accept (it only ever rejects). Each rule:
 * <pre>ip saddr CIDR tcp dport P counter reject with tcp reset comment "drctl:fence:NAME"</pre>
 * ({@code ip6 saddr} for IPv6). Missing rules are added in one atomic nft transaction; removal deletes
 * tagged rules by handle, and the table is dropped once no rule of any fence is left in it. Rules of
 * other tables are never read or changed. See {@link IptablesBackend} for why {@code tcp reset}.
 */
public final class NftablesBackend implements FirewallBackend {

    /** drctl's table (family inet: one rule set for IPv4 and IPv6). */
    public static final String TABLE = "inet drctl";
    public static final String CHAIN = "input";

    private static final Pattern RULE = Pattern.compile(
            "^\\s*(ip|ip6) saddr (\\S+) (tcp) dport (\\d{1,5})(?: counter packets \\d+ bytes \\d+)? reject with tcp reset"
                    + " comment \"([^\"]*)\" # handle (\\d+)\\s*$");
    private static final Pattern ANY_RULE_LINE = Pattern.compile("^\\s*+(?!chain |table |type |policy ).*# handle \\d+\\s*$");
    private static final Pattern TABLE_LINE = Pattern.compile("(?m)^table inet drctl\\s*(\\{\\s*)?$");

    private final HostCommands cmd;

    public NftablesBackend(CommandRunner runner) {
        this(runner, Duration.ofSeconds(30));
    }

    public NftablesBackend(CommandRunner runner, Duration timeout) {
        this.cmd = new HostCommands(runner, timeout, "nft");
    }

    @Override
    public BackendKind kind() {
        return BackendKind.NFTABLES;
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
        return FenceProbe.of(fence, listTagged(fence.name(), readTable()));
    }

    @Override
    public FenceChange apply(Fence fence, LockoutGuard guard) throws FirewallException {
        guard.check(fence, cmd.target());
        FenceProbe before = probe(fence);
        if (!before.missing().isEmpty()) {
            StringBuilder script = new StringBuilder("add table " + TABLE + "; add chain " + TABLE + " " + CHAIN
                    + " { type filter hook input priority filter; policy accept; }");
            for (Cidr c : before.missing()) {
                script.append("; add rule ").append(TABLE).append(' ').append(CHAIN).append(' ').append(ruleBody(fence, c));
            }
            cmd.require("nft " + Shell.quote(script.toString()), "adding " + fence.tag() + " " + before.missing());
        }
        FenceProbe after = probe(fence);
        if (!after.isFenced()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(),
                    "after adding " + fence + " the listing still lacks " + after.missing());
        }
        List<FirewallRule> added = after.present().stream().filter(r -> !before.present().contains(r)).toList();
        return new FenceChange(fence, FenceChange.Verb.FENCE, added, List.of(), before.present(), FencePersistence.unknown("not read"));
    }

    @Override
    public FenceChange remove(Fence fence, RemovalJournal journal) throws FirewallException {
        String table = readTable();
        List<FirewallRule> tagged = listTagged(fence.name(), table);
        if (!tagged.isEmpty()) {
            StringBuilder script = new StringBuilder();
            for (FirewallRule r : tagged) {
                script.append(script.length() == 0 ? "" : "; ").append("delete rule ").append(TABLE).append(' ')
                        .append(CHAIN).append(" handle ").append(r.ref());
            }
            cmd.require("nft " + Shell.quote(script.toString()), "removing " + fence.tag() + " rules");
        }
        String left = readTable();
        if (!listTagged(fence.name(), left).isEmpty()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(),
                    "after removing " + fence.tag() + " rules are still listed");
        }
        if (left != null && countRules(left) == 0) {
            cmd.require("nft " + Shell.quote("delete table " + TABLE), "dropping the now empty table " + TABLE);
        }
        return new FenceChange(fence, FenceChange.Verb.UNFENCE, List.of(), tagged, List.of(), FencePersistence.unknown("not read"));
    }

    /** The rule body after {@code add rule inet drctl input}. */
    static String ruleBody(Fence fence, Cidr c) {
        return (c.isIpv6() ? "ip6" : "ip") + " saddr " + c + " " + fence.protocol().keyword() + " dport " + fence.port()
                + " counter reject with tcp reset comment \"" + fence.tag() + "\"";
    }

    /** {@code nft -a list table inet drctl}, or null when the table does not exist. */
    private String readTable() throws FirewallException {
        CommandResult tables = cmd.require("nft list tables", "listing nft tables");
        if (!TABLE_LINE.matcher(tables.stdout()).find()) {
            return null;
        }
        return cmd.require("nft -a list table " + TABLE, "listing table " + TABLE).stdout();
    }

    /** Rules of {@code table} tagged exactly {@code drctl:fence:<fenceName>}; ref = nft handle. */
    static List<FirewallRule> parseTable(String table, String fenceName, String target) throws FirewallException {
        List<FirewallRule> out = new ArrayList<>();
        if (table == null) {
            return out;
        }
        String tag = Fence.TAG_PREFIX + fenceName;
        for (String line : table.split("\\R")) {
            if (!line.contains("comment \"" + tag + "\"")) {
                continue;
            }
            Matcher m = RULE.matcher(line);
            if (!m.matches()) {
                throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                        "a rule tagged " + tag + " is not a rule drctl would write: " + line.strip());
            }
            if (!m.group(5).equals(tag)) {
                continue;
            }
            Cidr source;
            try {
                source = Cidr.parse(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                        "cannot read the source of rule tagged " + tag + ": " + line.strip(), e);
            }
            if (source.isIpv6() != m.group(1).equals("ip6")) {
                throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target, "address family mismatch: " + line.strip());
            }
            out.add(new FirewallRule(fenceName, Fence.Protocol.TCP, Integer.parseInt(m.group(4)), source, m.group(6)));
        }
        return out;
    }

    private List<FirewallRule> listTagged(String fenceName, String table) throws FirewallException {
        return parseTable(table, fenceName, cmd.target());
    }

    /** Number of rules (of any fence, or hand-made) in the listed table. */
    static int countRules(String table) {
        int n = 0;
        for (String line : table.split("\\R")) {
            if (ANY_RULE_LINE.matcher(line).matches()) {
                n++;
            }
        }
        return n;
    }
}
