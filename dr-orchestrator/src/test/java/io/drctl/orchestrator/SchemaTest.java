package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.orchestrator.config.schema.RunbookSchema;
import io.drctl.orchestrator.steps.Builtins;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SchemaTest {

    @Test
    void runbookSchema_shippedFileMatchesRegisteredStepTypes() throws Exception {
        Path shipped = Fixtures.repoRoot().resolve("runbooks/runbook.schema.json");
        assertEquals(RunbookSchema.generate(Builtins.registry()), Files.readString(shipped),
                "runbooks/runbook.schema.json is stale: regenerate with "
                        + "./drctl schema runbook > dr-orchestrator/src/main/resources/schema/runbook.schema.json");
    }

    @Test
    void runbookSchema_perTypeKeysAreStrict() throws Exception {
        JsonNode s = new ObjectMapper().readTree(RunbookSchema.generate(Builtins.registry()));
        JsonNode rules = s.get("definitions").get("step").get("allOf");
        boolean sawExec = false;
        for (JsonNode r : rules) {
            if (r.get("if").get("properties").get("type").get("const").asText().equals("exec")) {
                sawExec = true;
                JsonNode then = r.get("then");
                assertEquals(false, then.get("additionalProperties").asBoolean());
                assertTrue(then.get("properties").has("unless"));
                assertTrue(!then.get("properties").has("hosts"), "exec takes no hosts");
                assertEquals("command", then.get("required").get(0).asText());
            }
        }
        assertTrue(sawExec);
    }

    @Test
    void inventorySchema_shippedFileMatchesTheClosedSets() throws Exception {
        Path shipped = Fixtures.repoRoot().resolve("inventory/inventory.schema.json");
        assertEquals(io.drctl.orchestrator.config.schema.InventorySchema.generate(), Files.readString(shipped),
                "inventory/inventory.schema.json is stale: regenerate with ./drctl schema inventory");
        JsonNode host = new ObjectMapper().readTree(Files.readString(shipped)).get("definitions").get("host").get("properties");
        assertEquals(io.drctl.firewall.BackendKind.labels(), strings(host.get("firewall").get("enum")));
        assertEquals(io.drctl.dns.cache.ResolverKind.inventoryChoices(), strings(host.get("resolver").get("enum")));
        assertEquals(io.drctl.dbms.DbmsKind.labels(), strings(host.get("db").get("properties").get("kind").get("enum")));
        assertTrue(strings(host.get("firewall").get("enum")).contains("windows-netsh"), "the backend's kinds, all of them");
    }

    static java.util.List<String> strings(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void inventorySchema_isValidJsonAndLinked() throws Exception {
        JsonNode s = new ObjectMapper().readTree(Files.readString(Fixtures.repoRoot().resolve("inventory/inventory.schema.json")));
        assertEquals(false, s.get("additionalProperties").asBoolean());
        assertTrue(s.get("definitions").get("host").get("properties").has("vm"));
    }
}
