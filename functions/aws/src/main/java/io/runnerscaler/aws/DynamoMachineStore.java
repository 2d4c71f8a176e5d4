package io.runnerscaler.aws;

import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.MachineRecords;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
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
    /** Index by {@code jobId}: the machine launched for or running a job, without reading its pool. */
    public static final String BY_JOB = "byJob";
    /** Prefix of the capacity item's counter of live machines in a state ({@code machines_IDLE}). */
    static final String STATE_PREFIX = "machines_";
    /** The capacity item's set of STOPPED machines ({@code <launch millis>|<instance id>}). */
    static final String STOPPED_SET = "stoppedMachines";
    /** Sort key of the pool's capacity item; instance ids start with "i-", so the two never meet. */
    public static final String CAPACITY = "#capacity";
    /**
     * Infix of a pool's partitions of GitLab system ids ({@code <pool>#system#<system id>}), one small item per live
     * machine naming its instance.
     */
    public static final String SYSTEM_IDS = "#system#";
    /** Sort key of a system id's entry, whose {@value #MACHINE} attribute names the machine. */
    static final String ENTRY = "#machine";
    static final String MACHINE = "machine";
    /** Suffix of a pool's ended partition; pool names cannot contain '#'. */
    public static final String ENDED = "#ended";
    private static final Duration KEEP_TERMINATED = Duration.ofDays(7);

    private final DynamoDbClient dynamo;
    private final String table;

    private final Conflicts conflicts;

    public DynamoMachineStore(DynamoDbClient dynamo, String table) {
        this(dynamo, table, Metrics.NONE);
    }

    /** @param metrics counts the writes that lost a race for a pool's counters item and were made again */
    public DynamoMachineStore(DynamoDbClient dynamo, String table, Metrics metrics) {
        this.dynamo = dynamo;
        this.table = table;
        this.conflicts = new Conflicts(metrics, table);
    }

    /**
     * Records a new machine (LAUNCHING) or a live machine's new state. A live machine's update applies only
     * while its record is live: if it ended in the meantime (the reaper or an EC2 event moved it), the update
     * is dropped, so a late job event cannot resurrect it and give its place back a second time. A change of state
     * moves the machine between the pool's counters in the same transaction.
     */
    @Override
    public void put(Machine m) {
        if (m.state() == MachineState.TERMINATED) {
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(item(m)).build());
            return;
        }
        write(m, Optional.empty());
    }

    @Override
    public boolean transition(Machine from, Machine to) {
        return write(to, Optional.of(from.state()));
    }

    /**
     * Reads the live record, then writes the machine conditioned on the record being as read, with the counters'
     * change when the state changes; made again from a fresh read when the record or the counters item moved on.
     *
     * @param expected the state the record must be in, if any; otherwise any live state (or none, for a first record)
     * @return whether the machine was written
     */
    private boolean write(Machine m, Optional<MachineState> expected) {
        return conflicts.retry("machine " + m.instanceId(), () -> {
            Optional<Machine> current = live(m.pool(), m.instanceId());
            if (current.isEmpty() && (expected.isPresent() || !m.state().isFirst())) {
                return Conflicts.Attempt.done(false);
            }
            if (current.isPresent() && expected.filter(e -> e != current.get().state()).isPresent()) {
                return Conflicts.Attempt.done(false);
            }
            var put = Put.builder().tableName(table).item(item(m));
            if (current.isEmpty()) {
                put.conditionExpression("attribute_not_exists(instanceId)");
            } else {
                put.conditionExpression("#s = :was").expressionAttributeNames(Map.of("#s", "state"))
                        .expressionAttributeValues(Map.of(":was", s(current.get().state().name())));
            }
            var items = new java.util.ArrayList<TransactWriteItem>();
            items.add(TransactWriteItem.builder().put(put.build()).build());
            countersChange(m.pool(), current, Optional.of(m), Map.of()).ifPresent(items::add);
            if (current.isEmpty()) {
                // A first record: its GitLab system id's entry, so a running job's manager finds it by key.
                systemIdKey(m).ifPresent(key -> {
                    var entry = new HashMap<>(key);
                    entry.put(MACHINE, s(m.instanceId()));
                    items.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(entry).build())
                            .build());
                });
            }
            try {
                if (items.size() == 1) {
                    // Same state: no counter moves, one conditional write.
                    Put p = put.build();
                    dynamo.putItem(PutItemRequest.builder().tableName(table).item(p.item())
                            .conditionExpression(p.conditionExpression())
                            .expressionAttributeNames(p.expressionAttributeNames())
                            .expressionAttributeValues(p.expressionAttributeValues()).build());
                } else {
                    dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(items).build());
                }
                return Conflicts.Attempt.done(true);
            } catch (ConditionalCheckFailedException moved) {
                return Conflicts.Attempt.again();
            } catch (TransactionCanceledException cancelled) {
                if (Conflicts.conditionFailed(cancelled)) {
                    return Conflicts.Attempt.again();
                }
                throw cancelled;
            }
        });
    }

    /** The live record of the machine, read consistently from its pool's partition. */
    private Optional<Machine> live(String pool, String instanceId) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).consistentRead(true)
                .key(Map.of("pool", s(pool), "instanceId", s(instanceId))).build());
        return item.hasItem() ? Optional.of(machine(item.item())).filter(x -> x.state().isAlive()) : Optional.empty();
    }

    /**
     * The update of the pool's counters item for a machine leaving {@code before}'s state for {@code after}'s (either
     * may be absent: a first record, an ended machine), with {@code extra} additions; none when nothing moves.
     */
    private Optional<TransactWriteItem> countersChange(String pool, Optional<Machine> before, Optional<Machine> after,
                                                       Map<String, Long> extra) {
        Optional<MachineState> from = before.map(Machine::state);
        Optional<MachineState> to = after.map(Machine::state).filter(MachineState::isAlive);
        if (from.equals(to) && extra.isEmpty()) {
            return Optional.empty();
        }
        var adds = new java.util.LinkedHashMap<String, Long>(extra);
        if (!from.equals(to)) {
            from.ifPresent(f -> adds.merge(STATE_PREFIX + f.name(), -1L, Long::sum));
            to.ifPresent(t -> adds.merge(STATE_PREFIX + t.name(), 1L, Long::sum));
            adds.merge("stateVersion", 1L, Long::sum);
        }
        var names = new HashMap<String, String>();
        var values = new HashMap<String, AttributeValue>();
        var clauses = new java.util.ArrayList<String>();
        int i = 0;
        for (var add : adds.entrySet()) {
            names.put("#a" + i, add.getKey());
            values.put(":a" + i, n(add.getValue()));
            clauses.add("#a" + i + " :a" + i);
            i++;
        }
        String expression = "ADD " + String.join(", ", clauses);
        boolean wasStopped = from.filter(f -> f == MachineState.STOPPED).isPresent();
        boolean isStopped = to.filter(t -> t == MachineState.STOPPED).isPresent();
        if (isStopped && !wasStopped) {
            expression += ", #stopped :entry";
            names.put("#stopped", STOPPED_SET);
            values.put(":entry", AttributeValue.fromSs(List.of(stoppedEntry(after.get()))));
        } else if (wasStopped && !isStopped) {
            expression += " DELETE #stopped :entry";
            names.put("#stopped", STOPPED_SET);
            values.put(":entry", AttributeValue.fromSs(List.of(stoppedEntry(before.get()))));
        }
        return Optional.of(TransactWriteItem.builder().update(Update.builder().tableName(table).key(capacityKey(pool))
                .updateExpression(expression).expressionAttributeNames(names).expressionAttributeValues(values)
                .build()).build());
    }

    /** A stopped machine in the counters item's set: its launch in epoch milliseconds, zero-padded, so sets sort oldest first. */
    private static String stoppedEntry(Machine m) {
        return String.format("%015d|%s", m.launchedAt().toEpochMilli(), m.instanceId());
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
        return items.stream().filter(i -> i.containsKey("state")).map(DynamoMachineStore::machine)
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

    /**
     * The pool's live machines with the job, through the {@code byJob} index: a handful of items however large the
     * pool. The index is eventually consistent, so a machine recorded a moment ago may be missing; callers that must
     * not miss one read the pool when this finds none.
     */
    @Override
    public List<Machine> withJob(String pool, String jobKey) {
        return dynamo.query(QueryRequest.builder().tableName(table).indexName(BY_JOB)
                        .keyConditionExpression("jobId = :j").filterExpression("#p = :p AND #s <> :t")
                        .expressionAttributeNames(Map.of("#p", "pool", "#s", "state"))
                        .expressionAttributeValues(Map.of(":j", s(jobKey), ":p", s(pool),
                                ":t", s(MachineState.TERMINATED.name())))
                        .build())
                .items().stream().map(DynamoMachineStore::machine).toList();
    }

    /**
     * The live machine whose GitLab runner manager has this system id: its entry in the pool's {@value #SYSTEM_IDS}
     * partition (written with the machine's first record, removed when it ends), then the record: two GetItems.
     */
    @Override
    public Optional<Machine> withGitLabSystemId(String pool, String systemId) {
        var entry = dynamo.getItem(GetItemRequest.builder().tableName(table).consistentRead(true)
                .key(Map.of("pool", s(pool + SYSTEM_IDS + systemId), "instanceId", s(ENTRY))).build());
        return entry.hasItem() && entry.item().containsKey(MACHINE)
                ? live(pool, entry.item().get(MACHINE).s()) : Optional.empty();
    }

    /**
     * The key of a machine's entry under its GitLab system id; none for a record with no EC2 instance id. Its sort key
     * is no instance id, so the {@code byInstance} index never lists it beside the machine.
     */
    private static Optional<Map<String, AttributeValue>> systemIdKey(Machine m) {
        return MachineRecords.systemIdOf(m).map(id -> Map.of("pool", s(m.pool() + SYSTEM_IDS + id),
                "instanceId", s(ENTRY)));
    }

    /** Every machine record of every pool, for operators ({@code runner-scaler machines}); a Scan, never on a hot path. */
    public List<Machine> all() {
        return dynamo.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build()).items()
                .stream().filter(i -> i.get("instanceId").s().startsWith("i-") && i.containsKey("state"))
                .map(DynamoMachineStore::machine)
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
    public int reserve(String pool, int wanted, int limit, long version) {
        int ask = Math.min(wanted, limit);
        while (ask > 0) {
            int asked = ask;
            // An item never written reads as version 0.
            String sameVersion = version == 0 ? "(attribute_not_exists(version) OR version = :v)" : "version = :v";
            boolean granted = conflicts.retry("capacity of pool " + pool, () -> {
                try {
                    dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                            .updateExpression("ADD reserved :n, version :one")
                            .conditionExpression(sameVersion + " AND (attribute_not_exists(reserved) OR reserved <= :max)")
                            .expressionAttributeValues(Map.of(":n", n(asked), ":max", n(limit - asked), ":one", n(1),
                                    ":v", n(version)))
                            .build());
                    return Conflicts.Attempt.done(true);
                } catch (ConditionalCheckFailedException refused) {
                    return Conflicts.Attempt.done(false);
                }
            });
            if (granted) {
                return asked;
            }
            PoolCounters now = counters(pool);
            if (now.version() != version) {
                return CHANGED;
            }
            ask = Math.min(ask, limit - now.reserved());
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
        return conflicts.retry("machine " + m.instanceId(), () -> {
            Optional<Machine> current = live(m.pool(), m.instanceId());
            if (current.isEmpty()) {
                return Conflicts.Attempt.done(false);
            }
            var items = new java.util.ArrayList<TransactWriteItem>();
            // Leaving the live partition is the once-only step: a second call finds no live record.
            items.add(TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                    .key(Map.of("pool", s(m.pool()), "instanceId", s(m.instanceId())))
                    .conditionExpression("#s = :was")
                    .expressionAttributeNames(Map.of("#s", "state"))
                    .expressionAttributeValues(Map.of(":was", s(current.get().state().name()))).build()).build());
            items.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item(gone)).build()).build());
            items.add(countersChange(m.pool(), current, Optional.empty(), Map.of("reserved", -1L, "version", 1L))
                    .orElseThrow());
            systemIdKey(m).ifPresent(key -> items.add(TransactWriteItem.builder().delete(Delete.builder()
                    .tableName(table).key(key).build()).build()));
            try {
                dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(items).build());
                return Conflicts.Attempt.done(true);
            } catch (TransactionCanceledException cancelled) {
                if (Conflicts.conditionFailed(cancelled)) {
                    return Conflicts.Attempt.again();
                }
                throw cancelled;
            }
        });
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

    /** The pool's counters, grants and boot failures, from its capacity item in one consistent read. */
    @Override
    public PoolCounters counters(String pool) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(capacityKey(pool))
                .consistentRead(true).build());
        if (!item.hasItem()) {
            return new PoolCounters(0, List.of());
        }
        Map<String, AttributeValue> i = item.item();
        var failures = i.containsKey("bootFailures")
                ? i.get("bootFailures").l().stream().map(v -> Instant.parse(v.s())).sorted().toList()
                : List.<Instant>of();
        var byState = new java.util.EnumMap<MachineState, Integer>(MachineState.class);
        for (MachineState state : MachineState.values()) {
            long count = number(i, STATE_PREFIX + state.name());
            if (state.isAlive() && count != 0) {
                byState.put(state, (int) count);
            }
        }
        List<String> stopped = i.containsKey(STOPPED_SET) ? i.get(STOPPED_SET).ss().stream().sorted()
                .map(e -> e.substring(e.indexOf('|') + 1)).toList() : List.of();
        return new PoolCounters((int) Math.max(0, number(i, "onDemandGrants")), failures,
                (int) number(i, "reserved"), number(i, "version"), number(i, "stateVersion"), byState, stopped);
    }

    @Override
    public Map<String, Integer> auditCounters(String pool, List<Machine> alive, PoolCounters read) {
        PoolCounters actual = MachineStore.countersOf(alive, 0, List.of(), 0, 0, 0);
        var corrections = new java.util.LinkedHashMap<String, Integer>();
        var sets = new java.util.ArrayList<String>();
        var names = new HashMap<String, String>();
        var values = new HashMap<String, AttributeValue>();
        int i = 0;
        for (MachineState state : MachineState.values()) {
            int want = actual.machines().getOrDefault(state, 0);
            int have = read.machines().getOrDefault(state, 0);
            if (state.isAlive() && want != have) {
                corrections.put(state.name(), want - have);
                names.put("#c" + i, STATE_PREFIX + state.name());
                values.put(":c" + i, n(want));
                sets.add("#c" + i + " = :c" + i);
                i++;
            }
        }
        Set<String> wantStopped = alive.stream().filter(m -> m.state() == MachineState.STOPPED)
                .map(DynamoMachineStore::stoppedEntry).collect(java.util.stream.Collectors.toSet());
        boolean stoppedDrifted = !new java.util.HashSet<>(read.stopped()).equals(actual.stopped().stream()
                .collect(java.util.stream.Collectors.toSet()));
        if (corrections.isEmpty() && !stoppedDrifted) {
            return Map.of();
        }
        names.put("#sv", "stateVersion");
        names.put("#v", "version");
        values.put(":sv", n(read.stateVersion()));
        values.put(":v", n(read.version()));
        values.put(":one", n(1));
        values.put(":zero", n(0));
        sets.add("#sv = if_not_exists(#sv, :zero) + :one");
        String update = "SET " + String.join(", ", sets);
        if (stoppedDrifted) {
            corrections.put("stopped", actual.stopped().size() - read.stopped().size());
            names.put("#stopped", STOPPED_SET);
            if (wantStopped.isEmpty()) {
                update += " REMOVE #stopped";
            } else {
                values.put(":stopped", AttributeValue.fromSs(List.copyOf(wantStopped)));
                update = update.replace("SET ", "SET #stopped = :stopped, ");
            }
        }
        try {
            // Only if nothing moved since the counters were read, before the machines: then both are one moment.
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(capacityKey(pool))
                    .updateExpression(update)
                    .conditionExpression(unchanged("#sv", read.stateVersion()) + " AND " + unchanged("#v", read.version()))
                    .expressionAttributeNames(names).expressionAttributeValues(values).build());
        } catch (ConditionalCheckFailedException | TransactionConflictException moved) {
            return Map.of();
        }
        return corrections;
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

    /** A condition that a version attribute is still {@code read}; an attribute never written reads as 0. */
    private static String unchanged(String name, long read) {
        String value = name.equals("#sv") ? ":sv" : ":v";
        return read == 0 ? "(attribute_not_exists(" + name + ") OR " + name + " = " + value + ")"
                : name + " = " + value;
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
