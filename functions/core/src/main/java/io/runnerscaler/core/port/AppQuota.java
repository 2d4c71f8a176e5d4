package io.runnerscaler.core.port;

import io.runnerscaler.core.runner.Secret;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the function instances using one forge App share, so that together they stay inside the forge's limits: the
 * App's installation token (one token per hour for the whole stack, not one per warm instance), a pause after the
 * forge answered with a rate limit (every pool of the App waits, not only the one that met it), and per-minute
 * budgets of points for the App's calls to one endpoint. DynamoDB in production; an item per App and minute.
 */
public interface AppQuota {

    /** A cached installation token and when the forge said it expires. Its {@code toString} never shows the token. */
    record Token(Secret token, Instant expiresAt) {
        public Token {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /** The App's shared token, if one is stored and not yet expired at {@code now}. */
    Optional<Token> token(String app, Instant now);

    void putToken(String app, Token token);

    /** Forget the shared token (the forge refused it). */
    void dropToken(String app);

    /** Until when the App is paused, if it is at {@code now}. */
    Optional<Instant> pausedUntil(String app, Instant now);

    /** Pause the App until {@code until}; a pause already longer is kept. */
    void pauseUntil(String app, Instant until);

    /**
     * Spends up to {@code units} calls of {@code cost} points each from the App's budget of {@code perMinute} points
     * for {@code bucket} (an endpoint) in the clock minute of {@code now}.
     *
     * @return how many of the calls fit (0 to {@code units}); only those are spent
     */
    int spend(String app, String bucket, int cost, int units, int perMinute, Instant now);
}
