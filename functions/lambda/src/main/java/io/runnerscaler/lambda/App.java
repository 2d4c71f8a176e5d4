package io.runnerscaler.lambda;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.DynamoAppQuota;
import io.runnerscaler.aws.DynamoBootstrapSecrets;
import io.runnerscaler.core.memory.InMemoryAppQuota;
import io.runnerscaler.core.port.AppQuota;
import io.runnerscaler.aws.DynamoJobLedger;
import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.Ec2Fleet;
import io.runnerscaler.aws.EmfMetrics;
import io.runnerscaler.aws.LaunchTemplates;
import io.runnerscaler.aws.PoolLaunchTemplates;
import io.runnerscaler.aws.SqsDeadLetters;
import io.runnerscaler.aws.SqsJobQueue;
import io.runnerscaler.aws.SsmParameters;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.Deployment;
import io.runnerscaler.core.config.GitHubTarget;
import io.runnerscaler.core.config.LastGoodConfig;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.config.TokenParameterScope;
import io.runnerscaler.core.log.JsonLinesLog;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.port.DeadLetters;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.RunnerRegistry;
import io.runnerscaler.core.runner.RunnerRegistrations;
import io.runnerscaler.core.runner.UnmanagedRunners;
import io.runnerscaler.core.runner.UserData;
import io.runnerscaler.forges.github.GitHubApp;
import io.runnerscaler.forges.github.GitHubAppClient;
import io.runnerscaler.forges.github.GitHubJobRetry;
import io.runnerscaler.forges.github.GitHubRunnerRegistry;
import io.runnerscaler.forges.github.GitHubRunnersApi;
import io.runnerscaler.forges.gitlab.GitLabRunnerRegistry;
import io.runnerscaler.forges.gitlab.GitLabRunnersApi;
import java.util.List;
import io.runnerscaler.core.port.JobRetry;
import io.runnerscaler.forges.gitlab.GitLabJobRetry;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.Refreshing;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.core.usecase.InstanceEvents;
import io.runnerscaler.core.usecase.JobEvents;
import io.runnerscaler.core.usecase.PlanExecutor;
import io.runnerscaler.core.usecase.Reaper;
import io.runnerscaler.core.usecase.ScaleUp;
import io.runnerscaler.aws.SqsRedelivery;
import io.runnerscaler.core.tags.GitLabJobTags;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.core.webhook.WebhookIngest;
import io.runnerscaler.forges.gitlab.GitLabJobsApi;
import io.runnerscaler.core.port.PendingJobs;
import io.runnerscaler.core.usecase.MissedJobs;
import io.runnerscaler.forges.gitlab.GitLabPendingJobs;
import io.runnerscaler.forges.github.GitHubPendingJobs;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The composition root: builds adapters and use cases from {@link Settings}. Quarkus, the CLI and the
 * end-to-end tests all assemble the application here, so what they run is the same. Everything is built
 * lazily, so a function pays only for the clients it uses.
 */
public final class App {

    /** How long a loaded secret or config is used before it is read again. */
    public static final Duration REFRESH = Duration.ofMinutes(5);
    /** How often the config parameter is read again: an operator's update applies within a minute. */
    public static final Duration CONFIG_REFRESH = Duration.ofMinutes(1);

    private final Settings settings;
    private final Planner planner = new Planner();
    private final Clock clock;
    private final AwsClients aws;
    private final EventLog log;
    private final Metrics metrics;
    private final SsmParameters parameters;
    private final Supplier<ScalerConfig> config;
    private final Supplier<SharedSecrets> gitlabSecrets;
    private final Supplier<SharedSecrets> githubSecrets;
    private UnaryOperator<JobEvent> jobTags;
    private LaunchTemplates launchTemplates;
    private final Optional<GitHubApp> githubApp;
    private GitHubAppClient github;
    private HttpClient forgeClient;
    private Supplier<Optional<String>> gitlabToken;

