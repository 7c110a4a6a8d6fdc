package io.drctl.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One Windows Firewall rule as listed, with every field needed to create it again ({@code New-NetFirewallRule} or
 * {@code netsh advfirewall firewall add rule}). Windows has no rule text: this definition, as one line of JSON
 * ({@link #toJson}), is the {@link BlockingRule#text} journaled before an unfence deletes the rule and read back
 * ({@link #fromJson}) by restore. Values are kept as Windows printed them ({@code 10.1.0.0/255.255.255.0},
 * {@code Domain, Private}), since both tools accept them back.
 *
 * @param name          the rule's unique name (cmdlets: {@code Name}; netsh: {@code Rule Name}, not unique there)
 * @param displayName   cmdlets' {@code DisplayName} (netsh: the rule name again)
 * @param description   may be empty
 * @param group         {@code Group} / netsh {@code Grouping}; may be empty
 * @param enabled       whether the rule is enabled
 * @param profile       {@code Any}, or profiles as listed ({@code Domain, Private})
 * @param direction     {@code Inbound} or {@code Outbound}
 * @param action        {@code Block}, {@code Allow}...
 * @param protocol      {@code TCP}, {@code UDP}, {@code Any} or a number
 * @param localPort     local ports, ranges ({@code 5000-6000}) or keywords; {@code [Any]} for all
 * @param remotePort    remote ports, as {@code localPort}
 * @param localAddress  local addresses; {@code [Any]} for all
 * @param remoteAddress remote addresses, subnets ({@code a/mask} or {@code a/len}), ranges ({@code a-b}) or keywords
 * @param program       the program path the rule is limited to, {@code Any} for none
 */
public record WindowsRuleDefinition(String name, String displayName, String description, String group, boolean enabled,
                                    String profile, String direction, String action, String protocol, List<String> localPort,
                                    List<String> remotePort, List<String> localAddress, List<String> remoteAddress, String program) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public WindowsRuleDefinition {
        Objects.requireNonNull(name, "name");
        displayName = displayName == null || displayName.isEmpty() ? name : displayName;
        description = description == null ? "" : description;
        group = group == null ? "" : group;
        profile = profile == null || profile.isEmpty() ? "Any" : profile;
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(protocol, "protocol");
        localPort = anyIfEmpty(localPort);
        remotePort = anyIfEmpty(remotePort);
        localAddress = anyIfEmpty(localAddress);
        remoteAddress = anyIfEmpty(remoteAddress);
        program = program == null || program.isEmpty() ? "Any" : program;
    }

    private static List<String> anyIfEmpty(List<String> v) {
        List<String> out = v == null ? List.of() : v.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        return out.isEmpty() ? List.of("Any") : out;
    }

    /** One line of JSON with a fixed key order. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("Name", name).put("DisplayName", displayName).put("Description", description).put("Group", group)
                .put("Enabled", enabled).put("Profile", profile).put("Direction", direction).put("Action", action).put("Protocol", protocol);
        array(o, "LocalPort", localPort);
        array(o, "RemotePort", remotePort);
        array(o, "LocalAddress", localAddress);
        array(o, "RemoteAddress", remoteAddress);
        o.put("Program", program);
        return o.toString();
    }

    private static void array(ObjectNode o, String key, List<String> values) {
        ArrayNode a = o.putArray(key);
        values.forEach(a::add);
    }

    /**
     * Reads {@link #toJson} back, or one object of the probe script's {@code ConvertTo-Json} output (enum values as
     * names or numbers, single values or arrays).
     *
     * @throws IllegalArgumentException when it is not such an object
     */
    public static WindowsRuleDefinition fromJson(String json) {
        try {
            return fromNode(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a Windows rule definition: " + json, e);
        }
    }

    static WindowsRuleDefinition fromNode(JsonNode n) {
        if (!n.isObject() || !n.hasNonNull("Name")) {
            throw new IllegalArgumentException("not a Windows rule definition: " + n);
        }
        return new WindowsRuleDefinition(n.path("Name").asText(), n.path("DisplayName").asText(""), n.path("Description").asText(""),
                n.path("Group").asText(""), truthy(n.path("Enabled")), n.path("Profile").asText("Any"),
                enumName(n.path("Direction"), "Inbound", "Outbound"), enumName(n.path("Action"), null, null),
                n.path("Protocol").asText(""), texts(n.path("LocalPort")), texts(n.path("RemotePort")), texts(n.path("LocalAddress")),
                texts(n.path("RemoteAddress")), n.path("Program").asText("Any"));
    }

    private static boolean truthy(JsonNode n) {
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        String s = n.asText("").toLowerCase(Locale.ROOT);
        return s.equals("true") || s.equals("1") || s.equals("yes");
    }

    /** Direction 1/2 and Action 2/4 as numbers (uncast CIM enums) become their names. */
    private static String enumName(JsonNode n, String one, String two) {
        if (n.isNumber()) {
            int v = n.asInt();
            if (one != null) {
                return v == 1 ? one : v == 2 ? two : String.valueOf(v);
            }
            return v == 4 ? "Block" : v == 2 ? "Allow" : v == 3 ? "AllowBypass" : String.valueOf(v);
        }
        return n.asText("");
    }

    /** A cmdlet field that is one value, an array of them, or absent. */
    static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asText()));
        } else if (!n.isMissingNode() && !n.isNull()) {
            out.add(n.asText());
        }
        return out;
    }

    // ---- what the rule blocks ----

    /** An enabled inbound Block rule (Windows Firewall: a Block rule wins over every Allow rule). */
    boolean blocksInbound() {
        return enabled && direction.equalsIgnoreCase("Inbound") && (action.equalsIgnoreCase("Block") || action.equals("4"));
    }

    boolean tcpPossible() {
        return protocol.equalsIgnoreCase("TCP") || protocol.equals("6") || protocol.equalsIgnoreCase("Any");
    }

    boolean anyLocalPort() {
        return localPort.stream().anyMatch(p -> p.equalsIgnoreCase("Any"));
    }

    /** Whether a local port value ({@code 5432}, {@code 5000-6000}) includes {@code port}; keywords (RPC...) never do. */
    boolean localPortIncludes(int port) {
        for (String p : localPort) {
            String[] ab = p.strip().split("-", -1);
            try {
                int a = Integer.parseInt(ab[0].strip());
                int b = ab.length == 2 ? Integer.parseInt(ab[1].strip()) : a;
                if (ab.length <= 2 && a <= port && port <= b) {
                    return true;
                }
            } catch (NumberFormatException e) {
                // a keyword such as RPC or IPHTTPSIn: not a port number
            }
        }
        return false;
    }

    /**
     * The remote addresses as spans of {@code ipv6}'s family; {@code Any} is all of it. Keywords (LocalSubnet, Internet,
     * DefaultGateway...) stand for addresses only the host knows: they are left out, so such a rule is not reported.
     */
    List<AddressSpan> remoteSpans(boolean ipv6) {
        List<AddressSpan> out = new ArrayList<>();
        for (String r : remoteAddress) {
            String a = r.strip();
            if (a.equalsIgnoreCase("Any") || a.equals("*")) {
                out.add(AddressSpan.any(ipv6));
                continue;
            }
            try {
                int dash = a.indexOf('-');
                if (dash > 0) {
                    AddressSpan lo = AddressSpan.of(Cidr.parse(a.substring(0, dash)));
                    AddressSpan hi = AddressSpan.of(Cidr.parse(a.substring(dash + 1)));
                    if (lo.ipv6() == ipv6 && hi.ipv6() == ipv6 && lo.lo().compareTo(hi.hi()) <= 0) {
                        out.add(new AddressSpan(ipv6, lo.lo(), hi.hi()));
                    }
                    continue;
                }
                Cidr c = Cidr.parse(a);
                if (c.isIpv6() == ipv6) {
                    out.add(AddressSpan.of(c));
                }
            } catch (IllegalArgumentException e) {
                // a keyword: see above
            }
        }
        return out;
    }
}
