package io.runnerscaler.core.matching;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PoolMatcherTest {

    private static PoolConfig pool(String name, Forge forge, Set<String> labels, boolean runUntagged,
                                   String instanceType) {
        return new PoolConfig(name, forge, labels, runUntagged, List.of(instanceType), List.of(), "lt", Optional.empty(),
                MarketPolicy.SPOT, 5, new IdleSettings(0, 0, 0, Duration.ofMinutes(5)), 0, 0, List.of(),
                ZoneOffset.UTC, Optional.empty(), Duration.ofMinutes(10));
    }

    /** Pools in config order; names say what they are. */
    private static final List<PoolConfig> POOLS = List.of(
            pool("gl-docker-untagged", Forge.GITLAB, Set.of("docker", "linux"), true, "m7i.large"),
            pool("gl-docker", Forge.GITLAB, Set.of("docker"), false, "m7i.large"),
            pool("gl-docker-gpu", Forge.GITLAB, Set.of("docker", "gpu"), false, "g5.xlarge"),
            pool("gh-x64", Forge.GITHUB, Set.of("build"), false, "m7i.large"),
            pool("gh-arm", Forge.GITHUB, Set.of("build"), false, "m7g.large"),
            pool("gh-arm-big", Forge.GITHUB, Set.of("Build", "Big"), false, "c6gn.4xlarge"),
            pool("gh-windows", Forge.GITHUB, Set.of("windows", "build"), false, "m7i.large"));

    static Stream<Arguments> cases() {
        return Stream.of(
                // behaviour, forge, job labels, expected pool or unmatched reason
                Arguments.of("gitlabJobTagsMustAllBeAmongPoolLabels", Forge.GITLAB, Set.of("docker", "gpu"),
                        "gl-docker-gpu"),
                Arguments.of("gitlabMostSpecificPoolWinsFewestLabels", Forge.GITLAB, Set.of("docker"), "gl-docker"),
                Arguments.of("gitlabUntaggedJobGoesOnlyToRunUntaggedPools", Forge.GITLAB, Set.of(),
                        "gl-docker-untagged"),
                Arguments.of("gitlabTagsAreCaseSensitive", Forge.GITLAB, Set.of("Docker"), "LABELS_NOT_COVERED"),
                Arguments.of("gitlabTagNoPoolHas", Forge.GITLAB, Set.of("docker", "windows"), "LABELS_NOT_COVERED"),
                Arguments.of("githubSelfHostedLinuxX64AreImplied", Forge.GITHUB,
                        Set.of("self-hosted", "linux", "x64", "build"), "gh-x64"),
                Arguments.of("githubArm64ImpliedByGravitonInstances", Forge.GITHUB,
                        Set.of("self-hosted", "linux", "ARM64", "build"), "gh-arm"),
                Arguments.of("githubLabelsAreCaseInsensitive", Forge.GITHUB, Set.of("BUILD", "big"), "gh-arm-big"),
                Arguments.of("githubConfigOrderBreaksTies", Forge.GITHUB, Set.of("build"), "gh-x64"),
                Arguments.of("githubPoolListingAnOsUsesIt", Forge.GITHUB, Set.of("self-hosted", "windows"),
                        "gh-windows"),
                Arguments.of("githubPoolListingAnOsDoesNotImplyLinux", Forge.GITHUB,
                        Set.of("windows", "linux", "build"), "LABELS_NOT_COVERED"),
                Arguments.of("githubHostedLabelMatchesNoPool", Forge.GITHUB, Set.of("ubuntu-latest"),
                        "LABELS_NOT_COVERED"),
                Arguments.of("githubEmptyRunsOnIsUnmatched", Forge.GITHUB, Set.of(), "NO_LABELS"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matches(String behaviour, Forge forge, Set<String> labels, String expected) {
        MatchResult result = new PoolMatcher(POOLS).match(forge, labels);
        String actual = switch (result) {
            case MatchResult.Matched m -> m.pool().name();
            case MatchResult.Unmatched u -> u.reason().name();
        };
        assertThat(actual).as(behaviour).isEqualTo(expected);
    }

    static Stream<Arguments> unmatched() {
        return Stream.of(
                Arguments.of("noPoolForForge", List.of(POOLS.get(3)), Forge.GITLAB, Set.of("docker"),
                        UnmatchedReason.NO_POOL_FOR_FORGE, "no pool is configured for gitlab"),
                Arguments.of("untaggedWithoutRunUntagged", List.of(POOLS.get(1)), Forge.GITLAB, Set.of(),
                        UnmatchedReason.UNTAGGED_NOT_ACCEPTED, "the job has no tags and no gitlab pool has runUntagged"),
                Arguments.of("detailNamesClosestPoolAndMissingLabels", POOLS, Forge.GITLAB, Set.of("docker", "arm"),
                        UnmatchedReason.LABELS_NOT_COVERED,
                        "no gitlab pool has all of [arm, docker]; closest is 'gl-docker-untagged', which lacks [arm]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unmatched")
    void unmatchedJobsCarryAReasonAndDetail(String behaviour, List<PoolConfig> pools, Forge forge, Set<String> labels,
                                            UnmatchedReason reason, String detail) {
        assertThat(new PoolMatcher(pools).match(forge, labels)).as(behaviour)
                .isEqualTo(new MatchResult.Unmatched(reason, detail));
    }

    @org.junit.jupiter.api.Test
    void matchedResultListsTheOtherCandidatesInPreferenceOrder() {
        assertThat(new PoolMatcher(POOLS).match(Forge.GITLAB, Set.of("docker"))).isEqualTo(
                new MatchResult.Matched(POOLS.get(1), List.of("gl-docker-untagged", "gl-docker-gpu")));
    }
}
