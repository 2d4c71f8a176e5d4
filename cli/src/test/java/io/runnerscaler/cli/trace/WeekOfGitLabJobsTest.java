package io.runnerscaler.cli.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.cli.simulate.Trace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The committed week of GitLab jobs is what its generator makes, and reads as a trace of a week. To change it,
 * change the generator and run this test with {@code -Dtraces.write=true}.
 */
class WeekOfGitLabJobsTest {

    static final Path FILE = Path.of("../examples/history/gitlab-jobs-week.json");

    @Test
    void committedHistoryIsTheGeneratorsOutput() throws Exception {
        String generated = WeekOfGitLabJobs.generate();
        if (Boolean.getBoolean("traces.write")) {
            Files.writeString(FILE, generated);
        }
        assertThat(Files.readString(FILE)).isEqualTo(generated);
    }

    @Test
    void itIsAWeekOfFinishedJobsWhoseLaterStagesArriveLongAfterTheyWereCreated() throws Exception {
        var rows = new TraceRows(Optional.empty());
        var laterStages = new java.util.ArrayList<Duration>();
        new ObjectMapper().readTree(WeekOfGitLabJobs.generate()).forEach(page -> page.forEach(job -> {
            GitLabHistory.convert(job, rows);
            if (job.path("stage").asText().equals("test") && job.path("started_at").isTextual()) {
                Instant created = Instant.parse(job.path("created_at").asText());
                Instant started = Instant.parse(job.path("started_at").asText());
                laterStages.add(Duration.between(created, started));
            }
        }));
        List<Trace.Row> written = rows.sorted();

        assertThat(written).hasSizeBetween(1200, 2500);
        Instant first = ((Trace.Arrival.At) written.getFirst().arrival()).instant();
        Instant last = ((Trace.Arrival.At) written.getLast().arrival()).instant();
        assertThat(first).isAfterOrEqualTo(WeekOfGitLabJobs.MONDAY);
        assertThat(Duration.between(first, last)).isGreaterThan(Duration.ofDays(6));
        assertThat(laterStages).isNotEmpty().allSatisfy(d -> assertThat(d).isGreaterThan(Duration.ofMinutes(2)));
        assertThat(rows.summary()).contains("never started");
    }
}
