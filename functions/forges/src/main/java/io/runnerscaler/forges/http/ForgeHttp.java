package io.runnerscaler.forges.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way forge API calls are sent: every GitLab and GitHub client of the project goes through it, with one
 * retry policy, one reading of each forge's rate-limit headers, and every answer that is not 2xx turned into a
 * typed {@link ForgeException}. Error messages carry the forge, the call and the API's own message, never
 * request headers or bodies, so tokens cannot leak through them.
 *
 * <p>Rate limits, as each forge documents them:
 * <ul>
 *   <li>GitHub (<a href="https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit">REST
 *       rate limits, "Exceeding the rate limit"</a>): a 403 or 429. The primary limit has
 *       {@code x-ratelimit-remaining: 0} and lifts at {@code x-ratelimit-reset} (UTC epoch seconds); a secondary
 *       limit says so in its message and may send {@code retry-after} (seconds); without either header, wait at
 *       least a minute. A 403 that is none of these is a missing permission, not a limit: GitHub sends the
 *       {@code x-ratelimit-*} headers on every answer.</li>
 *   <li>GitLab (<a href="https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers">user
 *       and IP rate limits, "Response headers"</a>): a 429 with {@code Retry-After} (seconds) and
 *       {@code RateLimit-Reset} (Unix time); {@code RateLimit-Limit} and {@code RateLimit-Remaining} give the
 *       quota per minute.</li>
 * </ul>
 */
public final class ForgeHttp {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGE_MAX = 200;

    private final HttpClient client;
    private final URI base;
    private final Clock clock;
    private final Forge forge;
    private final Sleeper sleeper;
    private final java.util.function.Consumer<HttpHeaders> answers;

    /** Attempts of a repeatable request, the first included. */
    public static final int ATTEMPTS = 3;
    private static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    private static final Duration BACKOFF_CAP = Duration.ofSeconds(2);
    /** GitHub's wait for a secondary limit that names none: "wait for at least one minute before retrying". */
    static final Duration GITHUB_UNSTATED_WAIT = Duration.ofMinutes(1);
    private static final Set<String> REPEATABLE = Set.of("GET", "HEAD", "DELETE", "PUT");

    /** How waiting between attempts is done; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * The HTTP client every forge call of a process shares (one connection pool): HTTP/1.1, a short connect
     * timeout, redirects not followed (a redirect of an API call is a misconfigured URL, and following one could
     * carry the token to another host).
     */
    public static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public ForgeHttp(HttpClient client, URI base, Clock clock, Forge forge) {
        this(client, base, clock, forge, d -> Thread.sleep(d.toMillis()));
    }

    public ForgeHttp(HttpClient client, URI base, Clock clock, Forge forge, Sleeper sleeper) {
        this(client, base, clock, forge, sleeper, headers -> { });
    }

    /** @param answers sees the headers of every answer, error or not (the forge's quota headers, for a metric) */
    public ForgeHttp(HttpClient client, URI base, Clock clock, Forge forge, Sleeper sleeper,
                     java.util.function.Consumer<HttpHeaders> answers) {
        this.client = client;
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
        this.clock = clock;
        this.forge = forge;
        this.sleeper = sleeper;
        this.answers = answers;
    }

    /** The same forge with an observer of every answer's headers. */
    public ForgeHttp observing(java.util.function.Consumer<HttpHeaders> observer) {
        return new ForgeHttp(client, base, clock, forge, sleeper, observer);
    }

