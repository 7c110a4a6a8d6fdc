package io.drctl.orchestrator.spi;

import java.util.Objects;

/**
 * The outcome of verify.
 *
 * @param ok     whether the outcome was proven
 * @param detail what was checked and seen: {@code "10.77.2.10:2020 accepted after 3.1s"} or the expected-vs-seen failure
 */
public record Verified(boolean ok, String detail) {
    public Verified {
        Objects.requireNonNull(detail, "detail");
    }

    public static Verified ok(String detail) {
        return new Verified(true, detail);
    }

    public static Verified failed(String detail) {
        return new Verified(false, detail);
    }

    /** A repeated probe as the proof: ok with what was seen, or failed naming {@code subject}, expected and seen. */
    public static Verified byProbe(Probe p, String subject) {
        return p.isSatisfied() ? ok(p.current()) : failed(subject + ": expected " + p.desired() + ", saw " + p.current());
    }

    /** For actions whose apply already proves the outcome (e.g. a command's exit status). */
    public static Verified byApply() {
        return new Verified(true, "proven by apply");
    }
}
