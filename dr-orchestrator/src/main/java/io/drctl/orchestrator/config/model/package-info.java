/**
 * The validated inputs: the inventory's and the runbook's records. Only {@code config/load} builds them (besides
 * their own copies and defaults), from located YAML, with every component given: an absent optional key is
 * {@code Optional.empty()}, an absent list or map is empty. So their constructors check what the YAML can get wrong
 * (a bound, exactly one of two keys) and copy collections; they do not check for nulls.
 */
package io.drctl.orchestrator.config.model;
