package io.runnerscaler.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PeriodConfig;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Forge;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class GitLabRunnerImporterTest {

    private final GitLabRunnerImporter importer = new GitLabRunnerImporter();

    private ImportResult importFixture(String name) {
        return importer.importConfig(Fixtures.read(name), name);
    }

    private static List<String> optionsWarned(ImportResult result) {
        return result.warnings().stream().map(ImportWarning::option).toList();
    }

    private static ImportWarning warning(ImportResult result, String option) {
        return result.warnings().stream().filter(w -> w.option().equals(option)).findFirst()
                .orElseThrow(() -> new AssertionError("no warning for " + option + " in " + result.warnings()));
    }

    @Nested
    class DocumentedAutoscalingExample {

        private final ImportResult result = importFixture("autoscaling-periods.toml");
        private final JsonNode yaml = Fixtures.yamlTree(result.yaml());
        private final JsonNode pool = yaml.path("pools").get(0);

        @Test
        void oneDockerMachineRunnerBecomesOnePoolWithItsKnobs() {
            assertThat(result.pools()).containsExactly("autoscale-runner");
            assertThat(yaml.path("concurrent").intValue()).isEqualTo(50);
            assertThat(pool.path("name").textValue()).isEqualTo("autoscale-runner");
            assertThat(pool.path("forge").textValue()).isEqualTo("gitlab");
            assertThat(pool.path("limit").intValue()).isEqualTo(10);
            assertThat(pool.path("idleCount").intValue()).isEqualTo(5);
            assertThat(pool.path("idleTime").intValue()).isEqualTo(600);
            assertThat(pool.path("maxBuilds").intValue()).isEqualTo(100);
            assertThat(pool.path("maxGrowthRate").intValue()).isZero();
        }

        @Test
        void machineOptionsBecomeInstanceTypesSubnetsAndMarket() {
            assertThat(pool.path("instanceTypes")).extracting(JsonNode::textValue).containsExactly("m5.large");
            assertThat(pool.path("subnets")).extracting(JsonNode::textValue).containsExactly("subnet-0a1b2c3d4e5f60718");
            assertThat(pool.path("market").textValue()).isEqualTo("spot");
            assertThat(pool.has("ami")).isFalse();
            assertThat(pool.path("launchTemplate").textValue()).isEqualTo("runner-scaler-autoscale-runner");
        }

        @Test
        void periodsKeepTheirOrderSchedulesAndTimezones() {
            JsonNode periods = pool.path("periods");

            assertThat(periods).hasSize(2);
            assertThat(periods.get(0).path("schedules")).extracting(JsonNode::textValue)
                    .containsExactly("* * 9-17 * * mon-fri *");
            assertThat(periods.get(0).path("timezone").textValue()).isEqualTo("UTC");
            assertThat(periods.get(0).path("idleCountMin").intValue()).isEqualTo(5);
            assertThat(periods.get(0).path("idleScaleFactor").doubleValue()).isEqualTo(1.5);
            assertThat(periods.get(0).path("idleTime").intValue()).isEqualTo(3600);
            assertThat(periods.get(1).path("schedules")).extracting(JsonNode::textValue)
                    .containsExactly("* * * * * sat,sun *");
            assertThat(periods.get(1).path("timezone").textValue()).isEqualTo("Europe/Berlin");
            assertThat(periods.get(1).path("idleTime").intValue()).isEqualTo(60);
        }

        @Test
        void aPeriodWritesEveryIdleKnobBecauseGitLabReadsTheOnesItLeavesOutAsZero() {
            JsonNode weekend = pool.path("periods").get(1);

            assertThat(weekend.path("idleCount").intValue()).isEqualTo(5);
            assertThat(weekend.has("idleCountMin")).isTrue();
            assertThat(weekend.path("idleCountMin").intValue()).isZero();
            assertThat(weekend.has("idleScaleFactor")).isTrue();
            assertThat(weekend.path("idleScaleFactor").doubleValue()).isZero();
        }

        @Test
        void aPeriodIdleCountAboveLimitIsCappedAtLimitWithAWarning() {
            assertThat(pool.path("periods").get(0).path("idleCount").intValue()).isEqualTo(10);
            assertThat(warning(result, "[[runners.machine.autoscaling]] #1 IdleCount").message())
                    .contains("50 exceeds limit 10").contains("written as 10");
        }

        @Test
        void labelsAreEmptyAndTheWarningSaysWhereTheTagsAre() {
            assertThat(pool.path("labels")).isEmpty();
            assertThat(pool.path("runUntagged").booleanValue()).isTrue();
            assertThat(warning(result, "tags").message()).contains("live in GitLab").contains("labels");
        }

        @Test
        void theTokenBecomesAnSsmParameterNameAndAWarningToStoreIt() {
            assertThat(pool.path("tokenParameter").textValue()).isEqualTo("/runner-scaler/runner-scaler/runners/gitlab/autoscale-runner");
            assertThat(warning(result, "token").message())
                    .contains("not copied").contains("SecureString").contains("/runner-scaler/runner-scaler/runners/gitlab/autoscale-runner");
        }

        @Test
        void everyOptionWithoutAnEquivalentIsNamedWithWhatToDo() {
            assertThat(optionsWarned(result)).contains(
                    "amazonec2-spot-price", "amazonec2-root-size", "amazonec2-security-group", "amazonec2-tags",
                    "amazonec2-iam-instance-profile", "amazonec2-use-private-address", "amazonec2-region",
                    "amazonec2-access-key", "amazonec2-secret-key", "MachineName", "check_interval",
                    "session_server", "url", "docker", "cache");
            assertThat(warning(result, "amazonec2-root-size").message()).contains("40 GiB").contains("launch template");
            assertThat(warning(result, "amazonec2-security-group").message()).contains("xx-gitlab-runners");
            assertThat(warning(result, "amazonec2-iam-instance-profile").message()).contains("gitlab-runner-machine");
            assertThat(warning(result, "amazonec2-region").message()).contains("eu-central-1");
            assertThat(warning(result, "amazonec2-spot-price").message()).contains("no equivalent");
        }

        @Test
        void optionsThatBecomePoolKeysOrAreImpliedByTheSubnetAreNotWarnedAbout() {
            assertThat(optionsWarned(result)).doesNotContain("amazonec2-instance-type", "amazonec2-subnet-id",
                    "amazonec2-vpc-id", "amazonec2-zone", "IdleCount", "IdleTime", "MaxBuilds", "limit", "name",
                    "id", "token_obtained_at", "token_expires_at");
        }
    }

    @Nested
    class MultiRunnerFile {

        private final ImportResult result = importFixture("multi-runner.toml");
        private final JsonNode pools = Fixtures.yamlTree(result.yaml()).path("pools");

        @Test
        void eachAmazonDockerMachineRunnerBecomesAPoolInFileOrder() {
            assertThat(result.pools()).containsExactly("docker-small", "docker-large-spot");
            assertThat(pools.get(0).path("maxGrowthRate").intValue()).isEqualTo(2);
            assertThat(pools.get(0).path("ami").textValue()).isEqualTo("ami-0123456789abcdef0");
            assertThat(pools.get(0).path("market").textValue()).isEqualTo("on-demand");
            assertThat(pools.get(1).path("market").textValue()).isEqualTo("spot");
            assertThat(pools.get(1).path("maxBuilds").intValue()).isEqualTo(10);
        }

        @Test
        void otherExecutorsAndDriversAreSkippedWithAWarningThatSaysWhy() {
            assertThat(result.warnings()).anySatisfy(w -> {
                assertThat(w.scope()).contains("shell-on-manager");
                assertThat(w.message()).contains("skipped").contains("'shell'");
            });
            assertThat(result.warnings()).anySatisfy(w -> {
                assertThat(w.scope()).contains("gce-autoscale");
                assertThat(w.option()).isEqualTo("MachineDriver");
                assertThat(w.message()).contains("skipped").contains("'google'");
            });
        }

        @Test
        void aNameThatIsNotAPoolNameIsRewrittenWithAWarning() {
            assertThat(warning(result, "name").message()).contains("'Docker Large (spot)'").contains("'docker-large-spot'");
        }

        @Test
        void spotBlocksAndEngineOptionsHaveNoEquivalent() {
            assertThat(warning(result, "amazonec2-block-duration-minutes").message()).contains("no equivalent");
            assertThat(warning(result, "engine-registry-mirror").message()).contains("Docker");
        }
    }

    @Test
    void runnersWithTheSameNameGetDistinctPoolNamesAndTokenParameters() {
        String toml = """
                [[runners]]
                  name = "ci"
                  executor = "docker+machine"
                  limit = 2
                  [runners.machine]
                    MachineDriver = "amazonec2"
                [[runners]]
                  name = "CI"
                  executor = "docker+machine"
                  limit = 2
                  [runners.machine]
                    MachineDriver = "amazonec2"
                """;

        ImportResult result = importer.importConfig(toml, "config.toml");

        assertThat(result.pools()).containsExactly("ci", "ci-2");
        assertThat(warning(result, "token").message()).startsWith("not set.").contains("/runner-scaler/runner-scaler/runners/gitlab/ci");
    }

    @Test
    void stringsThatLookLikeNumbersOrBooleansStayStringsInTheYaml() {
        String toml = """
                [[runners]]
                  name = "2024"
                  executor = "docker+machine"
                  limit = 2
                  [runners.machine]
                    MachineDriver = "amazonec2"
                    MachineOptions = ["amazonec2-instance-type=true", "amazonec2-subnet-id=0123"]
                """;

        JsonNode pool = Fixtures.yamlTree(importer.importConfig(toml, "config.toml").yaml()).path("pools").get(0);

        assertThat(pool.path("name").isTextual()).isTrue();
        assertThat(pool.path("name").textValue()).isEqualTo("2024");
        assertThat(pool.path("instanceTypes").get(0).textValue()).isEqualTo("true");
        assertThat(pool.path("subnets").get(0).textValue()).isEqualTo("0123");
    }

    @Test
    void missingFieldsGetGitLabRunnersDefaultsAndAWarningEach() {
        ImportResult result = importFixture("missing-fields.toml");
        JsonNode yaml = Fixtures.yamlTree(result.yaml());
        JsonNode pool = yaml.path("pools").get(0);

        assertThat(yaml.path("concurrent").intValue()).isEqualTo(1);
        assertThat(pool.path("name").textValue()).isEqualTo("gitlab-0");
        assertThat(pool.path("instanceTypes")).extracting(JsonNode::textValue).containsExactly("t2.micro");
        assertThat(pool.path("subnets")).isEmpty();
        // limit 0 is "no limit": concurrent (1) + IdleCount (2) bounds what docker+machine would run.
        assertThat(pool.path("limit").intValue()).isEqualTo(3);
        assertThat(pool.path("idleTime").intValue()).isZero();
        assertThat(optionsWarned(result)).contains("concurrent", "name", "amazonec2-instance-type",
                "amazonec2-subnet-id", "amazonec2-ami", "limit", "IdleTime", "token");
        assertThat(warning(result, "amazonec2-subnet-id").message()).contains("zone b").contains("vpc-0aaa");
    }

    @Test
    void removedOffPeakSettingsBecomeTheFirstPeriod() {
        String toml = """
                concurrent = 4
                [[runners]]
                  name = "legacy"
                  executor = "docker+machine"
                  limit = 4
                  [runners.machine]
                    IdleCount = 3
                    IdleTime = 900
                    MachineDriver = "amazonec2"
                    OffPeakPeriods = ["* * 0-7,19-23 * * mon-fri *", "* * * * * sat,sun *"]
                    OffPeakTimezone = "Europe/Paris"
                    OffPeakIdleCount = 0
                    OffPeakIdleTime = 300
                    [[runners.machine.autoscaling]]
                      Periods = ["* * 12-13 * * mon-fri *"]
                      IdleCount = 4
                      IdleTime = 600
                """;

        ImportResult result = importer.importConfig(toml, "config.toml");
        JsonNode periods = Fixtures.yamlTree(result.yaml()).path("pools").get(0).path("periods");

        assertThat(periods).hasSize(2);
        assertThat(periods.get(0).path("schedules")).hasSize(2);
        assertThat(periods.get(0).path("timezone").textValue()).isEqualTo("Europe/Paris");
        assertThat(periods.get(0).path("idleCount").intValue()).isZero();
        assertThat(periods.get(0).path("idleTime").intValue()).isEqualTo(300);
        assertThat(periods.get(1).path("timezone").textValue()).isEqualTo("UTC");
        assertThat(warning(result, "OffPeakPeriods").message()).contains("removed in GitLab Runner 14.0");
    }

    @Test
    void anAutoscalingEntryWithoutPeriodsIsDroppedWithAWarning() {
        String toml = """
                [[runners]]
                  name = "p"
                  executor = "docker+machine"
                  limit = 2
                  [runners.machine]
                    MachineDriver = "amazonec2"
                    [[runners.machine.autoscaling]]
                      IdleCount = 1
                      IdleTime = 60
                """;

        ImportResult result = importer.importConfig(toml, "config.toml");

        assertThat(Fixtures.yamlTree(result.yaml()).path("pools").get(0).path("periods")).isEmpty();
        assertThat(warning(result, "[[runners.machine.autoscaling]] #1").message()).contains("no Periods");
    }

    @Test
    void negativeKnobsAreInvalid() {
        String toml = """
                [[runners]]
                  name = "neg"
                  executor = "docker+machine"
                  limit = 3
                  [runners.machine]
                    IdleCount = -1
                    IdleTime = 60
                    MaxGrowthRate = -2
                    MachineDriver = "amazonec2"
                """;

        assertThatThrownBy(() -> importer.importConfig(toml, "config.toml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "config.toml: runners[0].machine.IdleCount: must not be negative, got -1",
                        "config.toml: runners[0].machine.MaxGrowthRate: must not be negative, got -2"));
    }

    @Test
    void idleCountMinAboveIdleCountIsCappedLikeGitLabDoes() {
        String toml = """
                [[runners]]
                  name = "min"
                  executor = "docker+machine"
                  limit = 10
                  [runners.machine]
                    IdleCount = 2
                    IdleCountMin = 4
                    IdleScaleFactor = 0.5
                    IdleTime = 60
                    MachineDriver = "amazonec2"
                """;

        ImportResult result = importer.importConfig(toml, "config.toml");
        JsonNode pool = Fixtures.yamlTree(result.yaml()).path("pools").get(0);

        assertThat(pool.path("idleCountMin").intValue()).isEqualTo(2);
        assertThat(pool.path("idleScaleFactor").doubleValue()).isEqualTo(0.5);
        assertThat(warning(result, "IdleCountMin").message()).contains("4 exceeds IdleCount 2");
    }

    @Test
    void theManagersLocalTimezoneIsWrittenAsUtcWithAWarning() {
        String toml = """
                [[runners]]
                  name = "tz"
                  executor = "docker+machine"
                  limit = 2
                  [runners.machine]
                    MachineDriver = "amazonec2"
                    [[runners.machine.autoscaling]]
                      Periods = ["* * 9-17 * * mon-fri *"]
                      IdleCount = 1
                      IdleTime = 60
                      Timezone = "Local"
                """;

        ImportResult result = importer.importConfig(toml, "config.toml");
        JsonNode period = Fixtures.yamlTree(result.yaml()).path("pools").get(0).path("periods").get(0);

        assertThat(period.path("timezone").textValue()).isEqualTo("UTC");
        assertThat(warning(result, "[[runners.machine.autoscaling]] #1 Timezone").message()).contains("'Local'");
    }

    @Test
    void spotRequestedAsFalseStaysOnDemand() {
        String toml = """
                [[runners]]
                  name = "od"
                  executor = "docker+machine"
                  limit = 2
                  [runners.machine]
                    MachineDriver = "amazonec2"
                    MachineOptions = ["amazonec2-request-spot-instance=false"]
                """;

        JsonNode pool = Fixtures.yamlTree(importer.importConfig(toml, "config.toml").yaml()).path("pools").get(0);

        assertThat(pool.path("market").textValue()).isEqualTo("on-demand");
    }

    @Test
    void malformedTomlIsInvalidWithTheLineAndWithoutTheToken() {
        assertThatThrownBy(() -> importFixture("malformed.toml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("malformed.toml: line 6,")
                .hasMessageContaining("not valid TOML")
                .hasMessageNotContaining("glrt-");
    }

    @Test
    void aParseErrorQuotingASecretHasItBlankedOut() {
        String toml = "token = \"glrt-QUOTEDsecret99\"\nMachineOptions = [\"amazonec2-secret-key=s3cr3tKEYvalue\"]\n";
        String message = "unexpected glrt-QUOTEDsecret99 near amazonec2-secret-key=s3cr3tKEYvalue";

        assertThat(GitLabRunnerImporter.withoutSecrets(message, toml))
                .doesNotContain("glrt-QUOTEDsecret99").doesNotContain("s3cr3tKEYvalue").contains("[hidden]");
    }

    @Test
    void valuesOfTheWrongTypeAreAllReportedWithTheirFieldPath() {
        assertThatThrownBy(() -> importFixture("wrong-types.toml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "wrong-types.toml: concurrent: expected an integer, got a string",
                        "wrong-types.toml: runners[0].machine.IdleCount: expected an integer, got a string",
                        "wrong-types.toml: runners[0].machine.autoscaling[0].Timezone: unknown time zone "
                                + "'Mars/Olympus_Mons' (expected an IANA name like Europe/Berlin)"));
    }

    @Test
    void aDockerMachineRunnerWithoutMachineSectionIsInvalid() {
        String toml = """
                [[runners]]
                  name = "half"
                  executor = "docker+machine"
                """;

        assertThatThrownBy(() -> importer.importConfig(toml, "config.toml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("runners[0].machine: a docker+machine runner needs a [runners.machine] section");
    }

    @Test
    void aFileWithoutDockerMachineRunnersIsInvalidAndSaysWhatWasSkipped() {
        assertThatThrownBy(() -> importFixture("no-docker-machine.toml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems().get(0)).contains("nothing to import");
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("docker-local").contains("'docker'"));
                });
    }

    @Test
    void anEmptyFileHasNothingToImport() {
        assertThatThrownBy(() -> importer.importConfig("", "config.toml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nothing to import");
    }

    static final List<String> IMPORTABLE = Fixtures.IMPORTABLE;

    @ParameterizedTest
    @FieldSource("IMPORTABLE")
    void theImportedYamlIsAcceptedByTheConfigLoader(String fixture) {
        ImportResult result = importFixture(fixture);

        ScalerConfig config = new ConfigLoader().parse(result.yaml());

        assertThat(config.pools()).extracting(PoolConfig::name).containsExactlyElementsOf(result.pools());
        assertThat(config.pools()).allSatisfy(pool -> {
            assertThat(pool.forge()).isEqualTo(Forge.GITLAB);
            assertThat(pool.tokenParameter()).contains("/runner-scaler/runner-scaler/runners/gitlab/" + pool.name());
        });
    }

    @Test
    void theLoaderReadsTheImportedMarketIdleKnobsAndPeriods() {
        PoolConfig pool = new ConfigLoader().parse(importFixture("autoscaling-periods.toml").yaml()).pools().get(0);

        assertThat(pool.market()).isEqualTo(MarketPolicy.SPOT);
        assertThat(pool.idle().idleCount()).isEqualTo(5);
        assertThat(pool.idle().idleTime()).hasSeconds(600);
        assertThat(pool.maxBuilds()).isEqualTo(100);
        assertThat(pool.periods()).hasSize(2);
        PeriodConfig weekdays = pool.periods().get(0);
        assertThat(weekdays.schedules()).containsExactly("* * 9-17 * * mon-fri *");
        assertThat(weekdays.idle()).isEqualTo(new IdleSettings(10, 5, 1.5, Duration.ofHours(1)));
        assertThat(weekdays.timezone()).isEqualTo(ZoneId.of("UTC"));
        PeriodConfig weekend = pool.periods().get(1);
        assertThat(weekend.idle()).isEqualTo(new IdleSettings(5, 0, 0, Duration.ofSeconds(60)));
        assertThat(weekend.timezone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    }

    static final List<String> ALL_FIXTURES = Fixtures.TOML_FIXTURES;

    @ParameterizedTest
    @FieldSource("ALL_FIXTURES")
    void noSecretEverReachesTheYamlTheWarningsOrTheErrors(String fixture) {
        String toml = Fixtures.read(fixture);
        List<String> secrets = Fixtures.secretsIn(toml);
        assertThat(secrets).as("fixture %s holds a token to leak", fixture).isNotEmpty();

        String everythingPrinted = everythingPrintedFor(toml, fixture);

        assertThat(secrets).allSatisfy(secret -> assertThat(everythingPrinted).doesNotContain(secret));
    }

    private String everythingPrintedFor(String toml, String fixture) {
        try {
            ImportResult result = importer.importConfig(toml, fixture);
            return result.yaml() + result.warnings();
        } catch (ConfigException e) {
            return e.getMessage() + e.problems();
        }
    }
}
