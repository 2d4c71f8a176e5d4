package io.runnerscaler.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.memory.InMemoryFleet;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-memory fleet held to the fleet's contract, and its injected partial launches. */
class InMemoryFleetTest extends FleetContract {

    private final InMemoryFleet fleet = new InMemoryFleet(() -> Instant.parse("2026-11-23T09:00:00Z"));

    @Override
    protected Fleet fleet() {
        return fleet;
    }

    @Override
    protected void noSpotCapacity() {
        fleet.supply((pool, count, market) -> market == Market.SPOT ? InMemoryFleet.Answer.capacity(0, count)
                : new InMemoryFleet.Answer(count, List.of()));
    }

    @Test
    void aPartialLaunchReportsWhatLaunchedAndTheCapacityError() {
        fleet.supply((pool, count, market) -> InMemoryFleet.Answer.capacity(1, count));

        var result = fleet.launch(pool(MarketPolicy.SPOT), 3, Market.SPOT, Map.of("runner-scaler:job", "gitlab:7"));

        assertThat(result.launched()).hasSize(1);
        assertThat(result.missing()).isEqualTo(2);
        assertThat(result.capacityError()).isTrue();
        assertThat(fleet.instance(result.launched().get(0).instanceId()).tags())
                .containsEntry("runner-scaler:job", "gitlab:7");
        assertThat(fleet.launchCalls()).isEqualTo(1);
    }

    @Test
    void theWorldCanStopOrEndAnInstance() {
        String id = fleet.launch(pool(MarketPolicy.ON_DEMAND), 1, Market.ON_DEMAND, Map.of()).launched().get(0)
                .instanceId();
        fleet.setState(id, "stopped");
        assertThat(fleet.describeManaged()).extracting(Fleet.FleetInstance::state).containsExactly("stopped");
        fleet.setState(id, "terminated");
        assertThat(fleet.describeManaged()).isEmpty();
    }
}
