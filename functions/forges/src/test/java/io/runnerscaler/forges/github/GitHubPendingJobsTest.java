package io.runnerscaler.forges.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.PendingJobs;
import io.runnerscaler.core.config.GitHubTarget;
import io.runnerscaler.core.memory.InMemoryAppQuota;
import io.runnerscaler.core.port.AppQuota;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import io.runnerscaler.testkit.forge.TestAppKey;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listing a repository's queued jobs against a WireMock GitHub answering with recorded runs, jobs and errors. */
class GitHubPendingJobsTest {

    /** The installation token of {@code github/installation-token.json}. */
    private static final String TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
    private static final String TOKENS = "/app/installations/777/access_tokens";
    private static final String RUNS = "/repos/runner-scaler-demo/app/actions/runs";
    private static final String JOBS = RUNS + "/11234567890/jobs";
    private static final String JIT = "/orgs/acme/actions/runners/generate-jitconfig";
    private static final Instant NOW = Instant.parse("2026-11-23T09:10:00Z");

    private final ForgeApiStub github = ForgeApiStub.start();
    private final AppQuota shared = new InMemoryAppQuota();
    private final List<Double> remaining = new ArrayList<>();
    private final Metrics metrics = new Metrics() {
        @Override
        public void count(String name, Map<String, String> dimensions, double value) {
            if (name.equals("GitHubRateLimitRemaining")) {
                remaining.add(value);
            }
        }

        @Override
        public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        }
    };
    private final GitHubPendingJobs api = new GitHubPendingJobs(app(NOW));

    /** One function instance's App client: its own token cache, the stack's shared quota and metrics. */
    private GitHubAppClient app(Instant at) {
        return new GitHubAppClient(HttpClient.newHttpClient(), github.baseUri(), Clock.fixed(at, ZoneOffset.UTC),
                GitHubAppAuthTest.APP, name -> Optional.ofNullable(Map.of(GitHubAppAuthTest.APP.privateKeyParameter(),
                        TestAppKey.pkcs1Pem()).get(name)), shared, metrics);
    }

    @BeforeEach
    void installationToken() {
        github.answer("POST", TOKENS, 201, "github/installation-token.json");
    }

    @AfterEach
    void stop() {
        github.close();
    }

    /** Runs of one status: {@code queued} or {@code in_progress}. */
    private void runs(String status, String fixture) {
        github.answer(get(urlPathEqualTo(RUNS)).withQueryParam("status", equalTo(status)),
                ForgeApiStub.json(200, fixture, Map.of()));
    }

    @Test
    void listsTheQueuedJobsOfQueuedRunsWithTheirLabels() {
        runs("queued", "github/workflow-runs-queued.json");
        runs("in_progress", "github/workflow-runs-none.json");
        github.answer("GET", JOBS, 200, "github/workflow-run-jobs.json");
        PendingJobs.Listing listing = api.pending("runner-scaler-demo/app", 10);
        assertThat(listing.calls()).isEqualTo(3);
        assertThat(listing.complete()).isTrue();
        assertThat(listing.jobs()).as("the in-progress job of the run is left out").singleElement().satisfies(j -> {
            assertThat(j.jobKey()).isEqualTo("github:30433642001");
            assertThat(j.forge()).isEqualTo(Forge.GITHUB);
            assertThat(j.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(j.project()).isEqualTo("runner-scaler-demo/app");
            assertThat(j.owner()).contains("runner-scaler-demo");
            assertThat(j.labels()).containsExactlyInAnyOrder("self-hosted", "linux", "x64", "docker");
            assertThat(j.createdAt()).isEqualTo(Instant.parse("2026-11-23T09:00:00Z"));
        });
        var runs = github.requests("GET", RUNS);
        assertThat(runs).extracting(r -> r.queryParameter("status").firstValue())
                .containsExactly("queued", "in_progress");
        assertThat(runs.getFirst().getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(runs.getFirst().getHeader("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
    }

    @Test
    void findsAQueuedJobInsideARunAlreadyInProgress() {
        runs("queued", "github/workflow-runs-none.json");
        runs("in_progress", "github/workflow-runs-in-progress.json");
        github.answer("GET", JOBS, 200, "github/workflow-run-jobs.json");

        PendingJobs.Listing listing = api.pending("runner-scaler-demo/app", 10);

        assertThat(listing.jobs()).as("the run's queued job; its in-progress one is left out").singleElement()
                .satisfies(j -> assertThat(j.jobKey()).isEqualTo("github:30433642001"));
        assertThat(listing.calls()).isEqualTo(3);
        assertThat(listing.complete()).isTrue();
    }

    @Test
    void aRunThatMovedFromQueuedToInProgressBetweenTheListingsIsListedOnce() {
        runs("queued", "github/workflow-runs-queued.json");
        runs("in_progress", "github/workflow-runs-in-progress.json");
        github.answer("GET", JOBS, 200, "github/workflow-run-jobs.json");

        PendingJobs.Listing listing = api.pending("runner-scaler-demo/app", 10);

        assertThat(listing.jobs()).extracting(JobEvent::jobKey).containsExactly("github:30433642001");
        assertThat(github.requests("GET", JOBS)).hasSize(1);
    }

    @Test
    void theInProgressListingSharesTheCallBudget() {
        runs("queued", "github/workflow-runs-queued.json");
        runs("in_progress", "github/workflow-runs-in-progress.json");
        github.answer("GET", JOBS, 200, "github/workflow-run-jobs.json");

        PendingJobs.Listing listing = api.pending("runner-scaler-demo/app", 2);

        assertThat(listing.calls()).isEqualTo(2);
        assertThat(listing.complete()).isFalse();
        assertThat(github.requests("GET", RUNS)).hasSize(1);
    }

    @Test
    void followsLinkNextForRunsAndJobs() {
        String next = "<https://api.github.com/repositories/1/actions/runs?page=2>; rel=\"next\", <https://api.github.com/repositories/1/actions/runs?page=2>; rel=\"last\"";
        github.answer(get(urlPathEqualTo(RUNS)).withQueryParam("status", equalTo("queued"))
                        .withQueryParam("page", equalTo("1")),
                ForgeApiStub.json(200, "github/workflow-runs-queued.json", Map.of("Link", next)));
        github.answer(get(urlPathEqualTo(RUNS)).withQueryParam("status", equalTo("queued"))
                        .withQueryParam("page", equalTo("2")),
                ForgeApiStub.json(200, "github/workflow-runs-none.json", Map.of()));
        runs("in_progress", "github/workflow-runs-none.json");
        github.answer(get(urlPathEqualTo(JOBS)).withQueryParam("page", equalTo("1")),
                ForgeApiStub.json(200, "github/workflow-run-jobs.json", Map.of("Link", next)));
        github.answer(get(urlPathEqualTo(JOBS)).withQueryParam("page", equalTo("2")),
                aResponse().withStatus(200).withBody("{\"total_count\":2,\"jobs\":[{\"id\":30433642003,"
                        + "\"status\":\"queued\",\"labels\":[\"self-hosted\"],\"created_at\":\"2026-11-23T09:00:00Z\"}]}"));
        PendingJobs.Listing listing = api.pending("runner-scaler-demo/app", 10);
        assertThat(listing.jobs()).extracting(JobEvent::jobId).containsExactly("30433642001", "30433642003");
        assertThat(listing.calls()).isEqualTo(5);
        assertThat(listing.complete()).isTrue();
    }

    @Test
    void stopsAtTheCallBudget() {
        github.answer("GET", RUNS, 200, "github/workflow-runs-queued.json");
        github.answer("GET", JOBS, 200, "github/workflow-run-jobs.json");
        PendingJobs.Listing listing = api.pending("runner-scaler-demo/app", 1);
        assertThat(listing.calls()).isEqualTo(1);
        assertThat(listing.complete()).isFalse();
        assertThat(listing.jobs()).isEmpty();
        assertThat(github.requests("GET", JOBS)).isEmpty();
    }

    @Test
    void usedUpLimitOnASuccessfulAnswerEndsTheListingUntilTheReset() {
        github.answer("GET", RUNS, 200, "github/workflow-runs-queued.json", Map.of("x-ratelimit-remaining", "0",
                "x-ratelimit-reset", Long.toString(NOW.plusSeconds(600).getEpochSecond())));
        PendingJobs.Listing listing = api.pending("runner-scaler-demo/app", 10);
        assertThat(listing.retryAfter()).contains(Duration.ofMinutes(10));
        assertThat(listing.complete()).isFalse();
        assertThat(github.requests("GET", JOBS)).isEmpty();
    }

    @Test
    void secondaryRateLimitCarriesRetryAfter() {
        github.answer("GET", RUNS, 403, "github/error-403-secondary-rate-limit.json", Map.of("retry-after", "60"));
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(60)));
    }

    @Test
    void tooManyRequestsWithRetryAfterIsRateLimited() {
        github.answer(get(urlPathEqualTo(RUNS)), aResponse().withStatus(429).withHeader("Retry-After", "15"));
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(15)));
    }

    @Test
    void unauthorizedAndNotFoundArePermanentAndNeverShowTheToken() {
        github.answer("GET", RUNS, 401, "github/error-401.json");
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOfSatisfying(ForgeException.Unauthorized.class,
                        e -> assertThat(e.getMessage()).contains("runner-scaler-demo/app").doesNotContain(TOKEN));
        github.server().resetAll();
        installationToken();
        github.answer("GET", RUNS, 404, "github/error-404.json");
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOf(ForgeException.NotFound.class);
    }

    @Test
    void aRefusedTokenIsDroppedSoTheNextListingAsksForANewOne() {
        github.answer("GET", RUNS, 401, "github/error-401.json");
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOf(ForgeException.Unauthorized.class);
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOf(ForgeException.Unauthorized.class);
        assertThat(github.requests("POST", TOKENS)).as("a new token after the refusal").hasSize(2);
        assertThat(shared.token("github-777", NOW)).as("and none left for the other instances").isEmpty();
    }

    // ---------------------------------------------------------------- the App's quota, shared with the runner calls

    @Test
    void aPrimaryRateLimitOnAListingPausesTheAppSoAJitConfigIsNotSentAndTheMetricSaysZero() {
        Instant reset = NOW.plusSeconds(900);
        github.answer("GET", RUNS, 403, "github/error-403-rate-limit.json", ForgeApiStub.githubRateLimit(0, reset));
        github.answer("POST", JIT, 201, "github/generate-jitconfig.json");

        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofMinutes(15)));

        assertThat(shared.pausedUntil("github-777", NOW.plusSeconds(1))).as("the App, for every instance")
                .contains(reset);
        assertThat(remaining).as("GitHubRateLimitRemaining from the listing's answer").containsExactly(0.0);
        // Another function instance, the JIT path: refused with the time left, GitHub not asked.
        var runners = new GitHubRunnersApi(app(NOW.plusSeconds(60)));
        assertThatThrownBy(() -> runners.generateJitConfig(GitHubTarget.organization("acme", 3), "r-1",
                Set.of("self-hosted"), "_work"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofMinutes(14));
                    assertThat(e.getMessage()).contains("paused");
                });
        assertThat(github.requests("POST", JIT)).isEmpty();
        assertThat(runners.jitConfigBudget(5).granted()).as("no JIT budget while paused").isZero();
    }

    @Test
    void aSecondaryRateLimitOnAListingPausesTheAppForItsRetryAfter() {
        github.answer("GET", RUNS, 403, "github/error-403-secondary-rate-limit.json", Map.of("retry-after", "60"));
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOf(ForgeException.RateLimited.class);
        assertThat(shared.pausedUntil("github-777", NOW.plusSeconds(59))).contains(NOW.plusSeconds(60));
        assertThat(shared.pausedUntil("github-777", NOW.plusSeconds(60))).as("over after retry-after").isEmpty();
    }

    @Test
    void aListingWhileTheAppIsPausedAsksGitHubNothing() {
        shared.pauseUntil("github-777", NOW.plusSeconds(300));
        assertThatThrownBy(() -> api.pending("runner-scaler-demo/app", 10))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofMinutes(5)));
        assertThat(github.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void aListingThatUsedUpTheLimitPausesTheAppUntilTheReset() {
        github.answer("GET", RUNS, 200, "github/workflow-runs-queued.json",
                ForgeApiStub.githubRateLimit(0, NOW.plusSeconds(600)));
        api.pending("runner-scaler-demo/app", 10);
        assertThat(shared.pausedUntil("github-777", NOW.plusSeconds(1))).contains(NOW.plusSeconds(600));
    }

    @Test
    void everyListingAnswerFeedsTheRateLimitMetric() {
        github.answer(get(urlPathEqualTo(RUNS)), ForgeApiStub.json(200, "github/workflow-runs-queued.json",
                ForgeApiStub.githubRateLimit(4990, NOW.plusSeconds(3600))));
        github.answer("GET", JOBS, 200, "github/workflow-run-jobs.json",
                ForgeApiStub.githubRateLimit(4989, NOW.plusSeconds(3600)));
        api.pending("runner-scaler-demo/app", 10);
        assertThat(remaining).containsExactly(4990.0, 4989.0, 4990.0);
    }

    @Test
    void notOwnerSlashRepoIsMisconfigured() {
        assertThatThrownBy(() -> api.pending("app", 10)).isInstanceOf(ForgeException.Misconfigured.class);
    }
}
