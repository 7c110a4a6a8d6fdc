package io.drctl.lab;

/** A lab script failed or the lab is not where it should be; the message names the script and its output tail. */
public class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
