package io.drctl.orchestrator.readiness.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.config.load.InventoryLoader;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.ReadinessSettings;
import io.drctl.orchestrator.config.yaml.Problem;
import io.drctl.orchestrator.config.yaml.Problems;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The inventory's {@code readiness:} section: read, defaults, every bad value located; the webhook's message shapes. */
class ReadinessSettingsTest {

    static Inventory load(String readiness, Problems p) {
        return InventoryLoader.parse("inv.yaml", Fixtures.LOOPBACK_INVENTORY + readiness, p).orElseThrow();
    }

    @Test
    void readiness_storeAndWebhook_readWithDefaults() {
        Problems p = new Problems();
        Inventory inv = load("""
                readiness:
                  store:
                    url: jdbc:postgresql://10.0.1.10:5432,10.0.2.10:5432/drctl?targetServerType=primary
                    user: drctl
                    passwordEnv: DRCTL_STORE_PASSWORD
                  webhook:
                    url: https://alerts.example/hook
                    format: alertmanager
                    headers: { Authorization: { file: /etc/drctl/hook.token } }
                """, p);
        assertTrue(p.isEmpty(), p.list().toString());
        ReadinessSettings.Store s = inv.readiness().store().orElseThrow();
        assertEquals(Optional.of("drctl"), s.user());
        assertEquals(Optional.of("DRCTL_STORE_PASSWORD"), s.password().orElseThrow().env());
        assertEquals(ReadinessSettings.DEFAULT_RETENTION, s.retention());
        assertEquals(Duration.ofMillis(7500), s.checkin());
        ReadinessSettings.Webhook w = inv.readiness().webhook().orElseThrow();
        assertEquals(ReadinessSettings.Format.ALERTMANAGER, w.format());
        assertEquals(Optional.of("/etc/drctl/hook.token"), w.headers().get("Authorization").file());
    }

    @Test
    void readiness_absent_noStoreNoWebhook() {
        Problems p = new Problems();
        Inventory inv = load("", p);
        assertTrue(p.isEmpty(), p.list().toString());
        assertEquals(ReadinessSettings.none(), inv.readiness());
    }

    @Test
    void readiness_badValues_eachLocatedWithAHint() {
        Problems p = new Problems();
        load("""
                readiness:
                  store:
                    url: jdbc:mysql://db/drctl
                    password: hunter2hunter2
                    checkinInterval: 100ms
                    retention: 10m
                    colour: blue
                  webhook:
                    url: ftp://alerts.example/hook
                    format: slack
                    headers: { Authorization: { file: /a, env: B } }
                """, p);
        Map<String, Problem> byPath = new java.util.LinkedHashMap<>();
        p.list().forEach(x -> byPath.put(x.location().path(), x));
        for (String path : List.of("readiness.store.url", "readiness.store.password", "readiness.store.checkinInterval",
                "readiness.store.retention", "readiness.store.colour", "readiness.webhook.url", "readiness.webhook.format",
                "readiness.webhook.headers.Authorization")) {
            assertTrue(byPath.containsKey(path), path + " not among " + byPath.keySet());
            assertTrue(byPath.get(path).render().startsWith("inv.yaml:"), byPath.get(path).render());
        }
        assertTrue(byPath.get("readiness.store.url").hint().orElseThrow().contains("jdbc:postgresql://"));
        Problems unparsable = new Problems();
        load("readiness:\n  store:\n    url: \"jdbc:postgresql://[::1/drctl?x=%zz\"\n", unparsable);
        assertEquals(1, unparsable.size(), unparsable.list().toString());
        assertTrue(unparsable.list().get(0).message().contains("not a valid PostgreSQL JDBC URL"), unparsable.list().toString());
        assertTrue(byPath.get("readiness.webhook.format").hint().orElseThrow().contains("alertmanager"));
        assertFalse(p.list().toString().contains("hunter2"), "the inline secret is never quoted");
    }

