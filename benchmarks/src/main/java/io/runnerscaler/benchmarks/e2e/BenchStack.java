package io.runnerscaler.benchmarks.e2e;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.Settings;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One stack's resources on the emulator (queue and DLQ, tables, launch template, config and webhook secret
 * parameters), created the way {@code runner-scaler local} and the end-to-end tests create them, and the
 * {@link Settings} a function of that stack runs with.
 */
public final class BenchStack {

    public static final String REGION = "us-east-1";
    /** The documented test secret the samples in events/ carry. */
    public static final String GITLAB_TOKEN = "runner-scaler-test-gitlab-token";
    public static final String LAUNCH_TEMPLATE = "runner-scaler-bench";

    private final String name;
    private final URI emulator;
    private final AwsClients admin;
    private final Provisioner.Resources resources;

    private BenchStack(String name, URI emulator, AwsClients admin, Provisioner.Resources resources) {
        this.name = name;
        this.emulator = emulator;
        this.admin = admin;
        this.resources = resources;
    }

    /** Creates (idempotently) the stack's resources with this pools YAML; the queue's visibility is short. */
    public static BenchStack provision(URI emulator, String name, String poolsYaml) {
        AwsClients admin = AwsClients.create(REGION, Optional.of(emulator));
        Provisioner provisioner = new Provisioner(admin);
        Provisioner.Resources resources = provisioner.create(name, Duration.ofSeconds(30));
        provisioner.launchTemplate(LAUNCH_TEMPLATE);
        provisioner.parameter(configParameter(name), poolsYaml, false);
        provisioner.parameter(gitlabSecretParameter(name), GITLAB_TOKEN, true);
        return new BenchStack(name, emulator, admin, resources);
    }

    /**
     * A pool for one GitLab project's untagged docker jobs, one machine per job (IdleCount 0), large enough
     * that {@code limit} never holds a launch back in the benchmarks.
     */
    public static String onePool(String market, int limit, int idleTimeSeconds) {
        return """
                concurrent: 10000
                pools:
                  - name: docker
                    forge: gitlab
                    runUntagged: true
                    instanceTypes: [t3.large]
                    launchTemplate: %s
                    tokenParameter: /runner-scaler/bench/docker/runner-token
                    market: %s
                    limit: %d
                    idleCount: 0
                    idleTime: %d
                    maxGrowthRate: 0
                """.formatted(LAUNCH_TEMPLATE, market, limit, idleTimeSeconds);
    }

    public static final String POOL = "docker";

    /**
     * Pools {@code pool-0 ...}, each taking the GitLab jobs labelled with its name, on demand, limit {@code limit},
     * IdleCount 0, no growth rate, machines idle for {@code idleTime} (a duration as the config writes it) before
     * they go. Each has a runner token parameter: a GitLab pool without one registers no runner, so launches none.
     */
    public static String manyPools(int pools, int limit, String idleTime) {
        StringBuilder yaml = new StringBuilder("concurrent: 100000\npools:\n");
        for (int i = 0; i < pools; i++) {
            yaml.append("""
                      - name: pool-%d
                        forge: gitlab
                        labels: [pool-%d]
                        instanceTypes: [t3.large]
                        launchTemplate: %s
                        tokenParameter: /runner-scaler/bench/pool-%d/runner-token
                        market: on-demand
                        limit: %d
                        idleCount: 0
                        idleTime: %s
                        maxGrowthRate: 0
                    """.formatted(i, i, LAUNCH_TEMPLATE, i, limit, idleTime));
        }
        return yaml.toString();
    }

    /** Settings of a function whose SDK calls go to {@code functionsEndpoint} (the emulator or a proxy before it). */
    public Settings settings(URI functionsEndpoint) {
        return new Settings(REGION, Optional.of(functionsEndpoint.toString()), name, configParameter(name),
                resources.queueUrl(), resources.dlqUrl(), resources.machinesTable(), resources.jobsTable(),
                gitlabSecretParameter(name), "/runner-scaler/" + name + "/github-webhook-secret");
    }

    /** The environment Lambda would give a function of this stack (what {@link Settings#from} reads). */
    public Map<String, String> environment(URI functionsEndpoint) {
        Settings s = settings(functionsEndpoint);
        return Map.of(Settings.REGION, s.region(), Settings.AWS_ENDPOINT, s.awsEndpoint().orElseThrow(),
                Settings.STACK, s.stack(), Settings.CONFIG_PARAMETER, s.configParameter(),
                Settings.QUEUE_URL, s.queueUrl(), Settings.DLQ_URL, s.dlqUrl(),
                Settings.MACHINES_TABLE, s.machinesTable(), Settings.JOBS_TABLE, s.jobsTable(),
                Settings.GITLAB_SECRET_PARAMETER, s.gitlabSecretParameter(),
                Settings.GITHUB_SECRET_PARAMETER, s.githubSecretParameter());
    }

    /** The application as a function instance of this stack builds it. */
    public App app(URI functionsEndpoint, Clock clock, PrintStream log) {
        return new App(settings(functionsEndpoint), clock, log);
    }

    /** Clients straight to the emulator, for set-up and checks that are not part of what is measured. */
    public AwsClients admin() {
        return admin;
    }

    public URI emulator() {
        return emulator;
    }

    public Provisioner.Resources resources() {
        return resources;
    }

    public String name() {
        return name;
    }

    private static String configParameter(String stack) {
        return "/runner-scaler/" + stack + "/config";
    }

    private static String gitlabSecretParameter(String stack) {
        return "/runner-scaler/" + stack + "/gitlab-webhook-secret";
    }
}
