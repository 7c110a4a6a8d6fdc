package io.drctl.firewall;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One family's filter table as {@code iptables -S} or {@code iptables-save} lists it, and the analysis
 * "which rules block TCP port P from source S". A rule blocks when it is reachable from INPUT (directly,
 * or in a chain INPUT jumps to, with the jump's own source/port/protocol conditions carried in), its
 * target is REJECT or DROP, its protocol is TCP (or unspecified), its destination port ({@code --dport},
 * a range {@code A:B}, or {@code -m multiport --dports}) contains P, its source overlaps S, it has no
 * negation ({@code !}) and, if it matches on connection state, the state includes NEW. A rule with all
 * that but no port blocks every port: it is reported ("also blocking") but is not a fence of this port.
 * A blocking rule is shadowed (not effective) when an earlier ACCEPT that can admit new connections from
 * its source to P is reached first (ESTABLISHED/RELATED-only and loopback ACCEPTs do not count).
 */
final class IptablesRuleset {

    /** One {@code -A CHAIN ...} line. */
    record Rule(String chain, int position, String line, List<String> spec) {
        String opt(String name) {
            for (int i = 0; i + 1 < spec.size(); i++) {
                if (spec.get(i).equals(name)) {
                    return spec.get(i + 1);
                }
            }
            return null;
        }

        boolean negated() {
            return spec.contains("!");
        }

        String target() {
            String j = opt("-j");
            return j != null ? j : opt("-g");
        }
    }

    /** What the analysis found. */
    record Found(List<BlockingRule> blocking, List<BlockingRule> alsoBlocking, List<BlockingRule> tagged) {
    }

    private static final Set<String> BUILTIN_TARGETS = Set.of("ACCEPT", "DROP", "REJECT", "RETURN", "LOG", "QUEUE", "NFQUEUE",
            "MARK", "CONNMARK", "NFLOG", "AUDIT", "TRACE", "CT", "NOTRACK", "CLASSIFY", "DSCP", "TCPMSS", "SET", "CHECKSUM");
    private static final int MAX_DEPTH = 16;

    private final boolean ipv6;
    private final Map<String, List<Rule>> chains = new LinkedHashMap<>();

    private IptablesRuleset(boolean ipv6) {
        this.ipv6 = ipv6;
    }

    /**
     * Parses {@code iptables -S} output, or an {@code iptables-save} file (only its {@code *filter} section).
     *
     * @throws FirewallException UNEXPECTED_OUTPUT on an unbalanced quote
     */
    static IptablesRuleset parse(String listing, boolean ipv6, String target) throws FirewallException {
        IptablesRuleset rs = new IptablesRuleset(ipv6);
        boolean saveFormat = listing.lines().anyMatch(l -> l.startsWith("*"));
        boolean inFilter = !saveFormat;
        for (String line : listing.split("\\R")) {
            if (saveFormat && line.startsWith("*")) {
                inFilter = line.equals("*filter");
                continue;
            }
            if (!inFilter) {
                continue;
            }
            if (line.startsWith("-N ")) {
                rs.chains.computeIfAbsent(line.substring(3).strip(), k -> new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                List<String> words = IptablesRuleText.words(line, target);
                if (words.size() < 2) {
                    continue;
                }
                List<Rule> chain = rs.chains.computeIfAbsent(words.get(1), k -> new ArrayList<>());
                chain.add(new Rule(words.get(1), chain.size() + 1, line, List.copyOf(words.subList(2, words.size()))));
            }
        }
        return rs;
    }

    List<Rule> chain(String name) {
        return chains.getOrDefault(name, List.of());
    }

    /** The conditions a jump puts on every rule of the chain it jumps to. */
    private record Context(Cidr source, PortMatch port, int depth) {
    }

    /** A destination-port condition: any port, or these ranges. */
    private record PortMatch(List<int[]> ranges) {
        static final PortMatch ANY = new PortMatch(null);

        boolean any() {
            return ranges == null;
        }

        boolean contains(int port) {
            return ranges == null || ranges.stream().anyMatch(r -> r[0] <= port && port <= r[1]);
        }

        static PortMatch of(Rule r) {
            String d = r.opt("--dport") != null ? r.opt("--dport") : r.opt("--destination-port");
            String ds = r.opt("--dports") != null ? r.opt("--dports") : r.opt("--destination-ports");
            String v = d != null ? d : ds;
            if (v == null) {
                return ANY;
            }
            List<int[]> out = new ArrayList<>();
            for (String part : v.split(",")) {
                String[] ab = part.split(":", -1);
                try {
                    int a = ab[0].isEmpty() ? 0 : Integer.parseInt(ab[0]);
                    int b = ab.length == 1 ? a : ab[1].isEmpty() ? 65535 : Integer.parseInt(ab[1]);
                    out.add(new int[] {a, b});
                } catch (NumberFormatException e) {
                    out.add(new int[] {0, 65535}); // a service name: assume it may match (conservative for shadowing)
                }
            }
            return new PortMatch(out);
        }
    }

    /**
     * The rules blocking {@code port} from (part of) any of {@code sources}, with origin by {@code tag}, and every
     * INPUT rule carrying {@code tag}.
     */
    Found analyze(List<Cidr> sources, int port, String tag, String family) {
        List<BlockingRule> blocking = new ArrayList<>();
        List<BlockingRule> also = new ArrayList<>();
        List<BlockingRule> tagged = new ArrayList<>();
        for (Rule r : chain("INPUT")) {
            if (tag.equals(r.opt("--comment"))) {
                tagged.add(toBlocking(r, sourceOf(r), tag, family, true));
            }
        }
        if (!sources.isEmpty()) {
            walk("INPUT", new Context(null, PortMatch.ANY, 0), new ArrayList<>(), sources, port, tag, family, blocking, also);
        }
        return new Found(blocking, also, tagged);
    }

    /** Walks one chain; {@code acceptsBefore} holds the ACCEPT rules already reached (with their effective source). */
    private void walk(String chainName, Context ctx, List<Cidr> acceptsBefore, List<Cidr> sources, int port, String tag,
                      String family, List<BlockingRule> blocking, List<BlockingRule> also) {
        if (ctx.depth() > MAX_DEPTH) {
            return;
        }
        for (Rule r : chain(chainName)) {
            if (!tcpPossible(r)) {
                continue;
            }
            PortMatch pm = PortMatch.of(r);
            if (!pm.contains(port) || !ctx.port().contains(port)) {
                continue;
            }
            Cidr src = effectiveSource(sourceOf(r), ctx.source());
            if (src == null) {
                continue; // the rule's source and the jump's do not overlap: unreachable for this traffic
            }
            String t = r.target();
            if (t == null) {
                continue;
            }
            if (t.equals("ACCEPT")) {
                if (admitsNew(r)) {
                    acceptsBefore.add(r.negated() ? (ipv6 ? Cidr.parse("::/0") : Cidr.parse("0.0.0.0/0")) : src);
                }
                continue;
            }
            if (t.equals("REJECT") || t.equals("DROP")) {
                if (r.negated() || !statesIncludeNew(r) || sources.stream().noneMatch(src::overlaps)) {
                    continue;
                }
                boolean effective = acceptsBefore.stream().noneMatch(src::overlaps);
                boolean portNamed = !pm.any() || !ctx.port().any();
                BlockingRule b = toBlocking(r, src, tag, family, effective);
                (portNamed ? blocking : also).add(b);
                continue;
            }
            if (!BUILTIN_TARGETS.contains(t) && chains.containsKey(t) && !r.negated()) {
                PortMatch inherited = pm.any() ? ctx.port() : pm;
                walk(t, new Context(src, inherited, ctx.depth() + 1), acceptsBefore, sources, port, tag, family, blocking, also);
            }
        }
    }

    private BlockingRule toBlocking(Rule r, Cidr src, String tag, String family, boolean effective) {
        BlockingRule.Origin o = tag.equals(r.opt("--comment")) ? BlockingRule.Origin.DRCTL : BlockingRule.Origin.FOREIGN;
        return new BlockingRule("iptables", family, "filter", r.chain(), r.position(), r.line(), src, o, effective);
    }

    private Cidr sourceOf(Rule r) {
        String s = r.opt("-s") != null ? r.opt("-s") : r.opt("--source");
        if (s == null) {
            return Cidr.parse(ipv6 ? "::/0" : "0.0.0.0/0");
        }
        try {
            return Cidr.parse(s);
        } catch (IllegalArgumentException e) {
            return Cidr.parse(ipv6 ? "::/0" : "0.0.0.0/0"); // a name iptables could not print numerically: assume it may match
        }
    }

    /** The narrower of a rule's source and the jump's, or null when they do not overlap. */
    private static Cidr effectiveSource(Cidr own, Cidr inherited) {
        if (inherited == null) {
            return own;
        }
        if (!own.overlaps(inherited)) {
            return null;
        }
        return own.prefix() >= inherited.prefix() ? own : inherited;
    }

    private static boolean tcpPossible(Rule r) {
        String p = r.opt("-p") != null ? r.opt("-p") : r.opt("--protocol");
        return p == null || Set.of("tcp", "6", "all", "0").contains(p.toLowerCase(Locale.ROOT));
    }

    private static boolean statesIncludeNew(Rule r) {
        String s = r.opt("--state") != null ? r.opt("--state") : r.opt("--ctstate");
        return s == null || List.of(s.split(",")).contains("NEW");
    }

    /** An ACCEPT that can let a new connection in: not loopback-only, not ESTABLISHED/RELATED-only. */
    private static boolean admitsNew(Rule r) {
        String in = r.opt("-i") != null ? r.opt("-i") : r.opt("--in-interface");
        if ("lo".equals(in) && !r.negated()) {
            return false;
        }
        return r.negated() || statesIncludeNew(r);
    }
}
