package io.drctl.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * RFC 2136 dynamic updates of A records in one zone, TSIG-signed, as compare-and-swap.
 *
 * <ul>
 *   <li>{@link #probe} reads the RRsets and TTLs at every authoritative server (read-only).</li>
 *   <li>{@link #plan} reads the primary and decides what still has to change; {@link #apply(UpdatePlan)}
 *       sends all changes in ONE UPDATE message whose prerequisites are the whole expected RRset of each
 *       name, so the server applies all or nothing, and refuses if anyone changed a record meanwhile.</li>
 *   <li>When the records already hold the target, nothing is sent ({@link UpdateOutcome.AlreadySatisfied}).</li>
 *   <li>{@link #revert} is the flip back; {@link #setTtls} lowers / restores TTLs ahead of a planned failover.</li>
 *   <li>{@link #checkKey} proves the key with a signed SOA query.</li>
 * </ul>
 */
public final class DnsUpdater {

    private static final Logger LOG = LoggerFactory.getLogger(DnsUpdater.class);

    private final DnsZone zone;
    private final DnsClient signed;
    private final DnsClient unsigned;

    /**
     * @param zone   the zone and its servers
     * @param client a client holding the TSIG key updates are signed with (queries for probing go unsigned)
     */
    public DnsUpdater(DnsZone zone, DnsClient client) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.signed = Objects.requireNonNull(client, "client");
        if (client.key().isEmpty()) {
            throw new IllegalArgumentException("updates of zone " + zone.name() + " need a TSIG key");
        }
        this.unsigned = client.withKey(Optional.empty());
    }

    public DnsZone zone() {
        return zone;
    }

    /** The A RRset and TTL of every name at every authoritative server (unsigned queries); unreachable servers are reported, not thrown. */
    public ZoneProbe probe(List<String> names) {
        return DnsVerifier.probe(unsigned, zone, names);
    }

    /** Proves the key at the primary with a signed SOA query. */
    public KeyCheck checkKey() throws DnsException {
        return checkKey(zone.primary());
    }

    /**
     * Proves the key at {@code server}: a signed SOA query must come back NOERROR with a verified signature.
     * A wrong secret, unknown key or clock skew throws {@link DnsException} of kind BAD_SIGNATURE, BAD_KEY or BAD_TIME.
     */
    public KeyCheck checkKey(DnsServer server) throws DnsException {
        Message q = Message.newQuery(Record.newRecord(zone.dnsName(), Type.SOA, DClass.IN));
        Instant signedAt = signed.clock().instant();
        Message r = signed.exchange(server, q);
        Optional<DnsException> f = signed.failure(server + " zone " + zone.name(), q, r, signedAt, false);
        if (f.isPresent()) {
            throw f.get();
        }
        long serial = r.getSection(org.xbill.DNS.Section.ANSWER).stream().filter(x -> x instanceof SOARecord)
                .mapToLong(x -> ((SOARecord) x).getSerial()).findFirst()
                .orElseThrow(() -> new DnsException(DnsException.Kind.NOT_AUTHORITATIVE, server + " zone " + zone.name(),
                        "signed SOA query answered without an SOA record: the server is not authoritative for the zone"));
        TSIGRecord t = r.getTSIG();
        Duration skew = t == null ? Duration.ZERO : Duration.between(t.getTimeSigned(), signedAt);
        return new KeyCheck(server, signed.key().orElseThrow().name(), serial, skew);
    }

    /** The zone's SOA serial at {@code server} (unsigned query). */
    public long serial(DnsServer server) throws DnsException {
        DnsClient.Answer a = unsigned.query(server, zone.dnsName(), Type.SOA);
        return a.records().stream().mapToLong(x -> ((SOARecord) x).getSerial()).findFirst()
                .orElseThrow(() -> new DnsException(DnsException.Kind.NOT_AUTHORITATIVE, server + " zone " + zone.name(),
                        "no SOA record in the answer"));
    }

    /**
     * Reads the primary and decides what must change. Refuses (nothing sent) when a record holds neither
     * its expected old RRset nor its target, or when the change threshold is exceeded and not forced.
     */
    public UpdatePlan plan(FlipRequest request) throws DnsException {
        for (RecordFlip f : request.flips()) {
            if (!zone.contains(f.name())) {
                throw new IllegalArgumentException(f.name() + " is not in zone " + zone.name());
            }
        }
        List<String> names = request.flips().stream().map(RecordFlip::name).toList();
        Optional<List<Record>> transfer = names.size() > READ_BY_TRANSFER_ABOVE ? transfer() : Optional.empty();
        Optional<String> forced = checkThreshold(request, transfer);
        List<RecordState> current = new ArrayList<>();
        List<UpdatePlan.Change> changes = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        List<RecordState> states = transfer.isPresent() ? fromTransfer(transfer.get(), names)
                : DnsVerifier.readAll(unsigned, zone.primary(), names);
        for (int i = 0; i < request.flips().size(); i++) {
            RecordFlip f = request.flips().get(i);
            RecordState s = states.get(i);
            current.add(s);
            Set<String> now = s.addresses();
            boolean ttlOk = request.ttl().isEmpty() || s.ttl().equals(request.ttl());
            if (now.equals(f.to()) && ttlOk) {
                continue;
            }
            if (!now.equals(f.from()) && !now.equals(f.to())) {
                conflicts.add(f.name() + " A: expected " + DnsNames.show(f.from()) + " (or the target " + DnsNames.show(f.to())
                        + "), found " + DnsNames.show(now));
                continue;
            }
            Duration ttl = request.ttl().or(s::ttl).orElseThrow(() -> new IllegalArgumentException(
                    f.name() + " has no A records to take the TTL from; give the TTL explicitly"));
            changes.add(new UpdatePlan.Change(new RecordFlip(f.name(), now, f.to()), ttl));
        }
        if (!conflicts.isEmpty()) {
            throw new DnsException(DnsException.Kind.PREREQUISITE_FAILED, zone.primary() + " zone " + zone.name(),
                    "refusing to update, nothing sent: " + String.join("; ", conflicts));
        }
        return new UpdatePlan(zone, current, changes, forced);
    }

    /** More records than this are read by one signed zone transfer (one round trip), where the primary allows it. */
    static final int READ_BY_TRANSFER_ABOVE = 8;

    /**
     * The primary's zone by one signed AXFR; empty (and the caller reads record by record) when the primary
     * refuses the transfer to this key or the transfer fails: reading is never worse than before.
     */
    private Optional<List<Record>> transfer() {
        try {
            return Optional.of(signed.axfr(zone.primary(), zone.dnsName()));
        } catch (DnsException e) {
            LOG.info("zone {}: no zone transfer from {} ({}); reading record by record", zone.name(), zone.primary(),
                    e.kind());
            return Optional.empty();
        }
    }

    /** Each name's A RRset and TTL as the transfer holds it (no A records: an empty set, no TTL). */
    private List<RecordState> fromTransfer(List<Record> records, List<String> names) throws DnsException {
        Map<Name, List<ARecord>> a = new LinkedHashMap<>();
        for (Record r : records) {
            if (r instanceof ARecord ar) {
                a.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(ar);
            }
        }
        List<RecordState> out = new ArrayList<>();
        for (String n : names) {
            List<ARecord> rrset = a.getOrDefault(DnsNames.name(n), List.of());
            Set<String> addrs = new HashSet<>();
            rrset.forEach(r -> addrs.add(r.getAddress().getHostAddress()));
            Optional<Duration> ttl = rrset.isEmpty() ? Optional.empty() : Optional.of(Duration.ofSeconds(rrset.get(0).getTTL()));
            out.add(new RecordState(zone.primary(), n, addrs, ttl));
        }
        return out;
    }

    private Optional<String> checkThreshold(FlipRequest request, Optional<List<Record>> transfer) throws DnsException {
        ChangeThreshold t = request.threshold();
        int touched = request.flips().size();
        List<String> problems = new ArrayList<>();
        if (touched > t.declaredRecords()) {
            problems.add("the update touches " + touched + " records but " + t.declaredRecords() + " were declared");
        }
        if (t.maxZoneShare() < 1.0) {
            int total = t.zoneARecords().isPresent() ? t.zoneARecords().getAsInt()
                    : transfer.isPresent() ? countARecords(transfer.get()) : countARecords();
            if (touched > t.maxZoneShare() * total) {
                problems.add(String.format(java.util.Locale.ROOT,
                        "the update touches %d of the zone's %d A records (%.0f%%), more than the allowed %.0f%%",
                        touched, total, 100.0 * touched / Math.max(total, 1), 100 * t.maxZoneShare()));
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        if (t.forceReason().isPresent()) {
            LOG.warn("zone {}: change threshold exceeded, forced ({}): {}", zone.name(), t.forceReason().get(), problems);
            return t.forceReason();
        }
        throw new DnsException(DnsException.Kind.THRESHOLD_EXCEEDED, "zone " + zone.name(),
                "refusing to update, nothing sent: " + String.join("; ", problems));
    }

    /** The number of names with A records in the zone, by a signed AXFR from the primary. */
    public int countARecords() throws DnsException {
        return countARecords(signed.axfr(zone.primary(), zone.dnsName()));
    }

    private static int countARecords(List<Record> zoneRecords) {
        Set<Name> names = new HashSet<>();
        for (Record r : zoneRecords) {
            if (r.getType() == Type.A) {
                names.add(r.getName());
            }
        }
        return names.size();
    }

    /** Plans and applies {@code request}: see {@link #plan} and {@link #apply(UpdatePlan)}. */
    public UpdateOutcome apply(FlipRequest request) throws DnsException {
        return apply(plan(request));
    }

    /** The flip back of {@code request} (its targets become the expected values and vice versa). */
    public UpdateOutcome revert(FlipRequest request) throws DnsException {
        return apply(plan(request.reversed()));
    }

    /**
     * Sends the plan's changes in one signed UPDATE with value-dependent prerequisites. Sends nothing when
     * the plan is satisfied. If the server refuses the prerequisites the primary is read again: when every
     * record already holds its target (our own earlier attempt landed) the outcome is success; otherwise the
     * exception says, per record, what was expected and what is there now.
     */
    public UpdateOutcome apply(UpdatePlan plan) throws DnsException {
        if (plan.satisfied()) {
            LOG.info("zone {}: records already hold the target; nothing sent", zone.name());
            return new UpdateOutcome.AlreadySatisfied(plan.current().stream().map(RecordState::name).toList());
        }
        Update u = new Update(zone.dnsName());
        for (UpdatePlan.Change c : plan.changes()) {
            Name n = DnsNames.name(c.flip().name());
            if (c.flip().from().isEmpty()) {
                u.absent(n, Type.A);
            } else {
                for (String a : c.flip().from()) {
                    u.present(new ARecord(n, DClass.IN, 0, inet(a))); // value-dependent: the whole RRset, TTL 0
                }
            }
            u.delete(n, Type.A);
            for (String a : c.flip().to()) {
                u.add(new ARecord(n, DClass.IN, c.ttl().toSeconds(), inet(a)));
            }
        }
        String target = zone.primary() + " zone " + zone.name();
        LOG.info("zone {}: sending one UPDATE to {} with {} change(s): {}{}", zone.name(), zone.primary(), plan.changes().size(),
                plan.changes().subList(0, Math.min(10, plan.changes().size())), plan.changes().size() > 10 ? " ..." : "");
        Instant signedAt = signed.clock().instant();
        Message r = signed.exchange(zone.primary(), u);
        Optional<DnsException> f = signed.failure(target, u, r, signedAt, false);
        if (f.isEmpty()) {
            return new UpdateOutcome.Applied(plan.changes(), plan.forceReason());
        }
        DnsException e = f.get();
        if (e.kind() != DnsException.Kind.PREREQUISITE_FAILED) {
            throw e;
        }
        List<String> differences = new ArrayList<>();
        boolean allAtTarget = true;
        for (UpdatePlan.Change c : plan.changes()) {
            RecordState now = DnsVerifier.read(unsigned, zone.primary(), c.flip().name());
            boolean atTarget = now.addresses().equals(c.flip().to()) && now.ttl().equals(Optional.of(c.ttl()));
            allAtTarget &= atTarget;
            if (!now.addresses().equals(c.flip().from())) {
                differences.add(c.flip().name() + " A: expected " + DnsNames.show(c.flip().from()) + ", current "
                        + DnsNames.show(now.addresses()));
            }
        }
        if (allAtTarget) {
            LOG.info("zone {}: prerequisite refused but every record holds its target (an earlier attempt landed)", zone.name());
            return new UpdateOutcome.Applied(plan.changes(), plan.forceReason());
        }
        throw new DnsException(DnsException.Kind.PREREQUISITE_FAILED, target,
                "the server refused the compare-and-swap, nothing changed: "
                        + (differences.isEmpty() ? "the records changed and changed back" : String.join("; ", differences)),
                e.rcode(), 0, null, e);
    }

    /**
     * Sets the TTL of each name's A RRset, keeping its addresses (compare-and-swap on the addresses read).
     * Returns the TTLs found before, so they can be restored with another call. Sends nothing when every
     * TTL already matches.
     */
    public Map<String, Duration> setTtls(Map<String, Duration> ttls) throws DnsException {
        Map<String, Duration> previous = new LinkedHashMap<>();
        List<UpdatePlan.Change> changes = new ArrayList<>();
        List<RecordState> current = new ArrayList<>();
        for (Map.Entry<String, Duration> e : ttls.entrySet()) {
            if (!zone.contains(e.getKey())) {
                throw new IllegalArgumentException(e.getKey() + " is not in zone " + zone.name());
            }
            RecordState s = DnsVerifier.read(unsigned, zone.primary(), e.getKey());
            current.add(s);
            if (s.addresses().isEmpty()) {
                throw new DnsException(DnsException.Kind.PREREQUISITE_FAILED, zone.primary() + " " + s.name(),
                        "no A records to change the TTL of (expected an existing RRset)");
            }
            previous.put(s.name(), s.ttl().orElseThrow());
            if (!s.ttl().equals(Optional.of(e.getValue()))) {
                changes.add(new UpdatePlan.Change(new RecordFlip(s.name(), s.addresses(), s.addresses()), e.getValue()));
            }
        }
        apply(new UpdatePlan(zone, current, changes, Optional.empty()));
        return previous;
    }

    /** Lowers the TTL of {@code names} to {@code ttl}; returns the previous TTLs for {@link #setTtls} to restore. */
    public Map<String, Duration> lowerTtl(List<String> names, Duration ttl) throws DnsException {
        Map<String, Duration> m = new LinkedHashMap<>();
        names.forEach(n -> m.put(n, ttl));
        return setTtls(m);
    }

    private static InetAddress inet(String ipv4) {
        try {
            return InetAddress.getByName(ipv4); // validated literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("validated IPv4 literal did not parse: " + ipv4, e);
        }
    }
}
