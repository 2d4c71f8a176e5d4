package io.runnerscaler.testkit.contract;

import io.runnerscaler.core.memory.InMemoryJobQueue;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.port.JobQueue;
import java.util.List;

/** The in-memory job queue held to the queue's contract. */
class InMemoryJobQueueTest extends JobQueueContract {

    private final InMemoryJobQueue queue = new InMemoryJobQueue();

    @Override
    protected JobQueue queue() {
        return queue;
    }

    @Override
    protected List<JobEvent> received() {
        return queue.drain();
    }

    @Override
    protected JobQueue unreachable() {
        var down = new InMemoryJobQueue();
        down.unavailable(true);
        return down;
    }
}
