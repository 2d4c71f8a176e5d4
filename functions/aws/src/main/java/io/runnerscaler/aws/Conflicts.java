package io.runnerscaler.aws;

import io.runnerscaler.core.port.Metrics;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/**
 * Retries a write that lost a race for a counter item, with jittered backoff, and counts each lost race
 * ({@code CounterConflicts} by {@code Table}). DynamoDB cancels a transaction that meets another one on the same item
 * ({@code TransactionCanceledException} with reason {@code TransactionConflict}) and refuses a single write to an item
 * a transaction is changing ({@code TransactionConflictException}); the DynamoDB developer guide, "Transaction conflict
 * handling in DynamoDB", says to retry both. A condition that failed is the caller's to read: the attempt returns
 * {@link Attempt#again()} and is made once more from a fresh read.
 */
final class Conflicts {

    /** Attempts before the conflict goes up (the queue then redelivers the message). */
    static final int ATTEMPTS = 10;
    private static final long BASE_MILLIS = 10;
    private static final long CAP_MILLIS = 400;

    private final Metrics metrics;
    private final String table;

    Conflicts(Metrics metrics, String table) {
        this.metrics = metrics;
        this.table = table;
    }

    /** What one attempt came to: a result, or a condition that failed because the item moved on since it was read. */
    record Attempt<T>(T result, boolean retry) {
        static <T> Attempt<T> done(T result) {
            return new Attempt<>(result, false);
        }

        static <T> Attempt<T> again() {
            return new Attempt<>(null, true);
        }
    }

    <T> T retry(String what, Supplier<Attempt<T>> attempt) {
        RuntimeException last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            try {
                Attempt<T> a = attempt.get();
                if (!a.retry()) {
                    return a.result();
                }
                last = null;
            } catch (TransactionCanceledException e) {
                if (!isConflict(e)) {
                    throw e;
                }
                conflict();
                last = e;
            } catch (TransactionConflictException e) {
                conflict();
                last = e;
            }
            pause(i);
        }
        if (last != null) {
            throw last;
        }
        throw new IllegalStateException(what + ": the item kept changing over " + ATTEMPTS + " attempts");
    }

    static boolean isConflict(TransactionCanceledException e) {
        return e.hasCancellationReasons() && e.cancellationReasons().stream().map(CancellationReason::code)
                .anyMatch("TransactionConflict"::equals);
    }

    /** Whether a transaction was cancelled only because a condition failed (an item moved on since it was read). */
    static boolean conditionFailed(TransactionCanceledException e) {
        return e.hasCancellationReasons() && e.cancellationReasons().stream().map(CancellationReason::code)
                .anyMatch("ConditionalCheckFailed"::equals) && !isConflict(e);
    }

    private void conflict() {
        metrics.count("CounterConflicts", Map.of("Table", table));
    }

    private static void pause(int attempt) {
        long ceiling = Math.min(CAP_MILLIS, BASE_MILLIS << Math.min(attempt, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a conflicting write", e);
        }
    }
}
