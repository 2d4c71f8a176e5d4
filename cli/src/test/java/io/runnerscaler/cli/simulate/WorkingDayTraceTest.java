package io.runnerscaler.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed working-day trace is what its generator makes. To change the trace, change the generator
 * and run this test with {@code -Dtraces.write=true}.
 */
class WorkingDayTraceTest {

    private static final Path FILE = Path.of("../examples/traces/working-day.csv");

    @Test
    void committedTraceIsTheGeneratorsOutput() throws Exception {
        String generated = WorkingDayTrace.generate();
        if (Boolean.getBoolean("traces.write")) {
            Files.writeString(FILE, generated);
        }
        assertThat(Files.readString(FILE)).isEqualTo(generated);
    }

    @Test
    void aWeekdayOfAFewHundredJobsWithQuietNights() {
        Trace trace = Trace.parse("working-day.csv", WorkingDayTrace.generate());
        assertThat(trace.rows()).hasSizeBetween(200, 500);
        long night = trace.rows().stream().filter(r -> r.arrival() instanceof Trace.Arrival.After a
                && (a.offset().toHours() < 7 || a.offset().toHours() >= 19)).count();
        assertThat(night).isLessThan(trace.rows().size() / 10);
        assertThat(trace.rows()).allSatisfy(r -> assertThat(((Trace.Arrival.After) r.arrival()).offset().toHours())
                .isLessThan(24));
    }
}
