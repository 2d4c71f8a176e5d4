package io.runnerscaler.aws;

import io.runnerscaler.core.model.BootPath;
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
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Machines in DynamoDB: partition key {@code pool}, sort key {@code instanceId}, so one pool's live machines
 * are one Query; the {@code byInstance} index finds a machine from an EC2 event. A terminated machine moves to
 * the pool's ended partition ({@code <pool>}{@value #ENDED}) in the transaction that terminates it and expires
 * there after a week through TTL. So the Query every job event and reaper pass makes reads the pool's live
 * machines only (at most its {@code limit}), not a week of ended ones: with ephemeral GitHub runners
 * ({@code maxBuilds: 1}) the ended machines outnumber the live ones by thousands, and a filter expression
 * would still read (and bill) every one of them. A state update of a machine that has ended meanwhile is
 * dropped rather than bringing it back to life.
 *
 * <p>Each pool also has one capacity item in the same partition (sort key {@value #CAPACITY}) whose
 * {@code reserved} count is changed only by conditional updates: reserving checks the limit in the same
 * write, and a machine's place is given back in the same transaction that marks it TERMINATED. The same item
 * keeps the pool's on-demand grants and its boot failures (a list of instants), so planning reads both in one
 * GetItem ({@link #counters}). An ended machine's record keeps why it ended ({@code endReason}) and whether it
 * ever took a job ({@code tookJob}), for {@code runner-scaler machines}. Every record keeps its boot steps
 * ({@code bootPath}, {@code requestedAt}, {@code runningAt}, {@code registeredAt}, {@code firstJobAt}), written
 * with the state changes that learn them, so they cost no write of their own.
 */
public final class DynamoMachineStore implements MachineStore {

    public static final String BY_INSTANCE = "byInstance";
    /** Sort key of the pool's capacity item; instance ids start with "i-", so the two never meet. */
    public static final String CAPACITY = "#capacity";
    /** Suffix of a pool's ended partition; pool names cannot contain '#'. */
    public static final String ENDED = "#ended";
    private static final Duration KEEP_TERMINATED = Duration.ofDays(7);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoMachineStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Records a new machine (LAUNCHING) or a live machine's new state. A live machine's update applies only
     * while its record is live: if it ended in the meantime (the reaper or an EC2 event moved it), the update
     * is dropped, so a late job event cannot resurrect it and give its place back a second time.
     */
    @Override
    public void put(Machine m) {
        if (m.state() == MachineState.TERMINATED) {
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(item(m)).build());
            return;
        }
        var put = PutItemRequest.builder().tableName(table).item(item(m));
        if (!m.state().isFirst()) {
            put.conditionExpression("attribute_exists(instanceId)");
        }
        try {
            dynamo.putItem(put.build());
        } catch (ConditionalCheckFailedException ended) {
            // the machine ended meanwhile: its ended record is the truth
        }
    }

    private static Map<String, AttributeValue> item(Machine m) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pool", s(m.state() == MachineState.TERMINATED ? m.pool() + ENDED : m.pool()));
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
        m.ending().ifPresent(e -> {
            item.put("endReason", s(e.reason().isEmpty() ? "UNRECORDED" : e.reason()));
            item.put("tookJob", AttributeValue.fromBool(e.tookJob()));
        });
        Machine.Steps steps = m.steps();
        item.put("bootPath", s(steps.path().name()));
        item.put("requestedAt", s(steps.requested().toString()));
        steps.running().ifPresent(t -> item.put("runningAt", s(t.toString())));
        steps.registered().ifPresent(t -> item.put("registeredAt", s(t.toString())));
        steps.firstJob().ifPresent(t -> item.put("firstJobAt", s(t.toString())));
        return item;
    }

    @Override
    public Optional<Machine> find(String instanceId) {
        var items = dynamo.query(QueryRequest.builder().tableName(table).indexName(BY_INSTANCE)
                .keyConditionExpression("instanceId = :i").expressionAttributeValues(Map.of(":i", s(instanceId)))
                .build()).items();
        // The index may briefly show a machine both live and ended; ended is the later truth.
        return items.stream().map(DynamoMachineStore::machine)
                .max(java.util.Comparator.comparing(m -> m.state() == MachineState.TERMINATED));
    }

    @Override
    public List<Machine> alive(String pool) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).consistentRead(true)
                        .keyConditionExpression("#p = :p AND begins_with(#i, :prefix)")
                        // Ended machines live elsewhere; the filter only skips records written before they did.
                        .filterExpression("#s <> :t")
                        .expressionAttributeNames(Map.of("#p", "pool", "#s", "state", "#i", "instanceId"))
                        .expressionAttributeValues(Map.of(":p", s(pool), ":t", s(MachineState.TERMINATED.name()),
                                ":prefix", s("i-")))
                        .build())
                .items().stream().map(DynamoMachineStore::machine).toList();
    }

    /** Every machine record of every pool, for operators ({@code runner-scaler machines}); a Scan, never on a hot path. */
    public List<Machine> all() {
        return dynamo.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build()).items()
                .stream().filter(i -> i.get("instanceId").s().startsWith("i-")).map(DynamoMachineStore::machine)
                .toList();
    }

    @Override
    public int reserve(String pool, int wanted, int limit) {
        // Try the whole amount, then whatever is left: each attempt is one conditional write.
        int ask = wanted;
        for (int attempt = 0; attempt < 5 && ask > 0; attempt++) {
            try {
                dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                        .updateExpression("ADD reserved :n, version :one")
                        .conditionExpression("attribute_not_exists(reserved) OR reserved <= :max")
                        .expressionAttributeValues(Map.of(":n", n(ask), ":max", n(limit - ask), ":one", n(1)))
                        .build());
                return ask;
            } catch (ConditionalCheckFailedException full) {
                ask = Math.min(ask, limit - reserved(pool));
            }
        }
        return 0;
    }

    @Override
    public void release(String pool, int count) {
        if (count <= 0) {
            return;
        }
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                .updateExpression("ADD reserved :n, version :one")
                .expressionAttributeValues(Map.of(":n", n(-count), ":one", n(1))).build());
    }

    @Override
    public boolean markEnded(Machine m, Instant at, String reason) {
        Machine gone = m.ended(at, reason);
        try {
            // Leaving the live partition is the once-only step: a second call finds no live record.
            dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(Map.of("pool", s(m.pool()), "instanceId", s(m.instanceId())))
                            .conditionExpression("attribute_exists(instanceId) AND #s <> :t")
                            .expressionAttributeNames(Map.of("#s", "state"))
                            .expressionAttributeValues(Map.of(":t", s(MachineState.TERMINATED.name()))).build()).build(),
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(item(gone)).build()).build(),
                    TransactWriteItem.builder().update(Update.builder().tableName(table).key(capacityKey(m.pool()))
                            .updateExpression("ADD reserved :minusOne, version :one")
                            .expressionAttributeValues(Map.of(":minusOne", n(-1), ":one", n(1))).build()).build())
                    .build());
            return true;
        } catch (TransactionCanceledException alreadyTerminated) {
            return false;
        }
    }

    @Override
    public void grantOnDemand(String pool, int machines) {
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                .updateExpression("ADD onDemandGrants :n").expressionAttributeValues(Map.of(":n", n(machines))).build());
    }

    @Override
    public int onDemandGrants(String pool) {
        return counters(pool).onDemandGrants();
    }

    /**
     * One boot failure more, appended to the pool item's list. The list only grows while every machine fails
     * (the backoff brings that to one failure per 30 minutes at most) and is removed by the first healthy one.
     */
    @Override
    public void recordBootFailure(String pool, Instant at) {
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                .updateExpression("SET bootFailures = list_append(if_not_exists(bootFailures, :none), :one)")
                .expressionAttributeValues(Map.of(":none", AttributeValue.fromL(List.of()),
                        ":one", AttributeValue.fromL(List.of(s(at.toString()))))).build());
    }

    @Override
    public void resetBootFailures(String pool) {
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                .updateExpression("REMOVE bootFailures").build());
    }

    @Override
    public List<Instant> bootFailures(String pool) {
        return counters(pool).bootFailures();
    }

    /** The pool's grants and boot failures, from its capacity item in one consistent read. */
    @Override
    public PoolCounters counters(String pool) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(capacityKey(pool))
                .consistentRead(true).build());
        if (!item.hasItem()) {
            return new PoolCounters(0, List.of());
        }
        var failures = item.item().containsKey("bootFailures")
                ? item.item().get("bootFailures").l().stream().map(v -> Instant.parse(v.s())).sorted().toList()
                : List.<Instant>of();
        return new PoolCounters((int) Math.max(0, number(item.item(), "onDemandGrants")), failures);
    }

    @Override
    public int takeOnDemand(String pool, int wanted) {
        for (int ask = wanted; ask > 0; ask--) {
            try {
                dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                        .updateExpression("ADD onDemandGrants :minus").conditionExpression("onDemandGrants >= :n")
                        .expressionAttributeValues(Map.of(":minus", n(-ask), ":n", n(ask))).build());
                return ask;
            } catch (ConditionalCheckFailedException notThatMany) {
                // try fewer
            }
        }
        return 0;
    }

    @Override
    public int reserved(String pool) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(capacityKey(pool))
                .consistentRead(true).build());
        return item.hasItem() && item.item().containsKey("reserved")
                ? Integer.parseInt(item.item().get("reserved").n()) : 0;
    }

    @Override
    public int audit(String pool, int aliveMachines) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(capacityKey(pool))
                .consistentRead(true).build());
        if (!item.hasItem()) {
            return 0;
        }
        long version = number(item.item(), "version");
        long reserved = number(item.item(), "reserved");
        boolean quietSinceLastAudit = item.item().containsKey("auditedVersion")
                && number(item.item(), "auditedVersion") == version;
        boolean correct = quietSinceLastAudit && reserved != aliveMachines;
        try {
            // Either way the audit remembers the version it saw; a correction also bumps it, so the next
            // audit waits another quiet period before correcting again.
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                    .updateExpression(correct ? "SET reserved = :alive, auditedVersion = :next, version = :next"
                            : "SET auditedVersion = :v")
                    .conditionExpression("version = :v")
                    .expressionAttributeValues(correct
                            ? Map.of(":alive", n(aliveMachines), ":next", n(version + 1), ":v", n(version))
                            : Map.of(":v", n(version)))
                    .build());
        } catch (ConditionalCheckFailedException somebodyLaunched) {
            return 0;
        }
        return correct ? (int) (aliveMachines - reserved) : 0;
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Long.parseLong(item.get(name).n()) : 0;
    }

    private static Map<String, AttributeValue> capacityKey(String pool) {
        return Map.of("pool", s(pool), "instanceId", s(CAPACITY));
    }

    static Machine machine(Map<String, AttributeValue> i) {
        String partition = i.get("pool").s();
        String pool = partition.endsWith(ENDED) ? partition.substring(0, partition.length() - ENDED.length())
                : partition;
        MachineState state = MachineState.valueOf(i.get("state").s());
        int builds = Integer.parseInt(i.get("buildsDone").n());
        // Records ended before reasons were kept say UNRECORDED; whether they took a job, their builds tell.
        Optional<Machine.Ending> ending = state != MachineState.TERMINATED ? Optional.empty()
                : Optional.of(new Machine.Ending(i.containsKey("endReason") ? i.get("endReason").s() : "UNRECORDED",
                        i.containsKey("tookJob") ? Boolean.TRUE.equals(i.get("tookJob").bool()) : builds > 0));
        Instant launched = Instant.parse(i.get("launchedAt").s());
        // Records written before the steps were kept read as a cold launch with no step known.
        var steps = new Machine.Steps(
                i.containsKey("bootPath") ? BootPath.valueOf(i.get("bootPath").s()) : BootPath.COLD,
                instant(i, "requestedAt").orElse(launched), instant(i, "runningAt"), instant(i, "registeredAt"),
                instant(i, "firstJobAt"));
        return new Machine(i.get("instanceId").s(), pool, state, Market.valueOf(i.get("market").s()),
                i.get("instanceType").s(), builds, launched,
                Instant.parse(i.get("stateSince").s()), Optional.ofNullable(i.get("jobId")).map(AttributeValue::s),
                ending, steps);
    }

    private static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(v -> Instant.parse(v.s()));
    }

    static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    static AttributeValue n(long v) {
        return AttributeValue.builder().n(Long.toString(v)).build();
    }
}
