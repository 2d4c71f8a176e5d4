package io.runnerscaler.aws;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateFleetError;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.DefaultTargetCapacityType;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateConfigRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverridesRequest;
import software.amazon.awssdk.services.ec2.model.FleetOnDemandAllocationStrategy;
import software.amazon.awssdk.services.ec2.model.FleetType;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycle;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.OnDemandOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SpotAllocationStrategy;
import software.amazon.awssdk.services.ec2.model.SpotOptionsRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TargetCapacitySpecificationRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.CancelSpotInstanceRequestsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.SpotMarketOptions;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import java.util.function.BooleanSupplier;

/**
 * EC2 as the fleet: one {@code CreateFleet} call of type {@code instant} per launch decision, whatever the
 * number of machines (RunInstances' call bucket is small; one call for N machines is the point), with the
 * pool's launch template and one override per instance type x subnet. The stopped pool's refills go through
 * RunInstances (stoppable spot needs it), a start is one StartInstances, a stop one StopInstances.
 */
public final class Ec2Fleet implements Fleet {

    private final Ec2Client ec2;
    private final String stack;
    private final List<String> defaultSubnets;
    private final LaunchTemplates templates;
    private final BooleanSupplier persistentSpot;

    /** Launches from each pool's template as named, adding no user-data ({@link LaunchTemplates#AS_NAMED}). */
    public Ec2Fleet(Ec2Client ec2, String stack) {
        this(ec2, stack, List.of(), LaunchTemplates.AS_NAMED);
    }

    /**
     * @param defaultSubnets subnets for pools that list none (the stack's runner subnets)
     * @param templates      the launch template version each pool launches from
     */
    public Ec2Fleet(Ec2Client ec2, String stack, List<String> defaultSubnets, LaunchTemplates templates) {
        this(ec2, stack, defaultSubnets, templates, () -> false);
    }

    /**
     * @param persistentSpot whether some pool keeps spot machines stopped (launched by persistent spot requests):
     *                       then a termination first cancels the requests of the instances it ends
     */
    public Ec2Fleet(Ec2Client ec2, String stack, List<String> defaultSubnets, LaunchTemplates templates,
                    BooleanSupplier persistentSpot) {
        this.ec2 = ec2;
        this.stack = stack;
        this.defaultSubnets = List.copyOf(defaultSubnets);
        this.templates = templates;
        this.persistentSpot = persistentSpot;
    }

    /**
     * One CreateFleet for all {@code count} machines, on {@code market} only: whether machines spot could not
     * supply are then bought on demand is the planner's decision, from the errors returned here. Every error of
     * the answer is reported: an instant fleet returns one per override it could not use (a zone without the
     * type answers {@code InvalidFleetConfiguration}, spot without room {@code InsufficientInstanceCapacity}),
     * in any order, also beside the instances other overrides launched (CreateFleet, "Errors: Information about
     * the instances that could not be launched by the fleet", in the EC2 API reference and the SDK's
     * {@code CreateFleetResult} shape).
     */
    @Override
    public LaunchResult launch(PoolConfig pool, int count, Market market, Map<String, String> extraTags) {
        return withTemplate(pool, count, template -> createFleet(pool, template, count, market, extraTags));
    }

    /** Launches from the pool's template version; a template that cannot be used is the launch's one failure. */
    private LaunchResult withTemplate(PoolConfig pool, int count,
                                      java.util.function.Function<LaunchTemplates.Version, LaunchResult> launch) {
        LaunchTemplates.Version template;
        try {
            template = templates.forPool(pool);
        } catch (LaunchTemplates.Unusable e) {
            return new LaunchResult(List.of(), count, Optional.of(e.failure()));
        }
        return launch.apply(template);
    }

