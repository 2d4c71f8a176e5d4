package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.port.EventLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrimingTest {

    private final List<String> events = new ArrayList<>();
    private final EventLog log = new EventLog() {
        @Override
        public void info(String event, Map<String, ?> fields) {
            events.add(event + " " + fields);
        }

        @Override
        public void warn(String event, Map<String, ?> fields) {
            events.add(event + " " + fields);
        }
    };

    @Test
    void checkpointRunsEveryPrimerInOrder() {
        List<String> calls = new ArrayList<>();
        Priming priming = new Priming(List.of(() -> calls.add("dynamodb"), () -> calls.add("sqs")), log);

        priming.beforeCheckpoint(null);

        assertThat(calls).containsExactly("dynamodb", "sqs");
        assertThat(events).singleElement().asString().startsWith("snapstart.primed").contains("failed=0");
    }

    @Test
    void failingPrimerIsLoggedWithoutItsMessageAndDoesNotStopTheCheckpoint() {
        List<String> calls = new ArrayList<>();
        Priming priming = new Priming(List.of(
                () -> {
                    throw new IllegalStateException("secret-looking detail glrt-abc");
                },
                () -> calls.add("sqs")), log);

        int failed = priming.prime();

        assertThat(failed).isEqualTo(1);
        assertThat(calls).containsExactly("sqs");
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("snapstart.primer_failed")
                .contains("IllegalStateException"));
        assertThat(String.join("\n", events)).doesNotContain("glrt-abc");
    }

    @Test
    void registeringWithoutSnapStartRunsNothing() {
        List<String> calls = new ArrayList<>();

        Priming.register(List.of(() -> calls.add("dynamodb")), log);

        assertThat(calls).isEmpty();
        assertThat(events).isEmpty();
    }
}
