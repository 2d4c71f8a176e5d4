package io.runnerscaler.core.sim;

import io.runnerscaler.core.model.Forge;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/** A job in a simulated trace: when it is queued, where it wants to run, and how long it runs. */
public record SimJob(String id, Forge forge, Set<String> labels, Instant arrival, Duration duration) {

    public SimJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(forge, "forge");
        labels = Set.copyOf(labels);
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("job " + id + ": negative duration " + duration);
        }
    }
}
