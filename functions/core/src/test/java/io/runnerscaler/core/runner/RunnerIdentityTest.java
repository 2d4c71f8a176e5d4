package io.runnerscaler.core.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunnerIdentityTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "i-0123456789abcdef0, s_56789abcdef0",
            "i-0abcdef1234567890, s_ef1234567890",
            "i-1a2b3c4d, s_00001a2b3c4d",
    })
    void gitlabSystemIdIsTheInstanceIdTailInGitlabRunnersFormat(String instanceId, String expected) {
        String systemId = new RunnerIdentity("docker", instanceId).gitlabSystemId();

        assertThat(systemId).isEqualTo(expected).matches(RunnerIdentity.GITLAB_SYSTEM_ID);
    }

    @Test
    void machinesOfOnePoolGetDistinctSystemIds() {
        var a = new RunnerIdentity("docker", "i-0123456789abcdef0").gitlabSystemId();
        var b = new RunnerIdentity("docker", "i-0123456789abcdef1").gitlabSystemId();

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void githubRunnerNameIsPoolAndInstanceIdWithinSixtyFourCharacters() {
        assertThat(new RunnerIdentity("linux-x64", "i-0123456789abcdef0").githubRunnerName())
                .isEqualTo("linux-x64-i-0123456789abcdef0");

        String longPool = "p".repeat(80);
        String name = new RunnerIdentity(longPool, "i-0123456789abcdef0").githubRunnerName();
        assertThat(name).hasSize(64).endsWith("-i-0123456789abcdef0");
    }

    @Test
    void somethingThatIsNotAnInstanceIdIsRefused() {
        assertThatThrownBy(() -> new RunnerIdentity("docker", "i-xyz; rm -rf /"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an EC2 instance id");
    }
}
