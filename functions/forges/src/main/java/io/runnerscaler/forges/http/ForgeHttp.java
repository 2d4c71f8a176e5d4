package io.runnerscaler.forges.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.runner.RunnerRegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends forge API requests and turns every answer that is not 2xx into a typed
 * {@link RunnerRegistryException}. Error messages carry the forge, the call and the API's own message, never
 * request headers or bodies, so tokens cannot leak through them.
 */
public final class ForgeHttp {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGE_MAX = 200;

    private final HttpClient client;
    private final URI base;
    private final Clock clock;
    private final String forge;
    private final Sleeper sleeper;

    /** Attempts of a repeatable request, the first included. */
    public static final int ATTEMPTS = 3;
    private static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    private static final Duration BACKOFF_CAP = Duration.ofSeconds(2);
    /** A rate limit asking for a longer wait is left to the caller's next attempt, not slept through. */
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(5);
    private static final java.util.Set<String> REPEATABLE = java.util.Set.of("GET", "HEAD", "DELETE", "PUT");

    /** How waiting between attempts is done; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public ForgeHttp(HttpClient client, URI base, Clock clock, String forge) {
        this(client, base, clock, forge, d -> Thread.sleep(d.toMillis()));
    }

    public ForgeHttp(HttpClient client, URI base, Clock clock, String forge, Sleeper sleeper) {
        this.client = client;
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
        this.clock = clock;
        this.forge = forge;
        this.sleeper = sleeper;
    }

    /** A request builder for a path relative to the API base ({@code "api/v4/runners/verify"}). */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(TIMEOUT)
                .header("User-Agent", "runner-scaler");
    }

    /** Sends and parses the JSON answer; {@code what} names the call in errors ("GitHub generate-jitconfig for org 'acme'"). */
    public JsonNode json(HttpRequest request, String what) {
        String body = send(request, what).body();
        try {
            return body == null || body.isBlank() ? JSON.missingNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new RunnerRegistryException.Unavailable(forge + " " + what + ": answer is not JSON", 200, e);
        }
    }

    /**
     * Sends, and for a read or a delete (which are safe to repeat) tries again on a 5xx, a dropped connection or a
     * rate limit whose wait is short: at most {@value #ATTEMPTS} attempts, waiting a random time up to an
     * exponentially growing bound (full jitter) or what {@code retry-after} asks. A create (POST) is never
     * repeated here, since the forge may have done it; its caller's own retry (SQS redelivery, the next reaper
     * pass) decides. Timeouts are not repeated either: one already took {@link #TIMEOUT}.
     */
    public HttpResponse<String> send(HttpRequest request, String what) {
        for (int attempt = 1; ; attempt++) {
            try {
                return sendOnce(request, what);
            } catch (RunnerRegistryException e) {
                Optional<Duration> wait = retryWait(request, e, attempt);
                if (wait.isEmpty()) {
                    throw e;
                }
                try {
                    sleeper.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Optional<Duration> retryWait(HttpRequest request, RunnerRegistryException e, int attempt) {
        if (attempt >= ATTEMPTS || !REPEATABLE.contains(request.method())) {
            return Optional.empty();
        }
        long boundMillis = Math.min(BACKOFF_CAP.toMillis(), BACKOFF_BASE.toMillis() << (attempt - 1));
        Duration jittered = Duration.ofMillis(ThreadLocalRandom.current().nextLong(boundMillis + 1));
        return switch (e) {
            case RunnerRegistryException.Unavailable u when !(u.getCause() instanceof HttpTimeoutException) ->
                    Optional.of(jittered);
            case RunnerRegistryException.RateLimited r -> r.retryAfter()
                    .map(after -> after.compareTo(LONGEST_WAIT) <= 0 ? Optional.of(after.plus(jittered))
                            : Optional.<Duration>empty())
                    .orElse(Optional.of(jittered));
            default -> Optional.empty();
        };
    }

    private HttpResponse<String> sendOnce(HttpRequest request, String what) {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new RunnerRegistryException.Unavailable(forge + " " + what + ": no answer within " + TIMEOUT, 0, e);
        } catch (IOException e) {
            throw new RunnerRegistryException.Unavailable(forge + " " + what + ": " + e.getClass().getSimpleName(), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerRegistryException.Unavailable(forge + " " + what + ": interrupted", 0, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response;
        }
        throw error(response, what);
    }

    private RunnerRegistryException error(HttpResponse<String> response, String what) {
        int status = response.statusCode();
        String message = forge + " " + what + ": " + status + apiMessage(response.body()).map(m -> " " + m).orElse("");
        Optional<Duration> retryAfter = retryAfter(response);
        boolean rateLimited = status == 429
                || (status == 403 && (retryAfter.isPresent()
                        || response.headers().firstValue("x-ratelimit-remaining").filter("0"::equals).isPresent()));
        if (rateLimited) {
            return new RunnerRegistryException.RateLimited(
                    message + retryAfter.map(d -> " (retry after " + d.toSeconds() + "s)").orElse(""), status,
                    retryAfter.orElse(null));
        }
        return switch (status) {
            case 401 -> new RunnerRegistryException.Unauthorized(message + " (check the token in SSM)");
            case 403 -> new RunnerRegistryException.Forbidden(message + " (the token lacks a permission)");
            case 404 -> new RunnerRegistryException.NotFound(message);
            case 400, 409, 422 -> new RunnerRegistryException.Rejected(message, status);
            default -> new RunnerRegistryException.Unavailable(message, status, null);
        };
    }

    /**
     * When to try again: {@code retry-after} seconds (GitHub secondary limits, GitLab), else the reset instant
     * of the primary limit ({@code x-ratelimit-reset} on GitHub, {@code ratelimit-reset} on GitLab), in epoch seconds.
     * Also read on successful answers that used up the limit.
     */
    public Optional<Duration> retryAfter(HttpResponse<String> response) {
        var headers = response.headers();
        Optional<Duration> after = headers.firstValue("retry-after").flatMap(ForgeHttp::seconds).map(Duration::ofSeconds);
        if (after.isPresent()) {
            return after;
        }
        return headers.firstValue("x-ratelimit-reset").or(() -> headers.firstValue("ratelimit-reset"))
                .flatMap(ForgeHttp::seconds)
                .map(epoch -> Duration.between(clock.instant(), Instant.ofEpochSecond(epoch)))
                .map(d -> d.isNegative() ? Duration.ZERO : d);
    }

    private static Optional<Long> seconds(String value) {
        try {
            return Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> apiMessage(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode message = node.has("message") ? node.get("message") : node.path("error");
            String text = message.isTextual() ? message.asText() : message.isMissingNode() ? "" : message.toString();
            if (text.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(text.length() > MESSAGE_MAX ? text.substring(0, MESSAGE_MAX) + "..." : text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * An ISO 8601 time field of an answer ({@code created_at}); the epoch when it is missing or unreadable, so a
     * job the forge calls pending without saying since when counts as waiting long.
     */
    public static Instant time(JsonNode field) {
        try {
            return field.isTextual() ? OffsetDateTime.parse(field.textValue()).toInstant() : Instant.EPOCH;
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** Form or query encoding of one value. */
    public static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write JSON", e);
        }
    }
}
