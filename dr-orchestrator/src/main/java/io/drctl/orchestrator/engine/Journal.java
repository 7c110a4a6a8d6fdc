package io.drctl.orchestrator.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The append-only JSON-lines journal of one run. {@link #append} returns only after the line is
 * written and {@code fsync}'d, so the engine calls it <em>before</em> each side effect it announces.
 * Every string passes through the run's {@link Redactor}.
 */
public final class Journal implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String FILE = "journal.jsonl";

    private final FileChannel channel;
    private final Clock clock;
    private final Redactor redactor;
    private long seq;

    private Journal(FileChannel channel, Clock clock, Redactor redactor, long seq) {
        this.channel = channel;
        this.clock = clock;
        this.redactor = redactor;
        this.seq = seq;
    }

    /** Opens (creating) the journal in {@code runDir} for appending; sequence numbers continue. */
    public static Journal open(Path runDir, Clock clock, Redactor redactor) throws IOException {
        Path file = runDir.resolve(FILE);
        long last = Files.exists(file) ? read(file).stream().mapToLong(JournalEvent::seq).max().orElse(0) : 0;
        boolean created = !Files.exists(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (created) {
            syncDirectory(runDir); // the new file's directory entry must survive a power loss too
        }
        return new Journal(ch, clock, redactor, last);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not every file system can fsync a directory; the file itself is still fsync'd per event
        }
    }

    /** Appends and fsyncs one event. */
    public synchronized JournalEvent append(String event, String step, String target, Map<String, ?> data) {
        Map<String, Object> clean = new LinkedHashMap<>();
        data.forEach((k, v) -> clean.put(k, redactor.redactDeep(v)));
        JournalEvent e = new JournalEvent(++seq, clock.instant(), event, Optional.ofNullable(step),
                Optional.ofNullable(target), clean);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", e.seq());
        line.put("at", e.at().toString());
        line.put("event", event);
        if (step != null) {
            line.put("step", step);
        }
        if (target != null) {
            line.put("target", target);
        }
        line.putAll(clean);
        try {
            byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the journal; stopping before any further side effect", ex);
        }
        return e;
    }

    public JournalEvent append(String event, Map<String, ?> data) {
        return append(event, null, null, data);
    }

    /** Reads a journal; a torn last line (crash mid-write) is ignored. */
    public static List<JournalEvent> read(Path file) throws IOException {
        List<JournalEvent> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            Map<String, Object> m;
            try {
                m = JSON.readValue(l, new TypeReference<LinkedHashMap<String, Object>>() { });
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    break; // torn final write
                }
                throw new IOException(file + ":" + (i + 1) + ": corrupt journal line", e);
            }
            long seq = ((Number) m.remove("seq")).longValue();
            Instant at = Instant.parse((String) m.remove("at"));
            String event = (String) m.remove("event");
            Optional<String> step = Optional.ofNullable((String) m.remove("step"));
            Optional<String> target = Optional.ofNullable((String) m.remove("target"));
            out.add(new JournalEvent(seq, at, event, step, target, m));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to write; the last append was already fsync'd
        }
    }
}
