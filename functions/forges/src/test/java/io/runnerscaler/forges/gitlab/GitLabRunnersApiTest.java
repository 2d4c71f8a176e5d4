package io.runnerscaler.forges.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.runner.Secret;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitLabRunnersApiTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T13:20:00Z"), ZoneOffset.UTC);
    static final Secret ACCESS_TOKEN = new Secret("glpat-reporter-token");
    static final Secret RUNNER_TOKEN = new Secret("glrt-kyahzxLaj4Dc1jQf4xjX");

    private ForgeApiStub gitlab;
    private GitLabRunnersApi api;

    @BeforeEach
    void start() {
        gitlab = ForgeApiStub.start();
        api = new GitLabRunnersApi(HttpClient.newHttpClient(), gitlab.baseUri(), CLOCK);
    }

    @AfterEach
    void stop() {
        gitlab.close();
    }

    @Test
    void createRunnerPostsScopeTagsAndUntaggedWithTheAccessToken() throws Exception {
        gitlab.answer("POST", "/api/v4/user/runners", 201, "gitlab/create-runner.json");

        var created = api.createRunner(ACCESS_TOKEN, new GitLabRunnersApi.NewRunner(new GitLabRunnersApi.Scope.Group(42),
                "runner-scaler docker-large", Set.of("docker", "large"), false, true, Optional.of(3600)));

        assertThat(created.id()).isEqualTo(9171);
        assertThat(created.token().value()).isEqualTo("glrt-kyahzxLaj4Dc1jQf4xjX");
        assertThat(created.tokenExpiresAt()).isEmpty();
        var request = gitlab.only("POST", "/api/v4/user/runners");
        assertThat(request.getHeader("PRIVATE-TOKEN")).isEqualTo("glpat-reporter-token");
        JsonNode body = new ObjectMapper().readTree(request.getBodyAsString());
        assertThat(body.path("runner_type").asText()).isEqualTo("group_type");
        assertThat(body.path("group_id").asLong()).isEqualTo(42);
        assertThat(body.path("tag_list").toString()).isEqualTo("[\"docker\",\"large\"]");
        assertThat(body.path("run_untagged").asBoolean(true)).isFalse();
        assertThat(body.path("locked").asBoolean()).isTrue();
        assertThat(body.path("maximum_timeout").asInt()).isEqualTo(3600);
    }

    @Test
    void createRunnerWithABadParameterIsRejectedWithGitLabsReason() {
        gitlab.answer("POST", "/api/v4/user/runners", 400, "gitlab/error-400-create-runner.json");

        assertThatThrownBy(() -> api.createRunner(ACCESS_TOKEN, new GitLabRunnersApi.NewRunner(
                new GitLabRunnersApi.Scope.Instance(), "d", Set.of(), true, false, Optional.empty())))
                .isInstanceOfSatisfying(ForgeException.Rejected.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.retryable()).isFalse();
                })
                .hasMessageContaining("runner_type does not have a valid value");
    }

    @Test
    void runnerIdComesFromVerifyingTheTokenWithoutASystemId() {
        gitlab.answer("POST", "/api/v4/runners/verify", 200, "gitlab/verify-runner.json");

        assertThat(api.runnerIdForToken(RUNNER_TOKEN)).isEqualTo(9171);

        String form = gitlab.only("POST", "/api/v4/runners/verify").getBodyAsString();
        assertThat(form).isEqualTo("token=glrt-kyahzxLaj4Dc1jQf4xjX").doesNotContain("system_id");
    }

    @Test
    void managersAreListedWithTheirSystemIds() {
        gitlab.answer("GET", "/api/v4/runners/9171/managers", 200, "gitlab/runner-managers.json");

        var managers = api.managers(ACCESS_TOKEN, 9171);

        assertThat(managers).extracting(GitLabRunnersApi.RunnerManager::systemId)
                .containsExactly("s_56789abcdef0", "s_00001a2b3c4d");
        assertThat(managers.get(0).contactedAt()).contains(Instant.parse("2026-11-23T12:59:58.112Z"));
        assertThat(managers.get(1).status()).isEqualTo("offline");
        assertThat(gitlab.only("GET", "/api/v4/runners/9171/managers").getHeader("PRIVATE-TOKEN"))
                .isEqualTo("glpat-reporter-token");
    }

    @Test
    void deletingAManagerSendsTheRunnerTokenAndSystemIdAsAForm() {
        gitlab.answerEmpty("DELETE", "/api/v4/runners/managers", 204);

        assertThat(api.deleteManager(RUNNER_TOKEN, "s_56789abcdef0")).isTrue();

        var request = gitlab.only("DELETE", "/api/v4/runners/managers");
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(request.getBodyAsString()).isEqualTo("token=glrt-kyahzxLaj4Dc1jQf4xjX&system_id=s_56789abcdef0");
        assertThat(request.containsHeader("PRIVATE-TOKEN")).isFalse();
    }

    @Test
    void deletingAManagerGitLabNoLongerKnowsIsNotAnError() {
        gitlab.answer("DELETE", "/api/v4/runners/managers", 404, "gitlab/error-404.json");

        assertThat(api.deleteManager(RUNNER_TOKEN, "s_56789abcdef0")).isFalse();
    }

    @Test
    void runningJobsAreAskedForOneManager() {
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 200, "gitlab/runner-jobs-running.json");

        var jobs = api.runningJobs(ACCESS_TOKEN, 9171, "s_56789abcdef0");

        assertThat(jobs).singleElement().satisfies(job -> {
            assertThat(job.id()).isEqualTo(7014);
            assertThat(job.projectId()).isEqualTo(5);
            assertThat(job.systemId()).contains("s_56789abcdef0");
        });
        var request = gitlab.only("GET", "/api/v4/runners/9171/jobs");
        assertThat(request.queryParameter("status").firstValue()).isEqualTo("running");
        assertThat(request.queryParameter("system_id").firstValue()).isEqualTo("s_56789abcdef0");
    }

    @Test
    void wrongTokenIsUnauthorizedAndTheMessageNamesTheCallNotTheToken() {
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 401, "gitlab/error-401.json");

        assertThatThrownBy(() -> api.runningJobs(ACCESS_TOKEN, 9171, "s_56789abcdef0"))
                .isInstanceOf(ForgeException.Unauthorized.class)
                .hasMessageContaining("GitLab list running jobs of runner 9171")
                .hasMessageContaining("401 Unauthorized")
                .hasMessageNotContaining("glpat-");
    }

    @Test
    void tokenWithoutTheRightRoleIsForbidden() {
        gitlab.answer("GET", "/api/v4/runners/9171/managers", 403, "gitlab/error-403.json");

        assertThatThrownBy(() -> api.managers(ACCESS_TOKEN, 9171))
                .isInstanceOf(ForgeException.Forbidden.class);
    }

    @Test
    void rateLimitedCallsSayWhenToRetry() {
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 429, "gitlab/error-403.json",
                Map.of("Retry-After", "30", "RateLimit-Reset", "1795440000"));

        assertThatThrownBy(() -> api.runningJobs(ACCESS_TOKEN, 9171, "s_56789abcdef0"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
                });
    }

    @Test
    void rateLimitWithOnlyAResetInstantWaitsUntilThen() {
        long reset = CLOCK.instant().getEpochSecond() + 45;
        gitlab.answer("GET", "/api/v4/runners/9171/managers", 429, "gitlab/error-403.json",
                Map.of("RateLimit-Reset", Long.toString(reset)));

        assertThatThrownBy(() -> api.managers(ACCESS_TOKEN, 9171))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(45)));
    }

    @Test
    void serverErrorsAreRetryable() {
        gitlab.answer("GET", "/api/v4/runners/9171/managers", 502, "gitlab/error-404.json");

        assertThatThrownBy(() -> api.managers(ACCESS_TOKEN, 9171))
                .isInstanceOfSatisfying(ForgeException.Unavailable.class,
                        e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void unreachableGitLabIsRetryable() {
        URI closed = gitlab.baseUri();
        gitlab.close();
        var offline = new GitLabRunnersApi(HttpClient.newHttpClient(), closed, CLOCK);

        assertThatThrownBy(() -> offline.managers(ACCESS_TOKEN, 9171))
                .isInstanceOfSatisfying(ForgeException.Unavailable.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.status()).isZero();
                });
    }

    @Test
    void deleteRunnerSendsTheRunnersOwnTokenInTheBodyAndAnUnknownTokenIsAlreadyDone() {
        gitlab.answerEmpty("DELETE", "/api/v4/runners", 204);
        assertThat(api.deleteRunner(RUNNER_TOKEN)).isTrue();
        var request = gitlab.only("DELETE", "/api/v4/runners");
        assertThat(request.getBodyAsString()).isEqualTo("token=glrt-kyahzxLaj4Dc1jQf4xjX");
        assertThat(request.getUrl()).doesNotContain("glrt-");

        gitlab.server().resetAll();
        gitlab.answer("DELETE", "/api/v4/runners", 403, "gitlab/error-403.json");
        assertThat(api.deleteRunner(RUNNER_TOKEN)).isFalse();
    }
}
