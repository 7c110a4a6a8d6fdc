package io.drctl.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.dns.testing.BindServer;
import io.drctl.host.Sleeper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real BIND 9 primary + NOTIFY'd secondary (+ a secondary that gets no NOTIFY, hence stale),
 * started by this test on 127.0.0.1 ports 15310-15312.
 */
class DnsUpdaterIT {

    static final int PRIMARY_PORT = 15310;
    static Path dir;
    static BindServer.Keys keys;
    static BindServer primary;
    static BindServer secondary;
    static BindServer stale;
    static TsigKey key;
    static DnsZone zone;
    static DnsClient client;
    static DnsUpdater updater;
    static DnsVerifier verifier;

    /** Every log event of the run, dnsjava's DEBUG output included, to prove no secret is ever logged. */
    static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOGS =
            new ch.qos.logback.core.read.ListAppender<>();

    @BeforeAll
    static void startBind() throws Exception {
        var ctx = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        LOGS.setContext(ctx);
        LOGS.start();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(LOGS);
        ch.qos.logback.classic.Logger dnsjava = ctx.getLogger("org.xbill.DNS");
        dnsjava.setLevel(ch.qos.logback.classic.Level.DEBUG);
        dnsjava.setAdditive(false);
        dnsjava.addAppender(LOGS);
        dir = Files.createTempDirectory("drdns-it-");
        keys = BindServer.Keys.generate(dir.resolve("keys"));
        List<String> records = List.of(
                "a1 5 IN A 10.1.0.10", "a2 5 IN A 10.1.0.11", "a2 5 IN A 10.1.0.12",
                "cas1 5 IN A 10.1.0.20", "cas2 5 IN A 10.1.0.21",
                "err1 5 IN A 10.1.0.30",
                "same1 5 IN A 10.2.0.40",
                "stale1 5 IN A 10.1.0.50",
                "ttl1 300 IN A 10.1.0.60", "ttl2 300 IN A 10.1.0.61",
                "many1 5 IN A 10.1.1.1", "many2 5 IN A 10.1.1.2", "many3 5 IN A 10.1.1.3");
        records = new java.util.ArrayList<>(records);
        for (int i = 1; i <= 60; i++) {
            records.add("big 5 IN A 10.3.0." + i); // 60 A records: the UDP answer is truncated (no EDNS)
        }
        primary = BindServer.primary(dir.resolve("primary"), keys, PRIMARY_PORT, List.of("127.0.0.1"), records,
                List.of("127.0.0.1 port " + (PRIMARY_PORT + 1)));
        secondary = BindServer.secondary(dir.resolve("secondary"), keys, PRIMARY_PORT + 1, "127.0.0.1", primary, "secondary");
        // not in the primary's also-notify and SOA refresh 3600 s: it keeps serving what it first transferred
        stale = BindServer.secondary(dir.resolve("stale"), keys, PRIMARY_PORT + 2, "127.0.0.1", primary, "stale");
        key = TsigKeys.fromFile(keys.updateKeyFile(), Optional.of(BindServer.UPDATE_KEY));
        zone = new DnsZone(BindServer.ZONE, primary.dnsServer(), List.of(primary.dnsServer(), secondary.dnsServer()));
        client = new DnsClient(Optional.of(key), Clock.systemUTC(), Duration.ofSeconds(2));
        updater = new DnsUpdater(zone, client);
        verifier = new DnsVerifier(client.withKey(Optional.empty()), Clock.systemUTC(), Sleeper.system(), Duration.ofMillis(200));
    }

    @AfterAll
    static void stopBind() throws Exception {
        try {
            assertNoSecretLogged();
        } finally {
            stopServers();
        }
    }

