package io.runnerscaler.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MachineOptionsTest {

    @Test
    void nameValuePairsAreSplitAtTheFirstEqualsSign() {
        var options = MachineOptions.parse(List.of("amazonec2-tags=team,ci,cost=center", "amazonec2-region=eu-west-1"));

        assertThat(options.first("amazonec2-tags")).contains("team,ci,cost=center");
        assertThat(options.first("amazonec2-region")).contains("eu-west-1");
    }

    @Test
    void repeatedFlagsKeepEveryValueInOrder() {
        var options = MachineOptions.parse(List.of(
                "amazonec2-security-group=ci-a", "amazonec2-region=eu-west-1", "amazonec2-security-group=ci-b"));

        assertThat(options.all("amazonec2-security-group")).containsExactly("ci-a", "ci-b");
        assertThat(options.values().keySet()).containsExactly("amazonec2-security-group", "amazonec2-region");
    }

    @Test
    void leadingDashesAndSpacesAreIgnoredAsDockerMachineDoes() {
        var options = MachineOptions.parse(List.of("--amazonec2-instance-type = m5.large "));

        assertThat(options.first("amazonec2-instance-type")).contains("m5.large");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "amazonec2-request-spot-instance, true",
        "amazonec2-request-spot-instance=true, true",
        "amazonec2-request-spot-instance=TRUE, true",
        "amazonec2-request-spot-instance=false, false",
        "amazonec2-request-spot-instance=0, false",
        "amazonec2-region=eu-west-1, false"})
    void aBooleanFlagIsSetWhenPresentAndNotFalse(String option, boolean expected) {
        assertThat(MachineOptions.parse(List.of(option)).flag("amazonec2-request-spot-instance")).isEqualTo(expected);
    }
}
