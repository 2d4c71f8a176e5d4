package io.runnerscaler.cli.ops;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Ec2Fleet;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.Deployment;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.usecase.InstanceEvents;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.QueuePump;
import io.runnerscaler.lambda.ReaperHandler;
import io.runnerscaler.lambda.ScaleUpHandler;
import io.runnerscaler.lambda.Settings;
import io.runnerscaler.lambda.WebhookHandler;
import io.runnerscaler.testkit.Emulator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code runner-scaler local}: the whole system in one process — a webhook endpoint on localhost, the queue
 * consumer and the reaper schedule — against the local emulator or any AWS endpoint, assembled by {@link App}
 * from {@link Settings} exactly as the Lambda functions are (GitLab tag lookups, GitHub App runners and all). A real
 * GitLab or GitHub webhook can be pointed at it through a tunnel; docs/local.md walks through it.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run webhook, scale-up and reaper in one process against the emulator or an AWS endpoint.")
public final class LocalCommand implements Callable<Integer> {

    static final String STACK = "runner-scaler-local";
    static final String PARAMETERS = "/runner-scaler/" + STACK;
    /** How many deliveries the webhook endpoint serves at once; API Gateway runs a function instance per delivery. */
    static final int WEBHOOK_THREADS = 32;

    @Option(names = "--config", description = "Pools YAML (required unless --aws, where the stack's parameter holds it).")
    Path config;

    @Option(names = "--aws", description = "Run against AWS itself (default credentials, AWS_PROFILE) and the deployed "
            + "stack named by the RUNNER_SCALER_* variables, as the functions would; nothing is created.")
    boolean realAws;

    @Option(names = "--port", defaultValue = "8080", description = "Webhook port on 127.0.0.1 (0 = any free port).")
    int port;

    @Option(names = "--endpoint", description = "AWS endpoint; without it the local emulator is used (started, and "
            + "stopped at the end, if none is running).")
    Optional<String> endpoint;

    @Option(names = "--region", defaultValue = "us-east-1")
    String region;

    @Option(names = "--gitlab-secret-file",
            description = "File holding the GitLab webhook secret token (one per line); generated if absent.")
    Optional<Path> gitlabSecretFile;

    @Option(names = "--github-secret-file",
            description = "File holding the GitHub webhook secret (one per line); generated if absent.")
    Optional<Path> githubSecretFile;

    @Option(names = "--gitlab-url", paramLabel = "URL",
            description = "GitLab instance whose Jobs API gives a job's tags (default https://gitlab.com).")
    Optional<String> gitlabUrl;

    @Option(names = "--gitlab-token-file", paramLabel = "FILE", description = {"File holding a GitLab API token "
            + "(read_api) for the tag lookups, as the stack's GitLabApiTokenParameterName; without it GitLab",
        "jobs are matched without their tags, so only runUntagged pools take them."})
    Optional<Path> gitlabTokenFile;

    @Option(names = "--github-app-id", paramLabel = "ID", description = "GitHub App that gives GitHub machines "
            + "their just-in-time runners (with --github-app-installation-id and --github-app-key-file).")
    Optional<String> githubAppId;

    @Option(names = "--github-app-installation-id", paramLabel = "ID", description = "The App's installation.")
    Optional<String> githubAppInstallation;

    @Option(names = "--github-app-key-file", paramLabel = "FILE", description = "The App's private key (PEM).")
    Optional<Path> githubAppKeyFile;

    @Option(names = "--github-api-url", paramLabel = "URL",
            description = "GitHub REST API base (default https://api.github.com; Enterprise Server: https://HOST/api/v3).")
    Optional<String> githubApiUrl;

    @Option(names = "--raw", description = "Print the functions' JSON log and Embedded Metric Format lines as they "
            + "come, instead of one readable line per decision and the metrics in a file.")
    boolean raw;

    @Option(names = "--metrics-file", paramLabel = "FILE",
            description = "Where the metric lines go without --raw (default .emulator/local-metrics.log).")
    Optional<Path> metricsFile;

    @Option(names = "--reaper-seconds", defaultValue = "60", description = "Reaper period.")
    int reaperSeconds;

    @Option(names = "--for-seconds", defaultValue = "0", description = "Stop after this long (0 = until Ctrl-C).")
    int forSeconds;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private volatile int boundPort;
    private final Listening listening = new Listening("local");

