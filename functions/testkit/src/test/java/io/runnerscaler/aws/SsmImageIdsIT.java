package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.testkit.AwsEmulator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * The image ids the image pipeline publishes, read through SSM on the emulator: the parameter as the image stack's
 * distribution writes it (a String of data type {@code aws:ec2:image}), replaced by each new image.
 */
class SsmImageIdsIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final String PARAMETER = "/runner-scaler-image/x86_64";
    private SsmClient ssm;
    private SsmParameters images;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        ssm = emulator.clients().ssm();
        images = new SsmParameters(ssm);
    }

    private void publish(String imageId) {
        ssm.putParameter(PutParameterRequest.builder().name(PARAMETER).value(imageId).type(ParameterType.STRING)
                .dataType("aws:ec2:image").overwrite(true).build());
    }

    @Test
    void theParameterGivesTheImageIdPublishedLast() {
        publish("ami-0aaaaaaaaaaaaaaa1");
        assertThat(images.imageId(PARAMETER)).contains("ami-0aaaaaaaaaaaaaaa1");

        publish("ami-0bbbbbbbbbbbbbbb2");
        assertThat(images.imageId(PARAMETER)).contains("ami-0bbbbbbbbbbbbbbb2");
    }

    @Test
    void aVersionSelectorReadsThatVersionAsResolveSsmWould() {
        publish("ami-0aaaaaaaaaaaaaaa1");
        publish("ami-0bbbbbbbbbbbbbbb2");

        assertThat(images.imageId(PARAMETER + ":1")).contains("ami-0aaaaaaaaaaaaaaa1");
    }

    @Test
    void aParameterNotYetWrittenIsNoImage() {
        assertThat(images.imageId(PARAMETER)).isEmpty();
    }
}
