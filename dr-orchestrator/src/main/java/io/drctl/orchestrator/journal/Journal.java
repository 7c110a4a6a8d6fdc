package io.drctl.orchestrator.journal;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The append-only JSON-lines journal of one run. {@link #append} returns only after the line is
 * written and {@code fsync}'d, so the engine calls it <em>before</em> each side effect it announces.
 * Every string, at any depth, passes through the run's {@link Redactor}.
 *
 * <p>One writer thread owns the file: an interrupt or cancellation of a caller (a step timing out)
 * can never close the channel. A caller interrupted while waiting for its line still waits until the
 * line is on disk, then gets its interrupt flag back.
 *
 * <p>On {@link #open}, a torn last line (a crash mid-write) is repaired: the file is truncated to
 * the last complete line, fsync'd, and a {@code journal.repaired} event says how many bytes went.
 */
public final class Journal implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String FILE = "journal.jsonl";

    private final FileChannel channel;
    private final ExecutorService writer;
    private final Clock clock;
    private final Redactor redactor;
    private long seq;
    private boolean closed;

    private Journal(FileChannel channel, Clock clock, Redactor redactor, long seq) {
        this.channel = channel;
        this.clock = clock;
        this.redactor = redactor;
        this.seq = seq;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "drctl-journal");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens (creating) the journal in {@code runDir} for appending; sequence numbers continue. A torn
     * tail is cut off first and the repair journaled.
     *
     * @throws IOException when the file cannot be opened, or a line other than the last is corrupt
     */
    public static Journal open(Path runDir, Clock clock, Redactor redactor) throws IOException {
        Path file = runDir.resolve(FILE);
        boolean created = !Files.exists(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Journal j;
        try {
            Tail tail = repairTail(file, ch);
            ch.position(ch.size());
            if (created) {
                syncDirectory(runDir); // the new file's directory entry must survive a power loss too
            }
            j = new Journal(ch, clock, redactor, tail.lastSeq());
            if (tail.cutBytes() > 0) {
                j.append(EventType.JOURNAL_REPAIRED, Map.of("truncatedBytes", tail.cutBytes(), "atOffset", tail.keptBytes(),
                        "detail", "the last line was torn (a crash mid-write); it was cut off"));
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return j;
    }

    private record Tail(long lastSeq, long keptBytes, long cutBytes) {
    }

    /**
     * Keeps every complete line: a last line without its newline that still parses gets the newline;
     * one that does not parse is truncated away. Fsyncs when it changed anything.
     */
    private static Tail repairTail(Path file, FileChannel ch) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int end = all.length;
        int lastNl = -1;
        for (int i = end - 1; i >= 0; i--) {
            if (all[i] == '\n') {
                lastNl = i;
                break;
            }
        }
        long lastSeq = 0;
        List<JournalEvent> complete = parse(file, new String(all, 0, lastNl + 1, StandardCharsets.UTF_8), false);
        for (JournalEvent e : complete) {
            lastSeq = Math.max(lastSeq, e.seq());
        }
        int tailLen = end - (lastNl + 1);
        if (tailLen == 0) {
            return new Tail(lastSeq, end, 0);
        }
        String tail = new String(all, lastNl + 1, tailLen, StandardCharsets.UTF_8);
        Optional<JournalEvent> whole = tail.isBlank() ? Optional.empty() : parseLine(tail);
        if (whole.isPresent()) {
            ch.position(end);
            ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
            ch.force(false);
            return new Tail(Math.max(lastSeq, whole.get().seq()), end + 1, 0);
        }
        ch.truncate(lastNl + 1);
        ch.force(true);
        return new Tail(lastSeq, lastNl + 1, tailLen);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not every file system can fsync a directory; the file itself is still fsync'd per event
        }
    }

    /** Appends and fsyncs one event. Safe to call from any thread, interrupted or not. */
    public synchronized JournalEvent append(EventType event, String step, String target, Map<String, ?> data) {
        if (closed) {
            throw new IllegalStateException("journal closed");
        }
        Map<String, Object> clean = new LinkedHashMap<>();
        data.forEach((k, v) -> clean.put(k, redactor.redactDeep(v)));
        JournalEvent e = new JournalEvent(seq + 1, clock.instant(), event.wire(), Optional.ofNullable(step),
                Optional.ofNullable(target), clean);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", e.seq());
        line.put("at", e.at().toString());
        line.put("event", e.event());
        if (step != null) {
            line.put("step", step);
        }
        if (target != null) {
            line.put("target", target);
        }
        line.putAll(clean);
        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot encode a journal event", ex);
        }
        write(bytes);
        seq++;
        return e;
    }

    private void write(byte[] bytes) {
        Future<?> f = writer.submit(() -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
            return null;
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException ie) {
                    interrupted = true; // the line must reach the disk before the caller goes on
                } catch (ExecutionException ee) {
                    Throwable c = ee.getCause();
                    throw new UncheckedIOException("cannot write the journal; stopping before any further side effect",
                            c instanceof IOException io ? io : new IOException(c));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public JournalEvent append(EventType event, Map<String, ?> data) {
        return append(event, null, null, data);
    }

    /**
     * Reads a journal; a torn last line (crash mid-write) is ignored.
     *
     * @throws IOException when a line other than the last is not a journal event (naming file and line)
     */
    public static List<JournalEvent> read(Path file) throws IOException {
        return parse(file, Files.readString(file, StandardCharsets.UTF_8), true);
    }

    private static List<JournalEvent> parse(Path file, String text, boolean tolerateTornLast) throws IOException {
        List<JournalEvent> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int last = lines.length - 1;
        while (last >= 0 && lines[last].isBlank()) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            String l = lines[i];
            if (l.isBlank()) {
                continue;
            }
            Optional<JournalEvent> e = parseLine(l);
            if (e.isEmpty()) {
                if (i == last && tolerateTornLast) {
                    break; // torn final write
                }
                throw new CorruptJournalException(file, i + 1);
            }
            out.add(e.get());
        }
        return out;
    }

    private static Optional<JournalEvent> parseLine(String l) {
        try {
            Map<String, Object> m = JSON.readValue(l, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (!(m.remove("seq") instanceof Number seq) || !(m.remove("at") instanceof String at)
                    || !(m.remove("event") instanceof String event)) {
                return Optional.empty();
            }
            Optional<String> step = Optional.ofNullable(m.remove("step")).map(Object::toString);
            Optional<String> target = Optional.ofNullable(m.remove("target")).map(Object::toString);
            return Optional.of(new JournalEvent(seq.longValue(), Instant.parse(at), event, step, target, m));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.shutdown();
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to write; the last append was already fsync'd
        }
    }
}
