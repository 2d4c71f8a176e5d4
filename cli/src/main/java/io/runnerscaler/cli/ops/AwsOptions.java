package io.runnerscaler.cli.ops;

import io.runnerscaler.aws.AwsClients;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where a command reaches AWS: the region, and the local emulator's endpoint when there is one. */
public final class AwsOptions {

    @Option(names = "--endpoint", defaultValue = "${env:RUNNER_SCALER_AWS_ENDPOINT}",
            description = "AWS endpoint (the local emulator, LocalStack); unset for AWS itself.")
    String endpoint;

    @Option(names = "--region", defaultValue = "${env:AWS_REGION:-us-east-1}", description = "AWS region.")
    String region;

    public AwsClients clients() {
        return AwsClients.create(region, Optional.ofNullable(endpoint).filter(s -> !s.isBlank()).map(URI::create));
    }
}
