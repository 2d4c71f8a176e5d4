package io.runnerscaler.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobEventCodecTest {

    private final JobEventCodec codec = new JobEventCodec();

    @Test
    void githubEventRoundTripsWithOwnerAndInstallation() {
        JobEvent e = new JobEvent(Forge.GITHUB, "30433642001", "runner-scaler-demo/app", JobStatus.RUNNING,
                Set.of("self-hosted", "linux"), Optional.of("i-0abc"), "delivery", Instant.parse("2026-11-23T09:00:00Z"),
                Optional.of(Instant.parse("2026-11-23T09:01:05Z")), Optional.empty(), Optional.of("runner-scaler-demo"),
                Optional.of("56781234"));
        assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
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
