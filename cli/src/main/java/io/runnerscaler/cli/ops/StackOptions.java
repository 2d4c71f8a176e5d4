package io.runnerscaler.cli.ops;

import io.runnerscaler.aws.AwsClients;
import picocli.CommandLine.Option;

/**
 * Which stack an operator command talks to. Defaults come from the same environment variables the
 * functions read, so {@code export} the stack's outputs once and every command works.
 */
public final class StackOptions {

    @picocli.CommandLine.Mixin
    AwsOptions aws;

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
        return aws.clients();
    }

    public String jobsTable() {
        return jobsTable;
    }

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec command;

    /** The value, or a usage error naming the option (exit code 2). */
    public String required(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(),
                    option + " is required (or set the matching RUNNER_SCALER_* environment variable)");
        }
        return value;
    }
}
