package io.drctl.orchestrator.journal;

import java.io.IOException;
import java.nio.file.Path;

/** A journal line other than the last is not a journal event: the run cannot be replayed safely. */
public final class CorruptJournalException extends IOException {
    private final Path file;
    private final int line;

    public CorruptJournalException(Path file, int line) {
        super(file + ":" + line + ": corrupt journal line (not a journal event)");
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
