package io.runnerscaler.lambda;

import io.runnerscaler.core.config.Durations;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.runner.BootstrapSettings;
import java.time.Duration;
import io.runnerscaler.forges.github.GitHubApp;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything a function reads from its environment, in one place. The SAM template sets each of these;
 * a test checks that it does. The required values are fields; the optional ones (features an operator may
 * leave off) are named values read through their accessors, so adding one touches no caller.
 *
 * @param awsEndpoint local emulator or LocalStack endpoint; unset in AWS
 * @param options     optional named values, by environment variable name; blank values are left out
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
        Map<String, String> options) {

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
    /** Optional: the stack's runner launch template (id or name), for pools that name none. */
    public static final String LAUNCH_TEMPLATE_ID = "RUNNER_SCALER_LAUNCH_TEMPLATE_ID";
    /**
     * Optional: the image of the stack's runner launch template (the template's RunnerImageId: {@code ami-...} or
     * {@code resolve:ssm:<parameter>}); the reaper retires stopped machines of the pools on that template that were
     * built from another image.
     */
    public static final String RUNNER_IMAGE_ID = "RUNNER_SCALER_RUNNER_IMAGE_ID";
    /** Optional: table where per-machine GitHub JIT configs wait for their machine (its bootstrap is given the name); required with the App. */
    public static final String BOOTSTRAP_SECRETS_TABLE = "RUNNER_SCALER_BOOTSTRAP_SECRETS_TABLE";
    /** Optional: default image of GitLab runners' docker executor; {@code alpine:latest} when unset. */
    public static final String RUNNER_DOCKER_IMAGE = "RUNNER_SCALER_RUNNER_DOCKER_IMAGE";
    /** Optional: a machine powers itself off after this long ({@code 12h}, {@code 86400}); unset or 0: never. */
    public static final String RUNNER_MAX_LIFETIME = "RUNNER_SCALER_RUNNER_MAX_LIFETIME";

    /**
     * Optional: the wait before a failed scale-up message is retried ({@code 10s} when unset), doubled per receive
     * up to 5 minutes; a forge's {@code Retry-After} overrides it.
     */
    public static final String SCALE_UP_FIRST_RETRY = "RUNNER_SCALER_SCALE_UP_FIRST_RETRY";

    /** How long a GitHub machine waits for its JIT config: longer than a scale-up invocation retried a few times. */
    static final Duration GITHUB_SECRET_WAIT = Duration.ofMinutes(10);
    /** Optional: the stack's SSM parameter path; GitLab pool tokens must lie under its runners/gitlab/. */
    public static final String PARAMETER_PATH = "RUNNER_SCALER_PARAMETER_PATH";

    /** Optional: the GitHub App's id; set, GitHub runners are managed through the App (JIT configs, re-runs). */
    public static final String GITHUB_APP_ID = "RUNNER_SCALER_GITHUB_APP_ID";
    /** Optional: the App's installation on the organisation or repository; required with the App id. */
    public static final String GITHUB_APP_INSTALLATION_ID = "RUNNER_SCALER_GITHUB_APP_INSTALLATION_ID";
    /** Optional: SSM SecureString holding the App's PEM private key; required with the App id. */
    public static final String GITHUB_APP_PRIVATE_KEY_PARAMETER = "RUNNER_SCALER_GITHUB_APP_PRIVATE_KEY_PARAMETER";
    /** Optional: GitHub REST API base, for GitHub Enterprise Server ({@code https://ghes.example.com/api/v3}). */
    public static final String GITHUB_API_URL = "RUNNER_SCALER_GITHUB_API_URL";
    /** Optional: unique id of the runner role, the first half of a bootstrap secret's key; required with the App. */
    public static final String RUNNER_ROLE_ID = "RUNNER_SCALER_RUNNER_ROLE_ID";

    /** Variables the template must set for every function (AWS_REGION is set by Lambda itself). */
    public static final List<String> REQUIRED_IN_TEMPLATE = List.of(STACK, CONFIG_PARAMETER, QUEUE_URL,
            DLQ_URL, MACHINES_TABLE, JOBS_TABLE, GITLAB_SECRET_PARAMETER, GITHUB_SECRET_PARAMETER);

    /** Optional variables the code reads; the template sets each (possibly empty). */
    public static final List<String> OPTIONAL = List.of(GITLAB_API_TOKEN_PARAMETER, GITLAB_URL, DEFAULT_SUBNETS,
            LAUNCH_TEMPLATE_ID, RUNNER_IMAGE_ID, BOOTSTRAP_SECRETS_TABLE, RUNNER_DOCKER_IMAGE, RUNNER_MAX_LIFETIME, PARAMETER_PATH,
            GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID, GITHUB_APP_PRIVATE_KEY_PARAMETER, GITHUB_API_URL,
            RUNNER_ROLE_ID, SCALE_UP_FIRST_RETRY);

    public Settings {
        var kept = new TreeMap<String, String>();
        options.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                kept.put(k, v);
            }
        });
        options = Map.copyOf(kept);
    }

    /** Settings with no optional values. */
    public Settings(String region, Optional<String> awsEndpoint, String stack, String configParameter, String queueUrl,
                    String dlqUrl, String machinesTable, String jobsTable, String gitlabSecretParameter,
                    String githubSecretParameter) {
        this(region, awsEndpoint, stack, configParameter, queueUrl, dlqUrl, machinesTable, jobsTable,
                gitlabSecretParameter, githubSecretParameter, Map.of());
    }

    /** These settings with one optional value set (or removed, when {@code value} is blank). */
    public Settings with(String name, String value) {
        var next = new HashMap<>(options);
        next.put(name, value == null ? "" : value);
        return new Settings(region, awsEndpoint, stack, configParameter, queueUrl, dlqUrl, machinesTable, jobsTable,
                gitlabSecretParameter, githubSecretParameter, next);
    }

    /** These settings against another AWS endpoint (a fault-injecting proxy in front of the emulator ...). */
    public Settings withEndpoint(String endpoint) {
        return new Settings(region, Optional.of(endpoint), stack, configParameter, queueUrl, dlqUrl, machinesTable,
                jobsTable, gitlabSecretParameter, githubSecretParameter, options);
    }

    /** An optional value by its variable name. */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** SSM SecureString with a GitLab token ({@code read_api}) for job tag lookups; unset: matched without tags. */
    public Optional<String> gitlabApiTokenParameter() {
        return option(GITLAB_API_TOKEN_PARAMETER);
    }

    /** The GitLab instance the token belongs to, e.g. {@code https://gitlab.example.com}. */
    public String gitlabUrl() {
        return option(GITLAB_URL).orElse("https://gitlab.com");
    }

    /** Runner subnets for pools that list none. */
    public List<String> defaultSubnets() {
        return option(DEFAULT_SUBNETS).map(s -> Arrays.stream(s.split(",")).map(String::strip)
                .filter(x -> !x.isEmpty()).toList()).orElse(List.of());
    }

    /** The wait before a failed scale-up message's first retry. */
    public Duration scaleUpFirstRetry() {
        String value = option(SCALE_UP_FIRST_RETRY).orElse("10s");
        return Durations.parse(value).filter(d -> !d.isZero()).orElseThrow(() -> new IllegalStateException(
                SCALE_UP_FIRST_RETRY + ": '" + value + "' is not a positive duration (10s, 1m)"));
    }

    /** The stack's runner launch template, base of the pools that name none. */
    public Optional<String> launchTemplateId() {
        return option(LAUNCH_TEMPLATE_ID);
    }

    /** The image of the stack's runner launch template, which the pools that name no image of their own launch. */
    public Optional<String> runnerImage() {
        return option(RUNNER_IMAGE_ID);
    }

    /** The JIT config table GitHub machines read at boot. */
    public Optional<String> bootstrapSecretsTable() {
        return option(BOOTSTRAP_SECRETS_TABLE);
    }

    /**
     * What the runner bootstrap scripts need beside the pool, with the pool's own safety idle limit
     * ({@link BootstrapSettings#safetyIdleTimeoutFor}).
     */
    public BootstrapSettings bootstrap(PoolConfig pool) {
        String lifetime = option(RUNNER_MAX_LIFETIME).orElse("0");
        Duration maxLifetime = Durations.parse(lifetime).orElseThrow(() -> new IllegalStateException(
                RUNNER_MAX_LIFETIME + ": '" + lifetime + "' is not a duration (86400, 12h, 1h30m)"));
        return new BootstrapSettings(gitlabUrl(),
                option(RUNNER_DOCKER_IMAGE).orElse("alpine:latest"), bootstrapSecretsTable().orElse(""),
                BootstrapSettings.safetyIdleTimeoutFor(pool), maxLifetime, GITHUB_SECRET_WAIT);
    }

    /** The stack's SSM parameter path, where the runner role may read pool tokens; unset: not checked. */
    public Optional<String> parameterPath() {
        return option(PARAMETER_PATH);
    }

    /**
     * The GitHub App GitHub runners are managed with, when {@link #GITHUB_APP_ID} is set; empty leaves them
     * unmanaged (they register with what their AMI brings and the table is the only busy check).
     *
     * @throws IllegalStateException naming the missing or malformed companion setting, at cold start
     */
    public Optional<GitHubApp> githubApp() {
        return option(GITHUB_APP_ID).map(appId -> {
            var missing = java.util.stream.Stream.of(GITHUB_APP_INSTALLATION_ID, GITHUB_APP_PRIVATE_KEY_PARAMETER,
                    BOOTSTRAP_SECRETS_TABLE, RUNNER_ROLE_ID).filter(k -> option(k).isEmpty()).toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException(GITHUB_APP_ID + " is set, so these must be too: "
                        + String.join(", ", missing));
            }
            String installation = option(GITHUB_APP_INSTALLATION_ID).orElseThrow().strip();
            if (!installation.matches("[0-9]{1,19}")) {
                throw new IllegalStateException(GITHUB_APP_INSTALLATION_ID + " must be the installation's number,"
                        + " found '" + installation + "'");
            }
            return new GitHubApp(appId.strip(), Long.parseLong(installation),
                    option(GITHUB_APP_PRIVATE_KEY_PARAMETER).orElseThrow().strip());
        });
    }

    /** The GitHub REST API base: {@code https://api.github.com} unless an Enterprise Server URL is set. */
    public String githubApiUrl() {
        return option(GITHUB_API_URL).orElse("https://api.github.com");
    }

    /** From any source of named values (the process environment, Quarkus / MicroProfile config ...). */
    public static Settings from(Function<String, Optional<String>> lookup) {
        var values = new HashMap<String, String>();
        for (String name : known()) {
            lookup.apply(name).ifPresent(v -> values.put(name, v));
        }
        return from(values);
    }

    public static Settings from(Map<String, String> env) {
        var missing = REQUIRED_IN_TEMPLATE.stream().filter(k -> blank(env.get(k))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing environment variables: " + String.join(", ", missing));
        }
        var options = new HashMap<String, String>();
        OPTIONAL.forEach(k -> options.put(k, env.get(k)));
        return new Settings(env.getOrDefault(REGION, "us-east-1"), Optional.ofNullable(env.get(AWS_ENDPOINT))
                .filter(v -> !v.isBlank()), env.get(STACK), env.get(CONFIG_PARAMETER), env.get(QUEUE_URL),
                env.get(DLQ_URL), env.get(MACHINES_TABLE), env.get(JOBS_TABLE), env.get(GITLAB_SECRET_PARAMETER),
                env.get(GITHUB_SECRET_PARAMETER), options);
    }

    /** These settings as the environment variables {@link #from(Map)} reads them from (its inverse). */
    public Map<String, String> environment() {
        var env = new TreeMap<String, String>(options);
        env.put(REGION, region);
        awsEndpoint.ifPresent(e -> env.put(AWS_ENDPOINT, e));
        env.put(STACK, stack);
        env.put(CONFIG_PARAMETER, configParameter);
        env.put(QUEUE_URL, queueUrl);
        env.put(DLQ_URL, dlqUrl);
        env.put(MACHINES_TABLE, machinesTable);
        env.put(JOBS_TABLE, jobsTable);
        env.put(GITLAB_SECRET_PARAMETER, gitlabSecretParameter);
        env.put(GITHUB_SECRET_PARAMETER, githubSecretParameter);
        return env;
    }

    /** Every variable this class reads. */
    public static List<String> known() {
        var all = new java.util.ArrayList<String>(List.of(REGION, AWS_ENDPOINT));
        all.addAll(REQUIRED_IN_TEMPLATE);
        all.addAll(OPTIONAL);
        return all;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