    static void assertNoSecretLogged() {
        String secret = keys.updateSecret();
        String hex = java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(secret));
        assertTrue(LOGS.list.size() > 50, "log capture works: " + LOGS.list.size() + " events");
        for (var ev : LOGS.list) {
            String m = ev.getFormattedMessage() + (ev.getThrowableProxy() == null ? "" : ev.getThrowableProxy().getMessage());
            assertFalse(m.contains(secret) || m.toLowerCase(java.util.Locale.ROOT).contains(hex), "secret in log: " + ev);
        }
        for (BindServer s : new BindServer[] {primary, secondary, stale}) {
            assertFalse(s.log().contains(secret), "secret in named log of " + s.dnsServer());
        }
    }

    static void stopServers() throws Exception {
        for (BindServer s : new BindServer[] {stale, secondary, primary}) {
            if (s != null) {
                s.close();
            }
        }
        BindServer.deleteTree(dir);
    }

    static String fq(String label) {
        return label + "." + BindServer.ZONE;
    }

    private static Map<String, Set<String>> at(String... nameThenAddrs) {
        return Map.of(fq(nameThenAddrs[0]), Set.of(java.util.Arrays.copyOfRange(nameThenAddrs, 1, nameThenAddrs.length)));
    }

    @Test
    void apply_twoRecordFlipLandsAtomicallyOnEveryServer() throws Exception {
        long serialBefore = updater.serial(primary.dnsServer());
        long updatesBefore = primary.logLines("updating zone '" + BindServer.ZONE.replaceAll("\\.$", "") + "/IN'");
        FlipRequest req = FlipRequest.of(List.of(
                RecordFlip.of(fq("a1"), "10.1.0.10", "10.2.0.10"),
                RecordFlip.of(fq("a2"), List.of("10.1.0.11", "10.1.0.12"), List.of("10.2.0.11"))));

        UpdatePlan plan = updater.plan(req);
        assertEquals(2, plan.changes().size(), plan.describe());
        UpdateOutcome out = updater.apply(plan);
        assertInstanceOf(UpdateOutcome.Applied.class, out);

        // one message: the serial moved by exactly one and the server logged one update transaction
        assertEquals(serialBefore + 1, updater.serial(primary.dnsServer()));
        assertTrue(primary.logLines("updating zone") > updatesBefore, primary.log());
        DnsVerifier.Verified v = verifier.verify(zone.servers(),
                Map.of(fq("a1"), Set.of("10.2.0.10"), fq("a2"), Set.of("10.2.0.11")), Duration.ofSeconds(20));
        assertEquals(2, v.servers().size());
        ZoneProbe p = updater.probe(List.of(fq("a1"), fq("a2")));
        assertTrue(p.consistent(), p.toString());
        assertEquals(Optional.of(Duration.ofSeconds(5)), p.at(secondary.dnsServer(), fq("a1")).orElseThrow().ttl(), "TTL kept");

        // revert = the flip back, also verified everywhere
        assertInstanceOf(UpdateOutcome.Applied.class, updater.revert(req));
        verifier.verify(zone.servers(), Map.of(fq("a1"), Set.of("10.1.0.10"), fq("a2"), Set.of("10.1.0.11", "10.1.0.12")),
                Duration.ofSeconds(20));
    }

    @Test
    void apply_manyRecords_readByOneTransfer_landOnEveryServer_andRevert() throws Exception {
        // more than READ_BY_TRANSFER_ABOVE records: the primary is read by one signed AXFR, not one query per record
        List<RecordFlip> create = new java.util.ArrayList<>();
        List<RecordFlip> flip = new java.util.ArrayList<>();
        Map<String, Set<String>> created = new java.util.LinkedHashMap<>();
        Map<String, Set<String>> flipped = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3 * DnsUpdater.READ_BY_TRANSFER_ABOVE; i++) {
            create.add(new RecordFlip(fq("bulk" + i), Set.of(), Set.of("10.1.9." + i)));
            flip.add(RecordFlip.of(fq("bulk" + i), "10.1.9." + i, "10.2.9." + i));
            created.put(fq("bulk" + i), Set.of("10.1.9." + i));
            flipped.put(fq("bulk" + i), Set.of("10.2.9." + i));
        }
        assertInstanceOf(UpdateOutcome.Applied.class, updater.apply(FlipRequest.of(create).withTtl(Duration.ofSeconds(5))));
        verifier.verify(zone.servers(), created, Duration.ofSeconds(20));

        UpdatePlan plan = updater.plan(FlipRequest.of(flip));
        assertEquals(flip.size(), plan.changes().size(), plan.describe());
        assertTrue(plan.current().stream().allMatch(s -> s.ttl().equals(Optional.of(Duration.ofSeconds(5)))), "TTLs read from the transfer");
        assertInstanceOf(UpdateOutcome.Applied.class, updater.apply(plan));
        verifier.verify(zone.servers(), flipped, Duration.ofSeconds(20));
        assertInstanceOf(UpdateOutcome.AlreadySatisfied.class, updater.apply(FlipRequest.of(flip)), "read again by transfer: nothing to send");

        assertInstanceOf(UpdateOutcome.Applied.class, updater.revert(FlipRequest.of(flip)));
        verifier.verify(zone.servers(), created, Duration.ofSeconds(20));
    }

    @Test
    void apply_concurrentChangeBetweenProbeAndApplyRefusesWithNothingChanged() throws Exception {
        FlipRequest req = FlipRequest.of(List.of(
                RecordFlip.of(fq("cas1"), "10.1.0.20", "10.2.0.20"),
                RecordFlip.of(fq("cas2"), "10.1.0.21", "10.2.0.21")));
        UpdatePlan plan = updater.plan(req);
        assertEquals(2, plan.changes().size());

        // someone else moves cas2 between our probe and our update
        List<String> ns = BindServer.nsupdate(keys.updateKeyFile(), "server 127.0.0.1 " + PRIMARY_PORT + "\nzone " + BindServer.ZONE
                + "\nupdate delete " + fq("cas2") + " A\nupdate add " + fq("cas2") + " 5 A 10.9.9.9\nsend\n");
        assertEquals("0", ns.get(0), ns.get(1));
        long serialAfterOther = updater.serial(primary.dnsServer());

        DnsException e = assertThrows(DnsException.class, () -> updater.apply(plan));
        System.out.println("[cas] " + e.getMessage());
        assertEquals(DnsException.Kind.PREREQUISITE_FAILED, e.kind(), e.getMessage());
        assertEquals(org.xbill.DNS.Rcode.NXRRSET, e.rcode());
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains(fq("cas2") + " A: expected [10.1.0.21], current [10.9.9.9]"), e.getMessage());

        // nothing changed: cas1 still old (atomic), serial unchanged since the other change
        assertEquals(serialAfterOther, updater.serial(primary.dnsServer()));
        assertEquals(Set.of("10.1.0.20"), updater.probe(List.of(fq("cas1"))).at(primary.dnsServer(), fq("cas1")).orElseThrow().addresses());

        // and a fresh plan refuses locally, naming expected vs found, sending nothing
        DnsException again = assertThrows(DnsException.class, () -> updater.plan(req));
        assertEquals(DnsException.Kind.PREREQUISITE_FAILED, again.kind());
        assertTrue(again.getMessage().contains("found [10.9.9.9]"), again.getMessage());
    }

    @Test
    void apply_wrongSecretIsBadSignature() throws Exception {
        byte[] other = key.secret();
        other[0] ^= 0x55;
        DnsException e = refusedWith(new TsigKey(key.name(), key.algorithm(), other, "test wrong secret"));
        assertEquals(DnsException.Kind.BAD_SIGNATURE, e.kind(), e.getMessage());
        assertEquals(org.xbill.DNS.Rcode.BADSIG, e.tsigError());
    }

    @Test
    void apply_unknownKeyNameIsBadKey() throws Exception {
        DnsException e = refusedWith(key.withName("drdns-nosuchkey"));
        assertEquals(DnsException.Kind.BAD_KEY, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("drdns-nosuchkey"), e.getMessage());
    }

    @Test
    void apply_algorithmMismatchIsBadKey() throws Exception {
        DnsException e = refusedWith(new TsigKey(key.name(), TsigAlgorithm.HMAC_SHA512, key.secret(), "test sha512"));
        assertEquals(DnsException.Kind.BAD_KEY, e.kind(), e.getMessage());
    }

    @Test
    void apply_keyWithoutGrantIsRefused() throws Exception {
        TsigKey ro = TsigKeys.fromFile(keys.readonlyKeyFile(), Optional.empty());
        DnsException e = refusedWith(ro);
        assertEquals(DnsException.Kind.REFUSED, e.kind(), e.getMessage());
    }

    @Test
    void apply_skewedClockIsBadTimeWithSkew() throws Exception {
        long serial = updater.serial(primary.dnsServer());
        DnsClient skewed = new DnsClient(Optional.of(key), Clock.offset(Clock.systemUTC(), Duration.ofHours(1)), Duration.ofSeconds(2));
        DnsUpdater u = new DnsUpdater(zone, skewed);
        DnsException e = assertThrows(DnsException.class,
                () -> u.apply(FlipRequest.of(List.of(RecordFlip.of(fq("err1"), "10.1.0.30", "10.2.0.30")))));
        System.out.println("[badtime] " + e.getMessage());
        assertEquals(DnsException.Kind.BAD_TIME, e.kind(), e.getMessage());
        Duration skew = e.clockSkew().orElseThrow();
        assertTrue(skew.compareTo(Duration.ofMinutes(59)) > 0 && skew.compareTo(Duration.ofMinutes(61)) < 0, skew.toString());
        assertTrue(e.getMessage().contains("this machine is ahead"), e.getMessage());
        assertEquals(serial, updater.serial(primary.dnsServer()));
        // the key check says the same without any update
        assertEquals(DnsException.Kind.BAD_TIME, assertThrows(DnsException.class, u::checkKey).kind());
    }

    @Test
    void checkKey_validKeyReturnsSerialAndWrongKeysAreTyped() throws Exception {
        KeyCheck k = updater.checkKey();
        assertEquals(BindServer.UPDATE_KEY, k.key());
        assertTrue(k.serial() >= 1);
        assertTrue(k.clockSkew().abs().compareTo(Duration.ofSeconds(5)) < 0, k.toString());
        byte[] other = key.secret();
        other[1] ^= 0x11;
        DnsUpdater bad = new DnsUpdater(zone, client.withKey(Optional.of(new TsigKey(key.name(), key.algorithm(), other, "x"))));
        assertEquals(DnsException.Kind.BAD_SIGNATURE, assertThrows(DnsException.class, bad::checkKey).kind());
        DnsUpdater unknown = new DnsUpdater(zone, client.withKey(Optional.of(key.withName("drdns-unknown"))));
        assertEquals(DnsException.Kind.BAD_KEY, assertThrows(DnsException.class, unknown::checkKey).kind());
    }

    private DnsException refusedWith(TsigKey k) throws Exception {
        long serial = updater.serial(primary.dnsServer());
        DnsUpdater u = new DnsUpdater(zone, client.withKey(Optional.of(k)));
        DnsException e = assertThrows(DnsException.class,
                () -> u.apply(FlipRequest.of(List.of(RecordFlip.of(fq("err1"), "10.1.0.30", "10.2.0.30")))));
        System.out.println("[refused] " + e.getMessage());
        assertFalse(e.isRetriable(), e.getMessage());
        assertFalse(e.getMessage().contains(keys.updateSecret()), "secret leaked: " + e.getMessage());
        assertEquals(serial, updater.serial(primary.dnsServer()), "nothing may change");
        assertEquals(Set.of("10.1.0.30"), updater.probe(List.of(fq("err1"))).at(primary.dnsServer(), fq("err1")).orElseThrow().addresses());
        return e;
    }

    @Test
    void probe_truncatedUdpAnswerIsReadOverTcp() throws Exception {
        ZoneProbe p = updater.probe(List.of(fq("big")));
        assertTrue(p.failed().isEmpty(), p.failed().toString());
        assertEquals(60, p.at(primary.dnsServer(), fq("big")).orElseThrow().addresses().size());
        assertEquals(60, p.at(secondary.dnsServer(), fq("big")).orElseThrow().addresses().size());
    }

    @Test
    void apply_alreadySatisfiedSendsNothing() throws Exception {
        long serial = updater.serial(primary.dnsServer());
        // every client request BIND logs (updates approved or refused, bad signatures; plain queries are not logged)
        long requests = primary.logLines("client @");
        // a key the server would reject: if anything were sent, apply would fail with BAD_SIGNATURE
        byte[] other = key.secret();
        other[2] ^= 0x22;
        DnsUpdater u = new DnsUpdater(zone, client.withKey(Optional.of(new TsigKey(key.name(), key.algorithm(), other, "x"))));
        UpdateOutcome out = u.apply(FlipRequest.of(List.of(RecordFlip.of(fq("same1"), "10.1.0.40", "10.2.0.40"))));
        assertEquals(new UpdateOutcome.AlreadySatisfied(List.of(fq("same1"))), out);
        assertFalse(out.sent());
        assertEquals(serial, updater.serial(primary.dnsServer()));
        assertEquals(requests, primary.logLines("client @"), "the server saw no UPDATE message: " + primary.log());
    }

    @Test
    void verify_staleServerTimesOutNamingServerRecordExpectedAndSeen() throws Exception {
        assertInstanceOf(UpdateOutcome.Applied.class,
                updater.apply(FlipRequest.of(List.of(RecordFlip.of(fq("stale1"), "10.1.0.50", "10.2.0.50")))));
        verifier.verify(zone.servers(), at("stale1", "10.2.0.50"), Duration.ofSeconds(20));
        DnsException e = assertThrows(DnsException.class, () -> verifier.verify(
                List.of(primary.dnsServer(), secondary.dnsServer(), stale.dnsServer()), at("stale1", "10.2.0.50"), Duration.ofSeconds(2)));
        System.out.println("[stale] " + e.getMessage());
        assertEquals(DnsException.Kind.NOT_PROPAGATED, e.kind());
        assertTrue(e.getMessage().contains(fq("stale1") + " A: expected [10.2.0.50] at " + stale.dnsServer() + ", seen [10.1.0.50] after "),
                e.getMessage());
        assertFalse(e.getMessage().contains("secondary (127.0.0.1:15311)"), "up-to-date servers are not blamed: " + e.getMessage());
    }

    @Test
    void verify_stoppedServerTimesOutWithNoAnswer() throws Exception {
        DnsServer nobody = new DnsServer("down", "127.0.0.1", PRIMARY_PORT + 9);
        DnsVerifier quick = new DnsVerifier(new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofMillis(300)),
                Clock.systemUTC(), Sleeper.system(), Duration.ofMillis(200));
        DnsException e = assertThrows(DnsException.class,
                () -> quick.verify(List.of(primary.dnsServer(), nobody), at("same1", "10.2.0.40"), Duration.ofSeconds(1)));
        assertEquals(DnsException.Kind.NOT_PROPAGATED, e.kind());
        assertTrue(e.getMessage().contains("at down (127.0.0.1:15319), seen no answer: UNREACHABLE"), e.getMessage());
    }

    @Test
    void verify_skipSilent_skipsOnlyAServerThatNeverAnswers_neverOneWithOldData() throws Exception {
        DnsServer nobody = new DnsServer("down", "127.0.0.1", PRIMARY_PORT + 9);
        DnsVerifier quick = new DnsVerifier(new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofMillis(300)),
                Clock.systemUTC(), Sleeper.system(), Duration.ofMillis(200));
        // a forced failover: the server of the lost region is named and skipped, well before the timeout
        long t0 = System.nanoTime();
        DnsVerifier.Verified v = quick.verify(List.of(primary.dnsServer(), nobody), at("same1", "10.2.0.40"), Duration.ofSeconds(30), true);
        assertEquals(List.of(primary.dnsServer()), v.servers());
        assertEquals(List.of(nobody), List.copyOf(v.skipped().keySet()));
        assertTrue(v.skipped().get(nobody).startsWith("no answer: UNREACHABLE"), v.skipped().toString());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "skipped after a few rounds, not at the 30 s timeout");
        // a server that answers with old data is never skipped
        DnsException e = assertThrows(DnsException.class,
                () -> quick.verify(List.of(stale.dnsServer(), nobody), at("stale1", "10.2.0.50"), Duration.ofSeconds(2), true));
        assertTrue(e.getMessage().contains("seen [10.1.0.50]"), e.getMessage());
        // when no server answers at all, nothing is skipped: the check fails
        assertThrows(DnsException.class, () -> quick.verify(List.of(nobody), at("same1", "10.2.0.40"), Duration.ofSeconds(2), true));
    }

    @Test
    void setTtls_lowersAndRestoresKeepingAddresses() throws Exception {
        List<String> names = List.of(fq("ttl1"), fq("ttl2"));
        Map<String, Duration> previous = updater.lowerTtl(names, Duration.ofSeconds(5));
        assertEquals(Map.of(fq("ttl1"), Duration.ofSeconds(300), fq("ttl2"), Duration.ofSeconds(300)), previous);
        ZoneProbe p = updater.probe(names);
        assertEquals(Optional.of(Duration.ofSeconds(5)), p.at(primary.dnsServer(), fq("ttl1")).orElseThrow().ttl());
        assertEquals(Set.of("10.1.0.61"), p.at(primary.dnsServer(), fq("ttl2")).orElseThrow().addresses());
        long serial = updater.serial(primary.dnsServer());
        updater.lowerTtl(names, Duration.ofSeconds(5)); // idempotent: nothing sent
        assertEquals(serial, updater.serial(primary.dnsServer()));
        updater.setTtls(previous);
        assertEquals(Optional.of(Duration.ofSeconds(300)), updater.probe(names).at(primary.dnsServer(), fq("ttl2")).orElseThrow().ttl());
    }

    @Test
    void plan_thresholdRefusesOverDeclaredOrShareUnlessForced() throws Exception {
        List<RecordFlip> three = List.of(RecordFlip.of(fq("many1"), "10.1.1.1", "10.2.1.1"),
                RecordFlip.of(fq("many2"), "10.1.1.2", "10.2.1.2"), RecordFlip.of(fq("many3"), "10.1.1.3", "10.2.1.3"));
        DnsException declared = assertThrows(DnsException.class,
                () -> updater.plan(new FlipRequest(three, Optional.empty(), ChangeThreshold.declared(2))));
        assertEquals(DnsException.Kind.THRESHOLD_EXCEEDED, declared.kind());
        assertTrue(declared.getMessage().contains("touches 3 records but 2 were declared"), declared.getMessage());

        int total = updater.countARecords(); // signed AXFR
        assertTrue(total >= 13, "A RRsets in zone: " + total);
        DnsException share = assertThrows(DnsException.class,
                () -> updater.plan(new FlipRequest(three, Optional.empty(), ChangeThreshold.of(3, 0.1))));
        assertTrue(share.getMessage().contains("touches 3 of the zone's " + total + " A records"), share.getMessage());
        assertEquals(DnsException.Kind.THRESHOLD_EXCEEDED,
                assertThrows(DnsException.class, () -> updater.plan(new FlipRequest(three, Optional.empty(),
                        ChangeThreshold.of(3, 0.5).withZoneCount(4)))).kind());

        UpdatePlan forced = updater.plan(new FlipRequest(three, Optional.empty(), ChangeThreshold.of(3, 0.1).forced("drill #7")));
        assertEquals(Optional.of("drill #7"), forced.forceReason());
        UpdateOutcome out = updater.apply(forced);
        assertEquals(Optional.of("drill #7"), ((UpdateOutcome.Applied) out).forceReason());
    }
}
