package io.runnerscaler.core.usecase;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.port.DeadLetters;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.JobTags;
import io.runnerscaler.core.port.Redelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The scale-up use case: one batch of queued job events, each answered with an outcome. A message is done, or
 * parked in the dead-letter queue with its reason when it can never succeed (not a job event; a GitLab job whose
 * tags GitLab refuses to tell), or retried after a delay when it may succeed later (the forge's rate limit or
 * outage, AWS throttling, any other failure). A retry waits {@link #FIRST_RETRY}, doubled per receive, at most
 * {@link #LONGEST_RETRY}, or what the forge asked for ({@code Retry-After}); once one message of a group fails,
 * the rest of the group in the batch is retried with it, keeping the job's events in order.
 */
public final class ScaleUp {

    public static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    public static final Duration LONGEST_RETRY = Duration.ofMinutes(5);
    /** A forge's {@code Retry-After} is honoured up to this. */
    public static final Duration LONGEST_ASKED = Duration.ofMinutes(15);

    /**
     * One received message.
     *
     * @param group        its FIFO message group (the job), if the queue has groups
     * @param receiveCount how many times it was received, this time included (SQS ApproximateReceiveCount)
     */
    public record Message(String id, String receiptHandle, String body, Optional<String> group, int receiveCount) {
    }

    /** What became of one message. */
    public sealed interface Outcome {
        String messageId();

        record Done(String messageId) implements Outcome {
        }

        /** Back on the queue, visible again {@code after}. */
        record Retry(String messageId, Duration after, String reason) implements Outcome {
        }

        /** In the dead-letter queue with the reason; it is not retried. */
        record Parked(String messageId, String reason) implements Outcome {
        }
    }

    private final JobEvents jobs;
    private final UnaryOperator<JobEvent> tags;
    private final DeadLetters deadLetters;
    private final Redelivery redelivery;
    private final EventLog log;
    private final Duration firstRetry;
    private final JobEventCodec codec = new JobEventCodec();

    /**
     * @param tags fills in GitLab job tags before matching (the identity where no GitLab API token is configured)
     */
    public ScaleUp(JobEvents jobs, UnaryOperator<JobEvent> tags, DeadLetters deadLetters, Redelivery redelivery,
                   EventLog log) {
        this(jobs, tags, deadLetters, redelivery, log, FIRST_RETRY);
    }

    /** @param firstRetry the wait before a failed message's first retry, doubled per receive up to {@link #LONGEST_RETRY} */
    public ScaleUp(JobEvents jobs, UnaryOperator<JobEvent> tags, DeadLetters deadLetters, Redelivery redelivery,
                   EventLog log, Duration firstRetry) {
        if (firstRetry.isNegative() || firstRetry.isZero() || firstRetry.compareTo(LONGEST_RETRY) > 0) {
            throw new IllegalArgumentException("first retry " + firstRetry + " must lie in (0, " + LONGEST_RETRY + "]");
        }
        this.firstRetry = firstRetry;
        this.jobs = jobs;
        this.tags = tags;
        this.deadLetters = deadLetters;
        this.redelivery = redelivery;
        this.log = log;
    }

    public List<Outcome> handle(List<Message> batch) {
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, Outcome.Retry> failedGroups = new HashMap<>();
        for (Message message : batch) {
            Outcome.Retry groupFailed = message.group().map(failedGroups::get).orElse(null);
            Outcome outcome = groupFailed != null
                    ? retry(message, groupFailed.after(), "after message " + groupFailed.messageId() + " of its group")
                    : handle(message);
            if (outcome instanceof Outcome.Retry r && groupFailed == null) {
                message.group().ifPresent(g -> failedGroups.put(g, r));
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    private Outcome handle(Message message) {
        JobEvent job;
        try {
            job = codec.decode(message.body());
        } catch (IllegalArgumentException poison) {
            return park(message, poison.getMessage());
        }
        try {
            jobs.handle(tags.apply(job));
            return new Outcome.Done(message.id());
        } catch (JobTags.LookupFailed lookup) {
            if (!lookup.retryable()) {
                // A token GitLab rejects (401, 403) or a job it will not show (404) gets the same answer on every
                // receive until an operator acts: retrying only delays the other jobs and ends in the DLQ anyway.
                // Matching the job as untagged instead would launch on a run-untagged pool, whose runner GitLab
                // never gives a tagged job, while the job keeps waiting. Parked with the reason, the job is back
                // in line after the fix with `runner-scaler dlq redrive`.
                return park(message, "GitLab job tags unavailable (" + lookup.reason() + "): " + lookup.getMessage()
                        + "; fix it, then run runner-scaler dlq redrive");
            }
            Duration after = lookup.retryAfter().map(asked -> asked.compareTo(LONGEST_ASKED) > 0 ? LONGEST_ASKED
                    : asked).orElseGet(() -> backoff(firstRetry, message.receiveCount()));
            return failed(message, lookup, after);
        } catch (ForgeException.RateLimited limited) {
            // The forge's wait (a GitHub App paused, its JIT budget spent until the next minute) goes to SQS.
            Duration after = limited.retryAfter().filter(d -> !d.isNegative() && !d.isZero())
                    .map(asked -> asked.compareTo(LONGEST_ASKED) > 0 ? LONGEST_ASKED : asked)
                    .orElseGet(() -> backoff(message.receiveCount()));
            return failed(message, limited, after);
        } catch (RuntimeException e) {
            return failed(message, e, backoff(firstRetry, message.receiveCount()));
        }
    }

    /** {@link #FIRST_RETRY} doubled for each earlier receive, at most {@link #LONGEST_RETRY}. */
    public static Duration backoff(int receiveCount) {
        return backoff(FIRST_RETRY, receiveCount);
    }

    /** {@code first} doubled for each earlier receive, at most {@link #LONGEST_RETRY}. */
    public static Duration backoff(Duration first, int receiveCount) {
        Duration after = first;
        for (int i = 1; i < receiveCount && after.compareTo(LONGEST_RETRY) < 0; i++) {
            after = after.multipliedBy(2);
        }
        return after.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : after;
    }

    private Outcome failed(Message message, RuntimeException e, Duration after) {
        log.warn("scale_up.message_failed", Map.of("message", message.id(), "error", e.getClass().getSimpleName(),
                "detail", String.valueOf(e.getMessage()), "receive", message.receiveCount(),
                "retryInSeconds", after.toSeconds()));
        return retry(message, after, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /** Asks for the message again after the delay; if the queue cannot be told, it comes back at its timeout. */
    private Outcome retry(Message message, Duration after, String reason) {
        try {
            redelivery.redeliverAfter(message.receiptHandle(), after);
        } catch (RuntimeException e) {
            log.warn("scale_up.redelivery_unchanged", Map.of("message", message.id(),
                    "error", e.getClass().getSimpleName(), "detail", "back after the queue's visibility timeout"));
        }
        return new Outcome.Retry(message.id(), after, reason);
    }

    private Outcome park(Message message, String reason) {
        log.warn("scale_up.message_parked", Map.of("message", message.id(), "reason", reason));
        deadLetters.park(message.body(), message.group().orElse(null), reason);
        return new Outcome.Parked(message.id(), reason);
    }
}
