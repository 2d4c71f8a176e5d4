package io.runnerscaler.cli.trace;

/** A job history cannot be read: a saved page is not what the forge answers, or an answer lacks what a job needs. */
final class HistoryException extends RuntimeException {

    HistoryException(String message) {
        super(message);
    }
}
