package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FaultProxy;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/** The EC2 fleet adapter against the emulator, with capacity and quota errors injected by the fault proxy. */
class Ec2FleetIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    @RegisterExtension
    static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();
    private AwsClients aws;
    private Ec2Fleet fleet;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        proxy.clear();
        aws = AwsClients.create(AwsEmulator.REGION, Optional.of(proxy.endpoint()));
        new Provisioner(aws).launchTemplate("lt-docker");
        fleet = new Ec2Fleet(aws.ec2(), "stack-a");
    }

    @Test
    void oneCreateFleetCallLaunchesEveryMachineOfADecisionWithTagsAndOverrides() {
        var result = fleet.launch(pool(MarketPolicy.ON_DEMAND), 3, Market.ON_DEMAND, Map.of(Tags.JOB, "gitlab:7"));

        assertThat(result.launched()).hasSize(3).allMatch(l -> l.market() == Market.ON_DEMAND);
        assertThat(result.failure()).isEmpty();
        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
        String body = proxy.ec2Bodies("CreateFleet").get(0);
        assertThat(body).contains("Type=instant").contains("LaunchTemplateName=lt-docker")
                .contains("Overrides.1.InstanceType=m6i.large").contains("Overrides.2.InstanceType=m5.large")
                .contains("TotalTargetCapacity=3").contains("DefaultTargetCapacityType=on-demand");
        List<Instance> instances = managed("stack-a");
        assertThat(instances).hasSize(3).allSatisfy(i -> assertThat(tags(i)).containsEntry(Tags.POOL, "docker")
                .containsEntry(Tags.STACK, "stack-a").containsEntry(Tags.FORGE, "gitlab")
                .containsEntry(Tags.MANAGED_BY, "runner-scaler").containsEntry(Tags.JOB, "gitlab:7"));
    }

    @Test
    void spotPoolsAskForPriceCapacityOptimizedSpot() {
        fleet.launch(pool(MarketPolicy.SPOT), 2, Market.SPOT, Map.of());
        assertThat(proxy.ec2Bodies("CreateFleet").get(0)).contains("DefaultTargetCapacityType=spot")
                .contains("SpotOptions.AllocationStrategy=price-capacity-optimized");
    }

    @Test
    void spotWithFallbackBuysOnDemandWhatSpotCouldNotSupplyInTheSameInvocation() {
        proxy.spotCapacityError("InsufficientInstanceCapacity");

        var result = fleet.launch(pool(MarketPolicy.SPOT_WITH_FALLBACK), 3, Market.SPOT, Map.of());

        assertThat(result.launched()).hasSize(3).allMatch(l -> l.market() == Market.ON_DEMAND);
        assertThat(result.failure()).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(Fleet.LaunchFailure.Kind.CAPACITY);
            assertThat(f.code()).isEqualTo("InsufficientInstanceCapacity");
        });
        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(2);
        assertThat(managed("stack-a")).hasSize(3);
    }

    @Test
    void spotOnlyPoolsDoNotFallBack() {
        proxy.spotCapacityError("UnfulfillableCapacity");

        var result = fleet.launch(pool(MarketPolicy.SPOT), 2, Market.SPOT, Map.of());

        assertThat(result.launched()).isEmpty();
        assertThat(result.failure().orElseThrow().kind()).isEqualTo(Fleet.LaunchFailure.Kind.CAPACITY);
        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
    }

    @Test
    void quotaErrorsAreReportedAndNotRetried() {
        proxy.ec2Error("CreateFleet", 400, "VcpuLimitExceeded");

        var result = fleet.launch(pool(MarketPolicy.SPOT_WITH_FALLBACK), 4, Market.SPOT, Map.of());

        assertThat(result.launched()).isEmpty();
        assertThat(result.failure().orElseThrow().kind()).isEqualTo(Fleet.LaunchFailure.Kind.QUOTA);
        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
    }

    @Test
    void throttledCallsAreRetriedWithBackoffBySdk() {
        proxy.ec2Error("TerminateInstances", 503, "RequestLimitExceeded");
        var result = fleet.launch(pool(MarketPolicy.ON_DEMAND), 1, Market.ON_DEMAND, Map.of());
        try {
            fleet.terminate(List.of(result.launched().get(0).instanceId()));
        } catch (RuntimeException expected) {
            // every attempt was throttled
        }
        assertThat(proxy.ec2Calls("TerminateInstances")).isEqualTo(3);
    }

    @Test
    void terminatingAnInstanceThatIsAlreadyGoneIsNotAnError() {
        fleet.terminate(List.of("i-0123456789abcdef0"));
    }

    @Test
    void describeManagedSeesOnlyThisStacksInstances() {
        fleet.launch(pool(MarketPolicy.ON_DEMAND), 2, Market.ON_DEMAND, Map.of());
        new Ec2Fleet(aws.ec2(), "stack-b").launch(pool(MarketPolicy.ON_DEMAND), 1, Market.ON_DEMAND, Map.of());

        assertThat(fleet.describeManaged()).hasSize(2).allMatch(i -> i.pool().equals("docker"));
    }

    private List<Instance> managed(String stack) {
        return aws.ec2().describeInstances(DescribeInstancesRequest.builder().filters(
                        Filter.builder().name("tag:" + Tags.STACK).values(stack).build()).build())
                .reservations().stream().flatMap(r -> r.instances().stream()).toList();
    }

    private static Map<String, String> tags(Instance i) {
        return i.tags().stream().collect(java.util.stream.Collectors.toMap(t -> t.key(), t -> t.value()));
    }

    static PoolConfig pool(MarketPolicy market) {
        return new PoolConfig("docker", Forge.GITLAB, java.util.Set.of(), true, List.of("m6i.large", "m5.large"),
                List.of(), "lt-docker", Optional.empty(), market, 6,
                new IdleSettings(0, 0, 0, Duration.ofMinutes(5)), 0, 0, List.of(), ZoneOffset.UTC, Optional.empty(),
                Duration.ofMinutes(10));
    }
}
