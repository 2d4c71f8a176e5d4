package io.runnerscaler.forges.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.testkit.forge.TestAppKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RsaPrivateKeyPemTest {

    @Test
    void pkcs1KeyAsGitHubIssuesItIsWrappedIntoTheSamePkcs8TheJdkWrites() {
        assertThat(RsaPrivateKeyPem.wrapPkcs1(TestAppKey.pkcs1())).isEqualTo(TestAppKey.pkcs8());
        assertThat(RsaPrivateKeyPem.parse(TestAppKey.pkcs1Pem())).isEqualTo(TestAppKey.PAIR.getPrivate());
    }

    @Test
    void pkcs8KeyIsReadAsIs() {
        assertThat(RsaPrivateKeyPem.parse(TestAppKey.pkcs8Pem())).isEqualTo(TestAppKey.PAIR.getPrivate());
    }

    @Test
    void pemWithWindowsLineEndingsAndSurroundingTextIsRead() {
        String pem = "key for app 4242\r\n" + TestAppKey.pkcs1Pem().replace("\n", "\r\n");

        assertThat(RsaPrivateKeyPem.parse(pem)).isEqualTo(TestAppKey.PAIR.getPrivate());
    }

    @ParameterizedTest
    @CsvSource({"0, 00", "127, 7f", "128, 8180", "255, 81ff", "256, 820100", "1190, 8204a6", "70000, 83011170"})
    void derLengthsUseShortFormBelow128AndLongFormAbove(int length, String hex) {
        assertThat(java.util.HexFormat.of().formatHex(RsaPrivateKeyPem.derLength(length))).isEqualTo(hex);
    }

    @Test
    void somethingElseIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> RsaPrivateKeyPem.parse("ghp_notakeyatall"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a PEM RSA private key")
                .hasMessageNotContaining("ghp_");
        String broken = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----";
        assertThatThrownBy(() -> RsaPrivateKeyPem.parse(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid RSA key");
    }
}
