package io.runnerscaler.aws;

import io.runnerscaler.core.port.ImageIds;
import io.runnerscaler.core.port.SecretStore;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * SSM Parameter Store as the secret (and config) store, SecureStrings decrypted on read, and as the runner image
 * ids the image pipeline publishes.
 */
public final class SsmParameters implements SecretStore, ImageIds {

    private final SsmClient ssm;

    public SsmParameters(SsmClient ssm) {
        this.ssm = ssm;
    }

    @Override
    public Optional<String> get(String name) {
        try {
            return Optional.of(ssm.getParameter(GetParameterRequest.builder().name(name).withDecryption(true).build())
                    .parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * The image id an image parameter holds (the image stack writes a String of data type {@code aws:ec2:image}, the
     * value an AMI id); read without decryption, so a caller needs {@code ssm:GetParameter} on it and no KMS key.
     * The name may carry a {@code :version} or {@code :label} selector, as a {@code resolve:ssm:} reference may.
     */
    @Override
    public Optional<String> imageId(String parameter) {
        try {
            return Optional.of(ssm.getParameter(GetParameterRequest.builder().name(parameter).withDecryption(false)
                    .build()).parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Whether the parameter exists, without decrypting it. */
    public boolean exists(String name) {
        try {
            ssm.getParameter(GetParameterRequest.builder().name(name).withDecryption(false).build());
            return true;
        } catch (ParameterNotFoundException e) {
            return false;
        }
    }

    /**
     * Stores a SecureString (an operator's one-off provisioning step, never a per-job write: PutParameter's
     * account-wide rate is a few per second).
     *
     * @param kmsKeyId the key to encrypt with; empty for the account's {@code aws/ssm} key
     */
    public void putSecure(String name, String value, boolean overwrite, Optional<String> kmsKeyId) {
        var put = PutParameterRequest.builder().name(name).value(value).type(ParameterType.SECURE_STRING)
                .overwrite(overwrite);
        kmsKeyId.ifPresent(put::keyId);
        ssm.putParameter(put.build());
    }
}
