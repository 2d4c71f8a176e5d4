package io.runnerscaler.core.sim;

import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.model.Machine;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How a simulated job fared.
 *
 * @param pool      the pool it matched; empty when it matched none
 * @param started   when it last started; empty if it never did before the simulation ended
 * @param attempts  how many times it started (more than one after spot interruptions)
 * @param path      how its (last) machine came to take it: {@code idle} if it was up when the job was queued,
 *                  else the way the machine came up ({@link Machine#pathFor}); empty if it never started
 */
public record JobOutcome(SimJob job, Optional<String> pool, Optional<String> instanceId, Optional<Instant> started,
                         Optional<Instant> finished, int attempts, Optional<BootPath> path) {

    public JobOutcome {
        java.util.Objects.requireNonNull(path, "path");
    }

    /** An outcome whose path is not known (yet). */
    public JobOutcome(SimJob job, Optional<String> pool, Optional<String> instanceId, Optional<Instant> started,
                      Optional<Instant> finished, int attempts) {
        this(job, pool, instanceId, started, finished, attempts, Optional.empty());
    }

    /** Time from queued to (last) start; empty if it never started. */
    public Optional<Duration> waited() {
        return started.map(s -> Duration.between(job.arrival(), s));
    }
}
