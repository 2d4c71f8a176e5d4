package io.runnerscaler.cli.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.DynamoJobLedger;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.cli.simulate.Trace;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.testkit.Emulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code runner-scaler trace ledger} reads the stack's jobs table on the emulator and writes what ran as a trace. */
class TraceLedgerIT {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private URI endpoint;
    private String table;
    private DynamoJobLedger ledger;

    @BeforeEach
    void setUp() {
        Emulator.reset();
        endpoint = Emulator.endpoint();
        AwsClients aws = AwsClients.create("us-east-1", Optional.of(endpoint));
        table = new Provisioner(aws).create("trace").jobsTable();
        ledger = new DynamoJobLedger(aws.dynamo(), table);
    }

    private void record(Forge forge, String id, JobStatus status, Instant created, Optional<Instant> started,
                        Optional<Instant> finished, Instant now, String... labels) {
        ledger.record(new JobEvent(forge, id, "acme/app", status, Set.of(labels), Optional.empty(), id + status,
                created, started, finished), Optional.of("docker"), now);
    }

    private record Run(int exit, String out, String err) {
    }

    private Run trace(Instant now, String... args) {
        var command = new TraceCommand.Ledger();
        command.clock = Clock.fixed(now, ZoneOffset.UTC);
        var out = new StringWriter();
        var err = new StringWriter();
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"--endpoint", endpoint.toString(), "--jobs-table", table}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        int exit = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void whatRanBecomesRowsQueuedWhenPendingAndLastingFromStartToFinish() {
        // A later-stage GitLab job: created with its pipeline at 08:00, pending at 09:00, ran 09:01:05 to 09:11:05.
        Instant created = T0.minus(Duration.ofHours(1));
        record(Forge.GITLAB, "1979", JobStatus.CREATED, created, Optional.empty(), Optional.empty(), created, "docker");
        record(Forge.GITLAB, "1979", JobStatus.QUEUED, created, Optional.empty(), Optional.empty(), T0, "docker");
        record(Forge.GITLAB, "1979", JobStatus.RUNNING, created, Optional.of(T0.plusSeconds(65)), Optional.empty(),
                T0.plusSeconds(66), "docker");
        record(Forge.GITLAB, "1979", JobStatus.SUCCEEDED, created, Optional.of(T0.plusSeconds(65)),
                Optional.of(T0.plusSeconds(665)), T0.plusSeconds(666), "docker");
        // A GitHub job seen only running and finished: queued at its created_at.
        record(Forge.GITHUB, "30433642002", JobStatus.RUNNING, T0.plusSeconds(100), Optional.of(T0.plusSeconds(130)),
                Optional.empty(), T0.plusSeconds(131), "self-hosted", "linux");
        record(Forge.GITHUB, "30433642002", JobStatus.SUCCEEDED, T0.plusSeconds(100), Optional.of(T0.plusSeconds(130)),
                Optional.of(T0.plusSeconds(430)), T0.plusSeconds(431), "self-hosted", "linux");
        // Still waiting, still running, canceled while pending, and one from before the window.
        record(Forge.GITLAB, "1984", JobStatus.QUEUED, T0, Optional.empty(), Optional.empty(), T0.plusSeconds(5));
        record(Forge.GITLAB, "1983", JobStatus.RUNNING, T0, Optional.of(T0.plusSeconds(9)), Optional.empty(),
                T0.plusSeconds(10));
        record(Forge.GITLAB, "1981", JobStatus.CANCELED, T0, Optional.empty(), Optional.of(T0.plusSeconds(30)),
                T0.plusSeconds(31));
        Instant old = T0.minus(Duration.ofDays(10));
        record(Forge.GITLAB, "1000", JobStatus.SUCCEEDED, old, Optional.of(old.plusSeconds(5)),
                Optional.of(old.plusSeconds(65)), old.plusSeconds(66));

        Run run = trace(T0.plus(Duration.ofHours(1)), "--since", "7d");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                id,arrival,duration_seconds,forge,labels
                gitlab:1979,2026-03-02T09:00:00Z,600,gitlab,docker
                github:30433642002,2026-03-02T09:01:40Z,300,github,linux;self-hosted
                """);
        assertThat(Trace.parse("ledger", run.out()).rows()).hasSize(2);
        assertThat(run.err()).contains("2 job(s)", "1 never started", "2 not finished", "1 queued before --since");
    }

    @Test
    void anEmptyLedgerWritesNothingAndAMissingTableNameIsAUsageError() {
        assertThat(trace(T0).exit()).isEqualTo(1);
        var command = new TraceCommand.Ledger();
        var err = new StringWriter();
        int exit = new CommandLine(command).setErr(new PrintWriter(err, true)).execute("--endpoint",
                endpoint.toString(), "--jobs-table", "");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--jobs-table is required");
    }
}
