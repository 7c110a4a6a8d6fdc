package io.drctl.orchestrator.cli;

import java.util.Optional;

/**
 * The command line asks for what cannot be done as given: an option value drctl cannot use, a run or step that is not
 * there, a setting the command needs missing from the inventory. Exit 2, nothing done; {@link Main} prints the message
 * after {@code drctl: }, and the hint, when there is one, on the next line.
 */
class InvalidArgumentException extends Exception {
    private final String hint;

    InvalidArgumentException(String message) {
        this(message, null);
    }

    InvalidArgumentException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    /** How to put it right, when the message alone does not say. */
    Optional<String> hint() {
        return Optional.ofNullable(hint);
    }
}
