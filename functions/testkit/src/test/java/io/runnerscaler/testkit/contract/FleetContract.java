package io.runnerscaler.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every fleet does: launches on the market asked for, reports what it could not supply as errors and never
 * falls back by itself, lists what it launched until terminated, and terminates idempotently. Run over the
 * in-memory fleet ({@code InMemoryFleetTest}) and over EC2 on the emulator ({@code Ec2FleetIT}).
 */
public abstract class FleetContract {

    /** A fleet with nothing launched. */
    protected abstract Fleet fleet();

    /** From now on, spot launches get no capacity at all (EC2: an empty fleet with a capacity error). */
    protected abstract void noSpotCapacity();

    @Test
    void aLaunchSuppliesTheMachinesOnTheMarketAskedFor() {
        Fleet fleet = fleet();
        var result = fleet.launch(pool(MarketPolicy.ON_DEMAND), 3, Market.ON_DEMAND, Map.of());

        assertThat(result.launched()).hasSize(3).allMatch(l -> l.market() == Market.ON_DEMAND)
                .allMatch(l -> l.instanceType().equals("m6i.large") || l.instanceType().equals("m5.large"));
        assertThat(result.requested()).isEqualTo(3);
        assertThat(result.errors()).isEmpty();
        assertThat(result.missing()).isZero();
        assertThat(fleet.describeManaged()).extracting(Fleet.FleetInstance::instanceId)
                .containsExactlyInAnyOrderElementsOf(result.launched().stream().map(Fleet.Launched::instanceId).toList());
        assertThat(fleet.describeManaged()).allMatch(i -> i.pool().equals("docker"));
    }

    @Test
    void spotWithoutCapacityIsReportedAndNotBoughtOnDemandByTheFleet() {
        Fleet fleet = fleet();
        noSpotCapacity();

        var result = fleet.launch(pool(MarketPolicy.SPOT_WITH_FALLBACK), 2, Market.SPOT, Map.of());

        assertThat(result.launched()).isEmpty();
        assertThat(result.missing()).isEqualTo(2);
        assertThat(result.capacityError()).isTrue();
        assertThat(result.failure()).hasValueSatisfying(f ->
                assertThat(f.kind()).isEqualTo(Fleet.LaunchFailure.Kind.CAPACITY));
        assertThat(fleet.describeManaged()).isEmpty();
    }

    @Test
    void terminatedInstancesAreNoLongerListedAndTerminatingIsIdempotent() {
        Fleet fleet = fleet();
        var launched = fleet.launch(pool(MarketPolicy.ON_DEMAND), 2, Market.ON_DEMAND, Map.of()).launched();
        String gone = launched.get(0).instanceId();
        String kept = launched.get(1).instanceId();

        fleet.terminate(List.of(gone));
        fleet.terminate(List.of(gone));
        fleet.terminate(List.of());

        assertThat(fleet.describeManaged()).extracting(Fleet.FleetInstance::instanceId).containsExactly(kept);
    }

    protected static PoolConfig pool(MarketPolicy market) {
        return new PoolConfig("docker", Forge.GITLAB, Set.of(), true, List.of("m6i.large", "m5.large"),
                List.of(), "lt-docker", Optional.empty(), market, 6,
                new IdleSettings(0, 0, 0, Duration.ofMinutes(5)), 0, 0, List.of(), ZoneOffset.UTC, Optional.empty(),
                Duration.ofMinutes(10));
    }
}
