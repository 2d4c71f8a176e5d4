package io.runnerscaler.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.model.Forge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    private static final Path EXAMPLE = Path.of("../../examples/pools.yaml");

    private final ConfigLoader loader = new ConfigLoader();

    private static final String MINIMAL = """
            pools:
              - name: docker
                labels: [docker]
                instanceTypes: [m7i.large]
                launchTemplate: lt
                limit: 3
            """;

    @Test
    void exampleConfigIsValidAndUsesEveryKnob() throws IOException {
        String yaml = Files.readString(EXAMPLE);
        ScalerConfig config = loader.parse(yaml);
        assertThat(config.pools()).extracting(PoolConfig::name)
                .containsExactly("gitlab-docker", "github-arm-large", "gitlab-release");
        for (String key : Stream.of(ConfigLoader.TOP_KEYS, ConfigLoader.POOL_KEYS, ConfigLoader.PERIOD_KEYS,
                        ConfigLoader.WATCH_KEYS)
                .flatMap(List::stream).toList()) {
            assertThat(yaml).as("example sets " + key).containsPattern("(?m)^\\s*-?\\s*" + key + ":");
        }
        PoolConfig docker = config.pools().getFirst();
        assertThat(docker.market()).isEqualTo(MarketPolicy.SPOT_WITH_FALLBACK);
        assertThat(docker.idle()).isEqualTo(new IdleSettings(2, 1, 0.5, Duration.ofMinutes(5), 2));
        assertThat(docker.periods()).hasSize(2);
        assertThat(docker.periods().get(0).idle()).isEqualTo(new IdleSettings(10, 4, 1.0, Duration.ofHours(1), 6));
        assertThat(docker.periods().get(1).schedules()).containsExactly("* * * * * sat,sun *", "* * 24-26 12 *");
        assertThat(docker.bootTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.pools().get(1).forge()).isEqualTo(Forge.GITHUB);
        assertThat(config.pools().get(1).github()).contains(GitHubTarget.organization("acme", 1));
        assertThat(config.pools().get(2).idle().idleTime()).isEqualTo(Duration.ofMinutes(90));
        assertThat(config.watch()).isEqualTo(new WatchConfig(List.of("380", "gitlab-org/gitlab-test"),
                List.of("acme/platform"), List.of("acme/app"), Duration.ofMinutes(5), Duration.ofMinutes(2), 10));
    }

    @Test
    void watchTakesProjectsAndRepositoriesWithDefaults() {
        ScalerConfig config = loader.parse(MINIMAL + """
                  - name: gh
                    forge: github
                    labels: [linux]
                    instanceTypes: [m7i.large]
                    launchTemplate: lt
                    limit: 1
                watch:
                  gitlab:
                    projects: [123, group/sub/app]
                  github:
                    repositories: [acme/app]
                """);
        assertThat(config.watch().targets()).containsExactly(new WatchConfig.Target(Forge.GITLAB, "123"),
                new WatchConfig.Target(Forge.GITLAB, "group/sub/app"), new WatchConfig.Target(Forge.GITHUB, "acme/app"));
        assertThat(config.watch().every()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.watch().pendingAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.watch().callsPerPass()).isEqualTo(10);
    }

    @Test
    void watchTakesGitLabGroupsBesideProjects() {
        ScalerConfig config = loader.parse(MINIMAL + """
                watch:
                  gitlab:
                    projects: [123]
                    groups: [acme, acme/platform/tools, 42, my_group.v2]
                """);
        assertThat(config.watch().gitlabGroups()).containsExactly("acme", "acme/platform/tools", "42", "my_group.v2");
        assertThat(config.watch().targets()).containsExactly(new WatchConfig.Target(Forge.GITLAB, "123"),
                WatchConfig.Target.group("acme"), WatchConfig.Target.group("acme/platform/tools"),
                WatchConfig.Target.group("42"), WatchConfig.Target.group("my_group.v2"));
        assertThat(WatchConfig.Target.group("acme")).hasToString("gitlab-group:acme");
        assertThat(loader.parse(MINIMAL + "watch:\n  gitlab: {groups: [acme]}\n").watch().gitlabProjects())
                .as("groups alone are enough").isEmpty();
    }

    @Test
    void anEmptyListIsReportedOnceNotAsNothingWatched() {
        assertThatThrownBy(() -> loader.parse(MINIMAL + "watch:\n  gitlab: {groups: []}\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "watch.gitlab.groups: is empty; list group ids or paths or remove watch.gitlab.groups (line 8)"));
    }

    @Test
    void withoutWatchNothingIsWatched() {
        assertThat(loader.parse(MINIMAL).watch().targets()).isEmpty();
    }

    static Stream<Arguments> invalidWatch() {
        return Stream.of(
                // behaviour, the watch section appended at line 7 of the minimal (GitLab) pool, expected problem
                Arguments.of("unknownKeySuggestsNearest", "watch:\n  gitlab: {projects: [1]}\n  evry: 5m\n",
                        "watch.evry: unknown key; did you mean 'every'? (line 9)"),
                Arguments.of("unknownForgeKey", "watch:\n  gitlab: {project: [1]}\n",
                        "watch.gitlab.project: unknown key; did you mean 'projects'? (line 8)"),
                Arguments.of("notAMapping", "watch: [1]\n",
                        "watch: must be a mapping with gitlab.projects, gitlab.groups and/or github.repositories, found a list"
                                + " (line 7)"),
                Arguments.of("nothingWatched", "watch:\n  every: 5m\n",
                        "watch: lists no gitlab.projects, no gitlab.groups and no github.repositories; list some or remove"
                                + " watch (line 7)"),
                Arguments.of("badGitLabProject", "watch:\n  gitlab: {projects: [\"my app\"]}\n",
                        "watch.gitlab.projects: 'my app' is not a project id (123) or path (group/project) (line 8)"),
                Arguments.of("badGitHubRepository", "watch:\n  github: {repositories: [app]}\n",
                        "watch.github.repositories: 'app' is not an owner/repo name (line 8)"),
                Arguments.of("duplicateProject", "watch:\n  gitlab: {projects: [1, 1]}\n",
                        "watch.gitlab.projects: lists a name more than once (line 8)"),
                Arguments.of("forgeWithoutPool", "watch:\n  github: {repositories: [acme/app]}\n",
                        "watch.github.repositories: no pool has forge github, so no job found here could get a machine;"
                                + " add such a pool or remove watch.github.repositories (line 8)"),
                Arguments.of("zeroEvery", "watch:\n  gitlab: {projects: [1]}\n  every: 0\n",
                        "watch.every: must be longer than 0s (line 9)"),
                Arguments.of("badPendingAfter", "watch:\n  gitlab: {projects: [1]}\n  pendingAfter: soon\n",
                        "watch.pendingAfter: 'soon' is not a duration"),
                Arguments.of("zeroCallsPerPass", "watch:\n  gitlab: {projects: [1]}\n  callsPerPass: 0\n",
                        "watch.callsPerPass: 0 must be at least 1 (line 9)"),
                Arguments.of("forgeNotAMapping", "watch:\n  gitlab: [1]\n",
                        "watch.gitlab: must be a mapping with projects and/or groups, found a list (line 8)"),
                Arguments.of("emptyGroups", "watch:\n  gitlab: {groups: []}\n",
                        "watch.gitlab.groups: is empty; list group ids or paths or remove watch.gitlab.groups (line 8)"),
                Arguments.of("emptyProjectsBesideGroups", "watch:\n  gitlab:\n    groups: [acme]\n    projects: []\n",
                        "watch.gitlab.projects: is empty; list project ids or paths or remove watch.gitlab.projects"
                                + " (line 10)"),
                Arguments.of("groupPathWithSpace", "watch:\n  gitlab: {groups: [\"my group\"]}\n",
                        "watch.gitlab.groups: 'my group' is not a group id (123) or path (group or group/subgroup)"
                                + " (line 8)"),
                Arguments.of("groupPathStartingWithHyphen", "watch:\n  gitlab: {groups: [acme/-platform]}\n",
                        "watch.gitlab.groups: 'acme/-platform' is not a group id (123) or path"),
                Arguments.of("groupPathEndingInDot", "watch:\n  gitlab: {groups: [acme.]}\n",
                        "watch.gitlab.groups: 'acme.' is not a group id (123) or path"),
                Arguments.of("groupPathWithEmptySegment", "watch:\n  gitlab: {groups: [acme//platform]}\n",
                        "watch.gitlab.groups: 'acme//platform' is not a group id (123) or path"),
                Arguments.of("duplicateGroup", "watch:\n  gitlab: {groups: [acme, acme]}\n",
                        "watch.gitlab.groups: lists a name more than once (line 8)"),
                Arguments.of("groupsNotAList", "watch:\n  gitlab: {groups: acme}\n",
                        "watch.gitlab.groups: must be a list, found"));
    }

    @Test
    void aPoolWithoutLaunchTemplateIsBuiltOnTheStacksTemplate() {
        PoolConfig pool = loader.parse(MINIMAL.replace("    launchTemplate: lt\n", "")).pools().getFirst();
        assertThat(pool.launchTemplate()).isEmpty();
        assertThat(pool.ami()).isEmpty();
    }

    @Test
    void minimalPoolGetsDocumentedDefaults() {
        ScalerConfig config = loader.parse(MINIMAL);
        PoolConfig pool = config.pools().getFirst();
        assertThat(config.concurrent()).isEqualTo(10);
        assertThat(pool.forge()).isEqualTo(Forge.GITLAB);
        assertThat(pool.market()).isEqualTo(MarketPolicy.ON_DEMAND);
        assertThat(pool.idle()).isEqualTo(new IdleSettings(0, 0, 0, Duration.ofMinutes(10)));
        assertThat(pool.timezone()).isEqualTo(ZoneOffset.UTC);
        assertThat(pool.bootTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(pool.stoppedMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(pool.hasStoppedPool()).isFalse();
        assertThat(pool.tokenParameter()).isEmpty();
        assertThat(pool.runUntagged()).isFalse();
    }

    @Test
    void periodInheritsWhatItLeavesOutFromItsPool() {
        ScalerConfig config = loader.parse(MINIMAL + """
                    idleCount: 2
                    idleCountMin: 1
                    idleScaleFactor: 0.5
                    idleTime: 5m
                    timezone: Europe/Berlin
                    periods:
                      - schedules: ["* * 9-17 * * mon-fri *"]
                        idleCount: 3
                """);
        PeriodConfig period = config.pools().getFirst().periods().getFirst();
        assertThat(period.idle()).isEqualTo(new IdleSettings(3, 1, 0.5, Duration.ofMinutes(5)));
        assertThat(period.timezone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    }

    @Test
    void aPeriodHoldsMoreStoppedMachinesAndInheritsThePoolsStoppedCount() {
        ScalerConfig config = loader.parse(MINIMAL.replace("limit: 3", "limit: 8") + """
                    stoppedCount: 2
                    stoppedMaxAge: 48h
                    periods:
                      - schedules: ["* * 8-18 * * mon-fri *"]
                        stoppedCount: 6
                      - schedules: ["* * * * * sat,sun *"]
                        idleCount: 1
                """);
        PoolConfig pool = config.pools().getFirst();
        assertThat(pool.idle().stoppedCount()).isEqualTo(2);
        assertThat(pool.stoppedMaxAge()).isEqualTo(Duration.ofDays(2));
        assertThat(pool.periods()).extracting(p -> p.idle().stoppedCount()).containsExactly(6, 2);
        assertThat(pool.hasStoppedPool()).isTrue();
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                Arguments.of("300", Duration.ofSeconds(300)),
                Arguments.of("\"300\"", Duration.ofSeconds(300)),
                Arguments.of("300s", Duration.ofSeconds(300)),
                Arguments.of("5m", Duration.ofMinutes(5)),
                Arguments.of("1h30m", Duration.ofMinutes(90)),
                Arguments.of("1h0m5s", Duration.ofSeconds(3605)),
                Arguments.of("0", Duration.ZERO));
    }

    @ParameterizedTest(name = "idleTime: {0}")
    @MethodSource("durations")
    void durationsAreSecondsOrUnits(String text, Duration expected) {
        assertThat(loader.parse(MINIMAL + "    idleTime: " + text + "\n").pools().getFirst().idle().idleTime())
                .isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                // behaviour, YAML appended to the minimal pool (its lines start at 7), expected problem
                Arguments.of("idleCountAboveLimit", "    idleCount: 5\n", "pools[0].idleCount: 5 exceeds limit 3 (line 7)"),
                Arguments.of("idleCountMinAboveIdleCount", "    idleCount: 2\n    idleCountMin: 3\n",
                        "pools[0].idleCountMin: 3 exceeds idleCount 2 (line 8)"),
                Arguments.of("unknownKeySuggestsNearest", "    idleCont: 1\n",
                        "pools[0].idleCont: unknown key; did you mean 'idleCount'? (line 7)"),
                Arguments.of("snakeCaseKeySuggestsCamelCase", "    idle_time: 300\n",
                        "pools[0].idle_time: unknown key; did you mean 'idleTime'? (line 7)"),
                Arguments.of("negativeNumber", "    maxGrowthRate: -1\n",
                        "pools[0].maxGrowthRate: -1 must be at least 0 (line 7)"),
                Arguments.of("negativeDuration", "    idleTime: -5m\n", "pools[0].idleTime: -5m must not be negative (line 7)"),
                Arguments.of("badDuration", "    idleTime: 5 minutes\n",
                        "pools[0].idleTime: '5 minutes' is not a duration; use seconds (300) or units (300s, 5m, 1h30m) (line 7)"),
                Arguments.of("badTimezoneSuggestsNearest", "    timezone: Europe/Berln\n",
                        "pools[0].timezone: 'Europe/Berln' is not an IANA timezone (like Europe/Berlin or UTC); did you mean 'Europe/Berlin'? (line 7)"),
                Arguments.of("badMarket", "    market: spot-fallback\n",
                        "pools[0].market: 'spot-fallback' is not one of spot, on-demand, spot-with-fallback"),
                Arguments.of("badForge", "    forge: bitbucket\n", "pools[0].forge: 'bitbucket' is not one of gitlab, github"),
                Arguments.of("badCron", "    periods:\n      - schedules: [\"* * 9-17 * * mon-fri\"]\n",
                        "pools[0].periods[0].schedules: '* * 9-17 * * mon-fri' has 6 fields"),
                Arguments.of("cronOutOfRange", "    periods:\n      - schedules: [\"* * 25 * * * *\"]\n",
                        "pools[0].periods[0].schedules: '* * 25 * * * *' is not a valid cron expression"),
                Arguments.of("periodWithoutSchedules", "    periods:\n      - idleCount: 1\n",
                        "pools[0].periods[0].schedules: required"),
                Arguments.of("periodIdleCountAboveLimit",
                        "    periods:\n      - schedules: [\"* * * * * * *\"]\n        idleCount: 4\n",
                        "pools[0].periods[0].idleCount: 4 exceeds limit 3 (line 9)"),
                Arguments.of("periodUnknownKey", "    periods:\n      - schedules: [\"* * * * * * *\"]\n        Timezone: UTC\n",
                        "pools[0].periods[0].Timezone: unknown key; did you mean 'timezone'? (line 9)"),
                Arguments.of("wrongType", "    maxBuilds: many\n", "pools[0].maxBuilds: must be a whole number, found 'many' (line 7)"),
                Arguments.of("fractionalLimitIsNotWhole", "    idleCount: 1.5\n", "pools[0].idleCount: must be a whole number"),
                Arguments.of("duplicateKey", "    limit: 4\n", "pools[0].limit: duplicate key, first set on line 6 (line 7)"),
                Arguments.of("badAmi", "    ami: ubuntu\n", "pools[0].ami: 'ubuntu' is not an AMI id"),
                Arguments.of("badSubnet", "    subnets: [vpc-1]\n", "pools[0].subnets: 'vpc-1' is not a subnet id"),
                Arguments.of("zeroBootTimeout", "    bootTimeout: 0\n", "pools[0].bootTimeout: must be longer than 0s (line 7)"),
                Arguments.of("negativeStoppedCount", "    stoppedCount: -1\n",
                        "pools[0].stoppedCount: -1 must be at least 0 (line 7)"),
                Arguments.of("stoppedAndIdleAboveLimit", "    idleCount: 1\n    stoppedCount: 3\n",
                        "pools[0].stoppedCount: idleCount 1 + stoppedCount 3 exceeds limit 3 (stopped machines count"
                                + " toward the limit) (line 8)"),
                Arguments.of("periodStoppedCountAboveLimit",
                        "    periods:\n      - schedules: [\"* * * * * * *\"]\n        stoppedCount: 4\n",
                        "pools[0].periods[0].stoppedCount: idleCount 0 + stoppedCount 4 exceeds limit 3"),
                Arguments.of("stoppedMaxAgeTooShort", "    stoppedMaxAge: 10m\n",
                        "pools[0].stoppedMaxAge: must be at least 60m (a shorter age replaces stopped machines faster"
                                + " than they are refilled) (line 7)"),
                Arguments.of("badStoppedMaxAge", "    stoppedMaxAge: a week\n",
                        "pools[0].stoppedMaxAge: 'a week' is not a duration"),
                Arguments.of("runUntaggedOnGithub", "    forge: github\n    runUntagged: true\n",
                        "pools[0].runUntagged: is a GitLab setting"),
                Arguments.of("githubTargetOnGitlabPool", "    github: {organization: acme}\n",
                        "pools[0].github: is a GitHub setting, but this pool's forge is gitlab (line 7)"),
                Arguments.of("githubTargetNotAMapping", "    forge: github\n    github: acme\n",
                        "pools[0].github: must be a mapping, e.g. github: {organization: acme} or github:"
                                + " {repository: acme/app}; found 'acme' (line 8)"),
                Arguments.of("githubTargetEmpty", "    forge: github\n    github: {}\n",
                        "pools[0].github.organization: set organization (and optionally runnerGroupId) or repository"),
                Arguments.of("githubOrganizationAndRepository",
                        "    forge: github\n    github: {organization: acme, repository: acme/app}\n",
                        "pools[0].github.repository: set organization or repository, not both (line 8)"),
                Arguments.of("githubOrganizationWithSlash", "    forge: github\n    github: {organization: acme/app}\n",
                        "pools[0].github.organization: 'acme/app' is not a GitHub organization login (letters,"
                                + " digits and single hyphens, at most 39); for one repository use repository: acme/app"),
                Arguments.of("githubRepositoryWithoutOwner", "    forge: github\n    github: {repository: app}\n",
                        "pools[0].github.repository: 'app' is not owner/repository, e.g. acme/app (line 8)"),
                Arguments.of("githubRunnerGroupOnRepository",
                        "    forge: github\n    github: {repository: acme/app, runnerGroupId: 2}\n",
                        "pools[0].github.runnerGroupId: applies to organization runners only"),
                Arguments.of("githubRunnerGroupZero",
                        "    forge: github\n    github: {organization: acme, runnerGroupId: 0}\n",
                        "pools[0].github.runnerGroupId: 0 must be at least 1 (line 8)"),
                Arguments.of("githubUnknownKey", "    forge: github\n    github: {organisation: acme}\n",
                        "pools[0].github.organisation: unknown key; did you mean 'organization'?"));
    }

    @Test
    void githubTargetIsAnOrganizationWithRunnerGroupOrARepository() {
        String github = MINIMAL + "    forge: github\n";
        assertThat(loader.parse(github + "    github: {organization: acme, runnerGroupId: 3}\n").pools().getFirst()
                .github()).contains(GitHubTarget.organization("acme", 3));
        assertThat(loader.parse(github + "    github: {organization: acme}\n").pools().getFirst().github())
                .contains(GitHubTarget.organization("acme", GitHubTarget.DEFAULT_RUNNER_GROUP));
        assertThat(loader.parse(github + "    github:\n      repository: acme/app.web\n").pools().getFirst()
                .github()).contains(GitHubTarget.repository("acme", "app.web"));
        assertThat(loader.parse(github).pools().getFirst().github()).as("no GitHub App: no target needed").isEmpty();
    }

    @Test
    void withAGitHubAppEveryGitHubPoolNeedsATargetAndTheProblemNamesThePool() {
        var withApp = new ConfigLoader(true);
        assertThatThrownBy(() -> withApp.parse(MINIMAL + "    forge: github\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "pools[0].github: pool 'docker' needs a GitHub target because the stack manages GitHub"
                                + " runners through a GitHub App; e.g. github: {organization: acme} or github:"
                                + " {repository: acme/app} (line 2)"));
        assertThat(withApp.parse(MINIMAL).pools()).as("GitLab pools need none").hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"invalid", "invalidWatch"})
    void reportsProblemWithPathAndLine(String behaviour, String extra, String expected) {
        assertThatThrownBy(() -> loader.parse(MINIMAL + extra))
                .isInstanceOfSatisfying(ConfigException.class, e ->
                        assertThat(e.problems()).as(behaviour).anySatisfy(p -> assertThat(p).startsWith(expected)));
    }

    @Test
    void reportsEveryProblemAtOnce() {
        String yaml = """
                concurrent: 0
                pool: []
                pools:
                  - name: docker
                    instanceTypes: []
                    limit: 3
                    idleCount: 5
                  - name: docker
                    labels: [gpu]
                    instanceTypes: [g5.xlarge]
                    ami: ami-1
                    limit: 1
                  - just a string
                """;
        assertThatThrownBy(() -> loader.parse(yaml)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.problems()).containsExactly(
                        "pool: unknown key; did you mean 'pools'? (line 2)",
                        "concurrent: 0 must be at least 1 (line 1)",
                        "pools[0].labels: no labels and runUntagged is false, so no job can match this pool; add labels or set runUntagged: true (line 4)",
                        "pools[0].instanceTypes: must list at least one instance type, e.g. [m7i.large] (line 5)",
                        "pools[0].idleCount: 5 exceeds limit 3 (line 7)",
                        "pools[1].name: duplicate pool name 'docker', already used by pools[0] (line 8)",
                        "pools[2]: must be a mapping with at least name, limit and instanceTypes, found 'just a string' (line 13)"));
    }

    @Test
    void poolMixingArchitecturesIsRejected() {
        assertThatThrownBy(() -> loader.parse(MINIMAL.replace("[m7i.large]", "[m7g.large, m7i.large]")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "pools[0].instanceTypes: mixes arm64 (Graviton) and x64 types; one image cannot boot both,"
                                + " so make one pool per architecture (line 4)"));
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        assertThatThrownBy(() -> loader.parse("pools:\n  - forge: gitlab\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).contains(
                        "pools[0].name: required (line 2)",
                        "pools[0].instanceTypes: required, e.g. [m7i.large] (line 2)",
                        "pools[0].limit: required, the most machines this pool may have (line 2)"));
    }

    @Test
    void tokenValueInsteadOfParameterNameIsRejectedWithoutPrintingIt() {
        String secret = "glrt-Zx8qSecretValue123";
        assertThatThrownBy(() -> loader.parse(MINIMAL + "    tokenParameter: " + secret + "\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).singleElement().asString()
                            .startsWith("pools[0].tokenParameter: looks like a token value");
                    assertThat(e.getMessage()).doesNotContain(secret).doesNotContain("Zx8q");
                });
    }

    @Test
    void yamlSyntaxErrorsGivePositionButNeverQuoteTheLine() {
        assertThatThrownBy(() -> loader.parse("pools:\n  - name: x\n    tokenParameter: glrt-Zx8q: [oops\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).containsExactly(
                            "config is not valid YAML: mapping values are not allowed here (line 3, column 30)");
                    assertThat(e.getMessage()).doesNotContain("Zx8q");
                });
    }

    @Test
    void notYamlOrNotAMappingIsOneClearProblem() {
        assertThatThrownBy(() -> loader.parse("pools: [\n")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).singleElement().asString().startsWith("config is not valid YAML"));
        assertThatThrownBy(() -> loader.parse("")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).singleElement().asString().startsWith("config must be a YAML mapping"));
        assertThatThrownBy(() -> loader.parse("concurrent: 4\n")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.problems()).containsExactly("pools: at least one pool is required"));
    }

    @Test
    void aStackWithoutAGitHubAppRefusesGitHubPoolsAndSaysWhy() {
        var withoutApp = new ConfigLoader(false);
        assertThatThrownBy(() -> withoutApp.parse(MINIMAL + "    forge: github\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "pools[0].forge: github, but the stack has no GitHub App: GitHub pools need the stack's"
                                + " GitHub App (GitHubAppId), which gives each machine its just-in-time runner;"
                                + " without one the machines wait for a runner config that never comes; set"
                                + " GitHubAppId (docs/deploy.md) or remove the pool (line 7)"));
        assertThat(withoutApp.parse(MINIMAL).pools()).as("GitLab pools need no App").hasSize(1);
        assertThat(loader.parse(MINIMAL + "    forge: github\n").pools()).as("a loader that knows no stack reads it")
                .hasSize(1);
    }

    @Test
    void toolsThatKnowNoStackAreToldWhichPoolsAStackWithoutAnAppRefuses() {
        ScalerConfig config = loader.parse(MINIMAL + "    forge: github\n  - name: lab\n    labels: [docker]\n"
                + "    instanceTypes: [m7i.large]\n    limit: 1\n");

        assertThat(ConfigLoader.refusedWithoutGitHubApp(config)).singleElement().asString()
                .startsWith("pool 'docker': GitHub pools need the stack's GitHub App (GitHubAppId)")
                .endsWith("a stack without GitHubAppId refuses this config");
        assertThat(ConfigLoader.refusedWithoutGitHubApp(loader.parse(MINIMAL))).isEmpty();
    }

    @Test
    void aPoolOnTheStacksRunnerTemplateMustUseTheArchitectureOfItsImage() {
        var x86Stack = new ConfigLoader(Deployment.githubApp(false).withRunnerTemplate("rs-runner", Architecture.X64));
        String graviton = """
                pools:
                  - name: arm
                    labels: [docker]
                    instanceTypes: [m7g.large, c7g.large]
                    limit: 3
                """;

        assertThatThrownBy(() -> x86Stack.parse(graviton))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "pools[0].instanceTypes: m7g.large, c7g.large are arm64, but the stack's runner template"
                                + " rs-runner boots an x86_64 image; give the pool an arm64 image (ami, or a"
                                + " launchTemplate of its own) or x86_64 instance types (line 4)"));
        assertThatThrownBy(() -> x86Stack.parse(graviton + "    launchTemplate: rs-runner\n"))
                .as("the stack's template named").isInstanceOf(ConfigException.class);
        assertThat(x86Stack.parse(graviton + "    ami: ami-0fedcba9876543210\n").pools()).as("its own image")
                .hasSize(1);
        assertThat(x86Stack.parse(graviton + "    launchTemplate: arm-runner\n").pools()).as("its own template")
                .hasSize(1);
        assertThat(x86Stack.parse(MINIMAL.replace("launchTemplate: lt", "launchTemplate: rs-runner")).pools())
                .as("x86_64 types on the x86_64 image").hasSize(1);
        assertThatThrownBy(() -> new ConfigLoader(Deployment.UNKNOWN.withRunnerTemplate("rs-runner",
                Architecture.ARM64)).parse(MINIMAL.replace("    launchTemplate: lt\n", "")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith("pools[0].instanceTypes: m7i.large is x86_64, but the stack's runner"
                                + " template rs-runner boots an arm64 image"));
        assertThat(loader.parse(graviton).pools()).as("an image the loader is not told of is not checked").hasSize(1);
    }

    @Test
    void theExampleIsValidForTheStackItDescribes() throws IOException {
        var stack = new ConfigLoader(Deployment.githubApp(true).withRunnerTemplate("runner-scaler-runner",
                Architecture.X64));

        assertThat(stack.parse(Files.readString(EXAMPLE)).pools()).hasSize(3);
    }
}
