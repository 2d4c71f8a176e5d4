package io.runnerscaler.core.sim;

import java.time.Instant;

/** A pool's counts from this instant until the next sample of the same pool; for charts. */
public record Sample(Instant at, String pool, int queued, int launching, int idle, int busy, int draining) {

    public int machines() {
        return launching + idle + busy + draining;
    }
}
