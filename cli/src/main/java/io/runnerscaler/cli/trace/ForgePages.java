package io.runnerscaler.cli.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Page after page of a forge's REST API through the forges module's {@link ForgeHttp} (its errors, its retries of
 * 5xx and short rate limits), and patient where a listing of a week must be: an answer that used up the rate limit
 * ({@code RateLimit-Remaining: 0} on GitLab, {@code x-ratelimit-remaining: 0} on GitHub) makes the next call wait
 * for the reset, and a 429 (or GitHub's 403 with rate-limit headers) is waited out as {@code Retry-After} or the
 * reset time says, up to {@link #LONGEST_WAIT} at a time and {@link #WAITS} times in a row, saying so on stderr.
 */
final class ForgePages {

    static final Duration LONGEST_WAIT = Duration.ofMinutes(15);
    static final int WAITS = 5;
    private static final Duration UNSAID_WAIT = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>;\\s*rel=\"next\"");

    private final ForgeHttp http;
    private final String base;
    private final ForgeHttp.Sleeper sleeper;
    private final PrintWriter err;
    private Optional<Duration> waitBeforeNext = Optional.empty();

    ForgePages(HttpClient client, URI base, Clock clock, Forge forge, ForgeHttp.Sleeper sleeper, PrintWriter err) {
        this.http = new ForgeHttp(client, base, clock, forge, sleeper);
        this.base = base.toString().endsWith("/") ? base.toString() : base + "/";
        this.sleeper = sleeper;
        this.err = err;
    }

    /** A GET request for a path relative to the API base. */
    HttpRequest.Builder request(String path) {
        return http.request(path).GET();
    }

    /** Sends, waiting out rate limits; every other refusal is thrown as the forges module types it. */
    HttpResponse<String> get(HttpRequest request, String what) {
        for (int waits = 0; ; waits++) {
            if (waitBeforeNext.isPresent()) {
                pause(waitBeforeNext.get(), "the rate limit is used up");
                waitBeforeNext = Optional.empty();
            }
            try {
                HttpResponse<String> response = http.send(request, what);
                waitBeforeNext = http.limitUsedUp(response);
                return response;
            } catch (ForgeException.RateLimited limited) {
                Duration wait = limited.retryAfter().orElse(UNSAID_WAIT);
                if (waits >= WAITS || wait.compareTo(LONGEST_WAIT) > 0) {
                    throw limited;
                }
                pause(wait, "rate limited");
            }
        }
    }

    private void pause(Duration wait, String why) {
        if (wait.isZero() || wait.isNegative()) {
            return;
        }
        err.println(why + ": waiting " + wait.toSeconds() + " s before the next call");
        err.flush();
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ForgeException.Unavailable("interrupted while waiting for the rate limit", 0, e);
        }
    }

    /** The answer as JSON; {@code what} names the call when it is not JSON. */
    static JsonNode json(HttpResponse<String> response, String what, String forge) {
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node != null) {
                return node;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new ForgeException.Unavailable(forge + " " + what + ": answer is not JSON", 200, null);
    }

    /**
     * The {@code rel="next"} link of an answer, as a path relative to the API base. A link to anywhere else is
     * refused rather than followed, since the request carries the token.
     */
    Optional<String> nextLink(HttpResponse<String> response) {
        Optional<String> link = response.headers().allValues("link").stream().map(NEXT::matcher)
                .filter(Matcher::find).map(m -> m.group(1)).findFirst();
        if (link.isEmpty()) {
            return Optional.empty();
        }
        if (!link.get().startsWith(base)) {
            throw new ForgeException.Unavailable("the next page link does not point at " + base
                    + "; not followed", 200, null);
        }
        return Optional.of(link.get().substring(base.length()));
    }
}