    public App(Settings settings, Clock clock, PrintStream out) {
        this(settings, clock, out, Deployment.githubApp(settings.githubApp().isPresent()));
    }

    /**
     * An app whose config is checked against {@code deployment} rather than what a deployed function knows of its
     * stack: {@code runner-scaler local} reads a GitHub pool without a GitHub App ({@link Deployment#UNKNOWN}) and
     * warns, where a function refuses the config.
     */
    public App(Settings settings, Clock clock, PrintStream out, Deployment deployment) {
        this(settings, clock, out, deployment,
                AwsClients.create(settings.region(), settings.awsEndpoint().map(URI::create)));
    }

    /** An app over these clients (the IAM-enforced tests give each function clients signing as its role). */
    public App(Settings settings, Clock clock, PrintStream out, AwsClients aws) {
        this(settings, clock, out, Deployment.githubApp(settings.githubApp().isPresent()), aws);
    }

    private App(Settings settings, Clock clock, PrintStream out, Deployment deployment, AwsClients aws) {
        this.settings = settings;
        this.clock = clock;
        this.aws = aws;
        this.log = new JsonLinesLog(out, clock);
        this.metrics = new EmfMetrics(out, clock);
        this.parameters = new SsmParameters(aws.ssm());
        this.githubApp = settings.githubApp();
        // With the stack's parameter path known, a pool token the runner role could not read is a config error
        // here rather than a machine that fails to register at boot.
        UnaryOperator<ScalerConfig> deploymentCheck = settings.parameterPath()
                .<UnaryOperator<ScalerConfig>>map(path -> new TokenParameterScope(path)::check)
                .orElse(UnaryOperator.identity());
        this.config = new Refreshing<>(new LastGoodConfig(parameters, settings.configParameter(), log, metrics,
                new ConfigLoader(deployment), deploymentCheck), CONFIG_REFRESH, clock);
        this.gitlabSecrets = webhookSecrets(settings.gitlabSecretParameter());
        this.githubSecrets = webhookSecrets(settings.githubSecretParameter());
    }

    public static App fromEnvironment() {
        return new App(Settings.from(System.getenv()), Clock.systemUTC(), System.out);
    }

    public WebhookIngest webhook() {
        return new WebhookIngest(gitlabSecrets, githubSecrets, new SqsJobQueue(aws.sqs(), settings.queueUrl()), log,
                metrics);
    }

    /**
     * Fills in GitLab job tags before scale-up matches pools (the Job Hook has none), when a GitLab API
     * token parameter is configured; otherwise GitLab jobs are matched without tags.
     */
    public synchronized UnaryOperator<JobEvent> jobTags() {
        if (jobTags == null) {
            jobTags = settings.gitlabApiTokenParameter().<UnaryOperator<JobEvent>>map(parameter -> {
                return new GitLabJobTags(new GitLabJobsApi(forgeClient(), gitlabUrl(), gitlabToken(parameter),
                        "parameter " + parameter, clock), log, metrics);
            }).orElse(UnaryOperator.identity());
        }
        return jobTags;
    }

    /**
     * The forge side of launching and terminating. GitLab runner managers are checked and removed through the
     * API when a GitLab token is configured; GitHub runners get a JIT config per machine, stored for that
     * machine alone in the bootstrap secrets table, when a GitHub App is configured. A forge without
     * credentials is {@link UnmanagedRunners}: its machines register and deregister themselves, and the table
     * is the busy check.
     */
    private RunnerRegistrations runnerRegistrations() {
        RunnerRegistry gitlab = settings.gitlabApiTokenParameter().<RunnerRegistry>map(parameter ->
                new GitLabRunnerRegistry(new GitLabRunnersApi(forgeClient(), gitlabUrl(), clock), parameters,
                        parameter))
                .orElse(new UnmanagedRunners(Forge.GITLAB));
        RunnerRegistry github = githubApp.<RunnerRegistry>map(app -> new GitHubRunnerRegistry(
                new GitHubRunnersApi(github()), App::githubTarget)).orElse(new UnmanagedRunners(Forge.GITHUB));
        return new RunnerRegistrations(List.of(gitlab, github), bootstrapSecrets(), log);
    }

