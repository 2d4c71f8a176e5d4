package io.runnerscaler.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The queue message's bytes are those the codec wrote when it built a Jackson tree: scale-up of any version
 * still running reads what a newer webhook writes, and deduplication ids are unaffected.
 */
class JobEventWireFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<JobEvent> events() {
        Instant t = Instant.parse("2026-11-23T09:00:00Z");
        return Stream.of(
                new JobEvent(Forge.GITLAB, "1977", "gitlab-org/gitlab-test", JobStatus.QUEUED, Set.of(), Optional.empty(),
                        "d", t, Optional.empty(), Optional.empty()),
                new JobEvent(Forge.GITHUB, "30433642001", "o/r", JobStatus.SUCCEEDED, Set.of("self-hosted", "linux",
                        "x64"), Optional.of("i-0abc"), "delivery", t, Optional.of(t.plusSeconds(65)),
                        Optional.of(t.plusMillis(600_123)), Optional.of("owner"), Optional.of("56781234")),
                new JobEvent(Forge.GITLAB, "5", "grüppe/\"quoted\"\\path\n\t\u0001 😀", JobStatus.RUNNING,
                        Set.of("ünï", "a\"b", "</script>"), Optional.of("runner \u2028 name"), "d\u0000", t,
                        Optional.of(t), Optional.empty()).withRunner(Optional.of("9171"), Optional.of("s_56789abcdef0")));
    }

    @ParameterizedTest
    @MethodSource("events")
    void encodedBytesAreThoseTheTreeWrote(JobEvent e) {
        assertThat(new JobEventCodec().encode(e)).isEqualTo(asTheTreeWroteIt(e));
    }

    /** The encoder as it was, on Jackson's tree model. */
    private static String asTheTreeWroteIt(JobEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", 1);
        n.put("forge", e.forge().id());
        n.put("jobId", e.jobId());
        n.put("project", e.project());
        n.put("status", e.status().name());
        var labels = n.putArray("labels");
        e.labels().stream().sorted().forEach(labels::add);
        e.runnerName().ifPresent(r -> n.put("runnerName", r));
        n.put("deliveryId", e.deliveryId());
        n.put("createdAt", e.createdAt().toString());
        e.startedAt().ifPresent(x -> n.put("startedAt", x.toString()));
        e.finishedAt().ifPresent(x -> n.put("finishedAt", x.toString()));
        e.owner().ifPresent(o -> n.put("owner", o));
        e.installationId().ifPresent(i -> n.put("installationId", i));
        e.runnerId().ifPresent(i -> n.put("runnerId", i));
        e.runnerManager().ifPresent(m -> n.put("runnerManager", m));
        return n.toString();
    }
}
