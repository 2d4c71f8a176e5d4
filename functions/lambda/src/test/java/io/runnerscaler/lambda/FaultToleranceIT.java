package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.aws.DynamoJobLedger;
import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.Tags;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Invariants 1 and 3 under faults: 1,000 webhook deliveries (5 % of them duplicates) while 10 % of every
 * AWS call the functions make fails (throttling, 500s, dropped connections) and 8 scale-up consumers run at
 * once. The forge's part is played as GitLab does it: a delivery answered 5xx is sent again.
 */
class FaultToleranceIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final int DELIVERIES = 1000;
    private static final int DUPLICATES = 50;
    private static final int LIMIT = 40;
    private static final int CONSUMERS = 8;
    private static final String POOL = EmulatedStack.ONE_POOL.replace("limit: 3", "limit: " + LIMIT)
            .replace("concurrent: 10", "concurrent: 2000");

    @RegisterExtension
    static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();

    @Test
    void noJobIsLostNoMachineLaunchedTwiceAndThePoolNeverPassesItsLimit() throws Exception {
        AwsEmulator.reset();
        proxy.clear();
        // Visibility longer than a batch takes, as in production (where it is six times the function timeout):
        // a shorter one would hand a message still being handled to a second consumer.
        EmulatedStack stack = new EmulatedStack(emulator, POOL, proxy.endpoint().toString(), Duration.ofSeconds(30));
        List<Long> jobs = new ArrayList<>();
        for (long id = 0; id < DELIVERIES - DUPLICATES; id++) {
            jobs.add(100_000 + id);
        }
        Random random = new Random(7);
        List<Long> deliveries = new ArrayList<>(jobs);
        for (int i = 0; i < DUPLICATES; i++) {
            deliveries.add(jobs.get(random.nextInt(jobs.size())));
        }
        Collections.shuffle(deliveries, random);

        proxy.randomFaults(0.10, 42);
        AtomicBoolean delivering = new AtomicBoolean(true);
        ExecutorService consumers = Executors.newFixedThreadPool(CONSUMERS);
        List<Future<Integer>> handled = new ArrayList<>();
        for (int c = 0; c < CONSUMERS; c++) {
            // Retries after 1 s instead of 10 s: the same doubling schedule, a tenth of the suite's wall time.
            EmulatedStack.Instance lambda = stack.newInstance(s -> s.with(Settings.SCALE_UP_FIRST_RETRY, "1s"));
            QueuePump pump = new QueuePump(lambda.app().aws().sqs(), stack.resources.queueUrl(),
                    new ScaleUpHandler(lambda.app()));
            handled.add(consumers.submit(() -> consume(pump, delivering, stack)));
        }

        WebhookHandler webhook = stack.webhook();
        int answered5xx = 0;
        for (long job : deliveries) {
            int status = 0;
            for (int attempt = 0; attempt < 10 && status != 202; attempt++) {
                status = webhook.handleRequest(pending(job), null).getStatusCode();
                if (status >= 500) {
                    answered5xx++;
                }
            }
            assertThat(status).as("delivery of job %d", job).isEqualTo(202);
        }
        delivering.set(false);
        int messagesHandled = 0;
        for (Future<Integer> f : handled) {
            messagesHandled += f.get(16, TimeUnit.MINUTES);
        }
        consumers.shutdown();
        int injected = proxy.injectedFaults();
        proxy.randomFaults(0, 0);
        long afterBurst = instanceCount(stack);
        var ledger = new DynamoJobLedger(stack.aws.dynamo(), stack.resources.jobsTable());
        var store = new DynamoMachineStore(stack.aws.dynamo(), stack.resources.machinesTable());
        // Launches that failed for good under faults are planned again by the reaper: the pool converges. A
        // launch whose table write failed had its instances terminated and its places left reserved, which the
        // reservation audit gives back after a quiet pass; so it may take a few passes, a minute apart.
        int passes = 0;
        do {
            stack.clock.advance(Duration.ofMinutes(1));
            stack.reaper().handleRequest(Map.of(), null);
            passes++;
        } while (passes < 6 && store.alive("docker").size() < LIMIT);
        Map<JobStatus, Long> byStatus = ledger.all().stream()
                .collect(Collectors.groupingBy(JobLedger.Job::status, Collectors.counting()));
        long instances = instanceCount(stack);

        System.out.printf("fault tolerance: %d deliveries (%d duplicates), %d AWS faults injected, %d webhook 5xx "
                        + "answered and redelivered, %d queue messages handled by %d consumers; ledger %s; %d instances after "
                        + "the burst, %d after %d reaper pass(es), %d machine records, %d reserved (limit %d); DLQ %s%n",
                DELIVERIES, DUPLICATES, injected, answered5xx, messagesHandled, CONSUMERS, byStatus, afterBurst, instances,
                passes,
                store.alive("docker").size(), store.reserved("docker"), LIMIT, depth(stack, stack.resources.dlqUrl()));

        assertThat(injected).as("faults were really injected").isGreaterThan(100);
        assertThat(byStatus).as("every job accepted is in the ledger, none lost")
                .containsExactly(Map.entry(JobStatus.QUEUED, (long) jobs.size()));
        assertThat(depth(stack, stack.resources.dlqUrl())).isZero();
        assertThat(afterBurst).as("never above the limit").isLessThanOrEqualTo(LIMIT);
        assertThat(instances).as("converged to the limit, never above").isEqualTo(LIMIT);
        assertThat(store.alive("docker")).as("every instance recorded: no double launch").hasSize(LIMIT);
        assertThat(store.reserved("docker")).isEqualTo(LIMIT);
    }

    @Test
    void aLaunchWhoseTableWriteFailsEndsItsInstanceAndTheJobGetsAMachineLater() {
        AwsEmulator.reset();
        proxy.clear();
        EmulatedStack stack = new EmulatedStack(emulator, POOL, proxy.endpoint().toString(), Duration.ofSeconds(30));
        var store = new DynamoMachineStore(stack.aws.dynamo(), stack.resources.machinesTable());
        // A new machine's record is written in a transaction with its pool's counters: that write fails.
        proxy.jsonError("DynamoDB_20120810.TransactWriteItems", stack.resources.machinesTable(), 500,
                "InternalServerError");

        assertThat(stack.webhook().handleRequest(pending(7), null).getStatusCode()).isEqualTo(202);
        stack.pump().drain();

        assertThat(proxy.ec2Calls("CreateFleet")).isEqualTo(1);
        assertThat(instanceCount(stack)).as("the unrecorded instance was terminated at once").isZero();
        assertThat(stack.logs()).contains("\"event\":\"machine.record_failed\"").contains("\"undo\":\"terminated\"");

        proxy.clear();
        // The failed launch's place stays reserved until the reservation audit sees a quiet pass and gives it back.
        for (int pass = 0; pass < 5 && (store.alive("docker").isEmpty() || store.reserved("docker") != 1); pass++) {
            stack.clock.advance(Duration.ofMinutes(1));
            stack.reaper().handleRequest(Map.of(), null);
        }
        assertThat(store.alive("docker")).as("the queued job got its machine").hasSize(1);
        assertThat(instanceCount(stack)).isEqualTo(1);
        assertThat(store.reserved("docker")).isEqualTo(1);
    }

    private static long instanceCount(EmulatedStack stack) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().filters(
                        Filter.builder().name("tag:" + Tags.STACK).values(EmulatedStack.STACK).build(),
                        Filter.builder().name("instance-state-name").values("pending", "running").build()).build())
                .reservations().stream().mapToLong(r -> r.instances().size()).sum();
    }

    /** A consumer: pumps until delivery has ended and the queue has nothing visible or in flight. */
    private static int consume(QueuePump pump, AtomicBoolean delivering, EmulatedStack stack) {
        int handled = 0;
        // Generous: about 2 minutes on 2 idle cores, but a shared machine under load takes several times that.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (System.nanoTime() < deadline) {
            int n;
            try {
                n = pump.pumpOnce(1);
            } catch (RuntimeException receiveOrDeleteFailed) {
                continue; // as Lambda's poller does: the messages come back after the visibility timeout
            }
            handled += n;
            if (n == 0 && !delivering.get() && depth(stack, stack.resources.queueUrl()) == 0) {
                return handled;
            }
        }
        throw new AssertionError("the queue did not drain in time");
    }

    private static int depth(EmulatedStack stack, String queueUrl) {
        var a = stack.aws.sqs().getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE).build()).attributes();
        return Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static APIGatewayV2HTTPEvent pending(long job) {
        APIGatewayV2HTTPEvent e = SampleEvents.http("webhook-gitlab-pending.json");
        e.setBody(e.getBody().replace("\"build_id\": 1977", "\"build_id\": " + job));
        return e;
    }
}
