package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.Tags;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * Invariant 1: a pool never has more machines than its limit, with several scale-up invocations at once
 * (each its own "Lambda instance" with its own clients), each planning from its own snapshot.
 */
class ConcurrentScaleUpIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final String LIMIT_THREE = EmulatedStack.ONE_POOL;

    @ParameterizedTest(name = "round {0}")
    @ValueSource(ints = {1, 2, 3})
    void eightConcurrentInvocationsOnOnePoolNeverPassItsLimit(int round) throws Exception {
        AwsEmulator.reset();
        EmulatedStack stack = new EmulatedStack(emulator, LIMIT_THREE);
        queuedAtOnce(stack, 8, 5000);

        long instances = stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().filters(
                        Filter.builder().name("tag:" + Tags.STACK).values(EmulatedStack.STACK).build()).build())
                .reservations().stream().mapToLong(r -> r.instances().size()).sum();
        var store = new DynamoMachineStore(stack.aws.dynamo(), stack.resources.machinesTable());
        assertThat(instances).isEqualTo(3);
        assertThat(store.alive("docker")).hasSize(3);
        assertThat(store.reserved("docker")).isEqualTo(3);
    }

    @Test
    void concurrentInvocationsBelowTheLimitLaunchOneMachinePerJobNeitherMoreNorFewer() throws Exception {
        AwsEmulator.reset();
        EmulatedStack stack = new EmulatedStack(emulator, LIMIT_THREE.replace("limit: 3", "limit: 20"));
        int invocations = 8;
        queuedAtOnce(stack, invocations, 7000);

        var store = new DynamoMachineStore(stack.aws.dynamo(), stack.resources.machinesTable());
        var machines = store.alive("docker");
        assertThat(machines).as("each plan counted the jobs the others had counted").hasSize(invocations);
        assertThat(machines.stream().flatMap(m -> m.jobId().stream()).toList()).doesNotHaveDuplicates();
        assertThat(store.reserved("docker")).isEqualTo(invocations);
        assertThat(store.counters("docker").machines()).containsOnly(java.util.Map.entry(
                io.runnerscaler.core.model.MachineState.LAUNCHING, invocations));
    }

    /** {@code invocations} queued jobs, each handled at the same moment by a scale-up instance of its own. */
    private static void queuedAtOnce(EmulatedStack stack, int invocations, int firstJob) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(invocations);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < invocations; i++) {
            EmulatedStack.Instance lambda = stack.newInstance();
            JobEvent job = new JobEvent(Forge.GITLAB, Integer.toString(firstJob + i), "gitlab-org/gitlab-test",
                    JobStatus.QUEUED, Set.of(), Optional.empty(), "d-" + i, Instant.parse("2026-11-23T09:00:00Z"),
                    Optional.empty(), Optional.empty());
            done.add(pool.submit(() -> {
                go.await();
                lambda.app().jobEvents().handle(job);
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    @Test
    void aLaunchThatFailsGivesItsReservationBack() {
        AwsEmulator.reset();
        EmulatedStack stack = new EmulatedStack(emulator, LIMIT_THREE.replace("runner-scaler-docker", "no-such-template"));
        JobEvent job = new JobEvent(Forge.GITLAB, "6000", "gitlab-org/gitlab-test", JobStatus.QUEUED, Set.of(),
                Optional.empty(), "d", Instant.parse("2026-11-23T09:00:00Z"), Optional.empty(), Optional.empty());

        stack.app.jobEvents().handle(job);

        var store = new DynamoMachineStore(stack.aws.dynamo(), stack.resources.machinesTable());
        assertThat(store.reserved("docker")).isZero();
        assertThat(stack.logs()).contains("machine.launch_failed");
    }
}
