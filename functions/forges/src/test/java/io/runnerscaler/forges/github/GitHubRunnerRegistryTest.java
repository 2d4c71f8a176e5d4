package io.runnerscaler.forges.github;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.config.GitHubTarget;
import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import io.runnerscaler.testkit.forge.TestAppKey;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitHubRunnerRegistryTest {

    static final String INSTANCE = "i-0123456789abcdef0";
    static final String RUNNER_NAME = "linux-x64-i-0123456789abcdef0";
    static final String ORG_RUNNERS = "/orgs/acme/actions/runners";
    static final Clock CLOCK = Clock.fixed(GitHubAppAuthTest.NOW, ZoneOffset.UTC);

    private final PoolConfig pool = new PoolConfig("linux-x64", Forge.GITHUB, Set.of("linux-x64", "docker"), false,
            List.of("m7i.large"), List.of("subnet-1"), "lt", Optional.empty(), MarketPolicy.SPOT, 5,
            new IdleSettings(0, 0, 0, Duration.ofMinutes(10)), 0, 1, List.of(), ZoneId.of("UTC"), Optional.empty(),
            Duration.ofMinutes(10));
    private ForgeApiStub github;
    private GitHubTarget target = GitHubTarget.organization("acme", 3);

    private GitHubRunnerRegistry registry() {
        var api = new GitHubRunnersApi(HttpClient.newHttpClient(), github.baseUri(), CLOCK, GitHubAppAuthTest.APP,
                name -> Optional.ofNullable(Map.of(GitHubAppAuthTest.APP.privateKeyParameter(), TestAppKey.pkcs1Pem())
                        .get(name)));
        return new GitHubRunnerRegistry(api, p -> target);
    }

    @BeforeEach
    void start() {
        github = ForgeApiStub.start();
        github.answer("POST", "/app/installations/777/access_tokens", 201, "github/installation-token.json");
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void prepareMakesAJitConfigNamedAfterTheInstanceWithThePoolsLabels() throws Exception {
        github.answer("POST", ORG_RUNNERS + "/generate-jitconfig", 201, "github/generate-jitconfig.json");

        var binding = registry().prepare(pool, INSTANCE).orElseThrow();

        assertThat(binding.instanceId()).isEqualTo(INSTANCE);
        assertThat(binding.runnerName()).isEqualTo(RUNNER_NAME);
        assertThat(binding.runnerId()).isEqualTo("23");
        assertThat(binding.secret().value()).startsWith("eyJcLnJ1bm5lciI6");
        var request = github.only("POST", ORG_RUNNERS + "/generate-jitconfig");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a");
        assertThat(request.getHeader("Accept")).isEqualTo("application/vnd.github+json");
        assertThat(request.getHeader("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        JsonNode body = new ObjectMapper().readTree(request.getBodyAsString());
        assertThat(body.path("name").asText()).isEqualTo(RUNNER_NAME);
        assertThat(body.path("runner_group_id").asLong()).isEqualTo(3);
        // The labels the matcher assumes for the pool: its own plus self-hosted, OS and architecture.
        List<String> labels = new java.util.ArrayList<>();
        body.path("labels").forEach(l -> labels.add(l.asText()));
        assertThat(labels).containsExactlyInAnyOrder("docker", "linux-x64", "self-hosted", "linux", "x64");
        assertThat(body.path("work_folder").asText()).isEqualTo("_work");
    }

    @Test
    void repositoryPoolsUseTheRepositoryEndpoints() {
        target = GitHubTarget.repository("acme", "app");
        github.answer("POST", "/repos/acme/app/actions/runners/generate-jitconfig", 201, "github/generate-jitconfig.json");

        assertThat(registry().prepare(pool, INSTANCE)).isPresent();
        assertThat(github.requests("POST", "/repos/acme/app/actions/runners/generate-jitconfig")).hasSize(1);
    }

    @Test
    void runnerLeftByAnEarlierAttemptIsReplaced() {
        github.answer(post(urlPathEqualTo(ORG_RUNNERS + "/generate-jitconfig")).inScenario("retry")
                        .whenScenarioStateIs(STARTED).willSetStateTo("stale runner deleted"),
                ForgeApiStub.json(409, "github/error-409-jitconfig.json", Map.of()));
        github.answer(post(urlPathEqualTo(ORG_RUNNERS + "/generate-jitconfig")).inScenario("retry")
                        .whenScenarioStateIs("stale runner deleted"),
                ForgeApiStub.json(201, "github/generate-jitconfig.json", Map.of()));
        github.answer("GET", ORG_RUNNERS, 200, "github/runners-by-name.json");
        github.answerEmpty("DELETE", ORG_RUNNERS + "/23", 204);

        var binding = registry().prepare(pool, INSTANCE).orElseThrow();

        assertThat(binding.runnerId()).isEqualTo("23");
        assertThat(github.requests("DELETE", ORG_RUNNERS + "/23")).hasSize(1);
        assertThat(github.requests("POST", ORG_RUNNERS + "/generate-jitconfig")).hasSize(2);
    }

    @Test
    void poolWithoutCustomLabelsRegistersWithTheImpliedOnes() throws Exception {
        var unlabelled = new PoolConfig("bare", Forge.GITHUB, Set.of(), false, List.of(), List.of(), "lt",
                Optional.empty(), MarketPolicy.SPOT, 1, pool.idle(), 0, 1, List.of(), ZoneId.of("UTC"), Optional.empty(),
                Duration.ofMinutes(10));

        github.answer("POST", ORG_RUNNERS + "/generate-jitconfig", 201, "github/generate-jitconfig.json");

        registry().prepare(unlabelled, INSTANCE);

        JsonNode body = new ObjectMapper().readTree(github.only("POST", ORG_RUNNERS + "/generate-jitconfig")
                .getBodyAsString());
        List<String> labels = new java.util.ArrayList<>();
        body.path("labels").forEach(l -> labels.add(l.asText()));
        assertThat(labels).containsExactlyInAnyOrder("self-hosted", "linux", "x64");
    }

    @Test
    void busyIsGitHubsFlagOfTheRunnerWithTheInstancesName() {
        github.answer("GET", ORG_RUNNERS, 200, "github/runners-by-name.json");

        assertThat(registry().isBusy(pool, INSTANCE)).isTrue();

        assertThat(github.only("GET", ORG_RUNNERS).queryParameter("name").firstValue()).isEqualTo(RUNNER_NAME);
    }

    @Test
    void runnerGitHubDoesNotKnowIsNotBusy() {
        github.answer("GET", ORG_RUNNERS, 200, "github/runners-none.json");

        assertThat(registry().isBusy(pool, INSTANCE)).isFalse();
    }

    @Test
    void deregisterDeletesTheRunnerByItsId() {
        github.answer("GET", ORG_RUNNERS, 200, "github/runners-by-name.json");
        github.answerEmpty("DELETE", ORG_RUNNERS + "/23", 204);

        registry().deregister(pool, INSTANCE);

        assertThat(github.only("DELETE", ORG_RUNNERS + "/23").getHeader("Authorization")).startsWith("Bearer ghs_");
    }

    @Test
    void deregisterOfARunnerAlreadyGoneDoesNothing() {
        github.answer("GET", ORG_RUNNERS, 200, "github/runners-none.json");

        registry().deregister(pool, INSTANCE);

        assertThat(github.server().getAllServeEvents()).noneMatch(e -> e.getRequest().getMethod().getName().equals("DELETE"));
    }

    @Test
    void runnerRemovedBetweenLookupAndDeleteCountsAsDeregisteredAndIsNotAskedAgain() {
        github.answer("GET", ORG_RUNNERS, 200, "github/runners-by-name.json");
        github.answer("DELETE", ORG_RUNNERS + "/23", 404, "github/error-404.json");

        assertThatCode(() -> registry().deregister(pool, INSTANCE)).as("gone is what deregistering wants")
                .doesNotThrowAnyException();

        assertThat(github.requests("GET", ORG_RUNNERS)).hasSize(1);
        assertThat(github.requests("DELETE", ORG_RUNNERS + "/23")).as("a 404 is not retried").hasSize(1);
    }

    @Test
    void busyRunnerCannotBeDeregistered() {
        github.answer("GET", ORG_RUNNERS, 200, "github/runners-by-name.json");
        github.answer("DELETE", ORG_RUNNERS + "/23", 422, "github/error-422-runner-busy.json");

        assertThatThrownBy(() -> registry().deregister(pool, INSTANCE))
                .isInstanceOfSatisfying(ForgeException.Rejected.class,
                        e -> assertThat(e.status()).isEqualTo(422))
                .hasMessageContaining("still running a job");
    }

    @Test
    void primaryRateLimitSaysToWaitUntilTheReset() {
        github.answer("GET", ORG_RUNNERS, 403, "github/error-403-rate-limit.json",
                ForgeApiStub.githubRateLimit(0, GitHubAppAuthTest.NOW.plusSeconds(600)));

        assertThatThrownBy(() -> registry().isBusy(pool, INSTANCE))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofMinutes(10));
                })
                .hasMessageContaining("API rate limit exceeded");
    }

    @Test
    void secondaryRateLimitSaysToWaitRetryAfter() {
        github.answer("POST", ORG_RUNNERS + "/generate-jitconfig", 403, "github/error-403-secondary-rate-limit.json",
                Map.of("retry-after", "60"));

        assertThatThrownBy(() -> registry().prepare(pool, INSTANCE))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(60)));
    }

    @Test
    void aSecondaryLimitThatNamesNoWaitWaitsAMinuteAsGitHubAsks() {
        github.answer("POST", ORG_RUNNERS + "/generate-jitconfig", 429, "github/error-403-secondary-rate-limit.json");
        github.answer("GET", ORG_RUNNERS, 403, "github/error-403-secondary-rate-limit.json",
                ForgeApiStub.githubRateLimit(4321, GitHubAppAuthTest.NOW.plusSeconds(1800)));

        assertThatThrownBy(() -> registry().prepare(pool, INSTANCE))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofMinutes(1)));
        assertThatThrownBy(() -> registry().isBusy(pool, INSTANCE)).as("primary quota left, secondary limit hit")
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofMinutes(1)));
    }

    @Test
    void appWithoutTheRunnersPermissionIsForbidden() {
        // GitHub sends its rate-limit headers on every answer, this refusal too: they alone are no rate limit.
        github.answer("POST", ORG_RUNNERS + "/generate-jitconfig", 403, "github/error-403-permission.json",
                ForgeApiStub.githubRateLimit(4987, GitHubAppAuthTest.NOW.plusSeconds(1800)));

        assertThatThrownBy(() -> registry().prepare(pool, INSTANCE))
                .isInstanceOf(ForgeException.Forbidden.class)
                .hasMessageContaining("Resource not accessible by integration")
                .hasMessageContaining("organization 'acme'");
    }

    @Test
    void unknownOrganisationOrRunnerGroupIsNotFound() {
        github.answer("POST", ORG_RUNNERS + "/generate-jitconfig", 404, "github/error-404.json");

        assertThatThrownBy(() -> registry().prepare(pool, INSTANCE))
                .isInstanceOf(ForgeException.NotFound.class);
    }

    @Test
    void revokedInstallationTokenIsUnauthorizedAndFetchedAfreshNextTime() {
        github.answer("GET", ORG_RUNNERS, 401, "github/error-401.json");
        var registry = registry();

        assertThatThrownBy(() -> registry.isBusy(pool, INSTANCE))
                .isInstanceOf(ForgeException.Unauthorized.class)
                .hasMessageNotContaining("ghs_");
        assertThatThrownBy(() -> registry.isBusy(pool, INSTANCE))
                .isInstanceOf(ForgeException.Unauthorized.class);

        assertThat(github.requests("POST", "/app/installations/777/access_tokens")).hasSize(2);
    }
}
