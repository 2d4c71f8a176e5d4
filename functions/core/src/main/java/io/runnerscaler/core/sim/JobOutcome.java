package io.runnerscaler.core.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How a simulated job fared.
 *
 * @param pool      the pool it matched; empty when it matched none
 * @param started   when it last started; empty if it never did before the simulation ended
 * @param attempts  how many times it started (more than one after spot interruptions)
 */
public record JobOutcome(SimJob job, Optional<String> pool, Optional<String> instanceId, Optional<Instant> started,
                         Optional<Instant> finished, int attempts) {

    /** Time from queued to (last) start; empty if it never started. */
    public Optional<Duration> waited() {
        return started.map(s -> Duration.between(job.arrival(), s));
    }
}
