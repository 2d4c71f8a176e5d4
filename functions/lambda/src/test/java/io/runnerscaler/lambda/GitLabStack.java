package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A stack on the emulator whose functions also talk to GitLab's API — a WireMock GitLab — with an API token
 * from SSM: what the tag lookup, job retry and runner busy-check tests share.
 */
final class GitLabStack {

    static final String API_TOKEN_PARAMETER = "/runner-scaler/rs-test/gitlab-api-token";
    static final String API_TOKEN = "glpat-runner-scaler-test-api-token";

    final AwsClients aws;
    final Provisioner.Resources resources;
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T09:00:05Z"));
    /** Full access, for the tests' checks; each function runs on {@link #app(StackFunction)}. */
    final App app;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final FunctionApps functions;

    /** @param secureParameters more SecureString parameters to create (a pool's runner token ...) */
    GitLabStack(AwsEmulator emulator, String gitlabUrl, String poolsYaml, Map<String, String> secureParameters) {
        this(StackAccess.of(emulator), gitlabUrl, poolsYaml, secureParameters);
    }

    GitLabStack(StackAccess access, String gitlabUrl, String poolsYaml, Map<String, String> secureParameters) {
        access.reset();
        aws = access.admin();
        Provisioner provisioner = new Provisioner(aws);
        resources = provisioner.create(EmulatedStack.STACK);
        provisioner.launchTemplate("runner-scaler-docker");
        provisioner.parameter(EmulatedStack.CONFIG_PARAMETER, poolsYaml, false);
        provisioner.parameter(EmulatedStack.GITLAB_SECRET_PARAMETER, SampleEvents.GITLAB_TEST_TOKEN, true);
        provisioner.parameter(API_TOKEN_PARAMETER, API_TOKEN, true);
        secureParameters.forEach((name, value) -> provisioner.parameter(name, value, true));
        Settings settings = new Settings(AwsEmulator.REGION, Optional.of(access.endpoint().toString()),
                EmulatedStack.STACK, EmulatedStack.CONFIG_PARAMETER, resources.queueUrl(), resources.dlqUrl(),
                resources.machinesTable(), resources.jobsTable(), EmulatedStack.GITLAB_SECRET_PARAMETER,
                EmulatedStack.GITHUB_SECRET_PARAMETER)
                .with(Settings.GITLAB_API_TOKEN_PARAMETER, API_TOKEN_PARAMETER).with(Settings.GITLAB_URL, gitlabUrl);
        // The stack deployed with the GitLab API token these settings name (its URL reaches only the environment).
        functions = new FunctionApps(access, settings, clock, () -> new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("GitLabApiTokenParameterName", API_TOKEN_PARAMETER));
        app = functions.fullAccess();
    }

    /** The app a function runs on: the stack's, or, under IAM, its own signing as the function's role. */
    App app(StackFunction function) {
        return functions.of(function);
    }

    Ec2EventsHandler ec2Events() {
        return new Ec2EventsHandler(app(StackFunction.EC2_EVENTS));
    }

    ReaperHandler reaper() {
        return new ReaperHandler(app(StackFunction.REAPER));
    }

    /** The sample (or event) through the webhook, then scale-up over everything queued. */
    void deliver(String sample) {
        deliver(SampleEvents.http(sample));
    }

    void deliver(APIGatewayV2HTTPEvent event) {
        assertThat(new WebhookHandler(app(StackFunction.WEBHOOK)).handleRequest(event, null).getStatusCode())
                .isEqualTo(202);
        new QueuePump(aws.sqs(), resources.queueUrl(), new ScaleUpHandler(app(StackFunction.SCALE_UP))).drain();
    }

    DynamoMachineStore machines() {
        return new DynamoMachineStore(aws.dynamo(), resources.machinesTable());
    }

    String logs() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A recorded GitLab webhook or API payload from testkit. */
    static String payload(String name) {
        try (InputStream in = GitLabStack.class.getResourceAsStream("/payloads/gitlab/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