    /** Per-machine JIT configs wait in the bootstrap secrets table when GitHub runners are managed. */
    private BootstrapSecrets bootstrapSecrets() {
        return githubApp.<BootstrapSecrets>map(app -> new DynamoBootstrapSecrets(aws.dynamo(),
                settings.option(Settings.BOOTSTRAP_SECRETS_TABLE).orElseThrow(),
                settings.option(Settings.RUNNER_ROLE_ID).orElseThrow())).orElse(BootstrapSecrets.NONE);
    }

    /** The config loader requires a target for every GitHub pool when the App is configured; this is the backstop. */
    private static GitHubTarget githubTarget(PoolConfig pool) {
        return pool.github().orElseThrow(() -> new ForgeException.Misconfigured("pool '" + pool.name()
                + "': no github target (organization or repository) for its runners"));
    }

    /** One client per App, so the runner calls and re-runs share its cached installation token. */
    private synchronized GitHubAppClient github() {
        if (github == null) {
            github = new GitHubAppClient(forgeClient(), URI.create(settings.githubApiUrl()), clock,
                    githubApp.orElseThrow(), parameters, appQuota(), metrics);
        }
        return github;
    }

    /**
     * What the stack's function instances share for the GitHub App (its installation token, a pause after a rate
     * limit, the JIT-config budget): items in the bootstrap secrets table, which a stack with an App always has.
     */
    private AppQuota appQuota() {
        return settings.bootstrapSecretsTable().<AppQuota>map(table -> new DynamoAppQuota(aws.dynamo(), table))
                .orElseGet(InMemoryAppQuota::new);
    }

    /** One HTTP client for every forge call of the process: one connection pool, built once. */
    private synchronized HttpClient forgeClient() {
        if (forgeClient == null) {
            forgeClient = ForgeHttp.newClient();
        }
        return forgeClient;
    }

    private URI gitlabUrl() {
        return URI.create(settings.gitlabUrl());
    }

    /** The GitLab API token, read once and again after {@link #REFRESH}, shared by tags, retries and listings. */
    private synchronized Supplier<Optional<String>> gitlabToken(String parameter) {
        if (gitlabToken == null) {
            gitlabToken = new Refreshing<>(() -> parameters.get(parameter), REFRESH, clock);
        }
        return gitlabToken;
    }

    /**
     * Job retries by forge: GitLab's with the API token, when one is configured (the same token as tag
     * lookups); GitHub's re-run through the App, when one is configured.
     */
    private JobRetry jobRetry() {
        var retries = new EnumMap<Forge, JobRetry>(Forge.class);
        settings.gitlabApiTokenParameter().ifPresent(parameter -> retries.put(Forge.GITLAB, new GitLabJobRetry(
                forgeClient(), gitlabUrl(), gitlabToken(parameter), clock)));
        githubApp.ifPresent(app -> retries.put(Forge.GITHUB, new GitHubJobRetry(github())));
        return JobRetry.byForge(retries);
    }

    public JobEvents jobEvents() {
        return new JobEvents(config, ledger(), machines(), planner, executor(), jobRetry(), clock, log, metrics);
    }

    /**
     * What the scale-up function runs for a batch of queued job events: GitLab tags looked up when a token is
     * configured ({@link #jobTags()}), poison messages parked, failures retried after a short backoff.
     */
    public ScaleUp scaleUp() {
        return new ScaleUp(jobEvents(), jobTags(), deadLetters(), new SqsRedelivery(aws.sqs(), settings.queueUrl()),
                log, settings.scaleUpFirstRetry());
    }

    public Reaper reaper() {
        return new Reaper(config, ledger(), machines(), fleet(), planner, executor(), clock, metrics, missedJobs(),
                log, parameters, settings.runnerImage());
    }

