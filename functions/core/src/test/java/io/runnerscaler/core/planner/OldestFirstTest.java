package io.runnerscaler.core.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class OldestFirstTest {

    @Property(tries = 300)
    void selectsExactlyTheKOldest(@ForAll @Size(max = 60) List<@IntRange(max = 20) Integer> launchSeconds,
                                  @ForAll @IntRange(max = 60) int k) {
        Machine[] machines = new Machine[launchSeconds.size()];
        for (int i = 0; i < machines.length; i++) {
            Instant at = Instant.EPOCH.plusSeconds(launchSeconds.get(i));
            machines[i] = new Machine("m" + (100 + i), "p", MachineState.IDLE, Market.SPOT, "t", 0, at, at,
                    Optional.empty());
        }
        int quota = Math.min(k, machines.length);
        Comparator<Machine> order = Comparator.comparing(Machine::launchedAt).thenComparing(Machine::instanceId);
        List<Machine> expected = Arrays.stream(machines).sorted(order).limit(quota).toList();
        long[] keys = Arrays.stream(machines).mapToLong(m -> m.launchedAt().getEpochSecond() * 1_000_000_000L).toArray();
        if (quota > 0) {
            OldestFirst.select(machines, keys, quota);
        }
        assertThat(Arrays.asList(machines).subList(0, quota)).containsExactlyInAnyOrderElementsOf(expected);
    }
}
