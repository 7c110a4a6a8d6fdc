package io.drctl.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * What one nft rule matches, read from its JSON expression ({@code nft -j}), as far as the fence analysis of
 * {@link NftRuleset} needs: address family, sources, destination ports, whether TCP is possible, {@code ct state},
 * loopback, negation and the verdict (with a jump's target chain). A condition it cannot read counts as "may match".
 */
record NftMatch(boolean v4, boolean v6, List<AddressSpan> src4, List<AddressSpan> src6, Ports ports, boolean tcp,
                Set<String> states, boolean loopback, boolean negated, Verdict verdict, String target) {

    /** A destination-port condition: any port (null), or these ranges. */
    record Ports(List<int[]> ranges) {
        static final Ports ANY = new Ports(null);

        boolean any() {
            return ranges == null;
        }

        boolean contains(int port) {
            return ranges == null || ranges.stream().anyMatch(r -> r[0] <= port && port <= r[1]);
        }
    }

    enum Verdict { ACCEPT, DROP, REJECT, JUMP, OTHER, NONE }

    List<AddressSpan> sources(boolean ipv6) {
        List<AddressSpan> s = ipv6 ? src6 : src4;
        return s == null ? List.of(AddressSpan.any(ipv6)) : s;
    }

    boolean statesIncludeNew() {
        return states == null || states.contains("new");
    }

    /** An accept that can let a new connection in: not loopback-only, not established/related-only. */
    boolean admitsNew() {
        return negated || (!loopback && statesIncludeNew());
    }

    /**
     * Reads one rule's JSON expression.
     *
     * @param namedSets the elements of a named set ({@code @name}) of the rule's table, null when unknown
     */
    static NftMatch of(NftRuleset.Rule r, Function<String, JsonNode> namedSets) {
        boolean v4 = !r.family().equals("ip6");
        boolean v6 = !r.family().equals("ip");
        List<AddressSpan> src4 = null;
        List<AddressSpan> src6 = null;
        Ports ports = Ports.ANY;
        boolean tcp = true;
        Set<String> states = null;
        boolean loopback = false;
        boolean negated = false;
        Verdict verdict = Verdict.NONE;
        String target = null;
        for (JsonNode e : r.expr()) {
            if (e.has("match")) {
                JsonNode m = e.get("match");
                String op = m.path("op").asText("==");
                boolean neg = op.equals("!=");
                JsonNode left = m.path("left");
                JsonNode right = m.path("right");
                if (left.has("payload")) {
                    String proto = left.get("payload").path("protocol").asText();
                    String field = left.get("payload").path("field").asText();
                    if (proto.equals("ip")) {
                        v6 = false;
                    } else if (proto.equals("ip6")) {
                        v4 = false;
                    }
                    if (field.equals("saddr") && (proto.equals("ip") || proto.equals("ip6"))) {
                        negated |= neg;
                        List<AddressSpan> spans = spans(right, namedSets, proto.equals("ip6"));
                        if (proto.equals("ip")) {
                            src4 = spans;
                        } else {
                            src6 = spans;
                        }
                    } else if (field.equals("dport") && Set.of("tcp", "th").contains(proto)) {
                        negated |= neg;
                        ports = ports(right, namedSets);
                    } else if (Set.of("udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "esp", "ah").contains(proto)) {
                        tcp = false;
                    } else if ((proto.equals("ip") && field.equals("protocol")) || (proto.equals("ip6") && field.equals("nexthdr"))) {
                        negated |= neg;
                        tcp &= neg || protocolIsTcp(right);
                    }
                } else if (left.has("meta")) {
                    String k = left.get("meta").path("key").asText();
                    if (k.equals("l4proto")) {
                        negated |= neg;
                        tcp &= neg || protocolIsTcp(right);
                    } else if ((k.equals("iif") || k.equals("iifname")) && right.asText("").equals("lo")) {
                        loopback |= !neg;
                        negated |= neg;
                    } else if (k.equals("nfproto") && !neg) {
                        v4 &= right.asText().equals("ipv4");
                        v6 &= right.asText().equals("ipv6");
                    }
                } else if (left.has("ct") && left.get("ct").path("key").asText().equals("state")) {
                    negated |= neg;
                    states = new HashSet<>();
                    collectStrings(right, states);
                }
            } else if (e.has("accept")) {
                verdict = Verdict.ACCEPT;
            } else if (e.has("drop")) {
                verdict = Verdict.DROP;
            } else if (e.has("reject")) {
                verdict = Verdict.REJECT;
            } else if (e.has("jump") || e.has("goto")) {
                verdict = Verdict.JUMP;
                target = e.path(e.has("jump") ? "jump" : "goto").path("target").asText();
            } else if (e.has("return") || e.has("queue") || e.has("vmap") || e.has("continue")) {
                verdict = Verdict.OTHER; // a verdict map or queue: what it does to the port cannot be read here
            }
        }
        return new NftMatch(v4, v6, src4, src6, ports, tcp, states, loopback, negated, verdict, target);
    }

    private static boolean protocolIsTcp(JsonNode right) {
        Set<String> names = new HashSet<>();
        collectStrings(right, names);
        return names.contains("tcp") || names.contains("6");
    }

    private static void collectStrings(JsonNode n, Set<String> out) {
        if (n.isArray()) {
            n.forEach(x -> collectStrings(x, out));
        } else if (n.has("set")) {
            collectStrings(n.get("set"), out);
        } else if (n.isValueNode()) {
            out.add(n.asText().toLowerCase(Locale.ROOT));
        }
    }

    /** Source spans of a saddr right-hand side; an element that cannot be read counts as "any" (it may match). */
    private static List<AddressSpan> spans(JsonNode right, Function<String, JsonNode> namedSets, boolean ipv6) {
        List<AddressSpan> out = new ArrayList<>();
        addAddressSpans(right, namedSets, ipv6, out, 0);
        return out;
    }

    private static void addAddressSpans(JsonNode n, Function<String, JsonNode> namedSets, boolean ipv6, List<AddressSpan> out, int depth) {
        if (depth > 4) {
            out.add(AddressSpan.any(ipv6));
        } else if (n.isArray()) {
            n.forEach(x -> addAddressSpans(x, namedSets, ipv6, out, depth + 1));
        } else if (n.has("set")) {
            addAddressSpans(n.get("set"), namedSets, ipv6, out, depth + 1);
        } else if (n.has("elem")) {
            addAddressSpans(n.get("elem").path("val"), namedSets, ipv6, out, depth + 1);
        } else if (n.has("prefix")) {
            out.add(spanOf(n.get("prefix").path("addr").asText() + "/" + n.get("prefix").path("len").asInt(), ipv6));
        } else if (n.has("range") && n.get("range").size() == 2) {
            AddressSpan a = spanOf(n.get("range").get(0).asText(), ipv6);
            AddressSpan b = spanOf(n.get("range").get(1).asText(), ipv6);
            out.add(a.ipv6() == ipv6 && b.ipv6() == ipv6 && a.hi().compareTo(b.lo()) <= 0 ? new AddressSpan(ipv6, a.lo(), b.hi()) : AddressSpan.any(ipv6));
        } else if (n.isTextual() && n.asText().startsWith("@")) {
            JsonNode elems = namedSets.apply(n.asText().substring(1));
            if (elems == null) {
                out.add(AddressSpan.any(ipv6));
            } else {
                addAddressSpans(elems, namedSets, ipv6, out, depth + 1);
            }
        } else {
            out.add(spanOf(n.asText(), ipv6));
        }
    }

    private static AddressSpan spanOf(String text, boolean ipv6) {
        try {
            AddressSpan s = AddressSpan.of(Cidr.parse(text));
            return s.ipv6() == ipv6 ? s : AddressSpan.any(ipv6);
        } catch (IllegalArgumentException e) {
            return AddressSpan.any(ipv6);
        }
    }

    private static Ports ports(JsonNode right, Function<String, JsonNode> namedSets) {
        List<int[]> out = new ArrayList<>();
        if (!addPorts(right, namedSets, out, 0)) {
            return new Ports(List.of(new int[] {0, 65535})); // a port nft printed by name, or a map: assume it may match
        }
        return new Ports(out);
    }

    private static boolean addPorts(JsonNode n, Function<String, JsonNode> namedSets, List<int[]> out, int depth) {
        if (depth > 4) {
            return false;
        }
        if (n.isInt()) {
            out.add(new int[] {n.asInt(), n.asInt()});
            return true;
        }
        if (n.has("range") && n.get("range").size() == 2 && n.get("range").get(0).isInt() && n.get("range").get(1).isInt()) {
            out.add(new int[] {n.get("range").get(0).asInt(), n.get("range").get(1).asInt()});
            return true;
        }
        if (n.isArray() || n.has("set")) {
            boolean ok = true;
            for (JsonNode x : n.isArray() ? n : n.get("set")) {
                ok &= addPorts(x, namedSets, out, depth + 1);
            }
            return ok;
        }
        if (n.has("elem")) {
            return addPorts(n.get("elem").path("val"), namedSets, out, depth + 1);
        }
        if (n.isTextual() && n.asText().startsWith("@")) {
            JsonNode elems = namedSets.apply(n.asText().substring(1));
            return elems != null && addPorts(elems, namedSets, out, depth + 1);
        }
        return false;
    }
}
