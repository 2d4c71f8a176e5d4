package io.runnerscaler.core.planner;

import io.runnerscaler.core.model.MachineState;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A pool's machines as its counters have them, for planning a job's launch without reading the machines: how many
 * are in each live state, how many places are reserved for launches not yet recorded, and which machines wait in
 * the stopped pool, oldest first.
 *
 * @param byState  live machines by state (no TERMINATED)
 * @param inFlight places reserved for machines a launch has not recorded yet (reserved minus recorded); they count
 *                 as launching, so two scale-ups never launch for the same job
 * @param stopped  instance ids of the STOPPED machines, oldest launch first
 */
public record MachineCounts(Map<MachineState, Integer> byState, int inFlight, List<String> stopped) {

    public MachineCounts {
        var copy = new EnumMap<MachineState, Integer>(MachineState.class);
        byState.forEach((state, n) -> {
            if (state != MachineState.TERMINATED && n > 0) {
                copy.put(state, n);
            }
        });
        byState = Map.copyOf(copy);
        inFlight = Math.max(0, inFlight);
        stopped = List.copyOf(stopped);
    }

    public int of(MachineState state) {
        return byState.getOrDefault(state, 0);
    }

    /** Every live machine the counters know, plus the places in flight. */
    public int total() {
        return byState.values().stream().mapToInt(Integer::intValue).sum() + inFlight;
    }
}
