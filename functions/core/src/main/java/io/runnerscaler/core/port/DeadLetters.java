package io.runnerscaler.core.port;

/**
 * Where messages go that can never succeed (not a job event at all), with the reason, so an operator can
 * read, fix and re-drive them (the SQS dead-letter queue in production). Messages that failed for a
 * passing reason are not parked here directly: the queue retries them and moves them after a bounded
 * number of receives.
 */
public interface DeadLetters {

    void park(String body, String group, String reason);
}
