package io.runnerscaler.core.port;

import java.time.Duration;

/**
 * Brings a queued message that failed back after a chosen delay rather than the queue's visibility timeout
 * (SQS {@code ChangeMessageVisibility} on its receipt handle in production).
 */
public interface Redelivery {

    /** The message received with {@code receiptHandle} becomes visible again {@code after} from now. */
    void redeliverAfter(String receiptHandle, Duration after);

    /** For queues that only know their visibility timeout: the message comes back then. */
    Redelivery AT_VISIBILITY_TIMEOUT = (receiptHandle, after) -> { };
}
