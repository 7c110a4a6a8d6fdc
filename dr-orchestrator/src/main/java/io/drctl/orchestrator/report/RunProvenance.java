package io.drctl.orchestrator.report;

import java.util.List;

/**
 * What ran and who allowed it, read from a run's journal: the hashes of the runbook and inventory as the run read
 * them at its start, drctl's version, the operator, the mode, the approvals given and the safety rules overridden.
 *
 * @param runbookSha256   SHA-256 of the runbook copy the run executed ({@code "(not journaled)"} for runs of older drctl)
 * @param inventorySha256 SHA-256 of the inventory copy
 * @param drctlVersion    the drctl that started the run
 * @param operator        {@code user@host} that started it (and, after {@code ;}, any that resumed it)
 * @param mode            {@code planned}, {@code forced}, or {@code (runbook has no mode)}
 * @param dryRun          whether nothing was changed
 * @param approvals       {@code step: approved by alice@ops1 via tty}
 * @param overrides       {@code rule: overridden by alice@ops1, reason "...", violation "..."}, and allowed ones unused
 */
public record RunProvenance(String runbookSha256, String inventorySha256, String drctlVersion, String operator, String mode,
                            boolean dryRun, List<String> approvals, List<String> overrides) {
    static final String NOT_JOURNALED = "(not journaled)";

    public RunProvenance {
        approvals = List.copyOf(approvals);
        overrides = List.copyOf(overrides);
    }
}
