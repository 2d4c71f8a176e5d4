package io.runnerscaler.cli.ops;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.QueuePump;
import io.runnerscaler.lambda.ReaperHandler;
import io.runnerscaler.lambda.ScaleUpHandler;
import io.runnerscaler.lambda.Settings;
import io.runnerscaler.lambda.WebhookHandler;
import io.runnerscaler.testkit.Emulator;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code runner-scaler local}: the whole system in one process — a webhook endpoint on localhost, the queue
 * consumer and the reaper schedule — against the local emulator or any AWS endpoint. A real GitLab or GitHub
 * webhook can be pointed at it through a tunnel.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run webhook, scale-up and reaper in one process against the emulator or an AWS endpoint.")
public final class LocalCommand implements Callable<Integer> {

    static final String STACK = "runner-scaler-local";

    @Option(names = "--config", description = "Pools YAML (required unless --aws, where the stack's parameter holds it).")
    Path config;

    @Option(names = "--aws", description = "Run against AWS itself (default credentials, AWS_PROFILE) and the deployed "
            + "stack named by the RUNNER_SCALER_* variables, as the functions would; nothing is created.")
    boolean realAws;

    @Option(names = "--port", defaultValue = "8080", description = "Webhook port on 127.0.0.1 (0 = any free port).")
    int port;

    @Option(names = "--endpoint", description = "AWS endpoint; without it the local emulator is started.")
    Optional<String> endpoint;

    @Option(names = "--region", defaultValue = "us-east-1")
    String region;

    @Option(names = "--gitlab-secret-file",
            description = "File holding the GitLab webhook secret token (one per line); generated if absent.")
    Optional<Path> gitlabSecretFile;

    @Option(names = "--reaper-seconds", defaultValue = "60", description = "Reaper period.")
    int reaperSeconds;

    @Option(names = "--for-seconds", defaultValue = "0", description = "Stop after this long (0 = until Ctrl-C).")
    int forSeconds;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private volatile int boundPort;
    private final CountDownLatch ready = new CountDownLatch(1);

    /** The port the webhook listens on, once started. */
    public int awaitPort() throws InterruptedException {
        ready.await();
        return boundPort;
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = realAws ? Settings.from(System.getenv()) : provisionLocally();
        AwsClients aws = AwsClients.create(settings.region(), settings.awsEndpoint().map(URI::create));
        String url = settings.awsEndpoint().orElse("AWS (" + settings.region() + ")");
        App app = new App(settings, Clock.systemUTC(), System.out);
        WebhookHandler webhook = new WebhookHandler(app.webhook());
        QueuePump pump = new QueuePump(aws.sqs(), settings.queueUrl(),
                new ScaleUpHandler(app));
        ReaperHandler reaper = new ReaperHandler(app.reaper());
        var instanceEvents = app.instanceEvents();

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> serve(exchange, webhook));
        server.start();
        boundPort = server.getAddress().getPort();
        System.err.printf("runner-scaler local: webhooks on http://127.0.0.1:%d/webhook/gitlab, AWS at %s%n",
                boundPort, url);
        ready.countDown();

        AtomicBoolean running = new AtomicBoolean(true);
        Thread consumer = Thread.ofPlatform().name("queue-consumer").daemon(true).start(() -> {
            while (running.get()) {
                try {
                    pump.pumpOnce(1);
                } catch (RuntimeException e) {
                    System.err.println("runner-scaler local: queue consumer: " + e.getMessage());
                }
            }
        });
        ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor();
        schedule.scheduleAtFixedRate(() -> {
            try {
                // No EventBridge locally: report instance states the way the EC2 state-change rule would.
                new io.runnerscaler.aws.Ec2Fleet(aws.ec2(), settings.stack()).describeManaged()
                        .forEach(i -> instanceEvents.stateChanged(i.instanceId(), i.state()));
                reaper.handleRequest(Map.of(), null);
            } catch (RuntimeException e) {
                System.err.println("runner-scaler local: reaper: " + e.getMessage());
            }
        }, 0, reaperSeconds, TimeUnit.SECONDS);

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        try {
            if (forSeconds > 0) {
                stop.await(forSeconds, TimeUnit.SECONDS);
            } else {
                stop.await();
            }
        } finally {
            running.set(false);
            schedule.shutdownNow();
            server.stop(0);
        }
        return 0;
    }

    /** The emulator (or --endpoint) with what the template would create, from --config. */
    private Settings provisionLocally() throws IOException {
        if (config == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--config is required without --aws");
        }
        String yaml = Files.readString(config);
        ScalerConfig pools = new ConfigLoader().parse(yaml);
        String url = endpoint.orElseGet(() -> Emulator.endpoint().toString());
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
        String configParameter = "/runner-scaler/" + STACK + "/config";
        String gitlabParameter = "/runner-scaler/" + STACK + "/gitlab-webhook-secret";
        provisioner.parameter(configParameter, yaml, false);
        provisioner.parameter(gitlabParameter, gitlabSecret(), true);
        return new Settings(region, Optional.of(url), STACK, configParameter, r.queueUrl(), r.dlqUrl(),
                r.machinesTable(), r.jobsTable(), gitlabParameter, "/runner-scaler/" + STACK + "/github-webhook-secret")
                .with(Settings.LAUNCH_TEMPLATE_ID, stackTemplate)
                .with(Settings.BOOTSTRAP_SECRETS_TABLE, r.bootstrapSecretsTable());
    }

    private String gitlabSecret() throws IOException {
        if (gitlabSecretFile.isPresent()) {
            return Files.readString(gitlabSecretFile.get()).strip();
        }
        Path file = Path.of(".emulator", "local-gitlab-webhook-secret");
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
        System.err.println("runner-scaler local: GitLab secret token is in " + file.toAbsolutePath()
                + " (use it as the webhook's Secret token)");
        return Files.readString(file).strip();
    }

    /** Hands the request to the webhook function exactly as API Gateway would: raw bytes, base64 encoded. */
    private static void serve(HttpExchange exchange, WebhookHandler webhook) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(8 * 1024 * 1024);
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRawPath(exchange.getRequestURI().getPath());
        event.setHeaders(headers);
        event.setBody(Base64.getEncoder().encodeToString(body));
        event.setIsBase64Encoded(true);
        var response = webhook.handleRequest(event, null);
        byte[] out = response.getBody().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.getStatusCode(), out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }
}
