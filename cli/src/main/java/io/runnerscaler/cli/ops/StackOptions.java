package io.runnerscaler.cli.ops;

import io.runnerscaler.aws.AwsClients;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which stack an operator command talks to. Defaults come from the same environment variables the
 * functions read, so {@code export} the stack's outputs once and every command works.
 */
public final class StackOptions {

    @Option(names = "--endpoint", defaultValue = "${env:RUNNER_SCALER_AWS_ENDPOINT}",
            description = "AWS endpoint (the local emulator, LocalStack); unset for AWS itself.")
    String endpoint;

    @Option(names = "--region", defaultValue = "${env:AWS_REGION:-us-east-1}", description = "AWS region.")
    String region;

    @Option(names = "--queue-url", defaultValue = "${env:RUNNER_SCALER_QUEUE_URL}", description = "Job queue URL.")
    String queueUrl;

    @Option(names = "--dlq-url", defaultValue = "${env:RUNNER_SCALER_DLQ_URL}", description = "Dead-letter queue URL.")
    String dlqUrl;

    @Option(names = "--machines-table", defaultValue = "${env:RUNNER_SCALER_MACHINES_TABLE}",
            description = "Machines table name.")
    String machinesTable;

    @Option(names = "--jobs-table", defaultValue = "${env:RUNNER_SCALER_JOBS_TABLE}", description = "Jobs table name.")
    String jobsTable;

    public AwsClients clients() {
        return AwsClients.create(region, Optional.ofNullable(endpoint).filter(s -> !s.isBlank()).map(URI::create));
    }

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec command;

    /** The value, or a usage error naming the option (exit code 2). */
    String required(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(),
                    option + " is required (or set the matching RUNNER_SCALER_* environment variable)");
        }
        return value;
    }
}
