package io.runnerscaler.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which instants of a job each forge's events tell the ledger. */
class JobLedgerInstantsTest {

    private static final Instant CREATED = Instant.parse("2026-11-23T09:00:00Z");
    private static final Instant STARTED = Instant.parse("2026-11-23T09:01:05Z");
    private static final Instant FINISHED = Instant.parse("2026-11-23T09:11:05Z");
    private static final Instant NOW = Instant.parse("2026-11-23T09:20:00Z");

    private static JobEvent event(Forge forge, JobStatus status, Optional<Instant> started, Optional<Instant> finished) {
        return new JobEvent(forge, "1", "acme/app", status, Set.of(), Optional.empty(), "d-1", CREATED, started,
                finished);
    }

    private static JobLedger.Instants of(JobEvent e) {
        return JobLedger.Instants.of(e, NOW);
    }

    @Test
    void aGitLabJobIsQueuedWhenItsPendingEventIsRecordedNotWhenThePipelineCreatedIt() {
        assertThat(of(event(Forge.GITLAB, JobStatus.QUEUED, Optional.empty(), Optional.empty())))
                .isEqualTo(new JobLedger.Instants(Optional.of(NOW), Optional.empty(), Optional.empty()));
        assertThat(of(event(Forge.GITLAB, JobStatus.CREATED, Optional.empty(), Optional.empty())))
                .isEqualTo(new JobLedger.Instants(Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void aGitHubJobIsQueuedAtItsCreatedAtWhateverEventTheLedgerSeesFirst() {
        assertThat(of(event(Forge.GITHUB, JobStatus.QUEUED, Optional.empty(), Optional.empty())).queued())
                .contains(CREATED);
        assertThat(of(event(Forge.GITHUB, JobStatus.RUNNING, Optional.of(STARTED), Optional.empty())))
                .isEqualTo(new JobLedger.Instants(Optional.of(CREATED), Optional.of(STARTED), Optional.empty()));
        assertThat(of(event(Forge.GITHUB, JobStatus.CREATED, Optional.empty(), Optional.empty())).queued()).isEmpty();
    }

    @Test
    void startAndFinishAreTheForgesTimesElseWhenTheEventWasRecorded() {
        assertThat(of(event(Forge.GITLAB, JobStatus.SUCCEEDED, Optional.of(STARTED), Optional.of(FINISHED))))
                .isEqualTo(new JobLedger.Instants(Optional.empty(), Optional.of(STARTED), Optional.of(FINISHED)));
        assertThat(of(event(Forge.GITLAB, JobStatus.RUNNING, Optional.empty(), Optional.empty())).started())
                .contains(NOW);
        assertThat(of(event(Forge.GITLAB, JobStatus.CANCELED, Optional.empty(), Optional.empty())))
                .as("canceled before it started: finished, never started")
                .isEqualTo(new JobLedger.Instants(Optional.empty(), Optional.empty(), Optional.of(NOW)));
    }
}
