package io.runnerscaler.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JobEventCodecTest {

    private final JobEventCodec codec = new JobEventCodec();

    @Test
    void eventSurvivesTheQueueUnchanged() {
        JobEvent e = new JobEvent(Forge.GITHUB, "42", "octo/repo", JobStatus.RUNNING, Set.of("self-hosted", "linux"),
                Optional.of("i-0abc"), "d-1", Instant.parse("2026-11-23T09:00:00Z"),
                Optional.of(Instant.parse("2026-11-23T09:01:00Z")), Optional.empty());
        assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{}", "{\"v\":2}", "{\"v\":1,\"forge\":\"gitlab\"}",
            "{\"v\":1,\"forge\":\"svn\",\"jobId\":\"1\",\"project\":\"p\",\"status\":\"QUEUED\",\"deliveryId\":\"d\",\"createdAt\":\"2026-11-23T09:00:00Z\"}",
            "{\"v\":1,\"forge\":\"gitlab\",\"jobId\":\"1\",\"project\":\"p\",\"status\":\"LOST\",\"deliveryId\":\"d\",\"createdAt\":\"2026-11-23T09:00:00Z\"}",
            "{\"v\":1,\"forge\":\"gitlab\",\"jobId\":\"1\",\"project\":\"p\",\"status\":\"QUEUED\",\"deliveryId\":\"d\",\"createdAt\":\"yesterday\"}"})
    void messagesThatAreNotJobEventsAreRejectedWithAClearError(String message) {
        assertThatThrownBy(() -> codec.decode(message)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue message");
    }

    @Test
    void githubEventRoundTripsWithOwnerAndInstallation() {
        JobEvent e = new JobEvent(Forge.GITHUB, "30433642001", "runner-scaler-demo/app", JobStatus.RUNNING,
                Set.of("self-hosted", "linux"), Optional.of("i-0abc"), "delivery", Instant.parse("2026-11-23T09:00:00Z"),
                Optional.of(Instant.parse("2026-11-23T09:01:05Z")), Optional.empty(), Optional.of("runner-scaler-demo"),
                Optional.of("56781234"));
        assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
    }

    @Test
    void gitlabRunnerIdAndRunnerManagerRoundTrip() {
        JobEvent e = new JobEvent(Forge.GITLAB, "1977", "gitlab-org/gitlab-test", JobStatus.RUNNING, Set.of(),
                Optional.of("runner-scaler docker pool"), "d", Instant.parse("2026-11-23T09:00:00Z"), Optional.empty(),
                Optional.empty()).withRunner(Optional.of("9171"), Optional.of("s_56789abcdef0"));
        assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
        JobEvent created = e.withRunner(e.runnerId(), e.runnerManager(),
                Optional.of(Instant.parse("2026-11-23T09:00:52.112Z")));
        assertThat(codec.decode(codec.encode(created))).isEqualTo(created);
        assertThat(codec.decode(codec.encode(created)).runnerManagerCreatedAt())
                .contains(Instant.parse("2026-11-23T09:00:52.112Z"));
    }

    @Test
    void messageWrittenBeforeOwnerAndInstallationExistedStillDecodes() {
        JobEvent e = codec.decode("""
                {"v":1,"forge":"gitlab","jobId":"1977","project":"gitlab-org/gitlab-test","status":"QUEUED",
                 "labels":[],"deliveryId":"d","createdAt":"2026-11-23T09:00:00Z"}""");
        assertThat(e.owner()).isEmpty();
        assertThat(e.installationId()).isEmpty();
    }
}
