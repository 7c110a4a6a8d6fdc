/**
 * The validated inputs: inventory and runbook records. They are built by {@code config/load} alone, from located
 * YAML: every component is given (an absent optional key is {@code Optional.empty()}, an absent list or map is
 * empty), so the constructors check what YAML can get wrong (bounds, immutable copies), not for nulls.
 */
package io.drctl.orchestrator.config.model;
