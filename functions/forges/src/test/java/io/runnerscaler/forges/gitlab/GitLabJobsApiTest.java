package io.runnerscaler.forges.gitlab;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.runnerscaler.core.port.JobTags;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Jobs API client against a WireMock GitLab answering with the recorded job payload and errors. */
class GitLabJobsApiTest {

    private static final String TOKEN = "glpat-test-token-not-real";
    private static final String JOB_PATH = "/api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977";
    private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");
    private static WireMockServer gitlab;

    @BeforeAll
    static void start() {
        gitlab = new WireMockServer(options().dynamicPort());
        gitlab.start();
    }

    @AfterAll
    static void stop() {
        gitlab.stop();
    }

    @BeforeEach
    void reset() {
        gitlab.resetAll();
    }

    private GitLabJobsApi api(String baseUrl) {
        return new GitLabJobsApi(ForgeHttp.newClient(), URI.create(baseUrl), () -> Optional.of(TOKEN),
                "parameter /runner-scaler/test/gitlab-api-token", Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private GitLabJobsApi api() {
        return api(gitlab.baseUrl() + "/");
    }

    @Test
    void readsTagListWithPrivateToken() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(payload("jobs-api-job.json"))));
        assertThat(api().tags("gitlab-org/gitlab-test", "1977")).containsExactlyInAnyOrder("docker", "linux");
        gitlab.verify(getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("PRIVATE-TOKEN", equalTo(TOKEN)));
    }

    @Test
    void aRunningJobNamesItsRunnerAndTheRunnerManagerRunningIt() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(payload("jobs-api-job-running.json"))));

        JobTags.Job job = api().job("gitlab-org/gitlab-test", "1977");

        assertThat(job.tags()).containsExactlyInAnyOrder("docker", "linux");
        assertThat(job.runnerId()).contains("9171");
        assertThat(job.runnerManager()).contains("s_56789abcdef0");
        assertThat(job.runnerManagerCreatedAt()).as("when GitLab first heard from that manager")
                .contains(java.time.Instant.parse("2026-11-23T09:00:52.112Z"));
    }

    @Test
    void aRunnerManagerWithoutItsCreationHasNone() {
        // The recorded shape with created_at null, as an entity that does not expose it reads.
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(payload("jobs-api-job-running.json")
                        .replace("\"created_at\": \"2026-11-23T09:00:52.112Z\"", "\"created_at\": null"))));

        JobTags.Job job = api().job("gitlab-org/gitlab-test", "1977");

        assertThat(job.runnerManager()).contains("s_56789abcdef0");
        assertThat(job.runnerManagerCreatedAt()).isEmpty();
    }

    @Test
    void aGitLabWithoutRunnerManagersOrAPendingJobNamesNone() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(payload("jobs-api-job-running-without-manager.json"))));
        JobTags.Job running = api().job("gitlab-org/gitlab-test", "1977");
        assertThat(running.runnerId()).contains("9171");
        assertThat(running.runnerManager()).isEmpty();
        assertThat(running.runnerManagerCreatedAt()).isEmpty();

        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(payload("jobs-api-job.json"))));
        JobTags.Job pending = api().job("gitlab-org/gitlab-test", "1977");
        assertThat(pending.runnerId()).isEmpty();
        assertThat(pending.runnerManager()).isEmpty();
    }

    @Test
    void numericProjectIdWorksToo() {
        gitlab.stubFor(get(urlEqualTo("/api/v4/projects/380/jobs/1977")).willReturn(aResponse().withStatus(200)
                .withBody("{\"id\":1977,\"tag_list\":[]}")));
        assertThat(api().tags("380", "1977")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403})
    void rejectedTokenIsPermanentAndNamesTheTokenParameterButNotTheToken(int status) {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(status)
                .withBody("{\"message\":\"" + status + " Unauthorized\"}")));
        assertThatThrownBy(() -> api().tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class, e -> {
                    assertThat(e.reason()).isEqualTo(JobTags.Reason.UNAUTHORIZED);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("GitLab GET /api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977 answered "
                                    + status)
                            .contains("/runner-scaler/test/gitlab-api-token").contains("read_api")
                            .doesNotContain(TOKEN);
                });
    }

    @Test
    void notFoundIsPermanent() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\":\"404 Not found\"}")));
        assertThatThrownBy(() -> api().tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class, e -> {
                    assertThat(e.reason()).isEqualTo(JobTags.Reason.NOT_FOUND);
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void rateLimitedReadsRetryAfter() {
        var throttled = aResponse().withStatus(429).withHeader("Content-Type", "text/plain").withBody("Retry later");
        ForgeApiStub.gitlabThrottled(NOW, 30).forEach(throttled::withHeader);
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(throttled));
        assertThatThrownBy(() -> api().tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class, e -> {
                    assertThat(e.reason()).isEqualTo(JobTags.Reason.RATE_LIMITED);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
                    assertThat(e.getMessage()).contains("limit 2000 per minute, 0 left");
                });
    }

    @Test
    void rateLimitedFallsBackToRateLimitReset() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("RateLimit-Reset", Long.toString(NOW.getEpochSecond() + 12))));
        assertThatThrownBy(() -> api().tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(12)));
    }

    @Test
    void aBadGatewayIsAskedAgainInPlaceAndTheTagsStillArrive() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).inScenario("502").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("recovered"));
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).inScenario("502").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(payload("jobs-api-job.json"))));

        assertThat(api().tags("gitlab-org/gitlab-test", "1977")).containsExactlyInAnyOrder("docker", "linux");
        gitlab.verify(2, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @Test
    void aTokenGitLabRefusesIsAskedOnceOnly() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"401 Unauthorized\"}")));

        assertThatThrownBy(() -> api().tags("gitlab-org/gitlab-test", "1977")).isInstanceOf(JobTags.LookupFailed.class);
        gitlab.verify(1, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @Test
    void serverErrorAndUnreachableAreRetryable() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(502)));
        assertThatThrownBy(() -> api().tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class,
                        e -> assertThat(e.reason()).isEqualTo(JobTags.Reason.UNAVAILABLE));
        assertThatThrownBy(() -> api("http://127.0.0.1:" + closedPort()).tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class,
                        e -> assertThat(e.reason()).isEqualTo(JobTags.Reason.UNAVAILABLE));
    }

    @Test
    void answerWithoutTagListIsUnexpected() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200).withBody("<html>")));
        assertThatThrownBy(() -> api().tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class,
                        e -> assertThat(e.reason()).isEqualTo(JobTags.Reason.UNEXPECTED_ANSWER));
    }

    @Test
    void missingTokenIsUnauthorizedWithoutCallingGitLab() {
        var api = new GitLabJobsApi(ForgeHttp.newClient(), URI.create(gitlab.baseUrl()), Optional::empty,
                "parameter /runner-scaler/test/gitlab-api-token", Clock.systemUTC());
        assertThatThrownBy(() -> api.tags("gitlab-org/gitlab-test", "1977"))
                .isInstanceOfSatisfying(JobTags.LookupFailed.class,
                        e -> assertThat(e.reason()).isEqualTo(JobTags.Reason.UNAUTHORIZED));
        assertThat(gitlab.getAllServeEvents()).isEmpty();
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String payload(String name) {
        try (InputStream in = GitLabJobsApiTest.class.getResourceAsStream("/payloads/gitlab/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
