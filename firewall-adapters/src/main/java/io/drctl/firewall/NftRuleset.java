package io.drctl.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host's whole nft ruleset, read from {@code nft -j list ruleset} (what each rule matches, unambiguous) joined
 * by handle with {@code nft -a list ruleset} (each rule's exact text, which is what is journaled and restored), and
 * the analysis "which rules block TCP port P from source S".
 *
 * <p>Every base chain hooked at {@code input} in a table of family {@code ip}, {@code ip6} or {@code inet} is walked,
 * with the chains it jumps or goes to (the jump's own source/port conditions carried in). A rule blocks when its
 * verdict is {@code drop} or {@code reject}; TCP is possible ({@code tcp dport}, {@code th dport}, {@code meta l4proto},
 * {@code ip protocol}/{@code ip6 nexthdr}, or no protocol at all); its destination port (a number, a range, an anonymous
 * or named set) contains P (no port: it blocks every port, reported as "also blocking", not a fence of P); its source
 * ({@code ip saddr}/{@code ip6 saddr}: an address, a prefix, a range, an anonymous {@code { a, b }} or a named
 * {@code @set}) overlaps S; it has no {@code !=}; and a {@code ct state} match, if any, includes {@code new}. Other
 * matches (interfaces, marks...) are assumed to match, as {@link IptablesRuleset} does.
 *
 * <p>nftables semantics decide what shadows: {@code accept} only ends the base chain it is reached from (and the chains
 * that chain jumped to), while {@code drop}/{@code reject} in any base chain is final. So a blocking rule is shadowed
 * (not effective) only by an earlier accept that admits new connections from its source to P in the same base chain's
 * traversal; an accept in another table or another base chain never lets the traffic past it.
 */
final class NftRuleset {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEPTH = 16;
    private static final Pattern TABLE_LINE = Pattern.compile("^table (\\S+) (\\S+) \\{.*$");
    private static final Pattern CHAIN_LINE = Pattern.compile("^\\tchain (\\S+) \\{.*$");
    private static final Pattern RULE_LINE = Pattern.compile("^\\t\\t(\\S.*) # handle (\\d+)$");
    private static final String TEXT_MARK = "drctl-nft: text listing";
    private static final Pattern COUNTER = Pattern.compile("counter packets \\d+ bytes \\d+");

    /** One rule: what it matches (JSON) and how nft prints it. */
    record Rule(String family, String table, String chain, long handle, int position, String comment, JsonNode expr, String text) {
    }

    /** One chain; {@code hook} is null for a regular chain. */
    record Chain(String family, String table, String name, String hook, int prio, List<Rule> rules) {
        boolean base() {
            return hook != null;
        }
    }

    /** What the analysis found. */
    record Found(List<BlockingRule> blocking, List<BlockingRule> alsoBlocking) {
    }

    private final Map<String, Chain> chains = new LinkedHashMap<>();
    private final Map<String, JsonNode> sets = new LinkedHashMap<>();

    private NftRuleset() {
    }

    private static String key(String family, String table, String name) {
        return family + " " + table + " " + name;
    }

    /**
     * Joins {@code nft -j list ruleset} with {@code nft -a list ruleset}.
     *
     * @throws FirewallException UNEXPECTED_OUTPUT when the JSON does not parse, or a rule of one listing is missing from
     *                           the other (the ruleset changed between the two: the caller lists again)
     */
    static NftRuleset parse(String json, String text, String target) throws FirewallException {
        Map<String, String> texts = texts(text);
        NftRuleset rs = new NftRuleset();
        JsonNode root;
        try {
            root = JSON.readTree(json == null || json.isBlank() ? "{\"nftables\":[]}" : json);
        } catch (Exception e) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "nft -j list ruleset did not print JSON: " + abbreviate(json), e);
        }
        JsonNode items = root.path("nftables");
        if (!items.isArray()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "nft -j list ruleset printed no \"nftables\" array: " + abbreviate(json));
        }
        int rules = 0;
        for (JsonNode item : items) {
            if (item.has("chain")) {
                JsonNode c = item.get("chain");
                String hook = c.has("hook") ? c.get("hook").asText() : null;
                rs.chains.put(key(c.path("family").asText(), c.path("table").asText(), c.path("name").asText()),
                        new Chain(c.path("family").asText(), c.path("table").asText(), c.path("name").asText(), hook,
                                c.path("prio").asInt(0), new ArrayList<>()));
            } else if (item.has("set")) {
                JsonNode s = item.get("set");
                rs.sets.put(key(s.path("family").asText(), s.path("table").asText(), s.path("name").asText()), s.path("elem"));
            } else if (item.has("rule")) {
                JsonNode r = item.get("rule");
                String family = r.path("family").asText();
                String table = r.path("table").asText();
                String chain = r.path("chain").asText();
                long handle = r.path("handle").asLong();
                Chain c = rs.chains.get(key(family, table, chain));
                String t = texts.get(key(family, table, chain) + " " + handle);
                if (c == null || t == null) {
                    throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                            "rule " + family + " " + table + " " + chain + " handle " + handle
                                    + " is in the JSON listing but not in the text listing (the ruleset changed while listing)");
                }
                c.rules().add(new Rule(family, table, chain, handle, c.rules().size() + 1,
                        r.has("comment") ? r.get("comment").asText() : null, r.path("expr"), t));
                rules++;
            }
        }
        if (rules != texts.size()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "the text listing has " + texts.size() + " rules, the JSON listing " + rules + " (the ruleset changed while listing)");
        }
        return rs;
    }

    /** Both listings, in one round trip. */
    static String listCommand() {
        return "nft -j list ruleset && echo '" + TEXT_MARK + "' && nft -a list ruleset";
    }

    static NftRuleset parseListing(String out, String target) throws FirewallException {
        int mark = out.indexOf(TEXT_MARK);
        if (mark < 0) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "expected nft's JSON listing, then its text listing; got: " + out.lines().findFirst().orElse(""));
        }
        return parse(out.substring(0, mark), out.substring(mark + TEXT_MARK.length()), target);
    }

    /** Rule texts of {@code nft -a list ruleset}, keyed "family table chain handle". */
    static Map<String, String> texts(String listing) {
        Map<String, String> out = new LinkedHashMap<>();
        String table = null;
        String chain = null;
        for (String line : (listing == null ? "" : listing).split("\\R")) {
            Matcher m;
            if ((m = TABLE_LINE.matcher(line)).matches()) {
                table = m.group(1) + " " + unquote(m.group(2));
                chain = null;
            } else if ((m = CHAIN_LINE.matcher(line)).matches()) {
                chain = unquote(m.group(1));
            } else if (line.equals("\t}") || line.equals("}")) {
                chain = null;
            } else if (table != null && chain != null && (m = RULE_LINE.matcher(line)).matches()) {
                out.put(table + " " + chain + " " + m.group(2), m.group(1));
            }
        }
        return out;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** The rule text with counter values taken out, to compare a rule with its restored copy. */
    static String withoutCounterValues(String text) {
        return COUNTER.matcher(text).replaceAll("counter");
    }

    Chain chain(String family, String table, String name) {
        return chains.get(key(family, table, name));
    }

    boolean hasTable(String family, String table) {
        return !chainsOf(family, table).isEmpty();
    }

    List<Chain> chainsOf(String family, String table) {
        return chains.values().stream().filter(c -> c.family().equals(family) && c.table().equals(table)).toList();
    }

    /** Every rule whose comment is exactly {@code tag}, in listing order. */
    List<Rule> commented(String tag) {
        List<Rule> out = new ArrayList<>();
        chains.values().forEach(c -> c.rules().stream().filter(r -> tag.equals(r.comment())).forEach(out::add));
        return out;
    }

    // ---- analysis ----

    /** The conditions a jump puts on every rule of the chain it jumps to. */
    private record Context(List<AddressSpan> sources, NftMatch.Ports ports, int depth) {
    }

    /**
     * The rules blocking {@code port} from (part of) any of {@code sources}, origin by {@code tag}: one entry per rule
     * and source network it blocks (a rule with a set of sources may block several of the fence's).
     */
    Found analyze(List<Cidr> sources, int port, String tag) {
        List<BlockingRule> blocking = new ArrayList<>();
        List<BlockingRule> also = new ArrayList<>();
        for (boolean ipv6 : new boolean[] {false, true}) {
            List<Cidr> fam = sources.stream().filter(c -> c.isIpv6() == ipv6).toList();
            if (fam.isEmpty()) {
                continue;
            }
            List<Chain> bases = chains.values().stream()
                    .filter(c -> c.base() && c.hook().equals("input") && Set.of("ip", "ip6", "inet").contains(c.family()))
                    .filter(c -> ipv6 ? !c.family().equals("ip") : !c.family().equals("ip6"))
                    .sorted(Comparator.comparingInt(Chain::prio)).toList();
            for (Chain base : bases) {
                walk(base, new Context(List.of(AddressSpan.any(ipv6)), NftMatch.Ports.ANY, 0), new ArrayList<>(), fam, ipv6, port, tag, blocking, also);
            }
        }
        return new Found(blocking, also);
    }

    private void walk(Chain chain, Context ctx, List<AddressSpan> acceptsBefore, List<Cidr> sources, boolean ipv6, int port, String tag,
                      List<BlockingRule> blocking, List<BlockingRule> also) {
        if (ctx.depth() > MAX_DEPTH) {
            return;
        }
        for (Rule r : chain.rules()) {
            NftMatch m = NftMatch.of(r, name -> sets.get(key(r.family(), r.table(), name)));
            if (!(ipv6 ? m.v6() : m.v4()) || !m.tcp() || !m.ports().contains(port) || !ctx.ports().contains(port)) {
                continue;
            }
            List<AddressSpan> src = new ArrayList<>();
            for (AddressSpan own : m.sources(ipv6)) {
                for (AddressSpan inherited : ctx.sources()) {
                    AddressSpan both = own.intersect(inherited);
                    if (both != null && !src.contains(both)) {
                        src.add(both);
                    }
                }
            }
            if (src.isEmpty()) {
                continue; // the rule's source and the jump's do not overlap: unreachable for this traffic
            }
            switch (m.verdict()) {
                case ACCEPT -> {
                    if (m.admitsNew()) {
                        acceptsBefore.addAll(m.negated() ? List.of(AddressSpan.any(ipv6)) : src);
                    }
                }
                case DROP, REJECT -> {
                    if (m.negated() || !m.statesIncludeNew()) {
                        continue;
                    }
                    boolean portNamed = !m.ports().any() || !ctx.ports().any();
                    List<Cidr> reported = new ArrayList<>();
                    for (Cidr c : sources) {
                        for (AddressSpan s : src) {
                            if (!s.overlaps(AddressSpan.of(c))) {
                                continue;
                            }
                            Cidr shown = s.reportFor(c);
                            if (reported.contains(shown)) {
                                continue;
                            }
                            reported.add(shown);
                            boolean effective = acceptsBefore.stream().noneMatch(s::overlaps);
                            BlockingRule.Origin o = tag.equals(r.comment()) ? BlockingRule.Origin.DRCTL : BlockingRule.Origin.FOREIGN;
                            (portNamed ? blocking : also).add(new BlockingRule("nft", r.family(), r.table(), r.chain(), r.position(),
                                    r.text(), shown, o, effective, r.handle()));
                        }
                    }
                }
                case JUMP -> {
                    Chain next = chains.get(key(r.family(), r.table(), m.target()));
                    if (next != null && !m.negated()) {
                        walk(next, new Context(src, m.ports().any() ? ctx.ports() : m.ports(), ctx.depth() + 1),
                                acceptsBefore, sources, ipv6, port, tag, blocking, also);
                    }
                }
                default -> {
                }
            }
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
