package io.runnerscaler.aws;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.MachineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Machines in DynamoDB: partition key {@code pool}, sort key {@code instanceId}, so one pool's machines are
 * one Query; the {@code byInstance} index finds a machine from an EC2 event. Terminated machines expire
 * after a week through TTL (the emulator never expires items, so reads filter by state themselves).
 */
public final class DynamoMachineStore implements MachineStore {

    public static final String BY_INSTANCE = "byInstance";
    private static final Duration KEEP_TERMINATED = Duration.ofDays(7);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoMachineStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void put(Machine m) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pool", s(m.pool()));
        item.put("instanceId", s(m.instanceId()));
        item.put("state", s(m.state().name()));
        item.put("market", s(m.market().name()));
        item.put("instanceType", s(m.instanceType() == null ? "" : m.instanceType()));
        item.put("buildsDone", n(m.buildsDone()));
        item.put("launchedAt", s(m.launchedAt().toString()));
        item.put("stateSince", s(m.stateSince().toString()));
        m.jobId().ifPresent(j -> item.put("jobId", s(j)));
        if (m.state() == MachineState.TERMINATED) {
            item.put("ttl", n(m.stateSince().plus(KEEP_TERMINATED).getEpochSecond()));
        }
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(item).build());
    }

    @Override
    public Optional<Machine> find(String instanceId) {
        var items = dynamo.query(QueryRequest.builder().tableName(table).indexName(BY_INSTANCE)
                .keyConditionExpression("instanceId = :i").expressionAttributeValues(Map.of(":i", s(instanceId)))
                .build()).items();
        return items.stream().findFirst().map(DynamoMachineStore::machine);
    }

    @Override
    public List<Machine> alive(String pool) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).consistentRead(true)
                        .keyConditionExpression("#p = :p")
                        .filterExpression("#s <> :t")
                        .expressionAttributeNames(Map.of("#p", "pool", "#s", "state"))
                        .expressionAttributeValues(Map.of(":p", s(pool), ":t", s(MachineState.TERMINATED.name())))
                        .build())
                .items().stream().map(DynamoMachineStore::machine).toList();
    }

    static Machine machine(Map<String, AttributeValue> i) {
        return new Machine(i.get("instanceId").s(), i.get("pool").s(), MachineState.valueOf(i.get("state").s()),
                Market.valueOf(i.get("market").s()), i.get("instanceType").s(),
                Integer.parseInt(i.get("buildsDone").n()), Instant.parse(i.get("launchedAt").s()),
                Instant.parse(i.get("stateSince").s()), Optional.ofNullable(i.get("jobId")).map(AttributeValue::s));
    }

    static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    static AttributeValue n(long v) {
        return AttributeValue.builder().n(Long.toString(v)).build();
    }
}