    @Test
    void webhookBody_genericAndAlertmanagerShapes() throws Exception {
        ResultStore.Change down = new ResultStore.Change(Instant.parse("2026-12-02T10:00:00Z"), false, Instant.parse("2026-12-02T10:00:01Z"),
                List.of(Map.of("check", "standby-fenced", "detail", "region2/dbms: accepted")), "d1", Optional.empty());
        ReadinessSettings.Webhook generic = new ReadinessSettings.Webhook("http://127.0.0.1:1/h", ReadinessSettings.Format.GENERIC, Map.of());
        var g = ResultJson.JSON.readTree(new Webhook(generic, Map.of(), Duration.ofSeconds(1), Duration.ofMillis(10)).body("prod", down));
        assertEquals("not_ready", g.get("event").asText());
        assertEquals("prod", g.get("inventory").asText());
        assertEquals("2026-12-02T10:00:01Z", g.get("at").asText());
        assertEquals("2026-12-02T10:00:00Z", g.get("round").asText());
        assertEquals("standby-fenced", g.get("failing").get(0).get("check").asText());
        ReadinessSettings.Webhook am = new ReadinessSettings.Webhook("http://127.0.0.1:1/h", ReadinessSettings.Format.ALERTMANAGER, Map.of());
        ResultStore.Change up = new ResultStore.Change(down.fireTime().plusSeconds(60), true, down.at().plusSeconds(60), List.of(), "d2",
                Optional.empty());
        var a = ResultJson.JSON.readTree(new Webhook(am, Map.of(), Duration.ofSeconds(1), Duration.ofMillis(10)).body("prod", up));
        assertTrue(a.isArray() && a.size() == 1, a.toString());
        assertEquals("DrctlNotReady", a.get(0).get("labels").get("alertname").asText());
        assertEquals("prod", a.get(0).get("labels").get("inventory").asText());
        assertEquals("2026-12-02T10:01:01Z", a.get(0).get("endsAt").asText(), "ready again resolves the alert");
    }

    @Test
    void quartzScript_statementsWithoutDrops() {
        List<String> s = StoreSchema.statements(StoreSchema.quartzSql());
        assertTrue(s.stream().anyMatch(x -> x.startsWith("CREATE TABLE QRTZ_LOCKS")), s.toString());
        assertTrue(s.stream().noneMatch(x -> x.toUpperCase(java.util.Locale.ROOT).startsWith("DROP")), s.toString());
        assertTrue(s.stream().noneMatch(x -> x.equalsIgnoreCase("commit")), s.toString());
    }

    @Test
    void validate_badStoreUrl_locatedFileLineFieldAndHint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        String text = Fixtures.LOOPBACK_INVENTORY + """
                readiness:
                  store:
                    url: postgres://10.0.1.10/drctl
                """;
        java.nio.file.Path inv = Fixtures.write(tmp, "inv.yaml", text);
        java.nio.file.Path rb = Fixtures.write(tmp, "rb.yaml", "name: r\nsteps:\n  - id: t\n    type: exec\n    command: \"true\"\n");
        Fixtures.Cli r = Fixtures.cli("validate", inv.toString(), rb.toString()).assertExit(io.drctl.orchestrator.cli.ExitCodes.INVALID_INPUT);
        int line = text.lines().toList().indexOf("    url: postgres://10.0.1.10/drctl") + 1;
        assertTrue(r.err().contains("inv.yaml:" + line + ":") && r.err().contains("readiness.store.url")
                && r.err().contains("jdbc:postgresql://"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void history_withoutStore_clearMessageExitTwo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        Fixtures.Cli r = Fixtures.cli("readiness", "history", "-i", inv.toString()).assertExit(io.drctl.orchestrator.cli.ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("has no readiness.store") && r.err().contains("add readiness:"), r.err());
        Fixtures.cli("readiness", "history", "-i", inv.toString(), "--since", "forever").assertExit(io.drctl.orchestrator.cli.ExitCodes.INVALID_INPUT);
    }

    @Test
    void redactor_storePasswordFileAndHeaderEnv_redacted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path pw = Fixtures.write(tmp, "store.password", "s3cret-store-pw\n");
        java.nio.file.Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY + """
                readiness:
                  store: { url: "jdbc:postgresql://127.0.0.1:1/drctl", passwordFile: %s }
                  webhook: { url: "http://127.0.0.1:1/h", headers: { Authorization: { env: HOOK_AUTH } } }
                """.formatted(pw));
        io.drctl.orchestrator.journal.Redactor r = io.drctl.orchestrator.journal.Redactor.forInventoryFile(inv,
                Map.of("HOOK_AUTH", "Bearer tok-123456"));
        String out = r.redact("connect with s3cret-store-pw, header Bearer tok-123456");
        assertFalse(out.contains("s3cret-store-pw") || out.contains("tok-123456"), out);
    }

    @Test
    void secretFile_underHome_isRead_likeEveryOtherInventoryPath(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve("store.password"), "s3cret\n");
        ReadinessSettings.SecretRef ref = new ReadinessSettings.SecretRef(Optional.of("~/store.password"), Optional.empty());
        assertEquals("s3cret", ref.resolve(Map.of("HOME", home.toString())));
    }
}
