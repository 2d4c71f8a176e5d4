package io.runnerscaler.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.PeriodConfig;
import io.runnerscaler.core.config.PoolConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How every [runners.autoscaler] key of a docker-autoscaler or instance runner is carried over or warned about. */
class AutoscalerRunnerTest {

    private final GitLabRunnerImporter importer = new GitLabRunnerImporter();

    private ImportResult importToml(String toml) {
        return importer.importConfig(toml, "config.toml");
    }

    private static ImportWarning warning(ImportResult result, String option) {
        return result.warnings().stream().filter(w -> w.option().equals(option)).findFirst()
                .orElseThrow(() -> new AssertionError("no warning for " + option + " in " + result.warnings()));
    }

    private static String runner(String autoscaler) {
        return """
                concurrent = 10
                [[runners]]
                  name = "fleet"
                  executor = "docker-autoscaler"
                  [runners.autoscaler]
                    plugin = "aws"
                    capacity_per_instance = 1
                    max_instances = 10
                """ + autoscaler;
    }

    @Nested
    class EveryKey {

        private final ImportResult result = importer.importConfig(Fixtures.read("autoscaler/every-key.toml"),
                "every-key.toml");
        private final PoolConfig pool = new ConfigLoader().parse(result.yaml()).pools().get(0);

        @Test
        void slotsBecomeOneJobMachinesAndUsesArePerMachine() {
            assertThat(pool.name()).isEqualTo("build-fleet");
            assertThat(pool.limit()).as("max_instances 20 x capacity_per_instance 2").isEqualTo(40);
            assertThat(pool.maxBuilds()).as("max_use_count 10 over 2 slots").isEqualTo(5);
            assertThat(warning(result, "max_use_count").message()).contains("written as maxBuilds 5");
        }

        @Test
        void theAlwaysMatchingPolicyIsThePoolsOwnAndTheLaterOnesArePeriodsInOrder() {
            assertThat(pool.idle()).isEqualTo(new IdleSettings(2, 0, 0, Duration.ofMinutes(10)));
            assertThat(pool.periods()).extracting(PeriodConfig::schedules)
                    .containsExactly(List.of("* 7-19 * * mon-fri"), List.of("* 12-13 * * mon-fri"));
            assertThat(pool.periods()).extracting(PeriodConfig::timezone)
                    .containsOnly(ZoneId.of("Europe/Berlin"));
        }

        @Test
        void aScaleFactorBetweenIdleCountAndItsLimitIsIdleCountMinFactorAndIdleCount() {
            assertThat(pool.periods().get(0).idle()).isEqualTo(new IdleSettings(10, 4, 0.5, Duration.ofMinutes(30)));
            assertThat(pool.periods().get(1).idle()).as("no scale_factor_limit: up to the pool's limit")
                    .isEqualTo(new IdleSettings(40, 6, 1.0, Duration.ofHours(1)));
            assertThat(warning(result, "[[runners.autoscaler.policy]] #2 scale_factor").message())
                    .contains("ceil(0.5 x jobs running)", "floor", "at least one idle machine");
        }

        @Test
        void everyKeyWithoutAnEquivalentGetsAWarningThatSaysWhatToDo() {
            assertThat(warning(result, "instance_ready_command").message()).contains("launch template's user data");
            assertThat(warning(result, "delete_instances_on_shutdown").message()).contains("no manager process");
            assertThat(warning(result, "update_interval").message()).contains("EC2 events");
            assertThat(warning(result, "plugin_config.name").message()).contains("build-fleet-asg", "needs no group");
            assertThat(warning(result, "plugin_config.region").message()).contains("deploy the stack in eu-central-1");
            assertThat(warning(result, "plugin_config.credentials_file").message()).contains("Lambda role");
            assertThat(warning(result, "connector_config.username").message()).contains("nothing connects");
            assertThat(warning(result, "connector_config.password").message()).contains("nothing connects");
            assertThat(warning(result, "[[runners.autoscaler.policy]] #2 preemptive_mode").message())
                    .contains("only once the machine has booted");
            assertThat(warning(result, "limit").message()).contains("at most 30 jobs");
            assertThat(warning(result, "launchTemplate").message()).contains("build-fleet-asg",
                    "runs gitlab-runner itself");
            assertThat(warning(result, "instanceTypes").message()).contains("a type sized for one job");
        }
    }

    @Test
    void thePolicyBeforeTheLastAlwaysMatchingOneNeverAppliesAndIsNotImported() {
        ImportResult result = importToml(runner("""
                    [[runners.autoscaler.policy]]
                      periods = ["* 9-17 * * *"]
                      idle_count = 3
                    [[runners.autoscaler.policy]]
                      idle_count = 1
                      idle_time = "5m"
                """));
        PoolConfig pool = new ConfigLoader().parse(result.yaml()).pools().get(0);

        assertThat(pool.idle()).isEqualTo(new IdleSettings(1, 0, 0, Duration.ofMinutes(5)));
        assertThat(pool.periods()).isEmpty();
        assertThat(warning(result, "[[runners.autoscaler.policy]] #1").message())
                .contains("never applies", "#2 after it matches at all times");
    }

