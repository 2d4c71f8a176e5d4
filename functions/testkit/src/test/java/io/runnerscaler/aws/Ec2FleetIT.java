package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.memory.InMemoryMachineStore;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Reason;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.runner.RunnerRegistrations;
import io.runnerscaler.core.runner.UnmanagedRunners;
import io.runnerscaler.core.usecase.PlanExecutor;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FaultProxy;
import io.runnerscaler.testkit.FaultProxy.FleetError;
import io.runnerscaler.testkit.contract.FleetContract;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The EC2 fleet adapter against the emulator, held to the fleet's contract, with CreateFleet answers of the real
 * shape (several errors per answer, with and without launched instances) and quota errors from the fault proxy,
 * which the emulator never returns.
 */
class Ec2FleetIT extends FleetContract {

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

    @Override
    protected Fleet fleet() {
        return fleet;
    }

    @Override
    protected void noSpotCapacity() {
        proxy.spotCapacityError("InsufficientInstanceCapacity");
    }

    @Test
    void oneCreateFleetCallLaunchesEveryMachineOfADecisionWithTagsAndOverridesInPreferenceOrder() {
        var result = fleet.launch(pool(MarketPolicy.ON_DEMAND), 3, Market.ON_DEMAND, Map.of(Tags.JOB, "gitlab:7"));

        assertThat(result.launched()).hasSize(3).allMatch(l -> l.market() == Market.ON_DEMAND);
        assertThat(result.errors()).isEmpty();
        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
        String body = proxy.ec2Bodies("CreateFleet").get(0);
        assertThat(body).contains("Type=instant").contains("LaunchTemplateName=lt-docker")
                .contains("Overrides.1.InstanceType=m6i.large").contains("Overrides.2.InstanceType=m5.large")
                .containsPattern("Overrides\\.1\\.Priority=0(\\.0)?&").containsPattern("Overrides\\.2\\.Priority=1(\\.0)?&")
                .contains("OnDemandOptions.AllocationStrategy=prioritized")
                .contains("TotalTargetCapacity=3").contains("DefaultTargetCapacityType=on-demand");
        List<Instance> instances = managed("stack-a");
        assertThat(instances).hasSize(3).allSatisfy(i -> assertThat(tags(i)).containsEntry(Tags.POOL, "docker")
                .containsEntry(Tags.STACK, "stack-a").containsEntry(Tags.FORGE, "gitlab")
                .containsEntry(Tags.MANAGED_BY, "runner-scaler").containsEntry(Tags.JOB, "gitlab:7"));
    }

    @Test
    void spotPoolsAskForCapacityOptimizedPrioritizedSpot() {
        fleet.launch(pool(MarketPolicy.SPOT), 2, Market.SPOT, Map.of());
        assertThat(proxy.ec2Bodies("CreateFleet").get(0)).contains("DefaultTargetCapacityType=spot")
                .contains("SpotOptions.AllocationStrategy=capacity-optimized-prioritized");
    }

    @Test
    void everyErrorIsReadWhenOtherOverridesLaunchedAndTheCapacityErrorIsNotTheFirst() {
        proxy.createFleetErrors("spot", List.of(
                new FleetError("InvalidFleetConfiguration", "Your requested instance type (m5.large) is not"
                        + " supported in your requested Availability Zone (eu-west-1c).", "m5.large", "subnet-0c", "spot"),
                new FleetError("InsufficientInstanceCapacity", "There is no Spot capacity available that matches your"
                        + " request.", "m6i.large", "subnet-0a", "spot")));

        var result = fleet.launch(pool(MarketPolicy.SPOT_WITH_FALLBACK), 2, Market.SPOT, Map.of());

        assertThat(result.launched()).hasSize(2);
        assertThat(result.errors()).extracting(Fleet.LaunchFailure::code)
                .containsExactly("InvalidFleetConfiguration", "InsufficientInstanceCapacity");
        assertThat(result.errors()).extracting(Fleet.LaunchFailure::kind)
                .containsExactly(Fleet.LaunchFailure.Kind.CONFIG, Fleet.LaunchFailure.Kind.CAPACITY);
        assertThat(result.errors().get(0).message()).contains("(m5.large in subnet-0c)");
        assertThat(result.capacityError()).isTrue();
        assertThat(result.missing()).isZero();
    }

