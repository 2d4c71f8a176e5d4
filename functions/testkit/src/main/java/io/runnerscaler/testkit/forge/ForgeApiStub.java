package io.runnerscaler.testkit.forge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A WireMock server standing in for the GitLab or GitHub API, answering with the recorded payloads under
 * {@code forge-api/} on the classpath. Start one per test, stub the calls the test expects, then read back the
 * requests the client made to assert their headers and bodies.
 */
public final class ForgeApiStub implements AutoCloseable {

    private final WireMockServer server;

    private ForgeApiStub(WireMockServer server) {
        this.server = server;
    }

    /** A started stub on a free port of 127.0.0.1. */
    public static ForgeApiStub start() {
        return start(0);
    }

    /** A started stub on this port of 127.0.0.1 (0: a free one). */
    public static ForgeApiStub start(int port) {
        var options = WireMockConfiguration.options().bindAddress("127.0.0.1");
        var server = new WireMockServer(port == 0 ? options.dynamicPort() : options.port(port));
        server.start();
        return new ForgeApiStub(server);
    }

    public URI baseUri() {
        return URI.create(server.baseUrl() + "/");
    }

    /** The server, for stubs and verifications this class has no shortcut for. */
    public WireMockServer server() {
        return server;
    }

    /** A recorded payload, by path under {@code forge-api/} ("github/generate-jitconfig.json"). */
    public static String fixture(String path) {
        String resource = "/forge-api/" + path;
        try (InputStream in = ForgeApiStub.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no forge API fixture " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * GitLab's answer to {@code GET /api/v4/projects/:id/jobs/:job_id}: the recorded job of the sample Job Hooks
     * ({@code payloads/gitlab/jobs-api-job.json}, job 1977 of gitlab-org/gitlab-test, {@code tag_list}
     * {@code [docker, linux]}).
     */
    public static ResponseDefinitionBuilder gitlabJob() {
        String resource = "/payloads/gitlab/jobs-api-job.json";
        try (InputStream in = ForgeApiStub.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no payload " + resource);
            }
            return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answer {@code method path} (query ignored) with a fixture as JSON. */
    public StubMapping answer(String method, String path, int status, String fixture) {
        return answer(method, path, status, fixture, Map.of());
    }

    /** Answer with a fixture and extra headers (rate limit headers ...). */
    public StubMapping answer(String method, String path, int status, String fixture, Map<String, String> headers) {
        return answer(request(method, urlPathEqualTo(path)), json(status, fixture, headers));
    }

    /** Answer {@code method path} with a status and no body (204 of a DELETE). */
    public StubMapping answerEmpty(String method, String path, int status) {
        return answer(request(method, urlPathEqualTo(path)), aResponse().withStatus(status));
    }

    /** Any other stub: a matcher and a response built with WireMock's DSL. */
    public StubMapping answer(MappingBuilder when, ResponseDefinitionBuilder then) {
        return server.stubFor(when.willReturn(then));
    }

    /** A JSON response with a fixture body. */
    public static ResponseDefinitionBuilder json(int status, String fixture, Map<String, String> headers) {
        var response = aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(fixture(fixture));
        headers.forEach(response::withHeader);
        return response;
    }

    /**
     * The rate-limit headers GitHub sends on every REST answer, as its docs list them (x-ratelimit-limit, -remaining,
     * -used, -reset in UTC epoch seconds, -resource; docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
     * "Checking the status of your rate limit"), for a limit of 5,000 requests an hour of the {@code core} resource.
     */
    public static Map<String, String> githubRateLimit(int remaining, java.time.Instant reset) {
        return Map.of("x-ratelimit-limit", "5000", "x-ratelimit-remaining", Integer.toString(remaining),
                "x-ratelimit-used", Integer.toString(5000 - remaining),
                "x-ratelimit-reset", Long.toString(reset.getEpochSecond()), "x-ratelimit-resource", "core");
    }

    /**
     * The headers GitLab sends with a throttled (429) answer, as its docs list them (RateLimit-Name, -Limit per
     * minute, -Observed, -Remaining, -Reset in Unix time, -ResetTime as an HTTP date, and Retry-After in seconds;
     * docs.gitlab.com/administration/settings/user_and_ip_rate_limits "Response headers"), for the authenticated
     * API throttle at 2,000 requests a minute.
     */
    public static Map<String, String> gitlabThrottled(java.time.Instant now, int retryAfterSeconds) {
        java.time.Instant reset = now.plusSeconds(retryAfterSeconds);
        return Map.of("RateLimit-Name", "throttle_authenticated_api", "RateLimit-Limit", "2000",
                "RateLimit-Observed", "2001", "RateLimit-Remaining", "0",
                "RateLimit-Reset", Long.toString(reset.getEpochSecond()),
                "RateLimit-ResetTime", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                        .format(reset.atZone(java.time.ZoneOffset.UTC)),
                "Retry-After", Integer.toString(retryAfterSeconds));
    }

    /** Answer with a plain-text body, as GitLab's throttle does ("Retry later"). */
    public StubMapping answerText(String method, String path, int status, String body, Map<String, String> headers) {
        var response = aResponse().withStatus(status).withHeader("Content-Type", "text/plain").withBody(body);
        headers.forEach(response::withHeader);
        return answer(request(method, urlPathEqualTo(path)), response);
    }

    /** Requests received for {@code method path}, oldest first. */
    public List<LoggedRequest> requests(String method, String path) {
        return server.findAll(anyRequestedFor(urlPathEqualTo(path))).stream()
                .filter(r -> r.getMethod().getName().equals(method))
                .toList();
    }

    /** The one request received for {@code method path}; fails when there were none or several. */
    public LoggedRequest only(String method, String path) {
        List<LoggedRequest> found = requests(method, path);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + method + " " + path + ", got " + found.size()
                    + "; all requests: " + server.getAllServeEvents().stream()
                    .map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl()).toList());
        }
        return found.get(0);
    }

    @Override
    public void close() {
        server.stop();
    }
}
