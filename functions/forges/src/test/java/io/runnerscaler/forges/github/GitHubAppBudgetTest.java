package io.runnerscaler.forges.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.GitHubTarget;
import io.runnerscaler.core.memory.InMemoryAppQuota;
import io.runnerscaler.core.port.AppQuota;
import io.runnerscaler.core.port.ForgeException;
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

/**
 * The GitHub App's budget across function instances, against a WireMock GitHub answering with the recorded shapes:
 * one installation token for all instances, a pause for every caller after GitHub's rate limit (secondary-limit 403
 * with retry-after, primary-limit 403 with x-ratelimit-reset), the JIT-config budget of 900 points a minute, and
 * x-ratelimit-remaining as a metric.
 */
class GitHubAppBudgetTest {

    private static final String TOKENS = "/app/installations/777/access_tokens";
    private static final String JIT = "/orgs/acme/actions/runners/generate-jitconfig";
    private static final String RUNNERS = "/orgs/acme/actions/runners";
    private static final Instant NOW = GitHubAppAuthTest.NOW;
    private final GitHubTarget target = GitHubTarget.organization("acme", 3);
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
    private ForgeApiStub github;

    @BeforeEach
    void start() {
        github = ForgeApiStub.start();
        github.answer("POST", TOKENS, 201, "github/installation-token.json");
    }

    @AfterEach
    void stop() {
        github.close();
    }

    /** One function instance: its own client and token cache, the stack's shared quota. */
    private GitHubRunnersApi instance(Instant at) {
        return new GitHubRunnersApi(new GitHubAppClient(HttpClient.newHttpClient(), github.baseUri(),
                Clock.fixed(at, ZoneOffset.UTC), GitHubAppAuthTest.APP,
                name -> Optional.ofNullable(Map.of(GitHubAppAuthTest.APP.privateKeyParameter(), TestAppKey.pkcs1Pem())
                        .get(name)), shared, metrics));
    }

    @Test
    void instancesShareOneInstallationToken() {
        github.answer("GET", RUNNERS, 200, "github/runners-none.json", ForgeApiStub.githubRateLimit(4990, NOW));

        instance(NOW).findByName(target, "a");
        instance(NOW).findByName(target, "b");
        instance(NOW.plusSeconds(600)).findByName(target, "c");

        assertThat(github.requests("POST", TOKENS)).as("one token for three instances").hasSize(1);
        assertThat(github.requests("GET", RUNNERS)).allSatisfy(r -> assertThat(r.getHeader("Authorization"))
                .isEqualTo("Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a"));
        assertThat(remaining).containsOnly(4990.0);
    }

    @Test
    void aSecondaryRateLimitPausesTheAppForEveryInstanceUntilGitHubsRetryAfter() {
        github.answer("POST", JIT, 403, "github/error-403-secondary-rate-limit.json", Map.of("retry-after", "30"));
        github.answer("GET", RUNNERS, 200, "github/runners-none.json");

        assertThatThrownBy(() -> instance(NOW).generateJitConfig(target, "r-1", Set.of("self-hosted"), "_work"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(30)));

        // Another instance, another endpoint: not sent while the App is paused, with the time left.
        assertThatThrownBy(() -> instance(NOW.plusSeconds(10)).findByName(target, "r-1"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
                    assertThat(e.getMessage()).contains("paused");
                });
        assertThat(github.requests("GET", RUNNERS)).isEmpty();
        assertThat(instance(NOW.plusSeconds(10)).jitConfigBudget(5).granted()).as("no budget while paused").isZero();

        instance(NOW.plusSeconds(31)).findByName(target, "r-1");
        assertThat(github.requests("GET", RUNNERS)).as("asked again once the pause is over").hasSize(1);
    }

    @Test
    void aSpentPrimaryLimitPausesTheAppUntilItsReset() {
        Instant reset = NOW.plusSeconds(900);
        github.answer("GET", RUNNERS, 403, "github/error-403-rate-limit.json", ForgeApiStub.githubRateLimit(0, reset));

        assertThatThrownBy(() -> instance(NOW).findByName(target, "a"))
                .isInstanceOf(ForgeException.RateLimited.class);

        assertThat(shared.pausedUntil("github-777", NOW.plusSeconds(1))).contains(reset);
        assertThat(remaining).containsExactly(0.0);
    }

    @Test
    void jitConfigsStayWithinNineHundredPointsAMinuteAcrossInstances() {
        assertThat(instance(NOW).jitConfigBudget(100).granted()).isEqualTo(100);
        GitHubAppClient.Budget second = instance(NOW.plusSeconds(20)).jitConfigBudget(100);
        assertThat(second.granted()).as("900 points / 5 per POST = 180 a minute").isEqualTo(80);
        assertThat(second.retryAfter()).as("until the next minute").isEqualTo(Duration.ofSeconds(40));
        assertThat(instance(NOW.plusSeconds(59)).jitConfigBudget(1).granted()).isZero();

        assertThat(instance(NOW.plusSeconds(60)).jitConfigBudget(100).granted()).as("a new minute").isEqualTo(100);
        assertThat(github.requests("POST", JIT)).as("the budget asks GitHub nothing").isEmpty();
    }
}
