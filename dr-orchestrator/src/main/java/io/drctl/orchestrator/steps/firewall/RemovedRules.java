package io.drctl.orchestrator.steps.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drctl.firewall.BlockingRule;
import io.drctl.firewall.Cidr;
import io.drctl.firewall.FirewallBackend;
import io.drctl.firewall.FirewallException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocking rules kept in a JSON file, verbatim: those an unfence removed (for rollback and for the failback's fence)
 * and those a fence restored (for its rollback).
 */
final class RemovedRules {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RemovedRules() {
    }

    static ArrayNode toJson(List<BlockingRule> rules) {
        ArrayNode a = JSON.createArrayNode();
        for (BlockingRule r : rules) {
            ObjectNode o = a.addObject();
            o.put("backend", r.backend()).put("family", r.family()).put("table", r.table()).put("chain", r.chain())
                    .put("position", r.position()).put("text", r.text()).put("source", r.source().toString())
                    .put("origin", r.origin().name()).put("effective", r.effective());
        }
        return a;
    }

    static List<BlockingRule> fromJson(JsonNode a) {
        List<BlockingRule> out = new ArrayList<>();
        for (JsonNode o : a) {
            out.add(new BlockingRule(o.path("backend").asText(), o.path("family").asText(), o.path("table").asText(),
                    o.path("chain").asText(), o.path("position").asInt(), o.path("text").asText(), Cidr.parse(o.path("source").asText()),
                    BlockingRule.Origin.valueOf(o.path("origin").asText()), o.path("effective").asBoolean(true)));
        }
        return out;
    }

    static List<BlockingRule> read(Path file) throws IOException {
        return fromJson(JSON.readTree(Files.readString(file, StandardCharsets.UTF_8)));
    }

    /** The rules in {@code file}, or none when there is no file. */
    static List<BlockingRule> readIfExists(Path file) throws IOException {
        return Files.exists(file) ? read(file) : List.of();
    }

    /**
     * Records the rules an unfence is about to delete (merged with those an earlier attempt recorded, whose
     * positions are the original ones), durably: temp file, fsync, rename, directory fsync.
     */
    static void write(Path file, List<BlockingRule> rules, FirewallBackend b) throws FirewallException {
        try {
            Files.createDirectories(file.getParent());
            List<BlockingRule> all = new ArrayList<>(readIfExists(file));
            for (BlockingRule r : rules) {
                if (all.stream().noneMatch(x -> x.sameRule(r))) {
                    all.add(r);
                }
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(all)), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, b.describe(),
                    "cannot record the rules about to be removed in " + file + " (nothing was removed): " + e.getMessage(), e);
        }
    }
}
