package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.runner.BootstrapSettings;
import io.runnerscaler.core.runner.UserData;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FaultProxy;
import io.runnerscaler.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateEbsBlockDeviceRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateHttpTokensState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateIamInstanceProfileSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataTagsState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceNetworkInterfaceSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * Per-pool launch template versions against the emulator: machines boot with their pool's rendered bootstrap,
 * the base template's settings survive, and a steady state makes no launch template call.
 */
class PoolLaunchTemplatesIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    static final String STACK = "stack-lt";
    static final String PROFILE_ARN = "arn:aws:iam::123456789012:instance-profile/runner";
    static final String SECURITY_GROUP = "sg-0123456789abcdef0";
    static final BootstrapSettings BOOTSTRAP = new BootstrapSettings("https://gitlab.example.com",
            "alpine:3.20", "stack-lt-bootstrap-secrets", Duration.ofHours(1), Duration.ofHours(24),
            Duration.ofMinutes(10));

    @RegisterExtension
    static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();
    private final UserData userData = new UserData();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T09:00:00Z"));
    private AwsClients aws;
    private String baseTemplateId;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        proxy.clear();
        aws = AwsClients.create(AwsEmulator.REGION, Optional.of(proxy.endpoint()));
        baseTemplateId = aws.ec2().createLaunchTemplate(CreateLaunchTemplateRequest.builder()
                .launchTemplateName(STACK + "-runner")
                .launchTemplateData(RequestLaunchTemplateData.builder().imageId(images().get(0))
                        .iamInstanceProfile(LaunchTemplateIamInstanceProfileSpecificationRequest.builder()
                                .arn(PROFILE_ARN).build())
                        .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                        .metadataOptions(LaunchTemplateInstanceMetadataOptionsRequest.builder()
                                .httpTokens(LaunchTemplateHttpTokensState.REQUIRED).httpPutResponseHopLimit(2)
                                .instanceMetadataTags(LaunchTemplateInstanceMetadataTagsState.ENABLED).build())
                        .networkInterfaces(LaunchTemplateInstanceNetworkInterfaceSpecificationRequest.builder()
                                .deviceIndex(0).associatePublicIpAddress(false).deleteOnTermination(true)
                                .groups(SECURITY_GROUP).build())
                        .blockDeviceMappings(LaunchTemplateBlockDeviceMappingRequest.builder().deviceName("/dev/xvda")
                                .ebs(LaunchTemplateEbsBlockDeviceRequest.builder().volumeType(VolumeType.GP3)
                                        .volumeSize(40).encrypted(true).deleteOnTermination(true).build()).build())
                        .tagSpecifications(LaunchTemplateTagSpecificationRequest.builder()
                                .resourceType(ResourceType.VOLUME).tags(tag("cost-centre", "ci")).build())
                        .build())
                .build()).launchTemplate().launchTemplateId();
        proxy.clear(); // count only what the code under test calls
    }

    @Test
    void aGitLabMachineBootsWithItsPoolsRenderedBootstrap() {
        PoolConfig pool = gitlab(3);
        Fleet.LaunchResult result = fleet(templates()).launch(pool, 1, Market.ON_DEMAND, Map.of(Tags.JOB, "gitlab:7"));

        assertThat(result.failure()).isEmpty();
        String script = instanceUserData(result.launched().get(0).instanceId());
        assertThat(script).isEqualTo(render(pool))
                .contains("TOKEN_PARAMETER='/stack-lt/docker/token'").contains("MAX_BUILDS='3'")
                .contains("GITLAB_URL='https://gitlab.example.com'");
        assertThat(proxy.ec2Bodies("CreateFleet").get(0)).doesNotContain("LaunchTemplateName=")
                .contains("LaunchTemplateSpecification.Version=1");
    }

    @Test
    void theBaseTemplatesSettingsSurviveIntoThePoolsVersion() {
        fleet(templates()).launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());

        LaunchTemplateVersion version = poolVersions("docker").get(0);
        ResponseLaunchTemplateData data = version.launchTemplateData();
        assertThat(data.metadataOptions().httpTokens()).isEqualTo(LaunchTemplateHttpTokensState.REQUIRED);
        assertThat(data.metadataOptions().httpPutResponseHopLimit()).isEqualTo(2);
        assertThat(data.metadataOptions().instanceMetadataTags())
                .isEqualTo(LaunchTemplateInstanceMetadataTagsState.ENABLED);
        assertThat(data.instanceInitiatedShutdownBehavior()).isEqualTo(ShutdownBehavior.TERMINATE);
        assertThat(data.iamInstanceProfile().arn()).isEqualTo(PROFILE_ARN);
        assertThat(data.networkInterfaces()).singleElement().satisfies(n -> {
            assertThat(n.groups()).containsExactly(SECURITY_GROUP);
            assertThat(n.associatePublicIpAddress()).isFalse();
        });
        assertThat(data.blockDeviceMappings()).singleElement().satisfies(b -> {
            assertThat(b.ebs().encrypted()).isTrue();
            assertThat(b.ebs().volumeSize()).isEqualTo(40);
            assertThat(b.ebs().volumeTypeAsString()).isEqualTo("gp3");
        });
        assertThat(data.imageId()).isEqualTo(images().get(0));
        assertThat(version.versionDescription()).startsWith("runner-scaler sha256:");
        assertThat(new String(Base64.getDecoder().decode(data.userData()), StandardCharsets.UTF_8))
                .isEqualTo(render(gitlab(0)));
    }

    @Test
    void volumesCarryThePoolsTagsAndTheBaseTemplatesOwn() {
        var result = fleet(templates()).launch(gitlab(0), 1, Market.ON_DEMAND, Map.of(Tags.JOB, "gitlab:9"));

        String instanceId = result.launched().get(0).instanceId();
        var volumes = aws.ec2().describeVolumes(DescribeVolumesRequest.builder().filters(
                Filter.builder().name("attachment.instance-id").values(instanceId).build()).build()).volumes();
        assertThat(volumes).isNotEmpty().allSatisfy(v -> assertThat(tags(v.tags()))
                .containsEntry(Tags.POOL, "docker").containsEntry(Tags.FORGE, "gitlab")
                .containsEntry(Tags.STACK, STACK).containsEntry(Tags.MANAGED_BY, "runner-scaler")
                .containsEntry("cost-centre", "ci"));
        assertThat(tags(instance(instanceId).tags())).containsEntry(Tags.JOB, "gitlab:9")
                .containsEntry(Tags.POOL, "docker");
    }

    @Test
    void aSecondLaunchWithTheSameConfigMakesNoLaunchTemplateCall() {
        Ec2Fleet fleet = fleet(templates());
        fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());
        assertThat(launchTemplateCalls()).containsEntry("CreateLaunchTemplate", 1)
                .containsEntry("CreateLaunchTemplateVersion", 0);
        proxy.clear();

        fleet.launch(gitlab(0), 2, Market.ON_DEMAND, Map.of());

        assertThat(launchTemplateCalls()).allSatisfy((action, calls) -> assertThat(calls).as(action).isZero());
        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
    }

    @Test
    void aColdStartWithUnchangedConfigReadsTwiceAndCreatesNothing() {
        fleet(templates()).launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());
        proxy.clear();

        var result = fleet(templates()).launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());

        assertThat(result.failure()).isEmpty();
        assertThat(launchTemplateCalls()).containsEntry("DescribeLaunchTemplateVersions", 2)
                .containsEntry("CreateLaunchTemplate", 0).containsEntry("CreateLaunchTemplateVersion", 0);
        assertThat(poolVersions("docker")).hasSize(1);
    }

    @Test
    void aConfigChangeMakesExactlyOneNewVersionWhichTheNextMachineBootsWith() {
        Ec2Fleet fleet = fleet(templates());
        fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());
        proxy.clear();

        var result = fleet.launch(gitlab(5), 1, Market.ON_DEMAND, Map.of());
        fleet.launch(gitlab(5), 1, Market.ON_DEMAND, Map.of());

        assertThat(launchTemplateCalls()).containsEntry("CreateLaunchTemplateVersion", 1)
                .containsEntry("CreateLaunchTemplate", 0);
        assertThat(poolVersions("docker")).hasSize(2);
        assertThat(instanceUserData(result.launched().get(0).instanceId())).contains("MAX_BUILDS='5'");
        assertThat(proxy.ec2Bodies("CreateFleet")).allMatch(b -> b.contains("LaunchTemplateSpecification.Version=2"));
    }

    @Test
    void aChangedBaseTemplateReachesAWarmFunctionAfterTheRecheckInterval() {
        Ec2Fleet fleet = fleet(templates());
        fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());
        String newImage = images().get(1);
        aws.ec2().createLaunchTemplateVersion(b -> b.launchTemplateId(baseTemplateId).launchTemplateData(
                LaunchTemplateDataCopy.toRequest(baseData()).imageId(newImage).build()));

        fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());
        assertThat(poolVersions("docker")).hasSize(1);
        clock.advance(Duration.ofMinutes(6));
        var result = fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());

        assertThat(poolVersions("docker")).hasSize(2);
        assertThat(instance(result.launched().get(0).instanceId()).imageId()).isEqualTo(newImage);
    }

    @Test
    void aLaunchFromATemplateThatIsGoneIsRetriedFromAFreshLookUp() {
        Ec2Fleet fleet = fleet(templates());
        fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());
        aws.ec2().deleteLaunchTemplate(b -> b.launchTemplateName(STACK + "-pool-docker"));

        var failed = fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());
        var next = fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());

        assertThat(failed.failure()).hasValueSatisfying(f -> assertThat(f.code()).startsWith("InvalidLaunchTemplate"));
        assertThat(next.failure()).isEmpty();
        assertThat(next.launched()).hasSize(1);
        assertThat(proxy.ec2Calls("CreateLaunchTemplate")).isEqualTo(2);
    }

    @Test
    void aPoolWithAnAmiBootsThatImage() {
        String image = images().get(2);
        PoolConfig pool = withAmi(gitlab(0), image);

        var result = fleet(templates()).launch(pool, 1, Market.ON_DEMAND, Map.of());

        assertThat(instance(result.launched().get(0).instanceId()).imageId()).isEqualTo(image);
        assertThat(poolVersions("docker").get(0).launchTemplateData().imageId()).isEqualTo(image);
        assertThat(proxy.ec2Bodies("CreateFleet").get(0)).doesNotContain("ImageId");
    }

    /**
     * The stack's template names its image as {@code resolve:ssm:<parameter>} (infra-sam/template.yaml), which EC2
     * resolves at each launch. The copy must keep the parameter, not the AMI it points to today: on AWS,
     * DescribeLaunchTemplateVersions answers the parameter unless asked to ResolveAlias (API reference,
     * ResponseLaunchTemplateData.ImageId), so the pool's version would otherwise freeze one image. The emulator
     * (moto 5.2) stores the text and ignores ResolveAlias, so what it shows is that the text survives the copy
     * and that the request does not ask for resolution; that EC2 resolves it is a first-deploy check.
     */
    @Test
    void aBaseImageNamedByAnSsmParameterStaysAParameterInThePoolsVersion() {
        useBaseImage(X86_IMAGE_PARAMETER);

        var result = fleet(templates()).launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());

        assertThat(result.failure()).isEmpty();
        assertThat(poolVersions("docker").get(0).launchTemplateData().imageId()).isEqualTo(X86_IMAGE_PARAMETER);
        assertThat(proxy.ec2Bodies("DescribeLaunchTemplateVersions")).isNotEmpty()
                .noneMatch(body -> body.contains("ResolveAlias"));
        assertThat(proxy.ec2Bodies("CreateFleet").get(0)).doesNotContain("ImageId");
    }

    @Test
    void aPoolsOwnImageParameterOverridesTheBaseImageParameter() {
        useBaseImage(X86_IMAGE_PARAMETER);
        String arm64 = "resolve:ssm:/runner-scaler-image/arm64";

        var result = fleet(templates()).launch(withAmi(gitlab(0), arm64), 1, Market.ON_DEMAND, Map.of());

        assertThat(result.failure()).isEmpty();
        assertThat(poolVersions("docker").get(0).launchTemplateData().imageId()).isEqualTo(arm64);
    }

    @Test
    void aGitHubMachineGetsTheSecretsTableToReadItsJitConfigFrom() {
        PoolConfig pool = pool("linux-x64", Forge.GITHUB, 1, Optional.empty(), "");

        var result = fleet(templates()).launch(pool, 1, Market.ON_DEMAND, Map.of());

        assertThat(instanceUserData(result.launched().get(0).instanceId())).isEqualTo(render(pool))
                .contains("SECRETS_TABLE='stack-lt-bootstrap-secrets'").contains("POOL='linux-x64'");
    }

    @Test
    void aPoolNamingItsOwnTemplateIsBuiltOnIt() {
        String own = new Provisioner(aws).launchTemplate("team-runner");
        PoolConfig pool = pool("team", Forge.GITLAB, 0, Optional.of("/stack-lt/team/token"), "team-runner");

        var result = fleet(templates()).launch(pool, 1, Market.ON_DEMAND, Map.of());

        assertThat(result.failure()).isEmpty();
        assertThat(poolVersions("team").get(0).launchTemplateData().blockDeviceMappings())
                .singleElement().satisfies(b -> assertThat(b.ebs().volumeSize()).isEqualTo(30));
        assertThat(own).startsWith("lt-");
    }

    @Test
    void aGitLabPoolWithoutATokenParameterIsAConfigFailureForThatPoolOnly() {
        PoolConfig broken = pool("broken", Forge.GITLAB, 0, Optional.empty(), "");
        Ec2Fleet fleet = fleet(templates());

        var failed = fleet.launch(broken, 2, Market.ON_DEMAND, Map.of());
        var fine = fleet.launch(gitlab(0), 1, Market.ON_DEMAND, Map.of());

        assertThat(failed.launched()).isEmpty();
        assertThat(failed.failure()).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(Fleet.LaunchFailure.Kind.CONFIG);
            assertThat(f.code()).isEqualTo("UserData");
            assertThat(f.message()).isEqualTo("pool 'broken': tokenParameter is required for GitLab pools");
        });
        assertThat(fine.launched()).hasSize(1);
        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
    }

    @Test
    void aMissingBaseTemplateIsAConfigFailureNamingIt() {
        PoolConfig pool = pool("docker", Forge.GITLAB, 0, Optional.of("/t"), "no-such-template");

        var result = fleet(templates()).launch(pool, 1, Market.ON_DEMAND, Map.of());

        assertThat(result.failure()).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(Fleet.LaunchFailure.Kind.CONFIG);
            assertThat(f.code()).isEqualTo("InvalidLaunchTemplateName.NotFoundException");
            assertThat(f.message()).startsWith("launch template for pool 'docker': ");
        });
        assertThat(proxy.ec2Calls("CreateFleet")).isZero();
    }

    @Test
    void concurrentColdStartsAllLaunchFromOneTemplate() throws Exception {
        int functions = 6;
        var pool = Executors.newFixedThreadPool(functions);
        List<Callable<LaunchTemplates.Version>> calls = new ArrayList<>();
        for (int i = 0; i < functions; i++) {
            PoolLaunchTemplates own = templates();
            calls.add(() -> own.forPool(gitlab(0)));
        }
        List<LaunchTemplates.Version> versions = new ArrayList<>();
        for (Future<LaunchTemplates.Version> f : pool.invokeAll(calls)) {
            versions.add(f.get());
        }
        pool.shutdown();

        String templateId = poolVersions("docker").get(0).launchTemplateId();
        assertThat(versions).allSatisfy(v -> assertThat(v.spec().launchTemplateId()).isEqualTo(templateId));
        assertThat(proxy.ec2Calls("CreateLaunchTemplate")).isBetween(1, functions);
    }

    // ---------------------------------------------------------------- helpers

    static final String X86_IMAGE_PARAMETER = "resolve:ssm:/runner-scaler-image/x86_64";

    /** A new latest version of the stack's base template that names its image as {@code image}. */
    private void useBaseImage(String image) {
        aws.ec2().createLaunchTemplateVersion(b -> b.launchTemplateId(baseTemplateId).launchTemplateData(
                LaunchTemplateDataCopy.toRequest(baseData()).imageId(image).build()));
        proxy.clear();
    }

    private PoolLaunchTemplates templates() {
        Function<PoolConfig, String> render = this::render;
        return new PoolLaunchTemplates(aws.ec2(), STACK, Optional.of(baseTemplateId), render, clock,
                Duration.ofMinutes(5), EventLog.NONE);
    }

    private Ec2Fleet fleet(LaunchTemplates templates) {
        return new Ec2Fleet(aws.ec2(), STACK, List.of(), templates);
    }

    private String render(PoolConfig pool) {
        return userData.render(pool, BOOTSTRAP);
    }

    private Map<String, Integer> launchTemplateCalls() {
        return List.of("DescribeLaunchTemplateVersions", "DescribeLaunchTemplates", "CreateLaunchTemplate",
                        "CreateLaunchTemplateVersion", "ModifyLaunchTemplate", "DeleteLaunchTemplateVersions").stream()
                .collect(Collectors.toMap(a -> a, proxy::ec2Calls));
    }

    private List<LaunchTemplateVersion> poolVersions(String pool) {
        return aws.ec2().describeLaunchTemplateVersions(DescribeLaunchTemplateVersionsRequest.builder()
                .launchTemplateName(STACK + "-pool-" + pool).build()).launchTemplateVersions();
    }

    private ResponseLaunchTemplateData baseData() {
        return aws.ec2().describeLaunchTemplateVersions(DescribeLaunchTemplateVersionsRequest.builder()
                .launchTemplateId(baseTemplateId).versions("$Latest").build()).launchTemplateVersions().get(0)
                .launchTemplateData();
    }

    private String instanceUserData(String instanceId) {
        String encoded = aws.ec2().describeInstanceAttribute(DescribeInstanceAttributeRequest.builder()
                .instanceId(instanceId).attribute(InstanceAttributeName.USER_DATA).build()).userData().value();
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    private Instance instance(String instanceId) {
        return aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(instanceId).build())
                .reservations().get(0).instances().get(0);
    }

    private List<String> images() {
        return aws.ec2().describeImages(DescribeImagesRequest.builder().owners("amazon").filters(
                        Filter.builder().name("name").values("amzn2-ami-hvm-*").build(),
                        Filter.builder().name("architecture").values("x86_64").build()).build())
                .images().stream().map(Image::imageId).sorted().toList();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static Map<String, String> tags(List<Tag> tags) {
        return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value));
    }

    static PoolConfig gitlab(int maxBuilds) {
        return pool("docker", Forge.GITLAB, maxBuilds, Optional.of("/stack-lt/docker/token"), "");
    }

    static PoolConfig pool(String name, Forge forge, int maxBuilds, Optional<String> token, String launchTemplate) {
        return new PoolConfig(name, forge, Set.of(), true, List.of("m6i.large"), List.of(), launchTemplate,
                Optional.empty(), MarketPolicy.ON_DEMAND, 6, new IdleSettings(0, 0, 0, Duration.ofMinutes(5)), 0,
                maxBuilds, List.of(), ZoneOffset.UTC, token, Duration.ofMinutes(10));
    }

    static PoolConfig withAmi(PoolConfig p, String ami) {
        return new PoolConfig(p.name(), p.forge(), p.labels(), p.runUntagged(), p.instanceTypes(), p.subnets(),
                p.launchTemplate(), Optional.of(ami), p.market(), p.limit(), p.idle(), p.maxGrowthRate(),
                p.maxBuilds(), p.periods(), p.timezone(), p.tokenParameter(), p.bootTimeout());
    }
}
