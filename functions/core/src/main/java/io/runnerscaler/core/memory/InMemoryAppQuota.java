package io.runnerscaler.core.memory;

import io.runnerscaler.core.port.AppQuota;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The App quota in memory: shared by the callers of one process only (the CLI, tests, a stack without a table). */
public final class InMemoryAppQuota implements AppQuota {

    private final Map<String, Token> tokens = new HashMap<>();
    private final Map<String, Instant> pauses = new HashMap<>();
    private final Map<String, Integer> spent = new HashMap<>();

    @Override
    public synchronized Optional<Token> token(String app, Instant now) {
        return Optional.ofNullable(tokens.get(app)).filter(t -> now.isBefore(t.expiresAt()));
    }

    @Override
    public synchronized void putToken(String app, Token token) {
        tokens.put(app, token);
    }

    @Override
    public synchronized void dropToken(String app) {
        tokens.remove(app);
    }

    @Override
    public synchronized Optional<Instant> pausedUntil(String app, Instant now) {
        return Optional.ofNullable(pauses.get(app)).filter(now::isBefore);
    }

    @Override
    public synchronized void pauseUntil(String app, Instant until) {
        pauses.merge(app, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public synchronized int spend(String app, String bucket, int cost, int units, int perMinute, Instant now) {
        String key = app + ":" + bucket + ":" + now.truncatedTo(ChronoUnit.MINUTES).getEpochSecond();
        int used = spent.getOrDefault(key, 0);
        int fit = Math.max(0, Math.min(units, (perMinute - used) / cost));
        if (fit > 0) {
            spent.put(key, used + fit * cost);
        }
        return fit;
    }
}
