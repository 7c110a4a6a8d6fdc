package io.drctl.orchestrator.spi;

import java.util.Objects;

/**
 * One thing an action observed while proving its outcome, kept for the reader of a drill report who
 * must check each claim without the journal: who looked, at what, what was seen and what was expected.
 * Never holds a secret (the journal redacts it again).
 *
 * @param observer where the observation was made: {@code drctl} (the controller), or the host ref a probe ran on
 * @param target   what was looked at: {@code ns2 (10.2.0.53) cfgmaster.cc.example.com.}, {@code 10.1.0.20:5432}
 * @param observed what was seen: {@code A 10.2.0.10 ttl 60; SOA serial 2026112203}, {@code refused}
 * @param expected what the step wanted to see
 * @param ok       whether what was seen is what was expected
 */
public record Evidence(String observer, String target, String observed, String expected, boolean ok) {
    public Evidence {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(expected, "expected");
    }

    /** What was seen matches what was expected (compared as given). */
    public static Evidence of(String observer, String target, String observed, String expected) {
        return new Evidence(observer, target, observed, expected, observed.equals(expected));
    }
}
