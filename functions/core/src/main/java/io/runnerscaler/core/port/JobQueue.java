package io.runnerscaler.core.port;

import io.runnerscaler.core.model.JobEvent;

/** Hands job events from the webhook to the scale-up function (SQS FIFO in production). */
public interface JobQueue {

    /**
     * Enqueue the event, deduplicated by {@link JobEvent#deduplicationKey()}.
     *
     * @throws QueueUnavailableException when the queue cannot be reached; the webhook answers 503
     */
    void enqueue(JobEvent event);

    /** The queue could not take the event. */
    final class QueueUnavailableException extends RuntimeException {
        public QueueUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
