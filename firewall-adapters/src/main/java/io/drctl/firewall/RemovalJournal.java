package io.drctl.firewall;

import java.util.List;

/**
 * Told the exact rules an unfence is about to delete, before the first one goes, so that a caller can
 * journal them durably (and a crash after the deletion still leaves a record to restore from).
 */
@FunctionalInterface
public interface RemovalJournal {

    /** Journals nothing. */
    RemovalJournal NONE = rules -> { };

    /**
     * @param rules the rules about to be deleted, each with its exact text and position
     * @throws FirewallException to stop the removal before anything is deleted
     */
    void aboutToRemove(List<BlockingRule> rules) throws FirewallException;
}
