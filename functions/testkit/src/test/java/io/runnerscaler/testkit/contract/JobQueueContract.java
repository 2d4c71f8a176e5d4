package io.runnerscaler.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobQueue;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every job queue does: hands events on in order, drops a repeat of the same job and status, and says when it
 * cannot take an event. Run over the in-memory queue ({@code InMemoryJobQueueTest}) and over SQS FIFO on the
 * emulator ({@code SqsJobQueueIT}).
 */
public abstract class JobQueueContract {

    /** A new, empty queue. */
    protected abstract JobQueue queue();

    /** Everything the queue now hands on, in order (taking it off the queue). */
    protected abstract List<JobEvent> received();

    /** A queue that cannot be reached. */
    protected abstract JobQueue unreachable();

    @Test
    void eventsAreHandedOnInOrderAndRepeatsAreDropped() {
        JobQueue queue = queue();
        JobEvent queued = event("7", JobStatus.QUEUED, "d-1");
        JobEvent running = event("7", JobStatus.RUNNING, "d-2");
        queue.enqueue(queued);
        queue.enqueue(event("7", JobStatus.QUEUED, "d-1-redelivered"));
        queue.enqueue(running);

        assertThat(received()).containsExactly(queued, running);
        assertThat(received()).isEmpty();
    }

    @Test
    void aQueueThatCannotBeReachedSaysSo() {
        assertThatThrownBy(() -> unreachable().enqueue(event("8", JobStatus.QUEUED, "d-3")))
                .isInstanceOf(JobQueue.QueueUnavailableException.class);
    }

    protected static JobEvent event(String id, JobStatus status, String delivery) {
        return new JobEvent(Forge.GITLAB, id, "group/app", status, Set.of("docker"), Optional.empty(), delivery,
                Instant.parse("2026-11-23T09:00:00Z"), Optional.empty(), Optional.empty());
    }
}
