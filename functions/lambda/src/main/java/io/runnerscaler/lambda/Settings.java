package io.runnerscaler.lambda;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a function reads from its environment, in one place. The SAM template sets each of these;
 * a test checks that it does.
 *
 * @param awsEndpoint local emulator or LocalStack endpoint; unset in AWS
 * @param gitlabApiTokenParameter SSM SecureString with a GitLab token ({@code read_api}) for job tag lookups;
 *                                unset: GitLab jobs are matched without tags
 * @param gitlabUrl   the GitLab instance the token belongs to, e.g. {@code https://gitlab.example.com}
 */
public record Settings(
        String region,
        Optional<String> awsEndpoint,
        String stack,
        String configParameter,
        String queueUrl,
        String dlqUrl,
        String machinesTable,
        String jobsTable,
        String gitlabSecretParameter,
        String githubSecretParameter,
        Optional<String> gitlabApiTokenParameter,
        Optional<String> gitlabUrl,
        List<String> defaultSubnets) {

    public Settings {
        defaultSubnets = List.copyOf(defaultSubnets);
    }

    /** Settings without default subnets. */
    public Settings(String region, Optional<String> awsEndpoint, String stack, String configParameter, String queueUrl,
                    String dlqUrl, String machinesTable, String jobsTable, String gitlabSecretParameter,
                    String githubSecretParameter, Optional<String> gitlabApiTokenParameter, Optional<String> gitlabUrl) {
        this(region, awsEndpoint, stack, configParameter, queueUrl, dlqUrl, machinesTable, jobsTable,
                gitlabSecretParameter, githubSecretParameter, gitlabApiTokenParameter, gitlabUrl, List.of());
    }

    /** Settings without GitLab tag lookups. */
    public Settings(String region, Optional<String> awsEndpoint, String stack, String configParameter, String queueUrl,
                    String dlqUrl, String machinesTable, String jobsTable, String gitlabSecretParameter,
                    String githubSecretParameter) {
        this(region, awsEndpoint, stack, configParameter, queueUrl, dlqUrl, machinesTable, jobsTable,
                gitlabSecretParameter, githubSecretParameter, Optional.empty(), Optional.empty());
    }

    public static final String REGION = "AWS_REGION";
    public static final String AWS_ENDPOINT = "RUNNER_SCALER_AWS_ENDPOINT";
    public static final String STACK = "RUNNER_SCALER_STACK";
    public static final String CONFIG_PARAMETER = "RUNNER_SCALER_CONFIG_PARAMETER";
    public static final String QUEUE_URL = "RUNNER_SCALER_QUEUE_URL";
    public static final String DLQ_URL = "RUNNER_SCALER_DLQ_URL";
    public static final String MACHINES_TABLE = "RUNNER_SCALER_MACHINES_TABLE";
    public static final String JOBS_TABLE = "RUNNER_SCALER_JOBS_TABLE";
    public static final String GITLAB_SECRET_PARAMETER = "RUNNER_SCALER_GITLAB_SECRET_PARAMETER";
    public static final String GITHUB_SECRET_PARAMETER = "RUNNER_SCALER_GITHUB_SECRET_PARAMETER";
    /** Optional: SSM SecureString holding a GitLab API token with read_api scope (job tags). */
    public static final String GITLAB_API_TOKEN_PARAMETER = "RUNNER_SCALER_GITLAB_API_TOKEN_PARAMETER";
    /** Optional: base URL of the GitLab instance; {@code https://gitlab.com} when the token is set and this is not. */
    public static final String GITLAB_URL = "RUNNER_SCALER_GITLAB_URL";
    /** Optional: comma-separated runner subnets for pools that list none (the template's RunnerSubnetIds). */
    public static final String DEFAULT_SUBNETS = "RUNNER_SCALER_DEFAULT_SUBNETS";

    /** Variables the template must set for every function (AWS_REGION is set by Lambda itself). */
    public static final List<String> REQUIRED_IN_TEMPLATE = List.of(STACK, CONFIG_PARAMETER, QUEUE_URL,
            DLQ_URL, MACHINES_TABLE, JOBS_TABLE, GITLAB_SECRET_PARAMETER, GITHUB_SECRET_PARAMETER);

    /** From any source of named values (the process environment, Quarkus / MicroProfile config ...). */
    public static Settings from(java.util.function.Function<String, Optional<String>> lookup) {
        var values = new java.util.HashMap<String, String>();
        for (String name : List.of(REGION, AWS_ENDPOINT, STACK, CONFIG_PARAMETER, QUEUE_URL, DLQ_URL, MACHINES_TABLE,
                JOBS_TABLE, GITLAB_SECRET_PARAMETER, GITHUB_SECRET_PARAMETER, GITLAB_API_TOKEN_PARAMETER, GITLAB_URL,
                DEFAULT_SUBNETS)) {
            lookup.apply(name).ifPresent(v -> values.put(name, v));
        }
        return from(values);
    }

    public static Settings from(Map<String, String> env) {
        var missing = REQUIRED_IN_TEMPLATE.stream().filter(k -> blank(env.get(k))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing environment variables: " + String.join(", ", missing));
        }
        return new Settings(env.getOrDefault(REGION, "us-east-1"), Optional.ofNullable(env.get(AWS_ENDPOINT))
                .filter(v -> !v.isBlank()), env.get(STACK), env.get(CONFIG_PARAMETER), env.get(QUEUE_URL),
                env.get(DLQ_URL), env.get(MACHINES_TABLE), env.get(JOBS_TABLE), env.get(GITLAB_SECRET_PARAMETER),
                env.get(GITHUB_SECRET_PARAMETER), optional(env, GITLAB_API_TOKEN_PARAMETER), optional(env, GITLAB_URL),
                optional(env, DEFAULT_SUBNETS).map(s -> java.util.Arrays.stream(s.split(",")).map(String::strip)
                        .filter(x -> !x.isEmpty()).toList()).orElse(List.of()));
    }

    private static Optional<String> optional(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).filter(v -> !v.isBlank());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
