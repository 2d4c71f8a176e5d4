package io.runnerscaler.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.JobLedger.Transition;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every job ledger does: a job only moves forward, a redelivered or late event changes nothing, and a pool's
 * jobs are found by status. Run over the in-memory ledger ({@code InMemoryJobLedgerTest}) and over DynamoDB on the
 * emulator ({@code DynamoJobLedgerIT}).
 */
public abstract class JobLedgerContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    /** A new, empty ledger. */
    protected abstract JobLedger ledger();

    @Test
    void aJobOnlyMovesForward() {
        JobLedger ledger = ledger();
        assertThat(ledger.record(event("7", JobStatus.QUEUED), Optional.of("docker"), T0)).isEqualTo(Transition.CREATED);
        assertThat(ledger.record(event("7", JobStatus.QUEUED), Optional.of("docker"), T0.plusSeconds(1)))
                .as("the same event again").isEqualTo(Transition.STALE);
        assertThat(ledger.record(event("7", JobStatus.RUNNING), Optional.of("docker"), T0.plusSeconds(2)))
                .isEqualTo(Transition.ADVANCED);
        assertThat(ledger.record(event("7", JobStatus.QUEUED), Optional.of("docker"), T0.plusSeconds(3)))
                .as("a late pending after running").isEqualTo(Transition.STALE);
        assertThat(ledger.record(event("7", JobStatus.FAILED), Optional.of("docker"), T0.plusSeconds(4)))
                .isEqualTo(Transition.ADVANCED);
        assertThat(ledger.record(event("7", JobStatus.SUCCEEDED), Optional.of("docker"), T0.plusSeconds(5)))
                .as("finished is final").isEqualTo(Transition.STALE);

        assertThat(ledger.find("gitlab:7")).get().satisfies(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.FAILED);
            assertThat(j.pool()).contains("docker");
            assertThat(j.project()).isEqualTo("group/app");
            assertThat(j.jobId()).isEqualTo("7");
            assertThat(j.labels()).containsExactlyInAnyOrder("docker", "linux");
            assertThat(j.createdAt()).isEqualTo(T0.minusSeconds(60));
            assertThat(j.updatedAt()).isEqualTo(T0.plusSeconds(4));
        });
        assertThat(ledger.find("gitlab:8")).isEmpty();
    }

    @Test
    void aGitLabJobIsQueuedWhenItsPendingEventWasRecordedAndALaterEventNeverMovesThat() {
        JobLedger ledger = ledger();
        ledger.record(event("7", JobStatus.QUEUED), Optional.of("docker"), T0.plusSeconds(30));
        ledger.record(event("7", JobStatus.QUEUED), Optional.of("docker"), T0.plusSeconds(40));
        ledger.record(event("7", JobStatus.RUNNING), Optional.of("docker"), T0.plusSeconds(70));
        ledger.markInterrupted("gitlab:7");

        JobLedger.Job job = ledger.find("gitlab:7").orElseThrow();
        assertThat(job.queuedAt()).contains(T0.plusSeconds(30));
        assertThat(job.startedAt()).contains(T0.plusSeconds(70));
        assertThat(job.finishedAt()).isEmpty();
    }

    @Test
    void aPoolsJobsAreFoundAndCountedByStatus() {
        JobLedger ledger = ledger();
        ledger.record(event("1", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("2", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("3", JobStatus.RUNNING), Optional.of("docker"), T0);
        ledger.record(event("4", JobStatus.QUEUED), Optional.of("other"), T0);
        ledger.record(event("5", JobStatus.QUEUED), Optional.empty(), T0);

        assertThat(ledger.inStatus("docker", JobStatus.QUEUED)).extracting(JobLedger.Job::jobKey)
                .containsExactlyInAnyOrder("gitlab:1", "gitlab:2");
        assertThat(ledger.count("docker", JobStatus.QUEUED)).isEqualTo(2);
        assertThat(ledger.count("docker", JobStatus.RUNNING)).isEqualTo(1);
        assertThat(ledger.count("nobody", JobStatus.QUEUED)).isZero();
        assertThat(ledger.find("gitlab:5")).get().extracting(JobLedger.Job::pool).isEqualTo(Optional.empty());
    }

    @Test
    void jobsNoPoolTookAreFoundByStatusAndGetAPoolOnlyWhileStillUnmatchedInThatStatus() {
        JobLedger ledger = ledger();
        ledger.record(event("1", JobStatus.QUEUED), Optional.empty(), T0);
        ledger.record(event("2", JobStatus.QUEUED), Optional.empty(), T0);
        ledger.record(event("3", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("4", JobStatus.QUEUED), Optional.empty(), T0);
        ledger.record(event("4", JobStatus.RUNNING), Optional.empty(), T0.plusSeconds(1));
        ledger.record(event("5", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("5", JobStatus.RUNNING), Optional.empty(), T0.plusSeconds(1));

        assertThat(ledger.unmatched(JobStatus.QUEUED)).extracting(JobLedger.Job::jobKey)
                .containsExactlyInAnyOrder("gitlab:1", "gitlab:2");
        assertThat(ledger.find("gitlab:5")).get().extracting(JobLedger.Job::pool)
                .as("an unmatched event keeps the pool the job had").isEqualTo(Optional.of("docker"));

        assertThat(ledger.assignPool("gitlab:1", "docker", JobStatus.QUEUED)).isTrue();
        assertThat(ledger.assignPool("gitlab:1", "other", JobStatus.QUEUED)).as("already has a pool").isFalse();
        assertThat(ledger.assignPool("gitlab:4", "docker", JobStatus.QUEUED)).as("running by now").isFalse();
        assertThat(ledger.assignPool("gitlab:9", "docker", JobStatus.QUEUED)).as("no such job").isFalse();

        assertThat(ledger.unmatched(JobStatus.QUEUED)).extracting(JobLedger.Job::jobKey).containsExactly("gitlab:2");
        assertThat(ledger.count("docker", JobStatus.QUEUED)).isEqualTo(2);
        assertThat(ledger.find("gitlab:1")).get().satisfies(j -> {
            assertThat(j.pool()).contains("docker");
            assertThat(j.status()).isEqualTo(JobStatus.QUEUED);
        });
    }

    @Test
    void anInterruptedJobIsRetriedAtMostTheGivenNumberOfTimes() {
        JobLedger ledger = ledger();
        ledger.record(event("9", JobStatus.RUNNING), Optional.of("docker"), T0);
        assertThat(ledger.wasInterrupted("gitlab:9")).isFalse();

        ledger.markInterrupted("gitlab:9");
        ledger.markInterrupted("gitlab:unknown");

        assertThat(ledger.wasInterrupted("gitlab:9")).isTrue();
        assertThat(ledger.wasInterrupted("gitlab:unknown")).as("an unknown job is not made up").isFalse();
        assertThat(ledger.claimRetry("gitlab:9", 2)).isTrue();
        assertThat(ledger.claimRetry("gitlab:9", 2)).isTrue();
        assertThat(ledger.claimRetry("gitlab:9", 2)).isFalse();
        assertThat(ledger.claimRetry("gitlab:unknown", 2)).isFalse();
        assertThat(ledger.record(event("9", JobStatus.FAILED), Optional.of("docker"), T0.plusSeconds(9)))
                .isEqualTo(Transition.ADVANCED);
        assertThat(ledger.wasInterrupted("gitlab:9")).as("kept as the job moves on").isTrue();
    }

    @Test
    void eachPoolsQueuedAndRunningCountsFollowEveryTransitionOnce() {
        JobLedger ledger = ledger();
        ledger.record(event("1", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("2", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("3", JobStatus.QUEUED), Optional.of("arm"), T0);
        ledger.record(event("2", JobStatus.QUEUED), Optional.of("docker"), T0.plusSeconds(1));
        assertThat(ledger.count("docker", JobStatus.QUEUED)).as("a redelivery counts once").isEqualTo(2);

        ledger.record(event("1", JobStatus.RUNNING), Optional.of("docker"), T0.plusSeconds(2));
        ledger.record(event("1", JobStatus.QUEUED), Optional.of("docker"), T0.plusSeconds(3));
        ledger.record(event("3", JobStatus.RUNNING), Optional.of("arm"), T0.plusSeconds(2));
        assertThat(ledger.count("docker", JobStatus.QUEUED)).as("a late pending changes nothing").isEqualTo(1);
        assertThat(ledger.count("docker", JobStatus.RUNNING)).isEqualTo(1);
        assertThat(ledger.countAll(java.util.List.of("docker", "arm"), JobStatus.RUNNING)).isEqualTo(2);

        ledger.record(event("1", JobStatus.SUCCEEDED), Optional.of("docker"), T0.plusSeconds(4));
        ledger.record(event("2", JobStatus.CANCELED), Optional.of("docker"), T0.plusSeconds(4));
        ledger.record(event("2", JobStatus.CANCELED), Optional.of("docker"), T0.plusSeconds(5));
        assertThat(ledger.count("docker", JobStatus.QUEUED)).isZero();
        assertThat(ledger.count("docker", JobStatus.RUNNING)).isZero();
        assertThat(ledger.countAll(java.util.List.of("docker", "arm"), JobStatus.RUNNING)).isEqualTo(1);
        assertThat(ledger.recount("docker")).as("nothing drifted").isEmpty();
    }

    @Test
    void aJobFirstSeenRunningOrUnmatchedCountsWhereItIs() {
        JobLedger ledger = ledger();
        ledger.record(event("5", JobStatus.RUNNING), Optional.of("docker"), T0);
        ledger.record(event("6", JobStatus.QUEUED), Optional.empty(), T0);
        assertThat(ledger.count("docker", JobStatus.RUNNING)).isEqualTo(1);
        assertThat(ledger.count("docker", JobStatus.QUEUED)).isZero();

        assertThat(ledger.assignPool("gitlab:6", "docker", JobStatus.QUEUED)).isTrue();
        assertThat(ledger.assignPool("gitlab:6", "docker", JobStatus.QUEUED)).as("once").isFalse();
        assertThat(ledger.count("docker", JobStatus.QUEUED)).isEqualTo(1);
        ledger.record(event("6", JobStatus.RUNNING), Optional.empty(), T0.plusSeconds(9));
        assertThat(ledger.count("docker", JobStatus.QUEUED)).as("it kept the pool it was given").isZero();
        assertThat(ledger.count("docker", JobStatus.RUNNING)).isEqualTo(2);
    }

    protected static JobEvent event(String id, JobStatus status) {
        return new JobEvent(Forge.GITLAB, id, "group/app", status, Set.of("docker", "linux"), Optional.empty(),
                "delivery-" + id + "-" + status, T0.minusSeconds(60), Optional.empty(), Optional.empty());
    }
}