    @Test
    void withoutAnAlwaysMatchingPolicyThePoolKeepsNoIdleMachineOutsideThePeriodsAndSaysSo() {
        ImportResult result = importToml(runner("""
                    [[runners.autoscaler.policy]]
                      periods = ["* 9-17 * * mon-fri"]
                      timezone = "America/New_York"
                      idle_count = 3
                      idle_time = "15m"
                """));
        PoolConfig pool = new ConfigLoader().parse(result.yaml()).pools().get(0);

        assertThat(pool.idle()).isEqualTo(new IdleSettings(0, 0, 0, Duration.ZERO));
        assertThat(pool.periods()).singleElement().satisfies(p -> {
            assertThat(p.idle()).isEqualTo(new IdleSettings(3, 0, 0, Duration.ofMinutes(15)));
            assertThat(p.timezone()).isEqualTo(ZoneId.of("America/New_York"));
        });
        assertThat(warning(result, "[[runners.autoscaler.policy]]").message())
                .contains("none matches at all times", "idleCount 0");
    }

    @Test
    void unlimitedInstancesAreBoundedByConcurrentPlusTheLargestIdleTarget() {
        ImportResult result = importToml("""
                concurrent = 12
                [[runners]]
                  executor = "instance"
                  [runners.autoscaler]
                    plugin = "fleeting-plugin-aws"
                    capacity_per_instance = 1
                    [[runners.autoscaler.policy]]
                      idle_count = 3
                      idle_time = "20m0s"
                """);

        assertThat(new ConfigLoader().parse(result.yaml()).pools().get(0).limit()).isEqualTo(15);
        assertThat(warning(result, "max_instances").message()).contains("not set (no limit)", "concurrent 12",
                "idle_count 3");
        assertThat(warning(result, "executor").message()).contains("docker executor", "shell");
    }

    @Test
    void anIdleCountAboveTheLimitIsCappedAtIt() {
        ImportResult result = importToml(runner("""
                    [[runners.autoscaler.policy]]
                      idle_count = 25
                      idle_time = "1m"
                """));

        assertThat(new ConfigLoader().parse(result.yaml()).pools().get(0).idle().idleCount()).isEqualTo(10);
        assertThat(warning(result, "[[runners.autoscaler.policy]] #1 idle_count").message())
                .contains("25 exceeds limit 10");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            aws                                                 | true
            aws:latest                                          | true
            aws:~0.5                                            | true
            gitlab-org/fleeting/plugins/aws:1.0.0               | true
            registry.gitlab.com/gitlab-org/fleeting/plugins/aws | true
            fleeting-plugin-aws                                 | true
            /usr/local/bin/fleeting-plugin-aws                  | true
            googlecloud                                         | false
            azure:latest                                        | false
            example.com/someone/aws                             | false
            fleeting-plugin-googlecompute                       | false
            ''                                                  | false
            """)
    void recognisesTheAwsPluginInEveryDocumentedForm(String plugin, boolean aws) {
        assertThat(AutoscalerRunner.isAwsPlugin(plugin)).isEqualTo(aws);
    }

    @Test
    void aWindowsFleetIsSkippedBecauseTheBootstrapIsALinuxScript() {
        assertThatThrownBy(() -> importToml(runner("""
                    [runners.autoscaler.connector_config]
                      os = "windows"
                """))).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).contains("connector_config.os: skipped", "Linux script")));
    }

    @Test
    void anAutoscalerRunnerWithoutItsSectionIsInvalid() {
        assertThatThrownBy(() -> importToml("""
                [[runners]]
                  name = "half"
                  executor = "docker-autoscaler"
                """)).isInstanceOf(ConfigException.class).hasMessageContaining(
                "runners[0].autoscaler: a docker-autoscaler runner needs a [runners.autoscaler] section");
    }

    @Test
    void valuesOfTheWrongTypeAreAllReportedWithTheirPath() {
        assertThatThrownBy(() -> importToml(runner("""
                    [[runners.autoscaler.policy]]
                      idle_count = "5"
                      idle_time = 600
                      scale_factor = -1.0
                    [[runners.autoscaler.policy]]
                      periods = ["* 9-17 * * *"]
                      timezone = "Mars/Olympus_Mons"
                      idle_time = "twenty minutes"
                      preemptive_mode = "yes"
                """))).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                "config.toml: runners[0].autoscaler.policy[0].scale_factor: must not be negative, got -1.0",
                "config.toml: runners[0].autoscaler.policy[0].idle_count: expected an integer, got a string",
                "config.toml: runners[0].autoscaler.policy[0].idle_time: expected a duration string like \"20m0s\", got"
                        + " a number (write the unit: \"600s\")",
                "config.toml: runners[0].autoscaler.policy[1].idle_time: 'twenty minutes' is not a duration (like"
                        + " \"20m0s\", \"1h30m\", \"90s\")",
                "config.toml: runners[0].autoscaler.policy[1].timezone: unknown time zone 'Mars/Olympus_Mons'"
                        + " (expected an IANA name like Europe/Berlin)"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            20m0s   | 1200000
            1h30m   | 5400000
            1.5h    | 5400000
            90s     | 90000
            300ms   | 300
            0s      | 0
            0       | 0
            2h45m3s | 9903000
            """)
    void goDurationsReadAsGoReadsThem(String text, long millis) {
        assertThat(GoDuration.parse(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"''", "20", "m", "1d", "20 m", "1h-5m"})
    void anythingElseIsNotAGoDuration(String text) {
        assertThat(GoDuration.parse(text)).isEqualTo(Optional.empty());
    }

    @Test
    void aSubSecondIdleTimeRoundsUpToASecond() {
        assertThat(GoDuration.seconds(Duration.ofMillis(300))).isEqualTo(1);
        assertThat(GoDuration.seconds(Duration.ofMinutes(20))).isEqualTo(1200);
    }
}
