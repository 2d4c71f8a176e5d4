package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FakeRuntimeApi;
import io.runnerscaler.testkit.FaultProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged function started the way Lambda's SnapStart init phase starts it: the runtime interface client
 * ({@code AWSLambda}) loads {@code QuarkusStreamHandler} with {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start}
 * and Lambda's CRaC context ({@code -Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac}, as the managed
 * runtime sets it), runs the registered {@code beforeCheckpoint} hooks, and only then asks to be restored
 * ({@code GET /runtime/restore/next}: Lambda takes the snapshot before it answers). At that moment, before any event,
 * the function's SDK clients must have made priming's calls, counted by the fault proxy its AWS endpoint points at;
 * after the restore, the same instance answers its first event.
 */
class SnapStartInitIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    @RegisterExtension
    static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();

    private static final Path TARGET = Path.of("target");
    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final String HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

    private EmulatedStack stack;

    @BeforeEach
    void stack() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL);
        proxy.clear();
    }

    @Test
    void theWebhookIsPrimedDuringInitBeforeTheSnapshotAndAnswersAfterTheRestore() throws Exception {
        Init init = start("webhook", "webhook-gitlab-pending.json", () -> "GetParameter="
                + proxy.jsonCalls("AmazonSSM.GetParameter") + " GetQueueAttributes="
                + proxy.jsonCalls("AmazonSQS.GetQueueAttributes") + " SendMessage="
                + proxy.jsonCalls("AmazonSQS.SendMessage"));

        assertThat(init.atSnapshot()).as("the SDK calls of priming, made before the snapshot, nothing sent")
                .isEqualTo("GetParameter=1 GetQueueAttributes=1 SendMessage=0");
        assertThat(init.logBeforeSnapshot()).contains("\"event\":\"snapstart.primed\"").contains("\"failed\":0");
        assertThat(init.answer()).contains("\"statusCode\":202");
        assertThat(init.log()).contains("snapstart.restored");
    }

    @Test
    void scaleUpIsPrimedDuringInitBeforeTheSnapshot() throws Exception {
        Init init = start("scale-up", "scale-up-sqs.json", () -> "GetParameter="
                + proxy.jsonCalls("AmazonSSM.GetParameter") + " GetItem=" + proxy.jsonCalls("DynamoDB_20120810.GetItem")
                + " DescribeInstances=" + proxy.ec2Calls("DescribeInstances") + " CreateFleet="
                + proxy.ec2Calls("CreateFleet"));

        assertThat(init.atSnapshot()).isEqualTo("GetParameter=1 GetItem=2 DescribeInstances=1 CreateFleet=0");
        assertThat(init.logBeforeSnapshot()).contains("\"event\":\"snapstart.primed\"").contains("\"failed\":0");
        assertThat(init.answer()).contains("batchItemFailures");
    }

    /** What the runtime API saw: the counts when the runtime asked to be restored, the log up to then, the answer. */
    private record Init(String atSnapshot, String logBeforeSnapshot, String answer, String log) {
    }

    private Init start(String function, String event, java.util.function.Supplier<String> counts) throws Exception {
        Path log = Files.createTempFile(TARGET, "snapstart-" + function + "-", ".log");
        try (var api = new FakeRuntimeApi()) {
            FakeRuntimeApi.Invocation invocation = api.arm("arn:aws:lambda:us-east-1:123456789012:function:rs-test-"
                    + function + ":live", Files.readAllBytes(SampleEvents.path(event)));
            // Runs on the runtime API's thread before it answers restore/next: the moment Lambda takes the snapshot.
            CompletableFuture<Init> atSnapshot = invocation.restoreRequested
                    .thenApply(at -> new Init(counts.get(), read(log), "", ""));
            List<String> command = new ArrayList<>(List.of(java(), "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                    "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac", "-cp", classpath(), RIC_MAIN, HANDLER));
            ProcessBuilder pb = new ProcessBuilder(command).directory(TARGET.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("RUNNER_SCALER_") || k.startsWith("QUARKUS_") || k.startsWith("AWS_")
                    || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
            env.putAll(stack.settings().withEndpoint(proxy.endpoint().toString()).environment());
            env.put("AWS_LAMBDA_RUNTIME_API", api.address());
            env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
            env.put("QUARKUS_LAMBDA_HANDLER", function);
            env.put("AWS_LAMBDA_FUNCTION_NAME", "rs-test-" + function);
            env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
            env.put("LAMBDA_TASK_ROOT", TARGET.toAbsolutePath().toString());
            env.put("_HANDLER", HANDLER);
            Process process = pb.start();
            try {
                CompletableFuture.anyOf(invocation.answer, process.onExit()).get(180, TimeUnit.SECONDS);
                assertThat(invocation.answer).as("the function answered; its output: %s", read(log)).isDone();
                assertThat(atSnapshot).as("the runtime asked to be restored before the event").isDone();
                FakeRuntimeApi.Answer answer = invocation.answer.get();
                assertThat(answer.error()).as(answer.body()).isFalse();
                return new Init(atSnapshot.get().atSnapshot(), atSnapshot.get().logBeforeSnapshot(), answer.body(),
                        read(log));
            } finally {
                invocation.release();
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The Quarkus artifact the template deploys, and the runtime interface client copied beside it. */
    private static String classpath() throws IOException {
        Path artifact;
        try (Stream<Path> files = Files.list(TARGET)) {
            artifact = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no Quarkus artifact in target/: run mvn verify"));
        }
        try (Stream<Path> runtime = Files.list(TARGET.resolve("lambda-runtime"))) {
            return Stream.concat(Stream.of(artifact), runtime.sorted()).map(p -> p.toAbsolutePath().toString())
                    .collect(Collectors.joining(java.io.File.pathSeparator));
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
