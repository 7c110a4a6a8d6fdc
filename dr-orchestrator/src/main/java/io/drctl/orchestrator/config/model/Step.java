package io.drctl.orchestrator.config.model;

import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.YNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One runbook step as written. The common keys are typed; the step type's own keys are kept as
 * located YAML nodes until parameters are substituted and the type validates them.
 *
 * @param id          unique step id
 * @param type        step type name (see {@code StepTypeRegistry})
 * @param description optional human description
 * @param hosts       target selector(s) as written, e.g. {@code "region=${to} role=dbms"}
 * @param dependsOn   ids of steps that must succeed first
 * @param timeout     per-step timeout (all targets, all attempts), if set
 * @param retry       retry policy per target
 * @param onFailure   what a failure of this step does to the run
 * @param parallelism maximum targets worked on at once
 * @param fields      type-specific keys, unresolved
 * @param location    where the step starts
 * @param source      the step as written (for key and value locations in problems)
 * @param whenForced  what changes in a forced run ({@code --mode forced}: a region is gone), e.g. a step against the
 *                    old region becomes best-effort with a short timeout
 */
public record Step(String id, String type, Optional<String> description, Optional<YNode> hosts, List<String> dependsOn,
                   Optional<Duration> timeout, RetryPolicy retry, OnFailure onFailure, int parallelism,
                   Map<String, YNode> fields, Location location, YNode.YMap source, Optional<Forced> whenForced)
        implements Sourced {

    /** {@code whenForced:} — the common keys a forced run replaces. */
    public record Forced(Optional<OnFailure> onFailure, Optional<Duration> timeout, Optional<RetryPolicy> retry) {
    }

    public Step(String id, String type, Optional<String> description, Optional<YNode> hosts, List<String> dependsOn,
                Optional<Duration> timeout, RetryPolicy retry, OnFailure onFailure, int parallelism,
                Map<String, YNode> fields, Location location, YNode.YMap source) {
        this(id, type, description, hosts, dependsOn, timeout, retry, onFailure, parallelism, fields, location, source, Optional.empty());
    }

    /** This step as a forced run runs it: {@code whenForced} applied. */
    public Step forced() {
        if (whenForced.isEmpty()) {
            return this;
        }
        Forced f = whenForced.get();
        return new Step(id, type, description, hosts, dependsOn, f.timeout().or(() -> timeout), f.retry().orElse(retry),
                f.onFailure().orElse(onFailure), parallelism, fields, location, source, whenForced);
    }

    public Step {
        dependsOn = List.copyOf(dependsOn);
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** What a step failure does to the run. */
    public enum OnFailure {
        /** Stop starting new steps; the run fails and can be resumed. */
        ABORT,
        /** Record the failure and go on; dependants of this step still run. */
        CONTINUE
    }

    /**
     * Retry policy for one target of a step.
     *
     * @param attempts total attempts (1 = no retry)
     * @param backoff  pause before the second attempt; doubles each time up to {@code maxBackoff}
     * @param maxBackoff upper bound for the pause
     */
    public record RetryPolicy(int attempts, Duration backoff, Duration maxBackoff) {
        public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(30));

        public RetryPolicy {
            if (attempts < 1) {
                throw new IllegalArgumentException("retry attempts must be >= 1, got " + attempts);
            }
        }

        /** Pause before attempt {@code attempt} (2-based: the first retry). */
        public Duration pauseBefore(int attempt) {
            Duration d = backoff;
            for (int i = 2; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
        }
    }
}
