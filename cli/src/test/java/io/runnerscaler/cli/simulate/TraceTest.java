package io.runnerscaler.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.sim.SimJob;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceTest {

    private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");

    @Test
    void readsOffsetsInstantsLabelsAndOptionalIdsInAnyColumnOrder() {
        Trace trace = Trace.parse("t.csv", """
                \uFEFF# a comment before the header
                forge,labels,arrival,duration_seconds,id

                gitlab,docker;linux,0,600,build-1
                \t
                github,large; arm64 ,2026-03-02T08:05:00Z,90.5,
                # a comment between jobs
                GITLAB,,30,0,lint
                """);
        List<SimJob> jobs = trace.jobs(START);
        assertThat(jobs).containsExactly(
                new SimJob("build-1", Forge.GITLAB, Set.of("docker", "linux"), START, Duration.ofSeconds(600)),
                new SimJob("job-2", Forge.GITHUB, Set.of("large", "arm64"), START.plusSeconds(300),
                        Duration.ofMillis(90_500)),
                new SimJob("lint", Forge.GITLAB, Set.of(), START.plusSeconds(30), Duration.ZERO));
        assertThat(trace.rows()).extracting(Trace.Row::line).containsExactly(4, 6, 8);
    }

    @Test
    void quotedFieldsMayHoldCommasQuotesAndLineBreaks() {
        Trace trace = Trace.parse("t.csv", """
                id,arrival,duration_seconds,forge,labels
                "build-1","0","600","gitlab","docker runner;ubuntu18"
                lint,30,45,gitlab,"a,b;say ""hi\"""
                  # an indented comment
                e2e,60,1,github,"multi
                line"
                """);
        assertThat(trace.rows()).extracting(Trace.Row::labels).containsExactly(
                Set.of("docker runner", "ubuntu18"), Set.of("a,b", "say \"hi\""), Set.of("multi\nline"));
        assertThat(trace.rows()).extracting(Trace.Row::line).containsExactly(2, 3, 5);
    }

    @Test
    void writtenTracesReadBackTheSameRows() throws IOException {
        List<Trace.Row> rows = List.of(
                Trace.Row.at("7", Forge.GITLAB, Set.of("docker runner", "ubuntu18"),
                        Instant.parse("2015-12-24T17:54:27.712Z"), Duration.ofMillis(173)),
                Trace.Row.at("30433642001", Forge.GITHUB, Set.of("self-hosted", "a,b", "say \"hi\""),
                        Instant.parse("2026-11-23T09:00:00Z"), Duration.ofSeconds(600)),
                new Trace.Row(0, "lint", Forge.GITLAB, Set.of(), new Trace.Arrival.After(Duration.ofMillis(30_500)),
                        Duration.ZERO));
        var csv = new StringWriter();
        Trace.write(rows, csv);

        assertThat(csv.toString()).isEqualTo("""
                id,arrival,duration_seconds,forge,labels
                7,2015-12-24T17:54:27.712Z,0.173,gitlab,"docker runner;ubuntu18"
                30433642001,2026-11-23T09:00:00Z,600,github,"a,b;say ""hi"";self-hosted"
                lint,30.5,0,gitlab,
                """);
        Trace back = Trace.parse("back.csv", csv.toString());
        assertThat(back.rows()).extracting(Trace.Row::id, Trace.Row::forge, Trace.Row::labels, Trace.Row::arrival,
                Trace.Row::duration).containsExactly(
                tuple("7", Forge.GITLAB, Set.of("docker runner", "ubuntu18"),
                        new Trace.Arrival.At(Instant.parse("2015-12-24T17:54:27.712Z")), Duration.ofMillis(173)),
                tuple("30433642001", Forge.GITHUB, Set.of("self-hosted", "a,b", "say \"hi\""),
                        new Trace.Arrival.At(Instant.parse("2026-11-23T09:00:00Z")), Duration.ofSeconds(600)),
                tuple("lint", Forge.GITLAB, Set.of(), new Trace.Arrival.After(Duration.ofMillis(30_500)),
                        Duration.ZERO));
    }

    @Test
    void idAndLabelsColumnsAreOptional() {
        Trace trace = Trace.parse("t.csv", "arrival,duration_seconds,forge\n10,60,gitlab\n");
        assertThat(trace.jobs(START)).containsExactly(
                new SimJob("job-1", Forge.GITLAB, Set.of(), START.plusSeconds(10), Duration.ofSeconds(60)));
    }

    @Test
    void startsAtTheEarliestInstantOrOnAMondayWhenThereAreOnlyOffsets() {
        assertThat(Trace.parse("t.csv", "arrival,duration_seconds,forge\n10,60,gitlab\n").defaultStart())
                .isEqualTo(Trace.DEFAULT_START);
        assertThat(Trace.parse("t.csv", """
                arrival,duration_seconds,forge
                2026-03-03T10:00:00Z,60,gitlab
                2026-03-03T09:00:00Z,60,gitlab
                """).defaultStart()).isEqualTo(Instant.parse("2026-03-03T09:00:00Z"));
    }

    @Test
    void anInstantBeforeTheStartNamesItsLine() {
        Trace trace = Trace.parse("t.csv", "arrival,duration_seconds,forge\n2026-03-02T07:00:00Z,60,gitlab\n");
        assertThatThrownBy(() -> trace.jobs(START)).isInstanceOf(TraceException.class)
                .hasMessage("t.csv:2: arrival 2026-03-02T07:00:00Z is before the simulation's start "
                        + "2026-03-02T08:00:00Z; pass an earlier --start");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty file                | ''                                                                        | t.csv: empty trace
            only comments             | '# nothing\\n'                                                             | t.csv: empty trace
            header without jobs       | 'arrival,duration_seconds,forge\\n'                                        | t.csv: no jobs after the header
            header missing            | '0,600,gitlab\\n'                                                          | t.csv:1: unknown column '0'; the columns are id, arrival, duration_seconds, forge, labels (is the header line missing?)
            unknown column            | 'arrival,duration_seconds,forge,tags\\n0,1,gitlab,a\\n'                    | t.csv:1: unknown column 'tags'
            column twice              | 'arrival,arrival,duration_seconds,forge\\n'                                | t.csv:1: column 'arrival' appears twice
            required column missing   | 'arrival,forge\\n0,gitlab\\n'                                              | t.csv:1: the header lacks the required column 'duration_seconds'
            too few fields            | 'arrival,duration_seconds,forge\\n0,600\\n'                                | t.csv:2: has 2 field(s), the header has 3
            too many fields           | 'arrival,duration_seconds,forge\\n0,600,gitlab,x\\n'                       | t.csv:2: has 4 field(s), the header has 3
            unclosed quote            | 'arrival,duration_seconds,forge,labels\\n0,600,gitlab,"a;b\\n'             | t.csv:2: not valid CSV
            empty arrival             | 'arrival,duration_seconds,forge\\n,600,gitlab\\n'                          | t.csv:2: arrival is empty
            bad arrival               | 'arrival,duration_seconds,forge\\n9am,600,gitlab\\n'                       | t.csv:2: arrival '9am' is neither an ISO instant
            negative arrival          | 'arrival,duration_seconds,forge\\n-5,600,gitlab\\n'                        | t.csv:2: arrival '-5' is neither an ISO instant
            bad duration              | 'arrival,duration_seconds,forge\\n\\n0,ten,gitlab\\n'                      | t.csv:3: duration_seconds 'ten' is not a number of seconds (like 600)
            negative duration         | 'arrival,duration_seconds,forge\\n0,-1,gitlab\\n'                          | t.csv:2: duration_seconds '-1' is not a number of seconds (it must not be negative)
            empty duration            | 'arrival,duration_seconds,forge\\n0,,gitlab\\n'                            | t.csv:2: duration_seconds '' is not a number of seconds
            bad forge                 | 'arrival,duration_seconds,forge\\n0,60,bitbucket\\n'                       | t.csv:2: forge 'bitbucket' is not one of gitlab, github
            duplicate id              | 'id,arrival,duration_seconds,forge\\na,0,60,gitlab\\na,1,60,gitlab\\n'     | t.csv:3: id 'a' is already used on line 2
            bad id                    | 'id,arrival,duration_seconds,forge\\na b,0,60,gitlab\\n'                   | t.csv:2: id 'a b' must be 1-128 letters
            """)
    void badInputSaysWhereAndWhat(String what, String csv, String message) {
        assertThatThrownBy(() -> Trace.parse("t.csv", csv.replace("\\n", "\n")))
                .isInstanceOf(TraceException.class).hasMessageStartingWith(message);
    }
}
