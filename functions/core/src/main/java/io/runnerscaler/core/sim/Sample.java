package io.runnerscaler.core.sim;

import java.time.Instant;

/** A pool's counts ({@code stopped}: WARMING, STOPPING and STOPPED machines) from this instant until the next sample of the same pool; for charts. */
public record Sample(Instant at, String pool, int queued, int launching, int idle, int busy, int draining,
                     int stopped) {

    /** A sample of a pool without a stopped pool. */
    public Sample(Instant at, String pool, int queued, int launching, int idle, int busy, int draining) {
        this(at, pool, queued, launching, idle, busy, draining, 0);
    }

    /** Every machine of the pool, its stopped pool's (refilling, stopping, stopped) included: what limit counts. */
    public int machines() {
        return launching + idle + busy + draining + stopped;
    }
}
