package io.drctl.orchestrator.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The exclusive lock of a state directory: an OS file lock on {@code drctl.lock} (released by the
 * kernel when the holder dies, so a SIGKILLed run never leaves a stale lock), with the holder's
 * pid, host, user, run id and start time written inside for the refusal message.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = "drctl.lock";

    private final FileChannel channel;
    private final FileLock lock;
    private final Path file;

    private RunLock(FileChannel channel, FileLock lock, Path file) {
        this.channel = channel;
        this.lock = lock;
        this.file = file;
    }

    /**
     * Takes the lock or refuses naming the holder.
     *
     * @param who {@code user@host} of this process
     */
    public static RunLock acquire(Path stateDir, String runId, String user, String host, Instant now)
            throws IOException, LockHeldException {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        }
        if (lock == null) {
            ch.close();
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            throw new LockHeldException(stateDir.toString(), holder.isEmpty() ? "unknown holder" : holder);
        }
        String holder = "pid=" + ProcessHandle.current().pid() + ", host=" + host + ", user=" + user + ", run="
                + runId + ", since=" + now;
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(false);
        return new RunLock(ch, lock, file);
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the kernel releases the lock when the channel or process goes
        }
    }

    public Path file() {
        return file;
    }
}
