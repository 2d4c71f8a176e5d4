package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * A write that meets another transaction on a counter item is made again after a jittered pause, and counted
 * ({@code CounterConflicts}); one that keeps meeting them goes up after {@link Conflicts#ATTEMPTS} attempts, with
 * nothing half written. The conflicts are DynamoDB's recorded answers, through the fault proxy (moto never
 * conflicts).
 */
class CounterConflictsIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();
    @RegisterExtension
    static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private final List<String> counted = new CopyOnWriteArrayList<>();
    private final Metrics metrics = new Metrics() {
        @Override
        public void count(String name, Map<String, String> dimensions, double value) {
            counted.add(name);
        }

        @Override
        public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        }
    };
    private Provisioner.Resources resources;
    private AwsClients throughProxy;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        resources = new Provisioner(emulator.clients()).create("conflicts");
        throughProxy = AwsClients.create("us-east-1", Optional.of(proxy.endpoint()));
    }

    @Test
    void aTransactionThatMetAnotherIsMadeAgainAndCounted() {
        var ledger = new DynamoJobLedger(throughProxy.dynamo(), resources.jobsTable(), metrics);
        proxy.jsonAnswerTimes("DynamoDB_20120810.TransactWriteItems", 2, 400, recorded("dynamodb-transaction-conflict.json"));

        assertThat(ledger.record(queued("1"), Optional.of("docker"), T0)).isEqualTo(JobLedger.Transition.CREATED);

        assertThat(counted).containsExactly("CounterConflicts", "CounterConflicts");
        assertThat(ledger.count("docker", JobStatus.QUEUED)).isEqualTo(1);
        assertThat(proxy.jsonCalls("DynamoDB_20120810.TransactWriteItems")).isEqualTo(3);
    }

    @Test
    void aReservationRefusedWhileATransactionChangesTheItemIsMadeAgain() {
        var store = new DynamoMachineStore(throughProxy.dynamo(), resources.machinesTable(), metrics);
        long version = store.counters("docker").version();
        proxy.jsonAnswerTimes("DynamoDB_20120810.UpdateItem", 1, 400, recorded("dynamodb-item-in-transaction.json"));

        assertThat(store.reserve("docker", 2, 5, version)).isEqualTo(2);

        assertThat(counted).containsExactly("CounterConflicts");
        assertThat(store.reserved("docker")).isEqualTo(2);
    }

    @Test
    void conflictsBeyondTheAttemptsGoUpAndLeaveNothingWritten() {
        var ledger = new DynamoJobLedger(throughProxy.dynamo(), resources.jobsTable(), metrics);
        proxy.jsonAnswerTimes("DynamoDB_20120810.TransactWriteItems", Conflicts.ATTEMPTS, 400,
                recorded("dynamodb-transaction-conflict.json"));

        assertThatThrownBy(() -> ledger.record(queued("2"), Optional.of("docker"), T0))
                .isInstanceOf(TransactionCanceledException.class);

        assertThat(counted).hasSize(Conflicts.ATTEMPTS);
        var direct = new DynamoJobLedger(emulator.clients().dynamo(), resources.jobsTable());
        assertThat(direct.find("gitlab:2")).isEmpty();
        assertThat(direct.count("docker", JobStatus.QUEUED)).isZero();
    }

    private static JobEvent queued(String id) {
        return new JobEvent(Forge.GITLAB, id, "group/app", JobStatus.QUEUED, Set.of(), Optional.empty(), "d-" + id, T0,
                Optional.empty(), Optional.empty());
    }

    private static String recorded(String name) {
        try (var in = CounterConflictsIT.class.getResourceAsStream("/aws-errors/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
