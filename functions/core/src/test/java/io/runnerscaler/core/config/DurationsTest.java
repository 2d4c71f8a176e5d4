package io.runnerscaler.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Property(tries = 200)
    void formatReadsBack(@ForAll @LongRange(max = 10_000_000) long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        assertThat(Durations.parse(Durations.format(d))).contains(d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5 m", "1d", "m", "1.5h", "5m1h", "-3", "1h-5m"})
    void rejectsWhatIsNotSecondsOrUnits(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }
}
