package io.runnerscaler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.aws.Provisioner;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The emulator's transactions roll back item by item (scripts/moto_server.py, {@code roll_back_transactions_by_item})
 * instead of copying whole tables: a cancelled transaction must still leave every item it named as it was.
 */
class EmulatorTransactionsIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    @Test
    void aCancelledTransactionLeavesEveryItemItNamedAsItWas() {
        AwsEmulator.reset();
        DynamoDbClient dynamo = emulator.clients().dynamo();
        String table = new Provisioner(emulator.clients()).create("tx").jobsTable();
        dynamo.putItem(b -> b.tableName(table).item(Map.of("jobKey", s("counter"), "n", AttributeValue.fromN("1"))));
        dynamo.putItem(b -> b.tableName(table).item(Map.of("jobKey", s("guarded"), "status", s("RUNNING"))));

        assertThatThrownBy(() -> dynamo.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().update(Update.builder().tableName(table).key(Map.of("jobKey", s("counter")))
                        .updateExpression("ADD n :one").expressionAttributeValues(Map.of(":one",
                                AttributeValue.fromN("1"))).build()).build(),
                TransactWriteItem.builder().put(Put.builder().tableName(table).item(Map.of("jobKey", s("new"),
                        "status", s("QUEUED"))).build()).build(),
                TransactWriteItem.builder().put(Put.builder().tableName(table).item(Map.of("jobKey", s("guarded"),
                        "status", s("QUEUED"))).conditionExpression("#s = :q")
                        .expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":q", s("QUEUED"))).build()).build())))
                .isInstanceOf(TransactionCanceledException.class);

        assertThat(dynamo.getItem(b -> b.tableName(table).key(Map.of("jobKey", s("counter")))).item().get("n").n())
                .as("the update before the failed item is undone").isEqualTo("1");
        assertThat(dynamo.getItem(b -> b.tableName(table).key(Map.of("jobKey", s("new")))).hasItem())
                .as("the item the transaction would have made is not there").isFalse();
        assertThat(dynamo.getItem(b -> b.tableName(table).key(Map.of("jobKey", s("guarded")))).item().get("status").s())
                .isEqualTo("RUNNING");
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }
}