    private LaunchResult createFleet(PoolConfig pool, LaunchTemplates.Version template, int count, Market market,
                                     Map<String, String> extraTags) {
        CreateFleetResponse response;
        try {
            response = ec2.createFleet(request(pool, template, count, market, extraTags));
        } catch (AwsServiceException e) {
            LaunchFailure f = failure(e, "");
            if (f.code() != null && f.code().startsWith("InvalidLaunchTemplate")) {
                templates.forget(pool); // e.g. a version another function pruned: look it up again next time
            }
            return new LaunchResult(List.of(), count, Optional.of(f));
        }
        List<Launched> launched = new ArrayList<>();
        response.instances().forEach(i -> {
            Market m = i.lifecycle() == InstanceLifecycle.SPOT ? Market.SPOT : Market.ON_DEMAND;
            String type = i.instanceTypeAsString();
            i.instanceIds().forEach(id -> launched.add(new Launched(id, type, m)));
        });
        List<LaunchFailure> errors = response.errors().stream().map(Ec2Fleet::failure).toList();
        if (launched.size() < count && errors.isEmpty()) {
            errors = List.of(new LaunchFailure(LaunchFailure.Kind.OTHER, "NoInstances",
                    "CreateFleet returned fewer instances and no error"));
        }
        return new LaunchResult(launched, count, errors);
    }

    /** An EC2 error answer as a launch failure, its message followed by {@code where}. */
    private static LaunchFailure failure(AwsServiceException e, String where) {
        String code = e.awsErrorDetails() == null ? "Unknown" : e.awsErrorDetails().errorCode();
        return new LaunchFailure(kind(code), code,
                (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()) + where);
    }

    private static LaunchFailure failure(CreateFleetError error) {
        var o = error.launchTemplateAndOverrides() == null ? null : error.launchTemplateAndOverrides().overrides();
        String where = o == null ? "" : " (" + o.instanceTypeAsString()
                + (o.subnetId() == null ? "" : " in " + o.subnetId()) + ")";
        return new LaunchFailure(kind(error.errorCode()), error.errorCode(), error.errorMessage() + where);
    }

