package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.ManualClock;
import io.runnerscaler.testkit.forge.TestAppKey;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * A stack on the emulator that manages GitHub runners through a GitHub App, whose API is a WireMock GitHub:
 * the App's key in SSM, the bootstrap secrets table, and the GitHub webhook secret of the events/ samples.
 */
final class GitHubStack {

    static final String APP_ID = "4242";
    static final String INSTALLATION_ID = "56781234";
    static final String APP_KEY_PARAMETER = "/runner-scaler/rs-test/github/app-private-key";
    static final String RUNNER_ROLE_ID = "AROATESTRUNNERROLE00001";

    final AwsClients aws;
    final Provisioner.Resources resources;
    final ManualClock clock;
    /** Full access, for the tests' checks; each function runs on {@link #app(StackFunction)}. */
    final App app;
    private final EmulatedStack stack;
    private final FunctionApps functions;

    /** @param settings changes to the stack's settings (a missing table ...) */
    GitHubStack(AwsEmulator emulator, URI githubApi, String poolsYaml, UnaryOperator<Settings> settings) {
        this(StackAccess.of(emulator), githubApi, poolsYaml, settings);
    }

    GitHubStack(StackAccess access, URI githubApi, String poolsYaml, UnaryOperator<Settings> settings) {
        access.reset();
        stack = new EmulatedStack(access, poolsYaml);
        aws = stack.aws;
        resources = stack.resources;
        clock = stack.clock;
        Provisioner provisioner = new Provisioner(aws);
        provisioner.parameter(EmulatedStack.GITHUB_SECRET_PARAMETER, GitHubWebhookIT.GITHUB_TEST_SECRET, true);
        provisioner.parameter(APP_KEY_PARAMETER, TestAppKey.pkcs1Pem(), true);
        Settings withApp = new Settings(AwsEmulator.REGION, Optional.of(access.endpoint().toString()),
                EmulatedStack.STACK, EmulatedStack.CONFIG_PARAMETER, resources.queueUrl(), resources.dlqUrl(),
                resources.machinesTable(), resources.jobsTable(), EmulatedStack.GITLAB_SECRET_PARAMETER,
                EmulatedStack.GITHUB_SECRET_PARAMETER)
                .with(Settings.GITHUB_APP_ID, APP_ID)
                .with(Settings.GITHUB_APP_INSTALLATION_ID, INSTALLATION_ID)
                .with(Settings.GITHUB_APP_PRIVATE_KEY_PARAMETER, APP_KEY_PARAMETER)
                .with(Settings.GITHUB_API_URL, githubApi.toString())
                .with(Settings.BOOTSTRAP_SECRETS_TABLE, resources.bootstrapSecretsTable())
                .with(Settings.RUNNER_ROLE_ID, RUNNER_ROLE_ID);
        // The stack deployed with the GitHub App these settings name (its API URL reaches only the environment).
        functions = new FunctionApps(access, settings.apply(withApp), clock,
                () -> new PrintStream(stack.output, true, StandardCharsets.UTF_8), Map.of("GitHubAppId", APP_ID,
                        "GitHubAppInstallationId", INSTALLATION_ID, "GitHubAppPrivateKeyParameterName", APP_KEY_PARAMETER));
        app = functions.fullAccess();
    }

    /** The app a function runs on: the stack's, or, under IAM, its own signing as the function's role. */
    App app(StackFunction function) {
        return functions.of(function);
    }

    Ec2EventsHandler ec2Events() {
        return new Ec2EventsHandler(app(StackFunction.EC2_EVENTS));
    }

    /** The sample through the webhook, then scale-up over everything queued. */
    void deliver(String sample) {
        deliver(SampleEvents.http(sample));
    }

    void deliver(APIGatewayV2HTTPEvent event) {
        assertThat(new WebhookHandler(app(StackFunction.WEBHOOK)).handleRequest(event, null).getStatusCode())
                .isEqualTo(202);
        scaleUp();
    }

    /** Scale-up over everything queued. */
    void scaleUp() {
        new QueuePump(aws.sqs(), resources.queueUrl(), new ScaleUpHandler(app(StackFunction.SCALE_UP))).drain();
    }

    /**
     * A sample with its body edited (another job id, the runner that took it ...), as a new delivery signed with
     * the webhook secret, as GitHub would send it.
     */
    static APIGatewayV2HTTPEvent edited(String sample, String deliveryId, Map<String, String> replacements) {
        APIGatewayV2HTTPEvent e = SampleEvents.http(sample);
        String body = e.getBody();
        for (var r : replacements.entrySet()) {
            assertThat(body).as("sample %s has %s", sample, r.getKey()).contains(r.getKey());
            body = body.replace(r.getKey(), r.getValue());
        }
        e.setBody(body);
        var headers = new HashMap<>(e.getHeaders());
        headers.put("x-github-delivery", deliveryId);
        headers.put("x-hub-signature-256", SharedSecrets.signature(
                GitHubWebhookIT.GITHUB_TEST_SECRET.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8)));
        headers.remove("x-hub-signature");
        e.setHeaders(headers);
        return e;
    }

    void reap() {
        new ReaperHandler(app(StackFunction.REAPER)).handleRequest(Map.of(), null);
    }

    DynamoMachineStore machines() {
        return new DynamoMachineStore(aws.dynamo(), resources.machinesTable());
    }

    /** Every machine's item of the bootstrap secrets table, read without taking them (not the App's quota items). */
    List<Map<String, AttributeValue>> bootstrapSecrets() {
        return aws.dynamo().scan(ScanRequest.builder().tableName(resources.bootstrapSecretsTable()).build()).items()
                .stream().filter(i -> i.get("owner").s().startsWith(RUNNER_ROLE_ID + ":")).toList();
    }

    /** The App's quota as the functions share it, in the bootstrap secrets table. */
    io.runnerscaler.aws.DynamoAppQuota appQuota() {
        return new io.runnerscaler.aws.DynamoAppQuota(aws.dynamo(), resources.bootstrapSecretsTable());
    }

    String logs() {
        return stack.logs();
    }
}