    /** A request builder for a path relative to the API base ({@code "api/v4/runners/verify"}). */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(TIMEOUT)
                .header("User-Agent", "runner-scaler");
    }

    /** Sends and parses the JSON answer; {@code what} names the call in errors ("GitHub generate-jitconfig for org 'acme'"). */
    public JsonNode json(HttpRequest request, String what) {
        return json(send(request, what), what);
    }

    /** A sent request's answer as JSON (missing when empty); {@code what} names the call when it is not JSON. */
    public JsonNode json(HttpResponse<String> response, String what) {
        String body = response.body();
        try {
            return body == null || body.isBlank() ? JSON.missingNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw unexpected(what, response.statusCode(), "answer is not JSON");
        }
    }

    /** An answer of the wrong shape for {@code what}: {@code detail} says what was wrong. */
    public ForgeException.UnexpectedAnswer unexpected(String what, int status, String detail) {
        return new ForgeException.UnexpectedAnswer(name() + " " + what + ": " + detail, status);
    }

    /**
     * Sends, and for a read or a delete (which are safe to repeat) tries again on a 5xx or a dropped connection: at
     * most {@value #ATTEMPTS} attempts, waiting a random time up to an exponentially growing bound (full jitter). A
     * create (POST) is never repeated here, since the forge may have done it; its caller's own retry (SQS
     * redelivery, the next reaper pass) decides. Timeouts are not repeated either: one already took
     * {@link #TIMEOUT}. Nor are rate limits, however short the wait the forge asks for: a function sleeping through
     * it holds its invocation, and every concurrent one would come back at the same moment; the caller hands the
     * wait on instead (scale-up hides the message for it, a listing stops until the next pass).
     */
    public HttpResponse<String> send(HttpRequest request, String what) {
        for (int attempt = 1; ; attempt++) {
            try {
                return sendOnce(request, what);
            } catch (ForgeException e) {
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

    private Optional<Duration> retryWait(HttpRequest request, ForgeException e, int attempt) {
        if (attempt >= ATTEMPTS || !REPEATABLE.contains(request.method())) {
            return Optional.empty();
        }
        long boundMillis = Math.min(BACKOFF_CAP.toMillis(), BACKOFF_BASE.toMillis() << (attempt - 1));
        Duration jittered = Duration.ofMillis(ThreadLocalRandom.current().nextLong(boundMillis + 1));
        return switch (e) {
            case ForgeException.Unavailable u when !(u.getCause() instanceof HttpTimeoutException) ->
                    Optional.of(jittered);
            default -> Optional.empty();
        };
    }

    private HttpResponse<String> sendOnce(HttpRequest request, String what) {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new ForgeException.Unavailable(name() + " " + what + ": no answer within " + TIMEOUT, 0, e);
        } catch (IOException e) {
            throw new ForgeException.Unavailable(name() + " " + what + ": " + e.getClass().getSimpleName(), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ForgeException.Unavailable(name() + " " + what + ": interrupted", 0, e);
        }
        answers.accept(response.headers());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response;
        }
        throw error(response, what);
    }

    private ForgeException error(HttpResponse<String> response, String what) {
        int status = response.statusCode();
        Optional<String> apiMessage = apiMessage(response.body());
        String message = name() + " " + what + " answered " + status + apiMessage.map(m -> ": " + m).orElse("");
        Optional<Limit> limit = rateLimited(status, response.headers(), apiMessage.orElse(""));
        if (limit.isPresent()) {
            return new ForgeException.RateLimited(message + quota(response.headers())
                    + limit.get().after().map(d -> " (retry after " + d.toSeconds() + "s)").orElse(""), status,
                    limit.get().after().orElse(null));
        }
        return switch (status) {
            case 401 -> new ForgeException.Unauthorized(message + " (check the token in SSM)");
            case 403 -> new ForgeException.Forbidden(message + " (the token lacks a permission)");
            case 404 -> new ForgeException.NotFound(message);
            case 400, 409, 422 -> new ForgeException.Rejected(message, status);
            default -> new ForgeException.Unavailable(message, status, null);
        };
    }

    /** A rate limit, and the wait the forge asks for (empty: it said nothing). */
    private record Limit(Optional<Duration> after) {
    }

    /** Whether an error answer is the forge's rate limit, read as the forge documents it (see the class comment). */
    private Optional<Limit> rateLimited(int status, HttpHeaders headers, String apiMessage) {
        Optional<Duration> retryAfter = seconds(headers, "retry-after");
        return switch (forge) {
            case GITHUB -> {
                if (status != 403 && status != 429) {
                    yield Optional.empty();
                }
                if (retryAfter.isPresent()) {
                    yield Optional.of(new Limit(retryAfter));
                }
                if (headers.firstValue("x-ratelimit-remaining").map(String::strip).filter("0"::equals).isPresent()) {
                    yield Optional.of(new Limit(Optional.of(untilReset(headers, "x-ratelimit-reset")
                            .orElse(GITHUB_UNSTATED_WAIT))));
                }
                if (status == 429 || apiMessage.toLowerCase(Locale.ROOT).contains("secondary rate limit")) {
                    yield Optional.of(new Limit(Optional.of(GITHUB_UNSTATED_WAIT)));
                }
                yield Optional.empty();
            }
            case GITLAB -> status == 429
                    ? Optional.of(new Limit(retryAfter.or(() -> untilReset(headers, "ratelimit-reset"))))
                    : Optional.empty();
        };
    }

    /**
     * How long until the rate limit lifts, when a successful answer used up the last request of it (GitHub's
     * {@code x-ratelimit-remaining: 0}, GitLab's {@code RateLimit-Remaining: 0}); empty while requests remain. A
     * listing stops there instead of running into the limit.
     */
    public Optional<Duration> limitUsedUp(HttpResponse<?> response) {
        HttpHeaders headers = response.headers();
        String remaining = forge == Forge.GITHUB ? "x-ratelimit-remaining" : "ratelimit-remaining";
        String reset = forge == Forge.GITHUB ? "x-ratelimit-reset" : "ratelimit-reset";
        if (headers.firstValue(remaining).map(String::strip).filter("0"::equals).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(untilReset(headers, reset).orElse(GITHUB_UNSTATED_WAIT));
    }

    /** " (limit 2000 per minute, 0 left)" from the quota headers, for the message; empty when absent. */
    private String quota(HttpHeaders headers) {
        String prefix = forge == Forge.GITHUB ? "x-ratelimit-" : "ratelimit-";
        String per = forge == Forge.GITHUB ? "hour" : "minute";
        return headers.firstValue(prefix + "limit").map(l -> " (limit " + l.strip() + " per " + per + ", "
                + headers.firstValue(prefix + "remaining").map(String::strip).orElse("?") + " left)").orElse("");
    }

    private Optional<Duration> untilReset(HttpHeaders headers, String name) {
        return headers.firstValue(name).flatMap(ForgeHttp::number)
                .map(epoch -> Duration.between(clock.instant(), Instant.ofEpochSecond(epoch)))
                .map(d -> d.isNegative() ? Duration.ZERO : d);
    }

    private static Optional<Duration> seconds(HttpHeaders headers, String name) {
        return headers.firstValue(name).flatMap(ForgeHttp::number).filter(s -> s >= 0).map(Duration::ofSeconds);
    }

    private static Optional<Long> number(String value) {
        try {
            return Optional.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private String name() {
        return forge == Forge.GITHUB ? "GitHub" : "GitLab";
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
