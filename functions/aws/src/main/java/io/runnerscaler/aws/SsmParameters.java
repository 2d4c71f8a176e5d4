package io.runnerscaler.aws;

import io.runnerscaler.core.port.SecretStore;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

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
}
