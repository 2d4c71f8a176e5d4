package io.runnerscaler.forges.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.memory.InMemoryAppQuota;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.AppQuota;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Calls to the GitHub REST API (github.com or Enterprise Server) as a GitHub App installation: the headers
 * every call carries and the installation token, which is dropped when GitHub refuses it. One per App, shared
 * by the runner calls and job re-runs so they share the cached token.
 *
 * <p>Every function instance of the stack shares the App's {@link AppQuota}: the installation token (so a burst
 * of warm instances asks GitHub for one token, not one each), and a pause. When GitHub answers with a rate limit
 * (403/429 with {@code retry-after}, {@code x-ratelimit-remaining: 0} until {@code x-ratelimit-reset}, or a secondary
 * limit: {@link ForgeHttp}), the App is paused until then: every call of every pool using it fails at once with
 * {@link ForgeException.RateLimited} and that wait, without asking GitHub, and its callers hand the wait on (scale-up
 * hides the message, the reaper waits for a later pass). Every answer's {@code x-ratelimit-remaining} is the
 * {@code GitHubRateLimitRemaining} metric. The runner calls, job re-runs and pending-job listings all send through
 * {@link #send}, so each of them pauses, and is paused for, all the others.
 */
public final class GitHubAppClient {

    static final String API_VERSION = "2022-11-28";

    private final ForgeHttp http;
    private final GitHubAppAuth auth;
    private final AppQuota quota;
    private final Clock clock;
    private final String appKey;

    public GitHubAppClient(HttpClient client, URI apiUrl, Clock clock, GitHubApp app, SecretStore secrets) {
        this(client, apiUrl, clock, app, secrets, new InMemoryAppQuota(), Metrics.NONE);
    }

    /**
     * @param quota   what the stack's function instances share for this App
     * @param metrics where {@code GitHubRateLimitRemaining} goes
     */
    public GitHubAppClient(HttpClient client, URI apiUrl, Clock clock, GitHubApp app, SecretStore secrets,
                           AppQuota quota, Metrics metrics) {
        this.appKey = "github-" + app.installationId();
        this.http = new ForgeHttp(client, apiUrl, clock, Forge.GITHUB).observing(headers -> remaining(headers)
                .ifPresent(left -> metrics.count("GitHubRateLimitRemaining", Map.of(), left)));
        this.auth = new GitHubAppAuth(http, app, secrets, clock, quota, appKey);
        this.quota = quota;
        this.clock = clock;
    }

    /** A request builder for a path relative to the API URL ({@code "orgs/acme/actions/runners"}). */
    HttpRequest.Builder request(String path) {
        return http.request(path);
    }

    /** Sends with the installation token and reads the JSON answer; {@code what} names the call in errors. */
    JsonNode call(String what, Supplier<HttpRequest.Builder> request) {
        return http.json(send(what, request), what);
    }

    /**
     * Sends with the installation token and answers the whole response, for callers that read its headers (the
     * pending-job listings follow {@code Link}). Every call of the App goes through here: refused without asking
     * GitHub while the App is paused; a rate limit pauses the App; so does an answer that used up the primary limit
     * ({@code x-ratelimit-remaining: 0}), until its {@code x-ratelimit-reset}, since GitHub would refuse the next call
     * of any caller; a refused token is dropped.
     */
    HttpResponse<String> send(String what, Supplier<HttpRequest.Builder> request) {
        throwIfPaused(what);
        try {
            HttpRequest built = headers(request.get())
                    .header("Authorization", "Bearer " + auth.installationToken().value())
                    .build();
            HttpResponse<String> response = http.send(built, what);
            http.limitUsedUp(response).ifPresent(this::pauseFor);
            return response;
        } catch (ForgeException.Unauthorized e) {
            auth.invalidate();
            throw e;
        } catch (ForgeException.RateLimited e) {
            pause(e);
            throw e;
        }
    }

    /** How long until the primary limit lifts when this answer used it up ({@link ForgeHttp#limitUsedUp}). */
    Optional<Duration> limitUsedUp(HttpResponse<?> response) {
        return http.limitUsedUp(response);
    }

    /**
     * Takes budget for {@code calls} calls of {@code cost} points to one endpoint within GitHub's secondary limit
     * of {@code perMinute} points per endpoint, shared by every instance; while the App is paused, none.
     *
     * @return how many of the calls may go now, and when to ask again for the rest
     */
    public Budget budget(String endpoint, int cost, int calls, int perMinute) {
        Instant now = clock.instant();
        Optional<Instant> paused = pausedUntil(now);
        if (paused.isPresent()) {
            return new Budget(0, Duration.between(now, paused.get()));
        }
        int granted = quota.spend(appKey, endpoint, cost, calls, perMinute, now);
        Instant nextMinute = now.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        return new Budget(granted, Duration.between(now, nextMinute));
    }

    /** Calls that may go now; the rest may ask again {@code retryAfter} from now. */
    public record Budget(int granted, Duration retryAfter) {
    }

    private void throwIfPaused(String what) {
        Instant now = clock.instant();
        Optional<Instant> until = pausedUntil(now);
        if (until.isPresent()) {
            Duration wait = Duration.between(now, until.get());
            throw new ForgeException.RateLimited("GitHub " + what + ": not sent, the App is paused until " + until.get()
                    + " after a rate limit (retry after " + wait.toSeconds() + "s)", 429, wait);
        }
    }

    /** A pause store that cannot be read pauses nothing: GitHub's own answer still pauses the caller that meets it. */
    private Optional<Instant> pausedUntil(Instant now) {
        try {
            return quota.pausedUntil(appKey, now);
        } catch (RuntimeException storeFailed) {
            return Optional.empty();
        }
    }

    /** GitHub asked for a wait: every instance and pool of the App waits it out, one minute when GitHub named none. */
    private void pause(ForgeException.RateLimited e) {
        pauseFor(e.retryAfter().orElse(Duration.ofMinutes(1)));
    }

    private void pauseFor(Duration wait) {
        if (wait.isZero() || wait.isNegative()) {
            return;
        }
        try {
            quota.pauseUntil(appKey, clock.instant().plus(wait));
        } catch (RuntimeException storeFailed) {
            // The caller still gets the rate limit and hands its wait on; only other instances do not learn of it.
        }
    }

    private static Optional<Long> remaining(HttpHeaders headers) {
        try {
            return headers.firstValue("x-ratelimit-remaining").map(String::strip).map(Long::parseLong);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static HttpRequest.Builder headers(HttpRequest.Builder builder) {
        return builder.header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", API_VERSION);
    }
}
