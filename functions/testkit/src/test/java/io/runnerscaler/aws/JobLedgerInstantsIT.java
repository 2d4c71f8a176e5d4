package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/** The DynamoDB job ledger keeps each job's queued, started and finished instants, and keeps jobs 90 days. */
class JobLedgerInstantsIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final Instant CREATED = Instant.parse("2026-11-23T08:50:00Z");
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private DynamoJobLedger ledger;
    private AwsClients aws;
    private String table;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        aws = emulator.clients();
        table = new Provisioner(aws).create("ledger").jobsTable();
        ledger = new DynamoJobLedger(aws.dynamo(), table);
    }

    private static JobEvent gitlab(JobStatus status, Optional<Instant> started, Optional<Instant> finished,
                                   String delivery) {
        return new JobEvent(Forge.GITLAB, "1977", "acme/app", status, Set.of("docker"), Optional.empty(), delivery,
                CREATED, started, finished);
    }

    @Test
    void aJobsLifeLeavesItsQueuedStartedAndFinishedInstants() {
        Instant started = T0.plusSeconds(75);
        Instant finished = T0.plusSeconds(675);
        ledger.record(gitlab(JobStatus.CREATED, Optional.empty(), Optional.empty(), "d0"), Optional.of("docker"),
                CREATED);
        ledger.record(gitlab(JobStatus.QUEUED, Optional.empty(), Optional.empty(), "d1"), Optional.of("docker"), T0);
        ledger.record(gitlab(JobStatus.RUNNING, Optional.of(started), Optional.empty(), "d2"), Optional.of("docker"),
                started.plusSeconds(1));
        ledger.record(gitlab(JobStatus.SUCCEEDED, Optional.of(started), Optional.of(finished), "d3"),
                Optional.of("docker"), finished.plusSeconds(2));

        JobLedger.Job job = ledger.find("gitlab:1977").orElseThrow();
        assertThat(job.queuedAt()).contains(T0);
        assertThat(job.startedAt()).contains(started);
        assertThat(job.finishedAt()).contains(finished);
        assertThat(job.createdAt()).isEqualTo(CREATED);
    }

    @Test
    void aRedeliveredOrLateEventNeverMovesAnInstantAlreadyKept() {
        ledger.record(gitlab(JobStatus.QUEUED, Optional.empty(), Optional.empty(), "d1"), Optional.of("docker"), T0);
        ledger.record(gitlab(JobStatus.QUEUED, Optional.empty(), Optional.empty(), "d1"), Optional.of("docker"),
                T0.plusSeconds(30));
        ledger.record(gitlab(JobStatus.RUNNING, Optional.empty(), Optional.empty(), "d2"), Optional.of("docker"),
                T0.plusSeconds(60));
        // The finished event carries the forge's start time, later than the one the running event left.
        ledger.record(gitlab(JobStatus.FAILED, Optional.of(T0.plusSeconds(65)), Optional.of(T0.plusSeconds(300)), "d3"),
                Optional.of("docker"), T0.plusSeconds(301));
        ledger.record(gitlab(JobStatus.QUEUED, Optional.empty(), Optional.empty(), "d1"), Optional.of("docker"),
                T0.plusSeconds(400));

        JobLedger.Job job = ledger.find("gitlab:1977").orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.queuedAt()).contains(T0);
        assertThat(job.startedAt()).contains(T0.plusSeconds(60));
        assertThat(job.finishedAt()).contains(T0.plusSeconds(300));
    }

    @Test
    void aGitHubJobFirstSeenRunningIsQueuedAtItsCreatedAtAndAJobCanceledWhileQueuedNeverStarted() {
        ledger.record(new JobEvent(Forge.GITHUB, "30433642002", "acme/app", JobStatus.RUNNING, Set.of("self-hosted"),
                Optional.of("docker-i-0abc"), "g1", CREATED, Optional.of(T0), Optional.empty()), Optional.of("gh"), T0);
        ledger.record(new JobEvent(Forge.GITHUB, "30433642003", "acme/app", JobStatus.CANCELED, Set.of("self-hosted"),
                Optional.empty(), "g2", CREATED, Optional.empty(), Optional.of(T0.plusSeconds(5))), Optional.of("gh"),
                T0.plusSeconds(6));

        JobLedger.Job running = ledger.find("github:30433642002").orElseThrow();
        assertThat(running.queuedAt()).contains(CREATED);
        assertThat(running.startedAt()).contains(T0);
        JobLedger.Job canceled = ledger.find("github:30433642003").orElseThrow();
        assertThat(canceled.startedAt()).isEmpty();
        assertThat(canceled.finishedAt()).contains(T0.plusSeconds(5));
        assertThat(ledger.all()).extracting(JobLedger.Job::jobKey)
                .containsExactlyInAnyOrder("github:30433642002", "github:30433642003");
    }

    @Test
    void jobsAreKeptNinetyDaysAfterTheirLastEvent() {
        ledger.record(gitlab(JobStatus.QUEUED, Optional.empty(), Optional.empty(), "d1"), Optional.of("docker"), T0);

        Map<String, AttributeValue> item = aws.dynamo().getItem(GetItemRequest.builder().tableName(table)
                .key(Map.of("jobKey", AttributeValue.fromS("gitlab:1977"))).build()).item();
        assertThat(Long.parseLong(item.get("ttl").n())).isEqualTo(T0.plus(Duration.ofDays(90)).getEpochSecond());
    }
}
