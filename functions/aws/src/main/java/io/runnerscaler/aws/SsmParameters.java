package io.runnerscaler.aws;

import io.runnerscaler.core.port.SecretStore;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/** SSM Parameter Store as the secret (and config) store; SecureStrings are decrypted on read. */
public final class SsmParameters implements SecretStore {

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
