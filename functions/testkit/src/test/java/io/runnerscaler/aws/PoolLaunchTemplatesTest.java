package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

class PoolLaunchTemplatesTest {

    private static final PoolLaunchTemplates.Inputs INPUTS =
            new PoolLaunchTemplates.Inputs("lt-base", "#!/bin/bash\necho hi\n", Optional.empty(), Forge.GITLAB);

    @Test
    void theFingerprintChangesWithEachThingAVersionIsMadeFrom() {
        String same = PoolLaunchTemplates.fingerprint("lt-0abc", 3, INPUTS);

        assertThat(PoolLaunchTemplates.fingerprint("lt-0abc", 3, INPUTS)).isEqualTo(same).startsWith("sha256:")
                .hasSize("sha256:".length() + 64);
        assertThat(List.of(
                PoolLaunchTemplates.fingerprint("lt-0abd", 3, INPUTS),
                PoolLaunchTemplates.fingerprint("lt-0abc", 4, INPUTS),
                PoolLaunchTemplates.fingerprint("lt-0abc", 3, new PoolLaunchTemplates.Inputs("lt-base",
                        "#!/bin/bash\necho ho\n", Optional.empty(), Forge.GITLAB)),
                PoolLaunchTemplates.fingerprint("lt-0abc", 3, new PoolLaunchTemplates.Inputs("lt-base",
                        INPUTS.userData(), Optional.of("ami-1"), Forge.GITLAB)),
                PoolLaunchTemplates.fingerprint("lt-0abc", 3, new PoolLaunchTemplates.Inputs("lt-base",
                        INPUTS.userData(), Optional.empty(), Forge.GITHUB))))
                .doesNotContain(same).doesNotHaveDuplicates();
    }

    @Test
    void partsAreDelimitedSoShiftingTextBetweenThemChangesTheFingerprint() {
        assertThat(PoolLaunchTemplates.fingerprint("lt-1", 23, INPUTS))
                .isNotEqualTo(PoolLaunchTemplates.fingerprint("lt-12", 3, INPUTS));
    }

    @Test
    void pruningKeepsTheNewestVersionsAndNeverTheOneJustMade() {
        assertThat(PoolLaunchTemplates.stale(List.of(1L, 2L, 3L), 4)).isEmpty();
        assertThat(PoolLaunchTemplates.stale(List.of(1L, 2L, 3L, 4L), 5)).isEmpty();
        assertThat(PoolLaunchTemplates.stale(List.of(3L, 1L, 5L, 2L, 4L, 6L, 7L), 8)).containsExactly(1L, 2L, 3L);
        assertThat(PoolLaunchTemplates.stale(List.of(), 1)).isEmpty();
    }

    @Test
    void poolTagsAreAddedToInstancesAndVolumesAndWinOverTheBaseTemplates() {
        var base = List.of(
                spec(ResourceType.VOLUME, Map.of("cost-centre", "ci", Tags.POOL, "wrong")),
                spec(ResourceType.NETWORK_INTERFACE, Map.of("team", "infra")));

        var merged = PoolLaunchTemplates.tagSpecifications(base, Map.of(Tags.POOL, "docker", Tags.FORGE, "gitlab"));

        assertThat(byType(merged)).containsOnlyKeys(ResourceType.INSTANCE, ResourceType.VOLUME,
                ResourceType.NETWORK_INTERFACE);
        assertThat(byType(merged).get(ResourceType.VOLUME)).containsOnly(Map.entry("cost-centre", "ci"),
                Map.entry(Tags.POOL, "docker"), Map.entry(Tags.FORGE, "gitlab"));
        assertThat(byType(merged).get(ResourceType.INSTANCE)).containsOnly(Map.entry(Tags.POOL, "docker"),
                Map.entry(Tags.FORGE, "gitlab"));
        assertThat(byType(merged).get(ResourceType.NETWORK_INTERFACE)).containsOnly(Map.entry("team", "infra"));
    }

    private static LaunchTemplateTagSpecificationRequest spec(ResourceType type, Map<String, String> tags) {
        return LaunchTemplateTagSpecificationRequest.builder().resourceType(type).tags(Tags.ec2(tags)).build();
    }

    private static Map<ResourceType, Map<String, String>> byType(List<LaunchTemplateTagSpecificationRequest> specs) {
        return specs.stream().collect(Collectors.toMap(LaunchTemplateTagSpecificationRequest::resourceType,
                s -> s.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value))));
    }
}
