package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.memory.InMemoryMachineStore;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.runner.RunnerRegistrations;
import io.runnerscaler.core.runner.UnmanagedRunners;
import io.runnerscaler.core.usecase.PlanExecutor;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FaultProxy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The stopped pool on the EC2 adapter against the emulator, every call counted through the fault proxy: refills by
 * RunInstances (spot ones persistent, stopping when interrupted), the start path as one StartInstances with no
 * launch and no SSM write, a start EC2 refuses for capacity (a recorded answer, which the emulator never gives)
 * launched cold instead, and persistent spot requests cancelled before their instance is terminated.
 */
class Ec2FleetStoppedPoolIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    @RegisterExtension
    static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();

    private AwsClients aws;
    private Ec2Fleet fleet;
    private final InMemoryMachineStore store = new InMemoryMachineStore();

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        proxy.clear();
        aws = AwsClients.create(AwsEmulator.REGION, Optional.of(proxy.endpoint()));
        new Provisioner(aws).launchTemplate("lt-docker");
        fleet = new Ec2Fleet(aws.ec2(), "stack-a");
    }

    private static PoolConfig pool(MarketPolicy market) {
        return new PoolConfig("docker", Forge.GITLAB, Set.of(), true, List.of("m6i.large", "m5.large"), List.of(),
                "lt-docker", Optional.empty(), market, 6, new IdleSettings(0, 0, 0, Duration.ofMinutes(5), 1), 0, 0,
                List.of(), ZoneOffset.UTC, Optional.empty(), Duration.ofMinutes(10));
    }

    private PlanExecutor executor(Fleet f) {
        return new PlanExecutor(f, store, new RunnerRegistrations(List.of(new UnmanagedRunners(Forge.GITLAB)),
                BootstrapSecrets.NONE, EventLog.NONE), EventLog.NONE, Metrics.NONE);
    }

    /** A machine of the pool, stopped in EC2 and in the table. */
    private String stoppedMachine(PoolConfig pool) {
        String id = fleet.launchStoppable(pool, 1, Market.ON_DEMAND, Map.of(Fleet.REFILL_TAG, "true")).launched()
                .getFirst().instanceId();
        fleet.stop(List.of(id));
        Instant launched = Instant.now().minusSeconds(600);
        store.reserve("docker", 1, 6);
        store.put(new Machine(id, "docker", MachineState.WARMING, Market.ON_DEMAND, "m6i.large", 0, launched, launched,
                Optional.empty()));
        store.put(store.find(id).orElseThrow().withState(MachineState.STOPPED, launched, Optional.empty()));
        return id;
    }

    private static int mutatingEc2Calls() {
        return List.of("RunInstances", "CreateFleet", "StartInstances", "StopInstances", "TerminateInstances",
                "CreateTags", "CancelSpotInstanceRequests", "CreateLaunchTemplateVersion").stream()
                .mapToInt(proxy::ec2Calls).sum();
    }

    @Test
    void aRefillAsksRunInstancesForEveryMachineStillMissingTaggedAsARefill() {
        var result = fleet.launchStoppable(pool(MarketPolicy.ON_DEMAND), 2, Market.ON_DEMAND,
                Map.of(Fleet.REFILL_TAG, "true"));

        assertThat(result.launched()).hasSize(2);
        assertThat(proxy.ec2Calls("CreateFleet")).isZero();
        // MinCount 1, MaxCount what is missing: EC2 launches as many as it can up to MaxCount; the emulator launches
        // MinCount, so here the next type supplies the second machine in a second call.
        List<String> bodies = proxy.ec2Bodies("RunInstances");
        assertThat(bodies.getFirst()).contains("LaunchTemplate.LaunchTemplateName=lt-docker", "InstanceType=m6i.large",
                "MaxCount=2", "MinCount=1", "runner-scaler%3Arefill").doesNotContain("InstanceMarketOptions");
        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(1)).contains("InstanceType=m5.large", "MaxCount=1");
        assertThat(fleet.describeManaged()).hasSize(2).allMatch(i -> i.pool().equals("docker") && !i.ready());
    }

    @Test
    void aSpotRefillAsksForAPersistentRequestThatStopsWhenInterruptedAndTagsTheRequest() {
        fleet.launchStoppable(pool(MarketPolicy.SPOT), 1, Market.SPOT, Map.of(Fleet.REFILL_TAG, "true"));

        assertThat(proxy.ec2Bodies("RunInstances").getFirst()).contains("InstanceMarketOptions.MarketType=spot",
                "InstanceMarketOptions.SpotOptions.SpotInstanceType=persistent",
                "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior=stop",
                "TagSpecification.2.ResourceType=spot-instances-request");
    }

    @Test
    void aRefillShortOfCapacityTriesEveryTypeAndReportsEachError() {
        proxy.ec2Error("RunInstances", 500, "InsufficientInstanceCapacity",
                "We currently do not have sufficient m6i.large capacity in the Availability Zone you requested.");

        var result = fleet.launchStoppable(pool(MarketPolicy.SPOT), 2, Market.SPOT, Map.of());

        assertThat(result.launched()).isEmpty();
        assertThat(result.errors()).hasSize(2).allMatch(e -> e.kind() == Fleet.LaunchFailure.Kind.CAPACITY);
        assertThat(result.errors()).extracting(Fleet.LaunchFailure::message)
                .anyMatch(m -> m.endsWith("(m6i.large)")).anyMatch(m -> m.endsWith("(m5.large)"));
    }

    @Test
    void theReadyTagAndTheImageAreListed() {
        String id = fleet.launchStoppable(pool(MarketPolicy.ON_DEMAND), 1, Market.ON_DEMAND, Map.of()).launched()
                .getFirst().instanceId();
        aws.ec2().createTags(CreateTagsRequest.builder().resources(id)
                .tags(Tag.builder().key(Fleet.READY_TAG).value("true").build()).build());

        assertThat(fleet.describeManaged()).singleElement().satisfies(i -> {
            assertThat(i.ready()).isTrue();
            assertThat(i.imageId()).startsWith("ami-");
        });
    }

    /** The goal of the stopped pool: a job's decision costs one EC2 mutating call, StartInstances, and nothing else. */
    @Test
    void theStartPathIsOneStartInstancesCallWithNoLaunchAndNoSsmWrite() {
        PoolConfig pool = pool(MarketPolicy.ON_DEMAND);
        String id = stoppedMachine(pool);
        int mutatingBefore = mutatingEc2Calls();
        int ssmWritesBefore = proxy.jsonCalls("AmazonSSM.PutParameter");
        Instant now = Instant.now();

        Plan plan = new Planner().plan(new PoolState(pool, store.alive("docker"), 1, 0, 10), now);
        executor(fleet).execute(pool, plan, now, Optional.of("gitlab:7"));

        assertThat(plan.actions()).hasSize(1);
        assertThat(proxy.ec2Calls("StartInstances")).isEqualTo(1);
        assertThat(mutatingEc2Calls() - mutatingBefore).as("EC2 mutating calls for the decision").isEqualTo(1);
        assertThat(proxy.ec2Bodies("StartInstances").getFirst()).contains("InstanceId.1=" + id);
        assertThat(proxy.jsonCalls("AmazonSSM.PutParameter") - ssmWritesBefore).isZero();
        assertThat(store.find(id).orElseThrow()).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.LAUNCHING);
            assertThat(m.jobId()).contains("gitlab:7");
        });
        assertThat(fleet.describeManaged()).singleElement().satisfies(i -> assertThat(i.state()).isIn("pending",
                "running"));
    }

    @Test
    void aStartRefusedForCapacityIsLaunchedColdInTheSameInvocation() {
        PoolConfig pool = pool(MarketPolicy.ON_DEMAND);
        String id = stoppedMachine(pool);
        // EC2's answer when it cannot start a stopped instance for lack of capacity in its zone.
        proxy.ec2Error("StartInstances", 500, "InsufficientInstanceCapacity", "We currently do not have sufficient"
                + " m6i.large capacity in the Availability Zone you requested (eu-west-1a). Our system will be working"
                + " on provisioning additional capacity.");
        Instant now = Instant.now();

        executor(fleet).execute(pool, new Planner().plan(new PoolState(pool, store.alive("docker"), 1, 0, 10), now),
                now, Optional.of("gitlab:7"));

        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(MachineState.STOPPED);
        assertThat(store.alive("docker")).filteredOn(m -> m.state() == MachineState.LAUNCHING).singleElement()
                .satisfies(m -> assertThat(m.jobId()).contains("gitlab:7"));
    }

    @Test
    void terminatingASpotPoolMachineCancelsItsPersistentRequestFirst() {
        var spotPools = new Ec2Fleet(aws.ec2(), "stack-a", List.of(), LaunchTemplates.AS_NAMED, () -> true);
        // DescribeInstances and CancelSpotInstanceRequests as EC2 answers them for a pool machine on spot; the
        // emulator gives instances no spot request.
        proxy.ec2Answer("DescribeInstances", """
                <?xml version="1.0" encoding="UTF-8"?>
                <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                  <requestId>8f7724cf-496f-496e-8fe3-ef5EXAMPLE</requestId>
                  <reservationSet><item><reservationId>r-0a1b2c3d4e5f60001</reservationId><ownerId>123456789012</ownerId>
                    <instancesSet><item>
                      <instanceId>i-0aaaaaaaaaaaaaaa1</instanceId><imageId>ami-0123456789abcdef0</imageId>
                      <instanceState><code>80</code><name>stopped</name></instanceState>
                      <instanceType>m6i.large</instanceType><instanceLifecycle>spot</instanceLifecycle>
                      <spotInstanceRequestId>sir-0a1b2c3d</spotInstanceRequestId>
                      <tagSet><item><key>runner-scaler:refill</key><value>true</value></item>
                        <item><key>runner-scaler:stack</key><value>stack-a</value></item></tagSet>
                    </item></instancesSet>
                  </item></reservationSet>
                </DescribeInstancesResponse>
                """);
        proxy.ec2Answer("CancelSpotInstanceRequests", """
                <?xml version="1.0" encoding="UTF-8"?>
                <CancelSpotInstanceRequestsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
                  <spotInstanceRequestSet><item><spotInstanceRequestId>sir-0a1b2c3d</spotInstanceRequestId>
                    <state>cancelled</state></item></spotInstanceRequestSet>
                </CancelSpotInstanceRequestsResponse>
                """);

        spotPools.terminate(List.of("i-0aaaaaaaaaaaaaaa1"));

        assertThat(proxy.ec2Bodies("CancelSpotInstanceRequests")).singleElement().asString()
                .contains("SpotInstanceRequestId.1=sir-0a1b2c3d");
        assertThat(proxy.ec2Calls("TerminateInstances")).isEqualTo(1);
    }

    @Test
    void withoutSpotStoppedPoolsATerminationAsksNothingMore() {
        String id = fleet.launch(pool(MarketPolicy.ON_DEMAND), 1, Market.ON_DEMAND, Map.of()).launched().getFirst()
                .instanceId();
        int describes = proxy.ec2Calls("DescribeInstances");

        fleet.terminate(List.of(id));

        assertThat(proxy.ec2Calls("DescribeInstances")).isEqualTo(describes);
        assertThat(proxy.ec2Calls("CancelSpotInstanceRequests")).isZero();
    }
}