    /**
     * The request: one override per instance type x subnet, each type's overrides with its place in the pool's
     * list as {@code Priority} (0 first), and allocation strategies that honour it: {@code prioritized} for on
     * demand (the first type that has capacity), {@code capacity-optimized-prioritized} for spot (priority on a
     * best-effort basis, capacity first), as the EC2 API reference describes
     * {@code FleetLaunchTemplateOverridesRequest.Priority}. Subnets of one type share its priority, so the
     * fleet spreads across them.
     */
    CreateFleetRequest request(PoolConfig pool, LaunchTemplates.Version template, int count, Market market,
                               Map<String, String> extraTags) {
        List<FleetLaunchTemplateOverridesRequest> overrides = new ArrayList<>();
        List<String> subnets = !pool.subnets().isEmpty() ? pool.subnets()
                : !defaultSubnets.isEmpty() ? defaultSubnets : java.util.Collections.singletonList(null);
        for (int rank = 0; rank < pool.instanceTypes().size(); rank++) {
            String type = pool.instanceTypes().get(rank);
            for (String subnet : subnets) {
                var o = FleetLaunchTemplateOverridesRequest.builder().instanceType(InstanceType.fromValue(type))
                        .priority((double) rank);
                if (subnet != null) {
                    o.subnetId(subnet);
                }
                if (!template.carriesImage()) {
                    pool.ami().ifPresent(o::imageId);
                }
                overrides.add(o.build());
            }
        }
        boolean spot = market == Market.SPOT;
        var capacity = TargetCapacitySpecificationRequest.builder().totalTargetCapacity(count)
                .defaultTargetCapacityType(spot ? DefaultTargetCapacityType.SPOT : DefaultTargetCapacityType.ON_DEMAND);
        if (spot) {
            capacity.spotTargetCapacity(count);
        } else {
            capacity.onDemandTargetCapacity(count);
        }
        return CreateFleetRequest.builder()
                // The SDK's retries resend this same request: with a client token, EC2 answers a retry of a
                // call whose response was lost with the fleet it already made, instead of a second one.
                .clientToken(java.util.UUID.randomUUID().toString())
                .type(FleetType.INSTANT)
                .launchTemplateConfigs(FleetLaunchTemplateConfigRequest.builder()
                        .launchTemplateSpecification(template.spec())
                        .overrides(overrides).build())
                .targetCapacitySpecification(capacity.build())
                .spotOptions(SpotOptionsRequest.builder()
                        .allocationStrategy(SpotAllocationStrategy.CAPACITY_OPTIMIZED_PRIORITIZED).build())
                .onDemandOptions(OnDemandOptionsRequest.builder()
                        .allocationStrategy(FleetOnDemandAllocationStrategy.PRIORITIZED).build())
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(tags(pool, extraTags)).build())
                .build();
    }

    private List<Tag> tags(PoolConfig pool, Map<String, String> extra) {
        var all = Tags.forPool(stack, pool);
        all.putAll(extra);
        return Tags.ec2(all);
    }

    /**
     * Machines for the stopped pool, with RunInstances, override by override in the pool's order until all are
     * launched: EC2 stops only spot instances of a persistent request whose interruption behaviour is {@code stop}
     * ("Interruption behavior" in the EC2 user guide: "The Spot Instance request type must be persistent"; for an
     * EC2 Fleet the type must be {@code maintain}, so an instant fleet cannot make them), and RunInstances supports
     * persistent requests only with that behaviour ({@code SpotMarketOptions.SpotInstanceType}, EC2 API reference).
     * On demand uses the same path, so every pooled machine is made alike. A capacity error moves on to the next
     * override; any other error ends the launch.
     */
    @Override
    public LaunchResult launchStoppable(PoolConfig pool, int count, Market market, Map<String, String> extraTags) {
        return withTemplate(pool, count, template -> runOverrides(pool, template, count, market, extraTags));
    }

    private LaunchResult runOverrides(PoolConfig pool, LaunchTemplates.Version template, int count, Market market,
                                      Map<String, String> extraTags) {
        List<String> subnets = !pool.subnets().isEmpty() ? pool.subnets()
                : !defaultSubnets.isEmpty() ? defaultSubnets : java.util.Collections.singletonList(null);
        List<Launched> launched = new ArrayList<>();
        List<LaunchFailure> errors = new ArrayList<>();
        overrides:
        for (String type : pool.instanceTypes()) {
            for (String subnet : subnets) {
                if (launched.size() >= count) {
                    break overrides;
                }
                try {
                    RunInstancesResponse r = ec2.runInstances(runRequest(pool, template, type, subnet,
                            count - launched.size(), market, extraTags));
                    r.instances().forEach(i -> launched.add(new Launched(i.instanceId(), type, market)));
                } catch (AwsServiceException e) {
                    LaunchFailure f = failure(e, " (" + type + (subnet == null ? "" : " in " + subnet) + ")");
                    errors.add(f);
                    if (f.kind() != LaunchFailure.Kind.CAPACITY) {
                        break overrides;
                    }
                }
            }
        }
        return new LaunchResult(launched, count, errors);
    }

    RunInstancesRequest runRequest(PoolConfig pool, LaunchTemplates.Version template, String type, String subnet,
                                   int count, Market market, Map<String, String> extraTags) {
        List<Tag> tags = tags(pool, extraTags);
        var request = RunInstancesRequest.builder()
                .clientToken(java.util.UUID.randomUUID().toString())
                .launchTemplate(software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification.builder()
                        .launchTemplateId(template.spec().launchTemplateId())
                        .launchTemplateName(template.spec().launchTemplateName())
                        .version(template.spec().version()).build())
                .instanceType(InstanceType.fromValue(type)).minCount(1).maxCount(count);
        if (subnet != null) {
            request.subnetId(subnet);
        }
        if (!template.carriesImage()) {
            pool.ami().ifPresent(request::imageId);
        }
        List<TagSpecification> specs = new ArrayList<>();
        specs.add(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build());
        if (market == Market.SPOT) {
            request.instanceMarketOptions(InstanceMarketOptionsRequest.builder().marketType(MarketType.SPOT)
                    .spotOptions(SpotMarketOptions.builder().spotInstanceType(SpotInstanceType.PERSISTENT)
                            .instanceInterruptionBehavior(InstanceInterruptionBehavior.STOP).build()).build());
            // The request carries the stack's tags too, so the runner may cancel only requests of this stack.
            specs.add(TagSpecification.builder().resourceType(ResourceType.SPOT_INSTANCES_REQUEST).tags(tags).build());
        }
        return request.tagSpecifications(specs).build();
    }

    /**
     * One StartInstances. {@code InsufficientInstanceCapacity} is EC2's answer when it cannot start the instance
     * for lack of capacity of its type in its zone (EC2 API reference, "Error codes": "There is not enough capacity
     * to fulfill your request ... restart a stopped instance"); it is reported as a capacity failure, for the
     * planner to launch cold instead.
     */
    @Override
    public Optional<LaunchFailure> start(String instanceId) {
        try {
            ec2.startInstances(StartInstancesRequest.builder().instanceIds(instanceId).build());
            return Optional.empty();
        } catch (AwsServiceException e) {
            return Optional.of(failure(e, ""));
        }
    }

    @Override
    public void stop(Collection<String> instanceIds) {
        if (!instanceIds.isEmpty()) {
            ec2.stopInstances(StopInstancesRequest.builder().instanceIds(instanceIds).build());
        }
    }

    /**
     * Terminates the instances. Where a pool keeps spot machines stopped, first cancels the persistent spot requests of
     * those instances: terminating an instance of a persistent request that is still open makes EC2 launch a
     * replacement ("Spot Instance requests": a persistent request "remains active until it expires or you cancel
     * it"; "Cancel a Spot Instance request": cancelling does not terminate the instance).
     */
    @Override
    public void terminate(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return;
        }
        if (persistentSpot.getAsBoolean()) {
            cancelPersistentRequests(instanceIds);
        }
        try {
            ec2.terminateInstances(TerminateInstancesRequest.builder().instanceIds(instanceIds).build());
        } catch (AwsServiceException e) {
            if (e.awsErrorDetails() == null || !"InvalidInstanceID.NotFound".equals(e.awsErrorDetails().errorCode())) {
                throw e;
            }
        }
    }

    private void cancelPersistentRequests(Collection<String> instanceIds) {
        List<String> requests = new ArrayList<>();
        try {
            ec2.describeInstancesPaginator(DescribeInstancesRequest.builder().instanceIds(instanceIds).build())
                    .reservations().forEach(r -> r.instances().forEach(i -> {
                        if (i.spotInstanceRequestId() != null && i.tags().stream()
                                .anyMatch(t -> t.key().equals(Fleet.REFILL_TAG))) {
                            requests.add(i.spotInstanceRequestId());
                        }
                    }));
        } catch (AwsServiceException e) {
            if (e.awsErrorDetails() == null || !"InvalidInstanceID.NotFound".equals(e.awsErrorDetails().errorCode())) {
                throw e;
            }
        }
        if (!requests.isEmpty()) {
            ec2.cancelSpotInstanceRequests(CancelSpotInstanceRequestsRequest.builder()
                    .spotInstanceRequestIds(requests).build());
        }
    }

    @Override
    public List<FleetInstance> describeManaged() {
        var request = DescribeInstancesRequest.builder().filters(
                Filter.builder().name("tag:" + Tags.STACK).values(stack).build(),
                Filter.builder().name("instance-state-name")
                        .values("pending", "running", "stopping", "stopped", "shutting-down").build()).build();
        List<FleetInstance> result = new ArrayList<>();
        ec2.describeInstancesPaginator(request).reservations().forEach(r -> r.instances().forEach(i -> {
            String pool = i.tags().stream().filter(t -> t.key().equals(Tags.POOL)).map(Tag::value).findFirst()
                    .orElse("");
            boolean ready = i.tags().stream().anyMatch(t -> t.key().equals(Fleet.READY_TAG));
            result.add(new FleetInstance(i.instanceId(), pool, i.state().nameAsString(),
                    i.launchTime() == null ? Instant.EPOCH : i.launchTime(),
                    i.imageId() == null ? "" : i.imageId(), ready));
        }));
        return result;
    }

    static LaunchFailure.Kind kind(String code) {
        if (code == null) {
            return LaunchFailure.Kind.OTHER;
        }
        return switch (code) {
            case "InsufficientInstanceCapacity", "MaxSpotInstanceCountExceeded", "UnfulfillableCapacity",
                 "InsufficientCapacity", "SpotMaxPriceTooLow", "capacity-not-available" -> LaunchFailure.Kind.CAPACITY;
            case "VcpuLimitExceeded", "InstanceLimitExceeded", "MaxFleetCountExceeded" -> LaunchFailure.Kind.QUOTA;
            case "RequestLimitExceeded", "Throttling" -> LaunchFailure.Kind.THROTTLED;
            // InvalidFleetConfiguration: an override the zone cannot serve (the type is not offered there).
            case "InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound",
                 "InvalidParameterValue", "InvalidSubnetID.NotFound", "InvalidAMIID.NotFound",
                 "UnauthorizedOperation", "InvalidFleetConfiguration" -> LaunchFailure.Kind.CONFIG;
            default -> LaunchFailure.Kind.OTHER;
        };
    }
}
