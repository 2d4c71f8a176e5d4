package io.runnerscaler.core.sim;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything a simulation run produced: the timeline with reasons, samples for charts, jobs and usage.
 *
 * @param paths by job id, how the machine that (last) ran it came to take it: {@code idle} (it was up before the job
 *              arrived), {@code stopped} (started from the stopped pool for it), {@code cold} (launched for it)
 */
public record SimResult(Instant start, Instant end, List<SimEvent> timeline, List<Sample> samples,
                        List<JobOutcome> jobs, Map<String, PoolUsage> usage, Map<String, String> paths) {

    public static final String IDLE = "idle";
    public static final String STOPPED = "stopped";
    public static final String COLD = "cold";

    public SimResult {
        timeline = List.copyOf(timeline);
        samples = List.copyOf(samples);
        jobs = List.copyOf(jobs);
        usage = Map.copyOf(usage);
        paths = Map.copyOf(paths);
    }

    public SimResult(Instant start, Instant end, List<SimEvent> timeline, List<Sample> samples, List<JobOutcome> jobs,
                     Map<String, PoolUsage> usage) {
        this(start, end, timeline, samples, jobs, usage, Map.of());
    }

    /** The timeline as text, one event a line, times relative to the start. */
    public String timelineText() {
        return timeline.stream().map(e -> e.format(start)).collect(Collectors.joining("\n"));
    }

    /** The events of one kind, in order. */
    public List<SimEvent> events(SimEvent.Kind kind) {
        return timeline.stream().filter(e -> e.kind() == kind).toList();
    }
}