    /**
     * Pending jobs of the config's watched projects whose webhook was lost, put on the job queue (deduplicated
     * with the webhooks): GitLab's listed with the API token, GitHub's through the App's one client (its quota,
     * pause and rate-limit metric shared with the runner calls), each when configured;
     * a watched project of a forge without credentials is logged as not configured.
     */
    private MissedJobs missedJobs() {
        var forges = new java.util.ArrayList<PendingJobs>();
        settings.gitlabApiTokenParameter().ifPresent(parameter -> forges.add(
                new GitLabPendingJobs(forgeClient(), gitlabUrl(), gitlabToken(parameter), "parameter " + parameter,
                        clock)));
        githubApp.ifPresent(app -> forges.add(new GitHubPendingJobs(github())));
        return new MissedJobs(forges, ledger(), new SqsJobQueue(aws.sqs(), settings.queueUrl())::enqueue, log, metrics);
    }

    public InstanceEvents instanceEvents() {
        return new InstanceEvents(config, machines(), ledger(), planner, executor(), clock, log, metrics);
    }

    public DeadLetters deadLetters() {
        return new SqsDeadLetters(aws.sqs(), settings.dlqUrl());
    }

    public MachineStore machines() {
        return new DynamoMachineStore(aws.dynamo(), settings.machinesTable(), metrics);
    }

    public EventLog log() {
        return log;
    }

    public Settings settings() {
        return settings;
    }

    public AwsClients aws() {
        return aws;
    }

    public Supplier<ScalerConfig> config() {
        return config;
    }

    private PlanExecutor executor() {
        return new PlanExecutor(planner, fleet(), machines(), runnerRegistrations(), log, metrics);
    }

    private Fleet fleet() {
        return new Ec2Fleet(aws.ec2(), settings.stack(), settings.defaultSubnets(), launchTemplates(),
                () -> config.get().pools().stream().anyMatch(p -> p.hasStoppedPool()
                        && p.market() != io.runnerscaler.core.config.MarketPolicy.ON_DEMAND));
    }

    /**
     * Each pool's launch template version, carrying its rendered runner bootstrap as user-data; one per App,
     * so the versions found are cached for the life of the function instance (re-checked after {@link #REFRESH}).
     */
    private synchronized LaunchTemplates launchTemplates() {
        if (launchTemplates == null) {
            UserData userData = new UserData();
            launchTemplates = new PoolLaunchTemplates(aws.ec2(), settings.stack(), settings.launchTemplateId(),
                    pool -> {
                        if (pool.forge() == Forge.GITHUB && settings.bootstrapSecretsTable().isEmpty()) {
                            throw new IllegalStateException("pool '" + pool.name() + "': GitHub machines read their"
                                    + " JIT config from a table, and " + Settings.BOOTSTRAP_SECRETS_TABLE + " is not set");
                        }
                        return userData.render(pool, settings.bootstrap(pool));
                    }, clock, REFRESH, log);
        }
        return launchTemplates;
    }

    private JobLedger ledger() {
        return new DynamoJobLedger(aws.dynamo(), settings.jobsTable(), metrics);
    }

    /**
     * A webhook secret parameter (one secret per line), read on first use and again after {@link #REFRESH}.
     * If a refresh fails the last value read stays in use, so an SSM hiccup does not fail deliveries; only
     * a failure before any value was read reaches the webhook, which answers 503.
     */
    private Supplier<SharedSecrets> webhookSecrets(String parameter) {
        var lastGood = new AtomicReference<SharedSecrets>();
        return new Refreshing<>(() -> {
            try {
                SharedSecrets secrets = SharedSecrets.parse(parameters.get(parameter).orElse(""));
                lastGood.set(secrets);
                return secrets;
            } catch (RuntimeException e) {
                SharedSecrets previous = lastGood.get();
                if (previous == null) {
                    throw e;
                }
                log.warn("secrets.refresh_failed", Map.of("parameter", parameter,
                        "error", e.getClass().getSimpleName(), "using", "previous value"));
                return previous;
            }
        }, REFRESH, clock);
    }
}
