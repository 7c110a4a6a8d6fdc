package io.drctl.orchestrator.report;

import java.time.Duration;

/**
 * The failover's forecast RTO as {@code drctl forecast} gives it before the drill, from earlier runs in the state dir.
 *
 * @param median   the expected RTO (critical path of median step durations plus rule time)
 * @param p90      the same with p90 durations
 * @param runsRead how many earlier runs it was computed from
 */
public record ForecastFigure(Duration median, Duration p90, int runsRead) {
}