    /** The port the webhook listens on, once started; fails if the command ended before it listened. */
    public int awaitPort() throws InterruptedException {
        return listening.await();
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        Optional<Emulator.Lease> emulator = realAws || endpoint.isPresent() ? Optional.empty()
                : Optional.of(Emulator.lease());
        LocalOutput output = new LocalOutput(System.out, raw, raw ? Optional.empty() : Optional.of(metricsPath()));
        HttpServer server = null;
        ScheduledExecutorService schedule = null;
        ExecutorService webhookThreads = null;
        AtomicBoolean running = new AtomicBoolean(true);
        try (PrintStream functions = output.stream()) {
            Settings settings = realAws ? awsSettings() : provisionLocally(emulator.map(Emulator.Lease::endpoint)
                    .map(URI::toString).orElseGet(() -> endpoint.orElseThrow()));
            App app = new App(settings, Clock.systemUTC(), functions, deployment(settings));
            ScalerConfig pools = app.config().get();
            if (settings.githubApp().isEmpty()) {
                ConfigLoader.refusedWithoutGitHubApp(pools).forEach(w -> System.err.println(
                        "runner-scaler local: warning: " + w));
            }
            WebhookHandler webhook = new WebhookHandler(app);
            QueuePump pump = new QueuePump(app.aws().sqs(), settings.queueUrl(), new ScaleUpHandler(app));
            ReaperHandler reaper = new ReaperHandler(app);
            InstanceEvents instanceEvents = app.instanceEvents();

            webhookThreads = Executors.newFixedThreadPool(WEBHOOK_THREADS, r -> {
                Thread t = new Thread(r, "webhook");
                t.setDaemon(true);
                return t;
            });
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            server.setExecutor(webhookThreads);
            server.createContext("/", exchange -> serve(exchange, webhook));
            server.start();
            boundPort = server.getAddress().getPort();
            Optional<Path> state = realAws ? Optional.empty() : LocalStack.write(settings);
            banner(settings, state, pools);
            listening.at(boundPort);

            Thread consumer = Thread.ofPlatform().name("queue-consumer").daemon(true).start(() -> {
                while (running.get()) {
                    try {
                        pump.pumpOnce(1);
                    } catch (RuntimeException e) {
                        System.err.println("runner-scaler local: queue consumer: " + e.getMessage());
                    }
                }
            });
            schedule = Executors.newSingleThreadScheduledExecutor();
            AwsClients aws = app.aws();
            schedule.scheduleAtFixedRate(() -> {
                try {
                    // No EventBridge locally: report instance states the way the EC2 state-change rule would.
                    new Ec2Fleet(aws.ec2(), settings.stack()).describeManaged()
                            .forEach(i -> instanceEvents.stateChanged(i.instanceId(), i.state()));
                    reaper.handleRequest(Map.of(), null);
                } catch (RuntimeException e) {
                    System.err.println("runner-scaler local: reaper: " + e.getMessage());
                }
            }, 0, reaperSeconds, TimeUnit.SECONDS);
            try {
                awaitStop();
                running.set(false);
                consumer.join(TimeUnit.SECONDS.toMillis(3));
            } catch (InterruptedException e) {
                // Asked to stop from within the process (a test, an embedding tool): clean up as on Ctrl-C. The
                // flag is not set again, so stopping the emulator below can still wait for its script.
            }
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("runner-scaler local: " + p));
            return 1;
        } finally {
            running.set(false);
            if (schedule != null) {
                schedule.shutdownNow();
            }
            if (server != null) {
                server.stop(0);
            }
            if (webhookThreads != null) {
                webhookThreads.shutdownNow();
            }
            if (!realAws) {
                LocalStack.delete();
            }
            listening.ended();
            emulator.ifPresent(lease -> {
                if (lease.startedHere()) {
                    System.err.println("runner-scaler local: stopping the emulator it started");
                }
                lease.close();
            });
            stopped.countDown();
        }
        return 0;
    }

    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * Until {@code --for-seconds} pass or the process is asked to end (Ctrl-C): the shutdown hook waits for the
     * clean-up above, so the emulator this run started is stopped before the JVM exits.
     */
    private void awaitStop() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        if (forSeconds > 0) {
            stop.await(forSeconds, TimeUnit.SECONDS);
        } else {
            stop.await();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and waits for the clean-up
        }
    }

    private void checkOptions() {
        if (realAws) {
            for (var given : List.of(Map.entry("--gitlab-secret-file", gitlabSecretFile.isPresent()),
                    Map.entry("--github-secret-file", githubSecretFile.isPresent()),
                    Map.entry("--gitlab-token-file", gitlabTokenFile.isPresent()),
                    Map.entry("--github-app-key-file", githubAppKeyFile.isPresent()),
                    Map.entry("--config", config != null))) {
                if (given.getValue()) {
                    throw new ParameterException(spec.commandLine(), given.getKey() + " cannot be used with --aws: "
                            + "the deployed stack's SSM parameters hold it, and --aws creates nothing");
                }
            }
            return;
        }
        if (config == null) {
            throw new ParameterException(spec.commandLine(), "--config is required without --aws");
        }
        long app = java.util.stream.Stream.of(githubAppId, githubAppInstallation, githubAppKeyFile)
                .filter(Optional::isPresent).count();
        if (app != 0 && app != 3) {
            throw new ParameterException(spec.commandLine(), "a GitHub App needs --github-app-id, "
                    + "--github-app-installation-id and --github-app-key-file together");
        }
    }

    /** The deployed stack's settings from the environment, as the functions read them. */
    private Settings awsSettings() {
        return withForgeUrls(Settings.from(System.getenv()));
    }

    /** --gitlab-url and --github-api-url over the settings' own. */
    private Settings withForgeUrls(Settings settings) {
        Settings s = gitlabUrl.map(url -> settings.with(Settings.GITLAB_URL, url)).orElse(settings);
        return githubApiUrl.map(url -> s.with(Settings.GITHUB_API_URL, url)).orElse(s);
    }

    /**
     * What the config is checked against: with a GitHub App, as a function checks it (every GitHub pool names its
     * target); without one, a GitHub pool is warned about rather than refused, so its jobs can still be matched.
     */
    private static Deployment deployment(Settings settings) {
        return settings.githubApp().isPresent() ? Deployment.githubApp(true) : Deployment.UNKNOWN;
    }

    private Path metricsPath() {
        return metricsFile.orElseGet(() -> stateDirectory().resolve("local-metrics.log"));
    }

    /**
     * The emulator (or --endpoint) with what the template would create, from --config and the files given: the
     * config, the webhook secrets, the GitLab API token and the GitHub App's key go into SSM parameters, which the
     * functions read as they do in AWS.
     */
    private Settings provisionLocally(String url) throws IOException {
        String yaml = Files.readString(config);
        // Checked before anything is created, as the functions will check it once it is in its parameter.
        ScalerConfig pools = new ConfigLoader(githubAppId.isPresent() ? Deployment.githubApp(true)
                : Deployment.UNKNOWN).parse(yaml);
        AwsClients aws = AwsClients.create(region, Optional.of(URI.create(url)));
        Provisioner provisioner = new Provisioner(aws);
        Provisioner.Resources r = provisioner.create(STACK);
        // The stack's runner template, for pools that name none, as the SAM template creates it.
        String stackTemplate = provisioner.launchTemplate(STACK + "-runner");
        for (PoolConfig pool : pools.pools()) {
            if (!pool.launchTemplate().isEmpty()) {
                provisioner.launchTemplate(pool.launchTemplate());
            }
        }
        String configParameter = PARAMETERS + "/config";
        String gitlabParameter = PARAMETERS + "/gitlab-webhook-secret";
        String githubParameter = PARAMETERS + "/github-webhook-secret";
        provisioner.parameter(configParameter, yaml, false);
        provisioner.parameter(gitlabParameter, secret(gitlabSecretFile, "gitlab", "the GitLab webhook's Secret token"),
                true);
        provisioner.parameter(githubParameter, secret(githubSecretFile, "github", "the GitHub webhook's Secret"), true);
        Settings settings = new Settings(region, Optional.of(url), STACK, configParameter, r.queueUrl(), r.dlqUrl(),
                r.machinesTable(), r.jobsTable(), gitlabParameter, githubParameter)
                .with(Settings.LAUNCH_TEMPLATE_ID, stackTemplate)
                .with(Settings.BOOTSTRAP_SECRETS_TABLE, r.bootstrapSecretsTable());
        if (gitlabTokenFile.isPresent()) {
            String tokenParameter = PARAMETERS + "/gitlab-api-token";
            provisioner.parameter(tokenParameter, read(gitlabTokenFile.get(), "--gitlab-token-file"), true);
            settings = settings.with(Settings.GITLAB_API_TOKEN_PARAMETER, tokenParameter);
        }
        if (githubAppId.isPresent()) {
            String keyParameter = PARAMETERS + "/github/app-private-key";
            provisioner.parameter(keyParameter, read(githubAppKeyFile.orElseThrow(), "--github-app-key-file"), true);
            settings = settings.with(Settings.GITHUB_APP_ID, githubAppId.get())
                    .with(Settings.GITHUB_APP_INSTALLATION_ID, githubAppInstallation.orElseThrow())
                    .with(Settings.GITHUB_APP_PRIVATE_KEY_PARAMETER, keyParameter)
                    // The runner role's unique id keys the JIT configs; locally no role exists, any fixed id will do.
                    .with(Settings.RUNNER_ROLE_ID, "AROALOCALRUNNERROLE");
        }
        return withForgeUrls(settings);
    }

    private void banner(Settings settings, Optional<Path> state, ScalerConfig pools) {
        String base = "http://127.0.0.1:" + boundPort;
        var lines = new StringBuilder();
        lines.append("runner-scaler local: stack ").append(settings.stack()).append(", ")
                .append(pools.pools().size()).append(" pool(s)\n");
        lines.append("  GitLab webhook   ").append(base).append("/webhook/gitlab\n");
        lines.append("  GitHub webhook   ").append(base).append("/webhook/github\n");
        lines.append("  AWS              ").append(settings.awsEndpoint().orElse("AWS itself (" + settings.region() + ")"))
                .append('\n');
        lines.append("  job queue        ").append(settings.queueUrl()).append('\n');
        lines.append("  dead letters     ").append(settings.dlqUrl()).append('\n');
        lines.append("  machines table   ").append(settings.machinesTable()).append('\n');
        lines.append("  jobs table       ").append(settings.jobsTable()).append('\n');
        lines.append("  GitLab job tags  ").append(settings.gitlabApiTokenParameter()
                .map(p -> "looked up at " + settings.gitlabUrl() + " with the token in " + p)
                .orElse("not looked up (no --gitlab-token-file): only runUntagged pools take GitLab jobs")).append('\n');
        lines.append("  GitHub runners   ").append(settings.githubApp()
                .map(a -> "GitHub App " + a.appId() + " at " + settings.githubApiUrl())
                .orElse("no GitHub App: GitHub jobs are matched, their machines get no runner")).append('\n');
        state.ifPresent(s -> lines.append("  stack file       ").append(s)
                .append(" (runner-scaler machines / jobs read it)\n"));
        if (!raw) {
            lines.append("  metrics          ").append(metricsPath()).append(" (--raw prints them here)\n");
        }
        System.err.print(lines);
    }

    /** The repository's git-ignored .emulator directory, or ./.emulator outside one. */
    private static Path stateDirectory() {
        return LocalStack.file().map(Path::getParent).orElse(Path.of(".emulator"));
    }

    /** A webhook secret from its file, or the one generated for this checkout on first use. */
    private String secret(Optional<Path> given, String forge, String use) throws IOException {
        if (given.isPresent()) {
            return read(given.get(), "--" + forge + "-secret-file");
        }
        Path file = stateDirectory().resolve("local-" + forge + "-webhook-secret");
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            Files.writeString(file, HexFormat.of().formatHex(random));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort
            }
        }
        System.err.println("runner-scaler local: " + use + " is in " + file.toAbsolutePath());
        return Files.readString(file).strip();
    }

    private String read(Path file, String option) throws IOException {
        String value = Files.readString(file).strip();
        if (value.isEmpty()) {
            throw new ParameterException(spec.commandLine(), option + ": " + file + " is empty");
        }
        return value;
    }

    /** Hands the request to the webhook function exactly as API Gateway would: raw bytes, base64 encoded. */
    private static void serve(HttpExchange exchange, WebhookHandler webhook) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readNBytes(8 * 1024 * 1024);
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
            event.setRawPath(exchange.getRequestURI().getPath());
            event.setHeaders(headers);
            event.setBody(Base64.getEncoder().encodeToString(body));
            event.setIsBase64Encoded(true);
            event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withHttp(
                    APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(exchange.getRequestMethod())
                            .withPath(exchange.getRequestURI().getPath()).build()).build());
            var response = webhook.handleRequest(event, null);
            byte[] out = response.getBody().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.getStatusCode(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }
}
