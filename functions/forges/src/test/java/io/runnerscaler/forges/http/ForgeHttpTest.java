package io.runnerscaler.forges.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which forge answers are tried again, how often, and how long it waits in between. */
class ForgeHttpTest {

    private ForgeApiStub forge;
    private final List<Duration> waits = new ArrayList<>();
    private ForgeHttp http;

    @BeforeEach
    void start() {
        forge = ForgeApiStub.start();
        http = new ForgeHttp(HttpClient.newHttpClient(), forge.baseUri(), Clock.systemUTC(), Forge.GITLAB, waits::add);
    }

    @AfterEach
    void stop() {
        forge.close();
    }

    @Test
    void aReadThatMeetsA5xxIsTriedAgainAfterAJitteredWaitAndSucceeds() {
        failThenSucceed("/api/v4/things", aResponse().withStatus(502));

        var response = http.send(http.request("api/v4/things").GET().build(), "list things");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(forge.requests("GET", "/api/v4/things")).hasSize(2);
        assertThat(waits).hasSize(1).allSatisfy(w -> assertThat(w).isBetween(Duration.ZERO, Duration.ofMillis(200)));
    }

    @Test
    void aDroppedConnectionOnADeleteIsTriedAgain() {
        failThenSucceed("/api/v4/runners/managers", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        http.send(http.request("api/v4/runners/managers").DELETE().build(), "delete manager");

        assertThat(forge.requests("DELETE", "/api/v4/runners/managers")).hasSize(2);
    }

    @Test
    void aForgeThatStaysDownIsAskedThreeTimesWithGrowingBoundsThenTheErrorIsRetryable() {
        forge.answerEmpty("GET", "/api/v4/things", 503);

        assertThatThrownBy(() -> http.send(http.request("api/v4/things").GET().build(), "list things"))
                .isInstanceOfSatisfying(ForgeException.Unavailable.class,
                        e -> assertThat(e.retryable()).isTrue());

        assertThat(forge.requests("GET", "/api/v4/things")).hasSize(ForgeHttp.ATTEMPTS);
        assertThat(waits).hasSize(ForgeHttp.ATTEMPTS - 1);
        assertThat(waits.get(0)).isLessThanOrEqualTo(Duration.ofMillis(200));
        assertThat(waits.get(1)).isLessThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aCreateIsNeverRepeatedBecauseTheForgeMayHaveDoneIt() {
        forge.answerEmpty("POST", "/api/v4/user/runners", 500);

        assertThatThrownBy(() -> http.send(http.request("api/v4/user/runners")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), "create runner"))
                .isInstanceOf(ForgeException.Unavailable.class);

        assertThat(forge.requests("POST", "/api/v4/user/runners")).hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void permanentAnswersAreNotRepeated() {
        forge.answer("GET", "/api/v4/secret", 401, "gitlab/error-401.json");
        forge.answer("GET", "/api/v4/gone", 404, "gitlab/error-404.json");

        assertThatThrownBy(() -> http.send(http.request("api/v4/secret").GET().build(), "read"))
                .isInstanceOf(ForgeException.Unauthorized.class);
        assertThatThrownBy(() -> http.send(http.request("api/v4/gone").GET().build(), "read"))
                .isInstanceOf(ForgeException.NotFound.class);

        assertThat(forge.requests("GET", "/api/v4/secret")).hasSize(1);
        assertThat(forge.requests("GET", "/api/v4/gone")).hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void aRateLimitIsLeftToTheCallerWithTheWaitTheForgeAsksForHoweverShort() {
        forge.server().stubFor(any(urlPathEqualTo("/api/v4/short"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")));
        forge.server().stubFor(any(urlPathEqualTo("/api/v4/long"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "60")));

        assertThatThrownBy(() -> http.send(http.request("api/v4/short").GET().build(), "read"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(2)));
        assertThatThrownBy(() -> http.send(http.request("api/v4/long").GET().build(), "read"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(60)));
        assertThat(forge.requests("GET", "/api/v4/short")).hasSize(1);
        assertThat(forge.requests("GET", "/api/v4/long")).hasSize(1);
        assertThat(waits).as("nothing slept through").isEmpty();
    }

    @Test
    void aGitHubRefusalWithTheHeadersEveryAnswerCarriesIsAPermissionProblemAndNotRetried() {
        ForgeHttp github = github();
        forge.answer("GET", "/orgs/acme/actions/runners", 403, "github/error-403-permission.json",
                ForgeApiStub.githubRateLimit(4987, NOW.plusSeconds(1800)));

        assertThatThrownBy(() -> github.send(github.request("orgs/acme/actions/runners").GET().build(), "list runners"))
                .isInstanceOfSatisfying(ForgeException.Forbidden.class, e -> assertThat(e.retryable()).isFalse());
        assertThat(forge.requests("GET", "/orgs/acme/actions/runners")).hasSize(1);
    }

    @Test
    void gitHubsPrimaryLimitLiftsAtTheResetAndIsLeftToTheCaller() {
        ForgeHttp github = github();
        forge.answer("GET", "/orgs/acme/actions/runners", 403, "github/error-403-rate-limit.json",
                ForgeApiStub.githubRateLimit(0, NOW.plusSeconds(600)));

        assertThatThrownBy(() -> github.send(github.request("orgs/acme/actions/runners").GET().build(), "list runners"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofMinutes(10));
                    assertThat(e.getMessage()).contains("(limit 5000 per hour, 0 left)").contains("retry after 600s");
                });
        assertThat(forge.requests("GET", "/orgs/acme/actions/runners")).hasSize(1);
    }

    @Test
    void gitHubsSecondaryLimitAsksForRetryAfterOrElseAMinute() {
        ForgeHttp github = github();
        forge.answer("GET", "/with-retry-after", 403, "github/error-403-secondary-rate-limit.json",
                java.util.Map.of("retry-after", "3"));
        forge.answer("GET", "/without", 403, "github/error-403-secondary-rate-limit.json",
                ForgeApiStub.githubRateLimit(4000, NOW.plusSeconds(3000)));

        assertThatThrownBy(() -> github.send(github.request("with-retry-after").GET().build(), "read"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
        assertThat(forge.requests("GET", "/with-retry-after")).as("left to the caller, not waited out in place")
                .hasSize(1);
        assertThatThrownBy(() -> github.send(github.request("without").GET().build(), "read"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(ForgeHttp.GITHUB_UNSTATED_WAIT));
        assertThat(forge.requests("GET", "/without")).hasSize(1);
    }

    @Test
    void gitLabsThrottleIsA429WithItsHeadersAndItsOther403sAreRefusals() {
        ForgeHttp gitlab = new ForgeHttp(HttpClient.newHttpClient(), forge.baseUri(), CLOCK, Forge.GITLAB, waits::add);
        forge.answerText("GET", "/api/v4/throttled", 429, "Retry later", ForgeApiStub.gitlabThrottled(NOW, 30));
        forge.answer("GET", "/api/v4/forbidden", 403, "gitlab/error-403.json",
                java.util.Map.of("RateLimit-Remaining", "0", "RateLimit-Reset", Long.toString(NOW.getEpochSecond() + 9)));

        assertThatThrownBy(() -> gitlab.send(gitlab.request("api/v4/throttled").GET().build(), "read"))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
                    assertThat(e.getMessage()).contains("(limit 2000 per minute, 0 left)");
                });
        assertThatThrownBy(() -> gitlab.send(gitlab.request("api/v4/forbidden").GET().build(), "read"))
                .isInstanceOf(ForgeException.Forbidden.class);
    }

    @Test
    void aSuccessfulAnswerThatUsedUpTheLimitSaysWhenItLifts() {
        ForgeHttp github = github();
        forge.answer("GET", "/last", 200, "github/runners-none.json", ForgeApiStub.githubRateLimit(0, NOW.plusSeconds(90)));
        forge.answer("GET", "/plenty", 200, "github/runners-none.json", ForgeApiStub.githubRateLimit(4999, NOW.plusSeconds(90)));
        ForgeHttp gitlab = new ForgeHttp(HttpClient.newHttpClient(), forge.baseUri(), CLOCK, Forge.GITLAB, waits::add);
        forge.answer("GET", "/api/v4/last", 200, "gitlab/project-jobs-none.json", java.util.Map.of(
                "RateLimit-Limit", "2000", "RateLimit-Remaining", "0",
                "RateLimit-Reset", Long.toString(NOW.getEpochSecond() + 20)));

        assertThat(github.limitUsedUp(github.send(github.request("last").GET().build(), "read")))
                .contains(Duration.ofSeconds(90));
        assertThat(github.limitUsedUp(github.send(github.request("plenty").GET().build(), "read"))).isEmpty();
        assertThat(gitlab.limitUsedUp(gitlab.send(gitlab.request("api/v4/last").GET().build(), "read")))
                .contains(Duration.ofSeconds(20));
    }

    @Test
    void aSuccessWhoseBodyIsNotJsonIsAnUnexpectedAnswer() {
        forge.answerText("GET", "/api/v4/sso", 200, "<html>sign in</html>", java.util.Map.of());

        assertThatThrownBy(() -> http.json(http.request("api/v4/sso").GET().build(), "read"))
                .isInstanceOfSatisfying(ForgeException.UnexpectedAnswer.class,
                        e -> assertThat(e.getMessage()).isEqualTo("GitLab read: answer is not JSON"));
    }

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private ForgeHttp github() {
        return new ForgeHttp(HttpClient.newHttpClient(), forge.baseUri(), CLOCK, Forge.GITHUB, waits::add);
    }

    private void failThenSucceed(String path, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder failure) {
        forge.server().stubFor(any(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(failure).willSetStateTo("failed once"));
        forge.server().stubFor(any(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("failed once")
                .willReturn(aResponse().withStatus(200).withBody("{}")));
    }
}
