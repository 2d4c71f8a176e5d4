package io.runnerscaler.forges.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.runnerscaler.core.runner.RunnerRegistryException;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
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
        http = new ForgeHttp(HttpClient.newHttpClient(), forge.baseUri(), Clock.systemUTC(), "GitLab", waits::add);
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
                .isInstanceOfSatisfying(RunnerRegistryException.Unavailable.class,
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
                .isInstanceOf(RunnerRegistryException.Unavailable.class);

        assertThat(forge.requests("POST", "/api/v4/user/runners")).hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void permanentAnswersAreNotRepeated() {
        forge.answer("GET", "/api/v4/secret", 401, "gitlab/error-401.json");
        forge.answer("GET", "/api/v4/gone", 404, "gitlab/error-404.json");

        assertThatThrownBy(() -> http.send(http.request("api/v4/secret").GET().build(), "read"))
                .isInstanceOf(RunnerRegistryException.Unauthorized.class);
        assertThatThrownBy(() -> http.send(http.request("api/v4/gone").GET().build(), "read"))
                .isInstanceOf(RunnerRegistryException.NotFound.class);

        assertThat(forge.requests("GET", "/api/v4/secret")).hasSize(1);
        assertThat(forge.requests("GET", "/api/v4/gone")).hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void aShortRateLimitIsWaitedOutAsTheForgeAsksALongOneIsLeftToTheCaller() {
        failThenSucceed("/api/v4/short", aResponse().withStatus(429).withHeader("Retry-After", "2"));
        forge.server().stubFor(any(urlPathEqualTo("/api/v4/long"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "60")));

        http.send(http.request("api/v4/short").GET().build(), "read");
        assertThat(waits).hasSize(1).allSatisfy(w -> assertThat(w).isBetween(Duration.ofSeconds(2),
                Duration.ofMillis(2200)));

        assertThatThrownBy(() -> http.send(http.request("api/v4/long").GET().build(), "read"))
                .isInstanceOfSatisfying(RunnerRegistryException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(60)));
        assertThat(forge.requests("GET", "/api/v4/long")).hasSize(1);
    }

    private void failThenSucceed(String path, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder failure) {
        forge.server().stubFor(any(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(failure).willSetStateTo("failed once"));
        forge.server().stubFor(any(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("failed once")
                .willReturn(aResponse().withStatus(200).withBody("{}")));
    }
}
