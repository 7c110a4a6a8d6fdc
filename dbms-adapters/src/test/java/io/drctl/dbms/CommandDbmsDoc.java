package io.drctl.dbms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the template examples of {@code COMMAND-DBMS.md} (its {@code yaml} blocks) so tests build them exactly as
 * documented. Understands only what the document uses: {@code key: 'single-quoted'} (with a trailing comment) and
 * {@code key: >-} folded blocks; commented-out lines are skipped.
 */
final class CommandDbmsDoc {

    static final Path FILE = Path.of("COMMAND-DBMS.md");

    private CommandDbmsDoc() {
    }

    /** Each yaml block's keys, in document order. */
    static List<Map<String, String>> blocks() throws Exception {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = null;
        String folding = null;
        StringBuilder folded = new StringBuilder();
        for (String line : Files.readAllLines(FILE)) {
            if (line.equals("```yaml")) {
                cur = new LinkedHashMap<>();
                continue;
            }
            if (cur == null) {
                continue;
            }
            boolean continuation = line.startsWith("    ") && !line.strip().startsWith("#");
            if (folding != null && continuation) {
                folded.append(folded.length() == 0 ? "" : " ").append(line.strip());
                continue;
            }
            if (folding != null) {
                cur.put(folding, folded.toString());
                folding = null;
                folded.setLength(0);
            }
            if (line.equals("```")) {
                out.add(cur);
                cur = null;
                continue;
            }
            String s = line.strip();
            if (s.startsWith("#") || !line.startsWith("  ") || line.startsWith("   ")) {
                continue;
            }
            int colon = s.indexOf(": ");
            String key = s.substring(0, colon);
            String value = s.substring(colon + 2).strip();
            if (value.equals(">-")) {
                folding = key;
            } else if (value.startsWith("'")) {
                cur.put(key, value.substring(1, value.indexOf('\'', 1)));
            } else {
                cur.put(key, value.replaceAll("\\s+#.*$", ""));
            }
        }
        return out;
    }

    /** The templates of one block. */
    static CommandDbmsTemplates templates(Map<String, String> b) {
        CommandDbmsTemplates t = CommandDbmsTemplates.of(b.get("promote"), b.get("role"), b.get("primary"),
                b.get("replica"));
        if (b.containsKey("lag")) {
            t = t.withLag(b.get("lag"), b.get("lagPattern"));
        }
        if (b.containsKey("writeCheck")) {
            t = t.withWriteCheck(b.get("writeCheck"));
        }
        return t;
    }
}
