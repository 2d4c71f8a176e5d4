package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FaultProxy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SnapStart priming against the emulator: each function makes its read-only calls (counted through the
 * fault proxy), and the stack is exactly as before — no message sent, no item written, no instance
 * launched or terminated, no metric emitted — even when a primed call fails.
 */
class PrimingIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final List<String> WRITES = List.of("DynamoDB_20120810.PutItem", "DynamoDB_20120810.UpdateItem",
            "DynamoDB_20120810.DeleteItem", "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.BatchWriteItem",
            "AmazonSQS.SendMessage", "AmazonSQS.DeleteMessage", "AmazonSQS.ReceiveMessage", "AmazonSSM.PutParameter");
    private static final List<String> EC2_WRITES = List.of("CreateFleet", "RunInstances", "TerminateInstances",
            "CreateTags", "CreateLaunchTemplate", "CreateLaunchTemplateVersion");

    @RegisterExtension
    static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();
    private EmulatedStack stack;

    /** A stack with one job handled end to end, so its tables, queue and EC2 hold state to compare. */
    @BeforeEach
    void stackWithOneMachine() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL, AwsEmulator.endpoint().toString(),
                Duration.ofSeconds(180));
        assertThat(stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null)
                .getStatusCode()).isEqualTo(202);
        assertThat(stack.pump().drain()).isEqualTo(1);
        assertThat(stack.app.machines().alive("docker")).hasSize(1);
        proxy.clear();
    }

    @Test
    void webhookPrimingReadsTheConfigAndQueueAndParsesACannedDeliveryWithoutSideEffects() {
        String before = state();

        Primed primed = prime("webhook");

        assertThat(primed.failed()).isZero();
        assertThat(proxy.jsonCalls("AmazonSSM.GetParameter")).isEqualTo(1);
        assertThat(proxy.jsonCalls("AmazonSQS.GetQueueAttributes")).isEqualTo(1);
        assertThat(proxy.jsonCalls("DynamoDB_20120810.")).as("the webhook may not touch DynamoDB").isZero();
        assertThat(proxy.ec2Calls("DescribeInstances")).isZero();
        assertNoSideEffects(before, primed);
    }

    @Test
    void scaleUpReaperAndEc2EventsPrimingReadTheirTablesEc2AndConfigWithoutSideEffects() {
        for (String function : List.of("scale-up", "reaper", "ec2-events")) {
            proxy.clear();
            String before = state();

            Primed primed = prime(function);

            assertThat(primed.failed()).as(function).isZero();
            assertThat(proxy.jsonCalls("AmazonSSM.GetParameter")).as(function).isEqualTo(1);
            assertThat(proxy.jsonCalls("DynamoDB_20120810.GetItem")).as(function).isEqualTo(2);
            assertThat(proxy.ec2Calls("DescribeInstances")).as(function).isEqualTo(1);
            assertNoSideEffects(before, primed);
        }
    }

    @Test
    void aFailingPrimedCallIsLoggedAndTheRestStillRunWithoutSideEffects() {
        String before = state();
        proxy.jsonError("DynamoDB_20120810.GetItem", 400, "ResourceNotFoundException");

        Primed primed = prime("scale-up");

        assertThat(primed.failed()).isEqualTo(2);
        assertThat(proxy.ec2Calls("DescribeInstances")).as("later primers still run").isEqualTo(1);
        assertThat(primed.log()).contains("snapstart.primer_failed").contains("ResourceNotFoundException")
                .doesNotContain(stack.resources.machinesTable());
        assertNoSideEffects(before, primed);
    }

    @Test
    void withoutAFunctionNameOnlyTheClientsAreBuilt() {
        Primed primed = prime(null);

        assertThat(primed.failed()).isZero();
        assertThat(proxy.jsonCalls("")).isZero();
        assertThat(proxy.ec2Calls("DescribeInstances")).isZero();
    }

    private record Primed(int failed, String log) {
    }

    /** Primes a fresh function instance of the stack, its SDK calls going through the proxy. */
    private Primed prime(String function) {
        Settings settings = stack.settings();
        Settings proxied = new Settings(settings.region(), Optional.of(proxy.endpoint().toString()), settings.stack(),
                settings.configParameter(), settings.queueUrl(), settings.dlqUrl(), settings.machinesTable(),
                settings.jobsTable(), settings.gitlabSecretParameter(), settings.githubSecretParameter(),
                settings.options());
        var output = new ByteArrayOutputStream();
        App app = new App(proxied, stack.clock, new PrintStream(output, true, StandardCharsets.UTF_8));
        int failed = new Priming(FunctionPrimers.forFunction(Optional.ofNullable(function), app, proxied), app.log())
                .prime();
        return new Primed(failed, output.toString(StandardCharsets.UTF_8));
    }

    private void assertNoSideEffects(String before, Primed primed) {
        for (String write : WRITES) {
            assertThat(proxy.jsonCalls(write)).as(write).isZero();
        }
        for (String action : EC2_WRITES) {
            assertThat(proxy.ec2Calls(action)).as(action).isZero();
        }
        assertThat(state()).as("tables, queues and instances after priming").isEqualTo(before);
        assertThat(primed.log()).as("priming emits no metric").doesNotContain("\"_aws\"")
                .contains("snapstart.primed");
    }

    /** Everything priming could change, read straight from the emulator. */
    private String state() {
        var aws = stack.aws;
        Map<String, Object> state = new TreeMap<>();
        for (String table : List.of(stack.resources.machinesTable(), stack.resources.jobsTable())) {
            state.put(table, aws.dynamo().scan(r -> r.tableName(table)).items().stream()
                    .map(item -> new TreeMap<String, AttributeValue>(item).toString()).sorted().toList());
        }
        for (String queue : List.of(stack.resources.queueUrl(), stack.resources.dlqUrl())) {
            state.put(queue, new TreeMap<>(aws.sqs().getQueueAttributes(r -> r.queueUrl(queue).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributesAsStrings()));
        }
        state.put("instances", aws.ec2().describeInstances().reservations().stream()
                .flatMap(r -> r.instances().stream()).map(i -> i.instanceId() + " " + i.state().nameAsString())
                .sorted().toList());
        state.put("parameters", aws.ssm().describeParameters().parameters().stream()
                .map(p -> p.name() + " v" + p.version()).sorted().toList());
        return state.toString();
    }
}
