package io.runnerscaler.aws;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet.LaunchFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateVersionRequest;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;
import software.amazon.awssdk.services.ec2.model.ModifyLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * One launch template per pool, {@code <stack>-pool-<pool>}, whose versions are the pool's base template (its
 * {@code launchTemplate}, else the stack's) plus the pool's rendered bootstrap as user-data, its {@code ami}
 * and its tags on instances and volumes. CreateFleet cannot override user-data, hence the copy.
 *
 * <p>A version is identified by a SHA-256 of what went into it (base template id and version number,
 * user-data, image, forge), kept in its description, so a new version is made only when one of those changes.
 * The answer is cached in-process: in a steady state a launch costs no launch template call; a cold start
 * costs two Describe calls per pool; a change costs one CreateLaunchTemplateVersion (a CreateLaunchTemplate
 * the first time), making it the default and deleting versions beyond the newest {@value #KEEP}. The base is
 * looked at again after {@code recheck}, so a stack update of the base template reaches warm functions.
 *
 * <p>Several functions may do this at once on a cold start: a lost race to create the template is answered
 * by reading it again, and two identical versions made at once are harmless (either is launched from).
 */
public final class PoolLaunchTemplates implements LaunchTemplates {

    /** Versions kept per pool template; a function still launching from an older one re-reads on failure. */
    static final int KEEP = 5;
    static final String DESCRIPTION_PREFIX = "runner-scaler ";

    private static final Pattern TEMPLATE_ID = Pattern.compile("lt-[0-9a-f]{8,17}");

    private final Ec2Client ec2;
    private final String stack;
    private final Optional<String> stackTemplate;
    private final Function<PoolConfig, String> userData;
    private final Clock clock;
    private final Duration recheck;
    private final EventLog log;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param stackTemplate the stack's runner template (id or name), for pools that name none
     * @param userData      renders a pool's bootstrap script; throws for a pool it cannot render
     * @param recheck       how long a resolved version is used before the base template is read again
     */
    public PoolLaunchTemplates(Ec2Client ec2, String stack, Optional<String> stackTemplate,
                               Function<PoolConfig, String> userData, Clock clock, Duration recheck, EventLog log) {
        this.ec2 = ec2;
        this.stack = stack;
        this.stackTemplate = stackTemplate;
        this.userData = userData;
        this.clock = clock;
        this.recheck = recheck;
        this.log = log;
    }

    /** What a version is made from; a different value means a different version. */
    record Inputs(String base, String userData, Optional<String> ami, Forge forge) {
    }

    private record Cached(Inputs inputs, Version version, Instant checkedAt) {
    }

    @Override
    public Version forPool(PoolConfig pool) {
        Inputs inputs = inputs(pool);
        Instant now = clock.instant();
        Cached cached = cache.get(pool.name());
        if (cached != null && cached.inputs().equals(inputs) && now.isBefore(cached.checkedAt().plus(recheck))) {
            return cached.version();
        }
        Version version;
        try {
            version = resolve(pool, inputs);
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "Unknown" : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            throw unusable(pool, Ec2Fleet.kind(code), code, "launch template for pool '" + pool.name() + "': "
                    + message);
        } catch (SdkClientException e) {
            throw unusable(pool, LaunchFailure.Kind.OTHER, "ClientError", "launch template for pool '"
                    + pool.name() + "': " + e.getMessage());
        }
        cache.put(pool.name(), new Cached(inputs, version, now));
        return version;
    }

    @Override
    public void forget(PoolConfig pool) {
        cache.remove(pool.name());
    }

    /** The managed template's name for a pool; "-pool-" keeps it apart from the stack's own {@code <stack>-runner}. */
    String templateName(PoolConfig pool) {
        return stack + "-pool-" + pool.name();
    }

    private Inputs inputs(PoolConfig pool) {
        String base = !pool.launchTemplate().isEmpty() ? pool.launchTemplate() : stackTemplate.orElseThrow(() ->
                unusable(pool, LaunchFailure.Kind.CONFIG, "NoLaunchTemplate", "pool '" + pool.name()
                        + "': launchTemplate is not set and the stack names no runner launch template"
                        + " (RUNNER_SCALER_LAUNCH_TEMPLATE_ID)"));
        String script;
        try {
            script = userData.apply(pool);
        } catch (RuntimeException e) {
            throw unusable(pool, LaunchFailure.Kind.CONFIG, "UserData", e.getMessage());
        }
        return new Inputs(base, script, pool.ami(), pool.forge());
    }

    private Unusable unusable(PoolConfig pool, LaunchFailure.Kind kind, String code, String message) {
        log.warn("launch_template.unusable", Map.of("pool", pool.name(), "reason", kind.name(), "code", code,
                "detail", message));
        return new Unusable(new LaunchFailure(kind, code, message));
    }

    private Version resolve(PoolConfig pool, Inputs inputs) {
        LaunchTemplateVersion base = ec2.describeLaunchTemplateVersions(baseRequest(inputs.base()))
                .launchTemplateVersions().get(0);
        String description = DESCRIPTION_PREFIX + fingerprint(base.launchTemplateId(), base.versionNumber(), inputs);
        String name = templateName(pool);
        Optional<List<LaunchTemplateVersion>> existing = versions(name);
        Optional<Version> found = existing.flatMap(vs -> matching(vs, description));
        if (found.isPresent()) {
            return found.get();
        }
        RequestLaunchTemplateData data = data(base, pool, inputs);
        if (existing.isEmpty()) {
            try {
                var created = ec2.createLaunchTemplate(CreateLaunchTemplateRequest.builder().launchTemplateName(name)
                        .versionDescription(description).launchTemplateData(data)
                        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.LAUNCH_TEMPLATE)
                                .tags(Tags.ec2(Tags.forPool(stack, pool))).build())
                        .build()).launchTemplate();
                log.info("launch_template.created", Map.of("pool", pool.name(), "template",
                        created.launchTemplateId(), "version", created.latestVersionNumber()));
                return version(created.launchTemplateId(), created.latestVersionNumber());
            } catch (AwsServiceException e) {
                if (e.awsErrorDetails() == null
                        || !"InvalidLaunchTemplateName.AlreadyExistsException".equals(e.awsErrorDetails().errorCode())) {
                    throw e;
                }
                // Another function created it first: use its version if it is the same content.
                existing = versions(name);
                found = existing.flatMap(vs -> matching(vs, description));
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        List<LaunchTemplateVersion> previous = existing.orElse(List.of());
        String templateId = previous.isEmpty() ? null : previous.get(0).launchTemplateId();
        var request = CreateLaunchTemplateVersionRequest.builder().versionDescription(description)
                .launchTemplateData(data);
        var made = ec2.createLaunchTemplateVersion(templateId != null ? request.launchTemplateId(templateId).build()
                : request.launchTemplateName(name).build()).launchTemplateVersion();
        log.info("launch_template.version_created", Map.of("pool", pool.name(), "template",
                made.launchTemplateId(), "version", made.versionNumber()));
        retire(made, previous.stream().map(LaunchTemplateVersion::versionNumber).toList());
        return version(made.launchTemplateId(), made.versionNumber());
    }

    /**
     * Makes the new version the default (what the console and a manual launch use) and deletes the old ones
     * beyond {@link #KEEP}. Housekeeping: a failure here does not stop the launch (the emulator, moto 5.2,
     * has no DeleteLaunchTemplateVersions, so there versions accumulate).
     */
    private void retire(LaunchTemplateVersion made, List<Long> previous) {
        try {
            ec2.modifyLaunchTemplate(ModifyLaunchTemplateRequest.builder().launchTemplateId(made.launchTemplateId())
                    .defaultVersion(Long.toString(made.versionNumber())).build());
            List<Long> stale = stale(previous, made.versionNumber());
            if (!stale.isEmpty()) {
                ec2.deleteLaunchTemplateVersions(DeleteLaunchTemplateVersionsRequest.builder()
                        .launchTemplateId(made.launchTemplateId())
                        .versions(stale.stream().map(String::valueOf).toList()).build());
            }
        } catch (AwsServiceException | SdkClientException e) {
            log.warn("launch_template.prune_failed", Map.of("template", made.launchTemplateId(),
                    "error", e.getClass().getSimpleName()));
        }
    }

    /** Versions to delete once {@code newest} is the default: all but the newest {@link #KEEP}. */
    static List<Long> stale(List<Long> previous, long newest) {
        return previous.stream().filter(v -> v != newest).sorted(Comparator.reverseOrder())
                .skip(KEEP - 1L).sorted().toList();
    }

    private static DescribeLaunchTemplateVersionsRequest baseRequest(String base) {
        var request = DescribeLaunchTemplateVersionsRequest.builder().versions("$Latest");
        return (TEMPLATE_ID.matcher(base).matches() ? request.launchTemplateId(base) : request.launchTemplateName(base))
                .build();
    }

    /** Every version of the managed template, or empty when it does not exist yet. */
    private Optional<List<LaunchTemplateVersion>> versions(String name) {
        try {
            List<LaunchTemplateVersion> all = new ArrayList<>();
            ec2.describeLaunchTemplateVersionsPaginator(DescribeLaunchTemplateVersionsRequest.builder()
                    .launchTemplateName(name).build()).forEach(page -> all.addAll(page.launchTemplateVersions()));
            return Optional.of(all);
        } catch (AwsServiceException e) {
            if (e.awsErrorDetails() != null
                    && "InvalidLaunchTemplateName.NotFoundException".equals(e.awsErrorDetails().errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Optional<Version> matching(List<LaunchTemplateVersion> versions, String description) {
        return versions.stream().filter(v -> description.equals(v.versionDescription()))
                .max(Comparator.comparing(LaunchTemplateVersion::versionNumber))
                .map(v -> version(v.launchTemplateId(), v.versionNumber()));
    }

    private static Version version(String templateId, long number) {
        return new Version(FleetLaunchTemplateSpecificationRequest.builder().launchTemplateId(templateId)
                .version(Long.toString(number)).build(), true);
    }

    private RequestLaunchTemplateData data(LaunchTemplateVersion base, PoolConfig pool, Inputs inputs) {
        RequestLaunchTemplateData.Builder data = LaunchTemplateDataCopy.toRequest(base.launchTemplateData());
        data.userData(Base64.getEncoder().encodeToString(inputs.userData().getBytes(StandardCharsets.UTF_8)));
        inputs.ami().ifPresent(data::imageId);
        data.tagSpecifications(tagSpecifications(data.build().tagSpecifications(), Tags.forPool(stack, pool)));
        return data.build();
    }

    /** The base's tag specifications with the pool's tags added on instances and volumes (ours win). */
    static List<LaunchTemplateTagSpecificationRequest> tagSpecifications(
            List<LaunchTemplateTagSpecificationRequest> base, Map<String, String> poolTags) {
        var byType = new LinkedHashMap<ResourceType, Map<String, String>>();
        byType.put(ResourceType.INSTANCE, new LinkedHashMap<>());
        byType.put(ResourceType.VOLUME, new LinkedHashMap<>());
        List<LaunchTemplateTagSpecificationRequest> others = new ArrayList<>();
        for (LaunchTemplateTagSpecificationRequest spec : base) {
            Map<String, String> tags = byType.get(spec.resourceType());
            if (tags == null) {
                others.add(spec);
            } else {
                spec.tags().forEach(t -> tags.put(t.key(), t.value()));
            }
        }
        List<LaunchTemplateTagSpecificationRequest> result = new ArrayList<>();
        byType.forEach((type, tags) -> {
            tags.putAll(poolTags);
            result.add(LaunchTemplateTagSpecificationRequest.builder().resourceType(type).tags(Tags.ec2(tags)).build());
        });
        result.addAll(others);
        return result;
    }

    /** SHA-256 over everything a version is made from, so equal inputs find the version made before. */
    static String fingerprint(String baseTemplateId, long baseVersion, Inputs inputs) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {baseTemplateId, Long.toString(baseVersion), inputs.forge().id(),
                    inputs.ami().orElse(""), inputs.userData()}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                sha.update(bytes);
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