    @Test
    void aPartlyFilledFleetReportsItsInstancesAndEveryError() {
        proxy.createFleetAnswer("spot", List.of("i-0aaaaaaaaaaaaaaa1"), "m5.large", List.of(
                new FleetError("InvalidFleetConfiguration", "not offered in this zone", "m6i.large", "subnet-0c", "spot"),
                new FleetError("UnfulfillableCapacity", "Unable to fulfill capacity due to your request configuration.",
                        "m6i.large", "subnet-0a", "spot"),
                new FleetError("InsufficientInstanceCapacity", "no Spot capacity", "m5.large", "subnet-0a", "spot")));

        var result = fleet.launch(pool(MarketPolicy.SPOT_WITH_FALLBACK), 3, Market.SPOT, Map.of());

        assertThat(result.launched()).containsExactly(new Fleet.Launched("i-0aaaaaaaaaaaaaaa1", "m5.large", Market.SPOT));
        assertThat(result.missing()).isEqualTo(2);
        assertThat(result.errors()).hasSize(3);
        assertThat(result.failure()).as("the shortfall is explained by the first capacity error, not errors[0]")
                .hasValueSatisfying(f -> assertThat(f.code()).isEqualTo("UnfulfillableCapacity"));
    }

    @Test
    void anAnswerWithOnlyConfigurationErrorsIsNoCapacityError() {
        proxy.createFleetAnswer("spot", List.of(), "m5.large", List.of(
                new FleetError("InvalidFleetConfiguration", "not offered in this zone", "m6i.large", "subnet-0c", "spot"),
                new FleetError("InvalidFleetConfiguration", "not offered in this zone", "m5.large", "subnet-0c", "spot")));

        var result = fleet.launch(pool(MarketPolicy.SPOT_WITH_FALLBACK), 2, Market.SPOT, Map.of());

        assertThat(result.launched()).isEmpty();
        assertThat(result.capacityError()).isFalse();
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Fleet.LaunchFailure.Kind.CONFIG));
    }

    /**
     * The whole fallback path: the planner's spot launch meets a partly filled fleet whose capacity error is not its
     * first, the executor reports it, and the planner's on-demand launch buys what spot lacked, in the same call.
     */
    @Test
    void aSpotWithFallbackLaunchBuysOnDemandWhatSpotLackedAfterReadingEveryError() {
        proxy.createFleetAnswer("spot", List.of("i-0aaaaaaaaaaaaaaa1"), "m5.large", List.of(
                new FleetError("InvalidFleetConfiguration", "not offered in this zone", "m6i.large", "subnet-0c", "spot"),
                new FleetError("InsufficientInstanceCapacity", "no Spot capacity", "m5.large", "subnet-0a", "spot")));
        var store = new InMemoryMachineStore();
        var executor = new PlanExecutor(fleet, store, new RunnerRegistrations(List.of(
                new UnmanagedRunners(Forge.GITLAB)), BootstrapSecrets.NONE, EventLog.NONE), EventLog.NONE, Metrics.NONE);

        executor.execute(pool(MarketPolicy.SPOT_WITH_FALLBACK), new Plan("docker",
                List.of(new Action.Launch(3, Market.SPOT, Reason.JOBS_WAITING))), Instant.now(), Optional.empty());

        assertThat(store.alive("docker")).extracting(m -> m.market()).containsExactlyInAnyOrder(Market.SPOT,
                Market.ON_DEMAND, Market.ON_DEMAND);
        assertThat(proxy.ec2Bodies("CreateFleet")).hasSize(2);
        assertThat(proxy.ec2Bodies("CreateFleet").get(1)).contains("DefaultTargetCapacityType=on-demand")
                .contains("TotalTargetCapacity=2");
        assertThat(store.reserved("docker")).isEqualTo(3);
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
    void throttledCallsAreRetriedWithBackoffBySdkThenFail() {
        var result = fleet.launch(pool(MarketPolicy.ON_DEMAND), 1, Market.ON_DEMAND, Map.of());
        proxy.ec2Error("TerminateInstances", 503, "RequestLimitExceeded");

        assertThatThrownBy(() -> fleet.terminate(List.of(result.launched().get(0).instanceId())))
                .isInstanceOf(SdkException.class);
        assertThat(proxy.ec2Calls("TerminateInstances")).isEqualTo(3);
        assertThat(managed("stack-a")).singleElement().satisfies(i ->
                assertThat(i.state().nameAsString()).isEqualTo("running"));
    }

    @Test
    void terminatingAnInstanceThatIsAlreadyGoneIsNotAnErrorAndTerminatesTheLiveOne() {
        String live = fleet.launch(pool(MarketPolicy.ON_DEMAND), 1, Market.ON_DEMAND, Map.of()).launched().get(0)
                .instanceId();
        fleet.terminate(List.of("i-0123456789abcdef0"));
        fleet.terminate(List.of(live));
        fleet.terminate(List.of(live));

        assertThat(managed("stack-a")).singleElement().satisfies(i ->
                assertThat(i.state().nameAsString()).isIn("shutting-down", "terminated"));
        assertThat(fleet.describeManaged()).isEmpty();
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
}
