package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.Status;
import java.time.Duration;
import java.util.Optional;

/**
 * How one step ended, for progress lines and the summary table. Built by the engine alone, every component given.
 *
 * @param id       step id
 * @param type     step type
 * @param status   final status
 * @param targets  number of actions (targets)
 * @param changed  number of targets actually changed (apply ran)
 * @param duration wall time
 * @param error    the first failure message, if any
 */
public record StepOutcome(String id, String type, Status status, int targets, int changed, Duration duration,
                          Optional<String> error) {
}
