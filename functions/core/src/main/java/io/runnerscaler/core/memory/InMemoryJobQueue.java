package io.runnerscaler.core.memory;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.port.JobQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The job queue in memory: deduplicated by {@link JobEvent#deduplicationKey()} as the FIFO queue is (for its
 * whole life here, not SQS's five minutes), first in first out. {@link #unavailable} makes it refuse as an
 * unreachable queue does.
 */
public class InMemoryJobQueue implements JobQueue {

    private final Deque<JobEvent> waiting = new ArrayDeque<>();
    private final Set<String> seen = new HashSet<>();
    private boolean unavailable;

    @Override
    public synchronized void enqueue(JobEvent event) {
        if (unavailable) {
            throw new QueueUnavailableException("queue unavailable (in-memory queue set so)", null);
        }
        if (seen.add(event.deduplicationKey())) {
            waiting.addLast(event);
        }
    }

    /** Whether enqueues fail from now on. */
    public synchronized void unavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    /** Takes every waiting event, oldest first. */
    public synchronized List<JobEvent> drain() {
        List<JobEvent> all = new ArrayList<>(waiting);
        waiting.clear();
        return all;
    }
}
