package io.runnerscaler.forges.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.port.JobTags;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * GitLab's Jobs API ({@code GET /api/v4/projects/:id/jobs/:job_id}), read for a job's {@code tag_list}
 * with a {@code PRIVATE-TOKEN} that needs the {@code read_api} scope. Errors become
 * {@link JobTags.LookupFailed} with a message naming the fix; the token never appears in one.
 */
public final class GitLabJobsApi implements JobTags {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final URI baseUrl;
    private final Supplier<Optional<String>> token;
    private final String tokenSource;
    private final Clock clock;

    /**
     * @param baseUrl     the instance, e.g. {@code https://gitlab.example.com}
     * @param token       the API token, read (and refreshed) from the secret store
     * @param tokenSource where the token comes from, for messages (the SSM parameter name)
     */
    public GitLabJobsApi(HttpClient http, URI baseUrl, Supplier<Optional<String>> token, String tokenSource,
                         Clock clock) {
        this.http = http;
        this.baseUrl = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/");
        this.token = token;
        this.tokenSource = tokenSource;
        this.clock = clock;
    }

    /** The client this adapter is meant to run with: HTTP/1.1, short connect timeout, no redirects. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Set<String> tags(String project, String jobId) {
        String path = "api/v4/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/jobs/"
                + URLEncoder.encode(jobId, StandardCharsets.UTF_8);
        String what = "GET /" + path;
        Optional<String> stored;
        try {
            stored = token.get();
        } catch (RuntimeException e) {
            throw new LookupFailed(Reason.UNAVAILABLE, tokenSource + " cannot be read: " + e.getClass().getSimpleName(),
                    Optional.empty());
        }
        String secret = stored.filter(t -> !t.isBlank()).orElseThrow(() -> new LookupFailed(Reason.UNAUTHORIZED,
                "no GitLab API token: put a token with read_api scope in " + tokenSource, Optional.empty()));
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(TIMEOUT)
                    .header("PRIVATE-TOKEN", secret).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new LookupFailed(Reason.UNAVAILABLE, what + " failed: " + e.getClass().getSimpleName(),
                    Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LookupFailed(Reason.UNAVAILABLE, what + " was interrupted", Optional.empty());
        }
        int status = response.statusCode();
        return switch (status) {
            case 200 -> tagList(response.body(), what);
            case 401, 403 -> throw new LookupFailed(Reason.UNAUTHORIZED, what + " answered " + status
                    + ": the token in " + tokenSource + " is invalid, expired or lacks read_api scope; replace it",
                    Optional.empty());
            case 404 -> throw new LookupFailed(Reason.NOT_FOUND, what + " answered 404: the job does not exist or "
                    + "the token in " + tokenSource + " cannot see the project", Optional.empty());
            case 429 -> throw rateLimited(response, what);
            default -> throw new LookupFailed(status >= 500 ? Reason.UNAVAILABLE : Reason.UNEXPECTED_ANSWER,
                    what + " answered " + status, Optional.empty());
        };
    }

    private LookupFailed rateLimited(HttpResponse<?> response, String what) {
        var headers = response.headers();
        Optional<Duration> wait = headers.firstValue("Retry-After").flatMap(GitLabJobsApi::seconds)
                .map(Duration::ofSeconds)
                .or(() -> headers.firstValue("RateLimit-Reset").flatMap(GitLabJobsApi::seconds)
                        .map(reset -> Duration.between(clock.instant(), Instant.ofEpochSecond(reset)))
                        .map(d -> d.isNegative() ? Duration.ZERO : d));
        String limit = headers.firstValue("RateLimit-Limit").map(l -> " (limit " + l + " per minute, "
                + headers.firstValue("RateLimit-Remaining").orElse("?") + " left)").orElse("");
        return new LookupFailed(Reason.RATE_LIMITED, what + " answered 429: GitLab is rate limiting the token"
                + limit + wait.map(d -> "; retry after " + d.toSeconds() + " s").orElse(""), wait);
    }

    private static Optional<Long> seconds(String value) {
        try {
            return Optional.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Set<String> tagList(byte[] body, String what) {
        JsonNode tags;
        try {
            tags = JSON.readTree(body).path("tag_list");
        } catch (IOException e) {
            throw new LookupFailed(Reason.UNEXPECTED_ANSWER, what + " answered 200 without JSON", Optional.empty());
        }
        if (!tags.isArray()) {
            throw new LookupFailed(Reason.UNEXPECTED_ANSWER, what + " answered 200 without a tag_list array",
                    Optional.empty());
        }
        var result = new LinkedHashSet<String>();
        tags.forEach(t -> {
            if (t.isTextual()) {
                result.add(t.textValue());
            }
        });
        return result;
    }
}
