package io.runnerscaler.lambda;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One stack's resources on the emulator, the app built over them, and its captured log output. Each function
 * runs on {@link #app(StackFunction)}: on the plain emulator that is the one {@link #app}; where IAM is enforced
 * ({@link IamEnforcement}) each function has an app of its own, signing as its template role, and {@link #app}
 * has full access, for the tests' checks.
 */
final class EmulatedStack {

    static final String STACK = "rs-test";
    static final String CONFIG_PARAMETER = "/runner-scaler/rs-test/config";
    static final String GITLAB_SECRET_PARAMETER = "/runner-scaler/rs-test/gitlab-webhook-secret";
    static final String GITHUB_SECRET_PARAMETER = "/runner-scaler/rs-test/github-webhook-secret";

    static final String ONE_POOL = """
            concurrent: 10
            pools:
              - name: docker
                forge: gitlab
                runUntagged: true
                instanceTypes: [t3.large]
                launchTemplate: runner-scaler-docker
                tokenParameter: /runner-scaler/rs-test/docker/runner-token
                market: on-demand
                limit: 3
                idleCount: 0
                idleTime: 300
            """;

    final AwsClients aws;
    final Provisioner.Resources resources;
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T09:00:05Z"));
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final App app;
    private final Settings settings;
    private final FunctionApps functions;

    EmulatedStack(AwsEmulator emulator, String configYaml) {
        this(StackAccess.of(emulator), configYaml);
    }

    EmulatedStack(StackAccess access, String configYaml) {
        this(access, configYaml, access.endpoint().toString(), java.time.Duration.ofSeconds(180));
    }

    /**
     * @param functionsEndpoint where the functions' SDK calls go (the emulator, or a fault proxy in front of it)
     * @param visibility        the job queue's visibility timeout
     */
    EmulatedStack(AwsEmulator emulator, String configYaml, String functionsEndpoint, java.time.Duration visibility) {
        this(StackAccess.of(emulator), configYaml, functionsEndpoint, visibility);
    }

    private EmulatedStack(StackAccess access, String configYaml, String functionsEndpoint,
                          java.time.Duration visibility) {
        this.aws = access.admin();
        Provisioner provisioner = new Provisioner(aws);
        this.resources = provisioner.create(STACK, visibility);
        provisioner.launchTemplate("runner-scaler-docker");
        provisioner.parameter(CONFIG_PARAMETER, configYaml, false);
        provisioner.parameter(GITLAB_SECRET_PARAMETER, SampleEvents.GITLAB_TEST_TOKEN, true);
        Settings settings = new Settings(AwsEmulator.REGION, Optional.of(functionsEndpoint), STACK,
                CONFIG_PARAMETER, resources.queueUrl(), resources.dlqUrl(), resources.machinesTable(), resources.jobsTable(),
                GITLAB_SECRET_PARAMETER, GITHUB_SECRET_PARAMETER);
        this.settings = settings;
        this.functions = new FunctionApps(access, settings, clock, this::out, Map.of());
        this.app = functions.fullAccess();
    }

    /** The app a function runs on: the stack's, or, under IAM, its own signing as the function's role. */
    App app(StackFunction function) {
        return functions.of(function);
    }

    /** Another function instance over the same stack: its own clients and caches, as a concurrent Lambda has. */
    Instance newInstance() {
        return new Instance(new App(settings, clock, out()));
    }

    /** A function instance whose settings differ from the stack's (optional values set or removed). */
    Instance newInstance(java.util.function.UnaryOperator<Settings> change) {
        return new Instance(new App(change.apply(settings), clock, out()));
    }

    record Instance(App app) {
    }

    /** Scale-up of this function instance over the stack's queue. */
    QueuePump pump(Instance instance) {
        return new QueuePump(aws.sqs(), resources.queueUrl(), new ScaleUpHandler(instance.app()));
    }

    WebhookHandler webhook() {
        return new WebhookHandler(app(StackFunction.WEBHOOK));
    }

    ScaleUpHandler scaleUp() {
        return new ScaleUpHandler(app(StackFunction.SCALE_UP));
    }

    /** Scale-up over the stack's queue, as the SQS event source mapping runs it. */
    QueuePump pump() {
        return new QueuePump(aws.sqs(), resources.queueUrl(), scaleUp());
    }

    ReaperHandler reaper() {
        return new ReaperHandler(app(StackFunction.REAPER));
    }

    Ec2EventsHandler ec2Events() {
        return new Ec2EventsHandler(app(StackFunction.EC2_EVENTS));
    }

    Settings settings() {
        return settings;
    }

    String logs() {
        return output.toString(StandardCharsets.UTF_8);
    }

    private PrintStream out() {
        return new PrintStream(output, true, StandardCharsets.UTF_8);
    }
}
