package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.yaml.Problem;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import io.drctl.orchestrator.steps.Builtins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates {@code inventory/example.yaml} and every shipped runbook thousands of times (delete, duplicate, rename
 * and retype keys; swap values between fields; insert shell metacharacters, YAML anchors, aliases and merge keys,
 * huge numbers, unicode and control characters, empty lists and maps) and asserts for every mutation: either
 * {@code validate} exits 2 with every problem located (file:line:column), or {@code plan --offline} succeeds; never
 * exit 1, never a stack trace, never a file created (the inputs are the only files in the directory).
 *
 * <p>The seed is printed; rerun one with {@code -Ddrctl.gen.seed=N} (and {@code -Ddrctl.gen.iterations=N}).
 */
class GenerativeValidationTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Pattern LOCATED = Pattern.compile("^  \\S+:\\d+:\\d+: .+", Pattern.DOTALL);
    static final int CLI_EVERY = 20;

    @TempDir
    Path tmp;

    /** A value written as-is (huge numbers, special scalars). */
    record Plain(String text) {
    }

    /** {@code &name value}. */
    record Anchor(String name, Object value) {
    }

    /** {@code *name}. */
    record Alias(String name) {
    }

    /** A map key emitted twice. */
    record DupKey(String key) {
    }

    @Test
    void mutatedInputs_validateExitsTwoLocatedOrPlanOfflineSucceeds() throws Exception {
        int iterations = Integer.getInteger("drctl.gen.iterations", 2500);
        long seed = Fixtures.seed("GenerativeValidationTest", "drctl.gen.seed", "iterations=" + iterations);
        Random rnd = new Random(seed);
        Path root = Fixtures.repoRoot();
        Object inventory = read(root.resolve("inventory/example.yaml"));
        List<Path> runbookFiles;
        try (Stream<Path> s = Files.list(root.resolve("runbooks"))) {
            runbookFiles = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        List<Object> runbooks = new ArrayList<>();
        for (Path p : runbookFiles) {
            runbooks.add(read(p));
        }
        Path dir = Files.createDirectories(tmp.resolve("work"));
        Path invFile = dir.resolve("inv.yaml");
        Path rbFile = dir.resolve("rb.yaml");
        Path marker = tmp.resolve("pwned");
        Set<String> expectedFiles = Set.of("inv.yaml", "rb.yaml");
        StepTypeRegistry registry = Builtins.registry();
        List<String> failures = new ArrayList<>();
        int[] outcomes = new int[2];
        long started = System.nanoTime();
        for (int i = 0; i < iterations && failures.size() < 5; i++) {
            boolean mutateInventory = rnd.nextInt(10) < 3;
            int which = rnd.nextInt(runbooks.size());
            Object inv = copy(inventory);
            Object rb = copy(runbooks.get(which));
            Object target = mutateInventory ? inv : rb;
            List<String> applied = new ArrayList<>();
            int n = 1 + rnd.nextInt(3);
            for (int k = 0; k < n; k++) {
                target = mutate(target, rnd, marker, applied);
            }
            String invText = emit(mutateInventory ? target : inv);
            String rbText = emit(mutateInventory ? rb : target);
            Files.writeString(invFile, invText);
            Files.writeString(rbFile, rbText);
            String what = "iteration " + i + " (" + runbookFiles.get(which).getFileName() + ", " + (mutateInventory ? "inventory" : "runbook")
                    + " mutated: " + applied + ")";
            try {
                // validate and plan --offline are Loaded.check and Loaded.load + Planner.plan behind picocli; every
                // CLI_EVERY-th mutation also goes through the real CLI, which must agree
                Problems found = Loaded.check(invFile, List.of(rbFile), registry);
                String problem = judge(found, invFile, rbFile);
                if (problem == null && found.isEmpty()) {
                    Planner.plan(Loaded.load(invFile, rbFile, Map.of(), registry), registry);
                }
                if (problem == null && i % CLI_EVERY == 0) {
                    problem = judgeCli(invFile, rbFile, found.isEmpty());
                }
                outcomes[found.isEmpty() ? 0 : 1]++;
                if (problem == null && Files.exists(marker)) {
                    problem = "a mutation's shell command ran (" + marker + " exists)";
                }
                if (problem == null) {
                    try (Stream<Path> files = Files.list(dir)) {
                        Set<String> names = files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
                        if (!names.equals(expectedFiles)) {
                            problem = "files created: " + names;
                        }
                    }
                }
                if (problem != null) {
                    failures.add(save(what, problem, invText, rbText, failures.size()));
                }
            } catch (Throwable t) {
                failures.add(save(what, "threw " + t, invText, rbText, failures.size()));
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("GenerativeValidationTest seed=" + seed + ": " + outcomes[0] + " valid (planned offline), "
                + outcomes[1] + " invalid with located problems, in " + ms + " ms");
        assertTrue(failures.isEmpty(), "seed " + seed + ":\n" + String.join("\n\n", failures));
    }

    /** Why the problems {@code validate} would print are unacceptable (unlocated, or drctl's own failure), or null. */
    static String judge(Problems found, Path invFile, Path rbFile) {
        for (Problem p : found.list()) {
            String line = "  " + p.render();
            if (p.message().startsWith(Loaded.EXPANSION_FAILED)) {
                return "internal error (validation let through what a step type cannot plan): " + line;
            }
            if (!LOCATED.matcher(line).matches() || !(line.contains(invFile.toString()) || line.contains(rbFile.toString()))) {
                return "problem without file:line:column: " + line;
            }
        }
        return null;
    }

    /** The real CLI: validate exits 2 exactly when problems were found, else 0 and plan --offline 0; no stack trace. */
    static String judgeCli(Path invFile, Path rbFile, boolean valid) {
        Fixtures.Cli v = Fixtures.cli("validate", invFile.toString(), rbFile.toString());
        int want = valid ? ExitCodes.OK : ExitCodes.INVALID_INPUT;
        if (v.code() != want || v.all().contains("\tat ") || v.all().contains("internal error")) {
            return "validate exited " + v.code() + " (expected " + want + "):\n" + v.all();
        }
        if (valid) {
            Fixtures.Cli p = Fixtures.cli("plan", "--offline", invFile.toString(), rbFile.toString());
            if (p.code() != ExitCodes.OK) {
                return "validate accepted it but plan --offline exited " + p.code() + ":\n" + p.all();
            }
        }
        return null;
    }

    String save(String what, String problem, String inv, String rb, int n) throws IOException {
        Path out = Files.createDirectories(Path.of("target", "generative-failures"));
        Files.writeString(out.resolve("failure-" + n + "-inv.yaml"), inv);
        Files.writeString(out.resolve("failure-" + n + "-rb.yaml"), rb);
        // control characters from the mutations would garble the test report
        String shown = problem.replaceAll("[\\p{Cntrl}&&[^\n]]", "?");
        return what + ": " + shown + "\n(inputs saved as " + out.toAbsolutePath() + "/failure-" + n + "-{inv,rb}.yaml)";
    }

    static Object read(Path p) throws IOException {
        return YAML.readValue(p.toFile(), Object.class);
    }

    @SuppressWarnings("unchecked")
    static Object copy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, copy(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(copy(v)));
            return out;
        }
        return o;
    }

    // ---------------------------------------------------------------- mutations

    /** A slot in the tree: a map entry or a list item. */
    record Slot(Object container, Object key) {
        Object get() {
            return container instanceof Map<?, ?> m ? m.get(key) : ((List<?>) container).get((Integer) key);
        }

        @SuppressWarnings("unchecked")
        void set(Object v) {
            if (container instanceof Map<?, ?> m) {
                ((Map<Object, Object>) m).put(key, v);
            } else {
                ((List<Object>) container).set((Integer) key, v);
            }
        }
    }

    static void slots(Object node, List<Slot> out) {
        if (node instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                out.add(new Slot(m, k));
                slots(m.get(k), out);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                out.add(new Slot(l, i));
                slots(l.get(i), out);
            }
        }
    }

    static final String[] HUGE = {"99999999999999999999", "9223372036854775807", "-9223372036854775809", "2147483648", "-1", "0",
            "65536", "1e308", "-0.0", ".nan", "99999999999999999999s", "9223372036854775807m", "1000000d", "0x7fffffff"};
    static final String[] UNICODE = {"régión", "日本語", "\u202eevil", "zero\u200bwidth", "emoji\uD83D\uDE00", "tab\there",
            "new\nline", "nul\u0000byte", "bell\u0007", "ﬁ", "İ", "\uFEFFbom"};
    static final String[] EMPTY = {"[]", "{}", "\"\"", "~"};

    @SuppressWarnings("unchecked")
    static Object mutate(Object root, Random rnd, Path marker, List<String> applied) {
        List<Slot> all = new ArrayList<>();
        slots(root, all);
        if (all.isEmpty()) {
            applied.add("replace root");
            return new LinkedHashMap<>(Map.of("name", "x"));
        }
        Slot s = all.get(rnd.nextInt(all.size()));
        String m = "touch " + marker;
        switch (rnd.nextInt(12)) {
            case 0 -> { // delete a key or an item
                applied.add("delete " + s.key());
                if (s.container() instanceof Map<?, ?> map) {
                    map.remove(s.key());
                } else {
                    ((List<Object>) s.container()).remove((int) (Integer) s.key());
                }
            }
            case 1 -> { // duplicate a key
                if (s.container() instanceof Map<?, ?> map) {
                    String k = s.key() instanceof DupKey d ? d.key() : String.valueOf(s.key());
                    applied.add("duplicate " + k);
                    ((Map<Object, Object>) map).put(new DupKey(k), copy(s.get()));
                } else {
                    applied.add("duplicate item");
                    ((List<Object>) s.container()).add(copy(s.get()));
                }
            }
            case 2 -> { // retype
                Object v = s.get();
                Object nv = switch (rnd.nextInt(5)) {
                    case 0 -> new ArrayList<>(List.of(v == null ? "x" : v));
                    case 1 -> new LinkedHashMap<>(Map.of("x", v == null ? "y" : v));
                    case 2 -> v instanceof String ? 42 : String.valueOf(v);
                    case 3 -> rnd.nextBoolean();
                    default -> v instanceof Map || v instanceof List ? "scalar" : null;
                };
                applied.add("retype " + s.key());
                s.set(nv);
            }
            case 3 -> { // swap values between two fields
                Slot o = all.get(rnd.nextInt(all.size()));
                if (!contains(s.get(), o.container()) && !contains(o.get(), s.container())) {
                    Object a = s.get();
                    Object b = o.get();
                    s.set(b);
                    o.set(a);
                    applied.add("swap " + s.key() + "<->" + o.key());
                }
            }
            case 4 -> { // shell metacharacters
                String[] inject = {"; " + m, "$(" + m + ")", "`" + m + "`", "| " + m, "' ; " + m + "; '", "\" && " + m + " \"",
                        "\n" + m, "${IFS}" + m, "&& " + m + " #"};
                Object v = s.get();
                String base = v instanceof String str ? str : String.valueOf(v);
                s.set(base + inject[rnd.nextInt(inject.length)]);
                applied.add("inject " + s.key());
            }
            case 5 -> { // anchor + alias
                Slot o = all.get(rnd.nextInt(all.size()));
                String name = "a" + rnd.nextInt(100);
                if (!contains(s.get(), o.container()) && s != o) {
                    s.set(new Anchor(name, s.get()));
                    o.set(new Alias(name));
                    applied.add("alias " + s.key() + "->" + o.key());
                }
            }
            case 6 -> { // merge key
                if (s.get() instanceof Map<?, ?> map) {
                    ((Map<Object, Object>) map).put("<<", new LinkedHashMap<>(Map.of("x", "y")));
                    applied.add("merge key in " + s.key());
                }
            }
            case 7 -> { // huge or odd numbers
                s.set(new Plain(HUGE[rnd.nextInt(HUGE.length)]));
                applied.add("number " + s.key());
            }
            case 8 -> { // unicode and control characters
                Object v = s.get();
                String u = UNICODE[rnd.nextInt(UNICODE.length)];
                s.set(rnd.nextBoolean() && v instanceof String str ? str + u : u);
                applied.add("unicode " + s.key());
            }
            case 9 -> { // empty lists and maps
                s.set(new Plain(EMPTY[rnd.nextInt(EMPTY.length)]));
                applied.add("empty " + s.key());
            }
            case 10 -> { // rename a key (a typo, or another known key)
                if (s.container() instanceof Map<?, ?> map && s.key() instanceof String k && !k.isEmpty()) {
                    String renamed = rnd.nextBoolean() ? k.substring(1) : k + "s";
                    Map<Object, Object> copy = new LinkedHashMap<>();
                    map.forEach((kk, vv) -> copy.put(kk.equals(k) ? renamed : kk, vv));
                    ((Map<Object, Object>) map).clear();
                    ((Map<Object, Object>) map).putAll(copy);
                    applied.add("rename " + k);
                }
            }
            default -> { // copy a value from elsewhere (values valid in another place)
                Slot o = all.get(rnd.nextInt(all.size()));
                if (!contains(o.get(), s.container())) {
                    s.set(copy(o.get()));
                    applied.add("copy " + o.key() + "->" + s.key());
                }
            }
        }
        return root;
    }

    /** Whether {@code needle} is {@code node} or inside it (by identity). */
    static boolean contains(Object node, Object needle) {
        if (node == needle) {
            return true;
        }
        if (node instanceof Map<?, ?> m) {
            return m.values().stream().anyMatch(v -> contains(v, needle));
        }
        if (node instanceof List<?> l) {
            return l.stream().anyMatch(v -> contains(v, needle));
        }
        if (node instanceof Anchor a) {
            return contains(a.value(), needle);
        }
        return false;
    }

    // ---------------------------------------------------------------- emitting YAML (block style)

    static String emit(Object root) {
        StringBuilder sb = new StringBuilder();
        if (root instanceof Map<?, ?> || root instanceof List<?>) {
            block(root, 0, sb);
        } else {
            sb.append(inline(root)).append('\n');
        }
        return sb.toString();
    }

    static boolean isBlock(Object v) {
        return (v instanceof Map<?, ?> m && !m.isEmpty()) || (v instanceof List<?> l && !l.isEmpty())
                || (v instanceof Anchor a && isBlock(a.value()));
    }

    static void block(Object node, int indent, StringBuilder sb) {
        String pad = " ".repeat(indent);
        if (node instanceof Anchor a) {
            block(a.value(), indent, sb);
            return;
        }
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = e.getKey() instanceof DupKey d ? d.key() : String.valueOf(e.getKey());
                sb.append(pad).append(key(key)).append(':');
                value(e.getValue(), indent, sb);
            }
        } else if (node instanceof List<?> l) {
            for (Object item : l) {
                sb.append(pad).append('-');
                value(item, indent, sb);
            }
        }
    }

    static void value(Object v, int indent, StringBuilder sb) {
        if (isBlock(v)) {
            if (v instanceof Anchor a) {
                sb.append(" &").append(a.name());
            }
            sb.append('\n');
            block(v, indent + 2, sb);
        } else {
            sb.append(' ').append(inline(v)).append('\n');
        }
    }

    static String key(String k) {
        return k.equals("<<") || k.matches("[A-Za-z0-9_][A-Za-z0-9_./-]*") ? k : quote(k);
    }

    static String inline(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Plain p) {
            return p.text();
        }
        if (v instanceof Alias a) {
            return "*" + a.name();
        }
        if (v instanceof Anchor a) {
            return "&" + a.name() + " " + inline(a.value());
        }
        if (v instanceof Map<?, ?>) {
            return "{}";
        }
        if (v instanceof List<?>) {
            return "[]";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return quote(v.toString());
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\uFEFF') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
