package io.runnerscaler.core.port;

import java.time.Instant;
import java.util.List;

/**
 * When a pool's machines ended before their first job, since its last healthy machine: the input of the
 * planner's boot-failure backoff.
 */
public interface BootHistory {

    /** Adds one boot failure, at {@code at}. */
    void recordBootFailure(String pool, Instant at);

    /** A machine took a job: the pool boots again, its count starts over. */
    void resetBootFailures(String pool);

    /** The pool's boot failures since its last reset, oldest first. */
    List<Instant> bootFailures(String pool);
}
