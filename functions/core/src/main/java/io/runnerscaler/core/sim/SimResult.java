package io.runnerscaler.core.sim;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Everything a simulation run produced: the timeline with reasons, samples for charts, jobs and usage. */
public record SimResult(Instant start, Instant end, List<SimEvent> timeline, List<Sample> samples,
                        List<JobOutcome> jobs, Map<String, PoolUsage> usage) {

    public SimResult {
        timeline = List.copyOf(timeline);
        samples = List.copyOf(samples);
        jobs = List.copyOf(jobs);
        usage = Map.copyOf(usage);
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
