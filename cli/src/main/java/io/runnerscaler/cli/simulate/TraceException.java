package io.runnerscaler.cli.simulate;

/** A trace file cannot be used; the message names the file, the line and the fix. */
public final class TraceException extends RuntimeException {

    public TraceException(String message) {
        super(message);
    }
}
