package io.runnerscaler.cli.ops;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.lambda.Settings;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * Which stack an operator command talks to. Defaults come from the same environment variables the
 * functions read, so {@code export} the stack's outputs once and every command works. When none of them is set
 * or given and {@code runner-scaler local} is running in this checkout, its stack is used ({@link LocalStack}).
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

    /** The variable each option defaults to, for the local stack's file. */
    private static final Map<String, String> VARIABLES = Map.of("--queue-url", Settings.QUEUE_URL,
            "--dlq-url", Settings.DLQ_URL, "--machines-table", Settings.MACHINES_TABLE,
            "--jobs-table", Settings.JOBS_TABLE);

    private Optional<Map<String, String>> local;

    public AwsClients clients() {
        return local().map(env -> AwsClients.create(env.getOrDefault(Settings.REGION, "us-east-1"),
                Optional.ofNullable(env.get(Settings.AWS_ENDPOINT)).map(URI::create))).orElseGet(aws::clients);
    }

    public String jobsTable() {
        return jobsTable;
    }

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec command;

    /** The value, the local stack's, or a usage error naming the option (exit code 2). */
    public String required(String value, String option) {
        if (given(value)) {
            return value;
        }
        return local().map(env -> env.get(VARIABLES.get(option))).filter(v -> !v.isBlank()).orElseThrow(() ->
                new picocli.CommandLine.ParameterException(command.commandLine(), option + " is required (or set the"
                        + " matching RUNNER_SCALER_* environment variable, or run it beside `runner-scaler local`)"));
    }

    /**
     * The running local stack, when nothing names another: no table or queue given, and no endpoint but the local
     * stack's (an operator who exported a deployed stack's outputs gets that stack, never the local one).
     */
    private synchronized Optional<Map<String, String>> local() {
        if (local == null) {
            boolean named = Stream.of(queueUrl, dlqUrl, machinesTable, jobsTable).anyMatch(StackOptions::given);
            local = named ? Optional.empty() : LocalStack.read().filter(env -> !given(aws.endpoint)
                    || aws.endpoint.strip().equals(env.get(Settings.AWS_ENDPOINT)));
            local.ifPresent(env -> System.err.println("runner-scaler: the stack of `runner-scaler local` ("
                    + env.get(Settings.STACK) + " at " + env.get(Settings.AWS_ENDPOINT) + ")"));
        }
        return local;
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }
}
