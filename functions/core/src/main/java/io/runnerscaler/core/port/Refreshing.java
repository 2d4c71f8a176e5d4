package io.runnerscaler.core.port;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * A value read from a slow source (SSM) once, then again only after a time to live, so a warm function
 * picks up a rotated secret or a new config without a redeploy and without a read per request.
 */
public final class Refreshing<T> implements Supplier<T> {

    private final Supplier<T> load;
    private final Duration ttl;
    private final Clock clock;
    private T value;
    private Instant loadedAt;

    public Refreshing(Supplier<T> load, Duration ttl, Clock clock) {
        this.load = load;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public synchronized T get() {
        Instant now = clock.instant();
        if (value == null || !now.isBefore(loadedAt.plus(ttl))) {
            value = load.get();
            loadedAt = now;
        }
        return value;
    }
}
