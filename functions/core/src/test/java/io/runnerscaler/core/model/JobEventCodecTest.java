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
}
