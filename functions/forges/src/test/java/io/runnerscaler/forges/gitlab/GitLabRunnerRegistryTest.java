package io.runnerscaler.forges.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitLabRunnerRegistryTest {

    static final String BUSY_INSTANCE = "i-0123456789abcdef0"; // system id s_56789abcdef0, as in the fixtures
    static final String OTHER_INSTANCE = "i-0fedcba9876543210";

    private ForgeApiStub gitlab;
    private GitLabRunnerRegistry registry;
    private final PoolConfig pool = pool(Optional.of("/runner-scaler/docker/token"));

    static PoolConfig pool(Optional<String> tokenParameter) {
        return new PoolConfig("docker", Forge.GITLAB, Set.of("docker"), false, List.of("m7i.large"), List.of("subnet-1"),
                "lt", Optional.empty(), MarketPolicy.SPOT, 5, new IdleSettings(0, 0, 0, Duration.ofMinutes(10)), 0, 1,
                List.of(), ZoneId.of("UTC"), tokenParameter, Duration.ofMinutes(10));
    }

    @BeforeEach
    void start() {
        gitlab = ForgeApiStub.start();
        Map<String, String> ssm = Map.of(
                "/runner-scaler/docker/token", "glrt-kyahzxLaj4Dc1jQf4xjX",
                "/runner-scaler/gitlab-api-token", "glpat-reporter-token");
        SecretStore secrets = name -> Optional.ofNullable(ssm.get(name));
        registry = new GitLabRunnerRegistry(
                new GitLabRunnersApi(HttpClient.newHttpClient(), gitlab.baseUri(), GitLabRunnersApiTest.CLOCK),
                secrets, "/runner-scaler/gitlab-api-token");
        gitlab.answer("POST", "/api/v4/runners/verify", 200, "gitlab/verify-runner.json");
    }

    @AfterEach
    void stop() {
        gitlab.close();
    }

    @Test
    void gitlabMachinesNeedNothingPreparedPerMachine() {
        assertThat(registry.prepare(pool, BUSY_INSTANCE)).isEmpty();
        assertThat(gitlab.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void machineWithARunningJobOnItsManagerIsBusy() {
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 200, "gitlab/runner-jobs-running.json");

        assertThat(registry.isBusy(pool, BUSY_INSTANCE)).isTrue();

        var request = gitlab.only("GET", "/api/v4/runners/9171/jobs");
        assertThat(request.queryParameter("system_id").firstValue()).isEqualTo("s_56789abcdef0");
        assertThat(request.getHeader("PRIVATE-TOKEN")).isEqualTo("glpat-reporter-token");
    }

    @Test
    void machineWithoutRunningJobsIsNotBusy() {
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 200, "gitlab/runner-jobs-none.json");

        assertThat(registry.isBusy(pool, OTHER_INSTANCE)).isFalse();
    }

    @Test
    void jobOfAnotherManagerDoesNotMakeThisMachineBusy() {
        // A GitLab that ignores the system_id filter still shows which manager runs the job.
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 200, "gitlab/runner-jobs-running.json");

        assertThat(registry.isBusy(pool, OTHER_INSTANCE)).isFalse();
    }

    @Test
    void jobWithoutManagerDetailsCountsAsBusySoABusyMachineIsNeverTerminated() {
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 200, "gitlab/runner-jobs-running-without-manager.json");

        assertThat(registry.isBusy(pool, OTHER_INSTANCE)).isTrue();
    }

    @Test
    void runnerIdIsLookedUpOncePerPool() {
        gitlab.answer("GET", "/api/v4/runners/9171/jobs", 200, "gitlab/runner-jobs-none.json");

        registry.isBusy(pool, BUSY_INSTANCE);
        registry.isBusy(pool, OTHER_INSTANCE);

        assertThat(gitlab.requests("POST", "/api/v4/runners/verify")).hasSize(1);
        assertThat(gitlab.requests("GET", "/api/v4/runners/9171/jobs")).hasSize(2);
    }

    @Test
    void deregisteringDeletesTheMachinesRunnerManager() {
        gitlab.answerEmpty("DELETE", "/api/v4/runners/managers", 204);

        registry.deregister(pool, BUSY_INSTANCE);

        assertThat(gitlab.only("DELETE", "/api/v4/runners/managers").getBodyAsString())
                .isEqualTo("token=glrt-kyahzxLaj4Dc1jQf4xjX&system_id=s_56789abcdef0");
    }

    @Test
    void deregisteringTwiceIsFine() {
        gitlab.answer("DELETE", "/api/v4/runners/managers", 404, "gitlab/error-404.json");

        registry.deregister(pool, BUSY_INSTANCE);
        registry.deregister(pool, BUSY_INSTANCE);

        assertThat(gitlab.requests("DELETE", "/api/v4/runners/managers")).hasSize(2);
    }

    @Test
    void missingTokenInSsmIsAConfigurationErrorNamingTheParameter() {
        var unknown = pool(Optional.of("/runner-scaler/missing"));

        assertThatThrownBy(() -> registry.deregister(unknown, BUSY_INSTANCE))
                .isInstanceOf(ForgeException.Misconfigured.class)
                .hasMessage("pool 'docker': SSM parameter '/runner-scaler/missing' not found");
    }
}
