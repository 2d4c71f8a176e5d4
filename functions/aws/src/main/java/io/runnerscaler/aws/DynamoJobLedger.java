package io.runnerscaler.aws;

import static io.runnerscaler.aws.DynamoMachineStore.n;
import static io.runnerscaler.aws.DynamoMachineStore.s;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The job ledger in DynamoDB: partition key {@code jobKey}; the {@code byPoolStatus} index lists a pool's
 * jobs by status. Every write is one conditional UpdateItem that only moves a job forward, so redelivered
 * and out-of-order events change nothing.
 */
public final class DynamoJobLedger implements JobLedger {

    public static final String BY_POOL_STATUS = "byPoolStatus";
    /**
     * Key prefix of a pool's counter item ({@code #counts#<pool>}: how many of its jobs are in each
     * {@link JobLedger#COUNTED} status); job keys start with a forge's id, so the two never meet.
     */
    static final String COUNTS = "#counts#";
    /** The counter item of every pool's running jobs, for the global {@code concurrent}; no pool can have this name. */
    static final String ALL_POOLS = "#all-pools";
    /** The index's pool for jobs no pool took; no pool can have this name (pool names start with a letter or digit). */
    static final String UNMATCHED = "(unmatched)";
    /**
     * How long a job stays after its last event. 90 days: `runner-scaler trace ledger` replays them to choose a
     * policy, and a quarter shows weekly rhythm, release weeks and holidays, where two weeks show one sprint. At
     * about 500 bytes an item, 10,000 jobs a day keep some 450 MB, about $0.11 a month of DynamoDB storage.
     */
    static final Duration KEEP = Duration.ofDays(90);
    private static final int FIRST_FINISHED_RANK = JobStatus.SUCCEEDED.ordinal();

    private final DynamoDbClient dynamo;
    private final String table;

    private final Conflicts conflicts;

    public DynamoJobLedger(DynamoDbClient dynamo, String table) {
        this(dynamo, table, Metrics.NONE);
    }

    /** @param metrics counts the writes that lost a race for a counter item and were made again */
    public DynamoJobLedger(DynamoDbClient dynamo, String table, Metrics metrics) {
        this.dynamo = dynamo;
        this.table = table;
        this.conflicts = new Conflicts(metrics, table);
    }

    @Override
    public Transition record(JobEvent e, Optional<String> pool, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":status", s(e.status().name()));
        values.put(":rank", n(e.status().ordinal()));
        values.put(":forge", s(e.forge().id()));
        values.put(":project", s(e.project()));
        values.put(":jobId", s(e.jobId()));
        values.put(":labels", AttributeValue.builder().l(e.labels().stream().sorted().map(DynamoMachineStore::s)
                .toList()).build());
        values.put(":created", s(e.createdAt().toString()));
        values.put(":now", s(now.toString()));
        values.put(":delivery", s(e.deliveryId()));
        values.put(":ttl", n(now.plus(KEEP).getEpochSecond()));
        // Every attribute goes through a name placeholder: several (status, project, ttl ...) are reserved words.
        Map<String, String> names = new HashMap<>();
        List<String> sets = new java.util.ArrayList<>();
        for (String a : List.of("status", "statusRank", "forge", "project", "jobId", "labels", "updatedAt",
                "lastDelivery", "ttl")) {
            names.put("#" + a, a);
        }
        sets.add("#status = :status");
        sets.add("#statusRank = :rank");
        sets.add("#forge = :forge");
        sets.add("#project = :project");
        sets.add("#jobId = :jobId");
        sets.add("#labels = :labels");
        sets.add("#createdAt = if_not_exists(#createdAt, :created)");
        names.put("#createdAt", "createdAt");
        sets.add("#updatedAt = :now");
        sets.add("#lastDelivery = :delivery");
        sets.add("#ttl = :ttl");
        names.put("#pool", "pool");
        if (pool.isPresent()) {
            values.put(":pool", s(pool.get()));
            sets.add("#pool = :pool");
        } else {
            // A job no pool takes is kept under UNMATCHED in the index, so a later config can find it; a job that
            // had a pool keeps it.
            values.put(":pool", s(UNMATCHED));
            sets.add("#pool = if_not_exists(#pool, :pool)");
        }
        Instants instants = Instants.of(e, now);
        keepFirst(instants.queued(), "queuedAt", sets, names, values);
        keepFirst(instants.started(), "startedAt", sets, names, values);
        keepFirst(instants.finished(), "finishedAt", sets, names, values);
        names.put("#jobKey", "jobKey");
        String update = "SET " + String.join(", ", sets);
        return conflicts.retry("job " + e.jobKey(), () -> advance(e, pool, update, names, values));
    }

    /**
     * One attempt at moving the job forward: reads it, and unless the event is stale writes it and its pool's
     * counters in one transaction conditioned on the job being as read (another event of the job in between makes
     * the attempt again).
     */
    private Conflicts.Attempt<Transition> advance(JobEvent e, Optional<String> pool, String update,
                                                  Map<String, String> names, Map<String, AttributeValue> values) {
        var before = dynamo.getItem(GetItemRequest.builder().tableName(table).consistentRead(true)
                .key(Map.of("jobKey", s(e.jobKey()))).build());
        Optional<Map<String, AttributeValue>> old = before.hasItem() ? Optional.of(before.item()) : Optional.empty();
        Optional<Integer> oldRank = old.map(i -> Integer.parseInt(i.get("statusRank").n()));
        if (oldRank.filter(r -> r >= e.status().ordinal() || r >= FIRST_FINISHED_RANK).isPresent()) {
            return Conflicts.Attempt.done(Transition.STALE);
        }
        String oldPool = old.map(i -> i.get("pool")).map(AttributeValue::s).orElse(UNMATCHED);
        Optional<JobStatus> oldStatus = old.map(i -> JobStatus.valueOf(i.get("status").s()));
        String newPool = pool.orElse(oldPool);
        var condValues = new HashMap<>(values);
        var condNames = new HashMap<>(names);
        String condition;
        if (old.isEmpty()) {
            condition = "attribute_not_exists(#jobKey)";
        } else {
            condition = "#statusRank = :oldRank AND #pool = :oldPool";
            condNames.remove("#jobKey");
            condValues.put(":oldRank", n(oldRank.get()));
            condValues.put(":oldPool", s(oldPool));
        }
        var items = new java.util.ArrayList<TransactWriteItem>();
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(Map.of("jobKey", s(e.jobKey()))).updateExpression(update).conditionExpression(condition)
                .expressionAttributeNames(condNames).expressionAttributeValues(condValues).build()).build());
        var deltas = new java.util.LinkedHashMap<String, Map<JobStatus, Integer>>();
        oldStatus.filter(COUNTED::contains).filter(x -> !oldPool.equals(UNMATCHED))
                .ifPresent(x -> deltas.computeIfAbsent(oldPool, k -> new java.util.EnumMap<>(JobStatus.class))
                        .merge(x, -1, Integer::sum));
        if (COUNTED.contains(e.status()) && !newPool.equals(UNMATCHED)) {
            deltas.computeIfAbsent(newPool, k -> new java.util.EnumMap<>(JobStatus.class))
                    .merge(e.status(), 1, Integer::sum);
        }
        int runningDelta = 0;
        for (var pd : deltas.entrySet()) {
            runningDelta += pd.getValue().getOrDefault(JobStatus.RUNNING, 0);
            counterUpdate(countsKey(pd.getKey()), pd.getValue()).ifPresent(items::add);
        }
        if (runningDelta != 0) {
            counterUpdate(countsKey(ALL_POOLS), Map.of(JobStatus.RUNNING, runningDelta)).ifPresent(items::add);
        }
        try {
            dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(items).build());
        } catch (TransactionCanceledException cancelled) {
            if (Conflicts.conditionFailed(cancelled)) {
                return Conflicts.Attempt.again();
            }
            throw cancelled;
        }
        return Conflicts.Attempt.done(old.isEmpty() ? Transition.CREATED : Transition.ADVANCED);
    }

    /** The counter item's update for the given changes, none if they cancel out. */
    private Optional<TransactWriteItem> counterUpdate(Map<String, AttributeValue> key, Map<JobStatus, Integer> delta) {
        return counterUpdate(key, delta, false);
    }

    /** @param recounted also marks the counters as counted from the jobs ({@value #RECOUNTED}) */
    private Optional<TransactWriteItem> counterUpdate(Map<String, AttributeValue> key, Map<JobStatus, Integer> delta,
                                                      boolean recounted) {
        var adds = new java.util.ArrayList<String>();
        var names = new HashMap<String, String>();
        var values = new HashMap<String, AttributeValue>();
        delta.forEach((status, d) -> {
            if (d != 0) {
                adds.add("#" + status.name() + " :" + status.name());
                names.put("#" + status.name(), status.name());
                values.put(":" + status.name(), n(d));
            }
        });
        if (adds.isEmpty() && !recounted) {
            return Optional.empty();
        }
        String expression = adds.isEmpty() ? "" : "ADD " + String.join(", ", adds);
        if (recounted) {
            names.put("#r", RECOUNTED);
            values.put(":r", AttributeValue.fromBool(true));
            expression = "SET #r = :r" + (expression.isEmpty() ? "" : " " + expression);
        }
        return Optional.of(TransactWriteItem.builder().update(Update.builder().tableName(table).key(key)
                .updateExpression(expression).expressionAttributeNames(names)
                .expressionAttributeValues(values).build()).build());
    }

    static Map<String, AttributeValue> countsKey(String pool) {
        return Map.of("jobKey", s(COUNTS + pool));
    }

    /** Sets the attribute unless an earlier event already did: the first instant the ledger learns is kept. */
    private static void keepFirst(Optional<Instant> instant, String attribute, List<String> sets,
                                  Map<String, String> names, Map<String, AttributeValue> values) {
        instant.ifPresent(at -> {
            names.put("#" + attribute, attribute);
            values.put(":" + attribute, s(at.toString()));
            sets.add("#" + attribute + " = if_not_exists(#" + attribute + ", :" + attribute + ")");
        });
    }

    @Override
    public Optional<Job> find(String jobKey) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).consistentRead(true)
                .key(Map.of("jobKey", s(jobKey))).build());
        return item.hasItem() ? Optional.of(job(item.item())) : Optional.empty();
    }

    @Override
    public List<Job> unmatched(JobStatus status) {
        return inStatus(UNMATCHED, status);
    }

    @Override
    public boolean assignPool(String jobKey, String pool, JobStatus status) {
        var items = new java.util.ArrayList<TransactWriteItem>();
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(Map.of("jobKey", s(jobKey)))
                .updateExpression("SET #pool = :pool")
                .conditionExpression("#pool = :unmatched AND #status = :status")
                .expressionAttributeNames(Map.of("#pool", "pool", "#status", "status"))
                .expressionAttributeValues(Map.of(":pool", s(pool), ":unmatched", s(UNMATCHED),
                        ":status", s(status.name())))
                .build()).build());
        if (COUNTED.contains(status)) {
            counterUpdate(countsKey(pool), Map.of(status, 1)).ifPresent(items::add);
            if (status == JobStatus.RUNNING) {
                counterUpdate(countsKey(ALL_POOLS), Map.of(status, 1)).ifPresent(items::add);
            }
        }
        return conflicts.retry("job " + jobKey, () -> {
            try {
                dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(items).build());
                return Conflicts.Attempt.done(true);
            } catch (TransactionCanceledException cancelled) {
                if (Conflicts.conditionFailed(cancelled)) {
                    return Conflicts.Attempt.done(false);
                }
                throw cancelled;
            }
        });
    }

    @Override
    public List<Job> inStatus(String pool, JobStatus status) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).indexName(BY_POOL_STATUS)
                        .keyConditionExpression("#p = :p AND #s = :s")
                        .expressionAttributeNames(Map.of("#p", "pool", "#s", "status"))
                        .expressionAttributeValues(Map.of(":p", s(pool), ":s", s(status.name())))
                        .build())
                .items().stream().map(DynamoJobLedger::job).toList();
    }

    @Override
    public void markInterrupted(String jobKey) {
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(Map.of("jobKey", s(jobKey)))
                    .updateExpression("SET interrupted = :t").conditionExpression("attribute_exists(jobKey)")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))).build());
        } catch (ConditionalCheckFailedException unknownJob) {
            // a machine busy with a job the ledger never saw: nothing to retry later
        }
    }

    @Override
    public boolean claimRetry(String jobKey, int max) {
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(Map.of("jobKey", s(jobKey)))
                    .updateExpression("ADD retries :one")
                    .conditionExpression("attribute_exists(jobKey) AND (attribute_not_exists(retries) OR retries < :max)")
                    .expressionAttributeValues(Map.of(":one", n(1), ":max", n(max))).build());
            return true;
        } catch (ConditionalCheckFailedException exhausted) {
            return false;
        }
    }

    /** The pool's counter of jobs in {@code status}: one consistent GetItem, however many jobs there are. */
    @Override
    public int count(String pool, JobStatus status) {
        if (!COUNTED.contains(status)) {
            return inStatus(pool, status).size();
        }
        return Math.max(0, counters(countsKey(pool)).getOrDefault(status, 0));
    }

    /** Running jobs of every pool, from the one counter item all pools add to. */
    @Override
    public int countAll(List<String> pools, JobStatus status) {
        if (status != JobStatus.RUNNING) {
            return JobLedger.super.countAll(pools, status);
        }
        return Math.max(0, counters(countsKey(ALL_POOLS)).getOrDefault(status, 0));
    }

    /** Never recounted (the attribute {@value #RECOUNTED} is set by {@link #recount}), or a counter below zero. */
    @Override
    public boolean countersUnproven(String pool) {
        return queued(pool).unproven();
    }

    /** The queued counter and whether it is proven, from one consistent read of the pool's counter item. */
    @Override
    public Queued queued(String pool) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(countsKey(pool)).consistentRead(true)
                .build());
        if (!item.hasItem()) {
            return new Queued(0, true);
        }
        Map<JobStatus, Integer> counts = counts(item.item());
        boolean unproven = !item.item().containsKey(RECOUNTED) || counts.values().stream().anyMatch(n -> n < 0);
        return new Queued(Math.max(0, counts.getOrDefault(JobStatus.QUEUED, 0)), unproven);
    }

    /** Set on a pool's counter item by the first {@link #recount}: its counters were counted from the jobs once. */
    static final String RECOUNTED = "recounted";

    private Map<JobStatus, Integer> counters(Map<String, AttributeValue> key) {
        var item = dynamo.getItem(GetItemRequest.builder().tableName(table).key(key).consistentRead(true).build());
        return item.hasItem() ? counts(item.item()) : Map.of();
    }

    private static Map<JobStatus, Integer> counts(Map<String, AttributeValue> item) {
        var counts = new java.util.EnumMap<JobStatus, Integer>(JobStatus.class);
        for (JobStatus status : COUNTED) {
            AttributeValue v = item.get(status.name());
            if (v != null) {
                counts.put(status, Integer.parseInt(v.n()));
            }
        }
        return counts;
    }

    /**
     * Counts the pool's queued and running jobs through the status index (every such job is read: the reaper asks
     * only when the counters look wrong or were never counted) and sets the counters to them, the all-pools running
     * counter by the same difference, and marks them counted ({@value #RECOUNTED}). A job that moves while this counts can make the correction off by that job; the next recount
     * mends it.
     */
    @Override
    public Map<JobStatus, Integer> recount(String pool) {
        Map<JobStatus, Integer> kept = counters(countsKey(pool));
        var corrections = new java.util.EnumMap<JobStatus, Integer>(JobStatus.class);
        for (JobStatus status : COUNTED) {
            int actual = countIndexed(pool, status);
            int diff = actual - kept.getOrDefault(status, 0);
            if (diff != 0) {
                corrections.put(status, diff);
            }
        }
        var items = new java.util.ArrayList<TransactWriteItem>();
        items.add(counterUpdate(countsKey(pool), corrections, true).orElseThrow());
        if (corrections.containsKey(JobStatus.RUNNING)) {
            counterUpdate(countsKey(ALL_POOLS), Map.of(JobStatus.RUNNING, corrections.get(JobStatus.RUNNING)))
                    .ifPresent(items::add);
        }
        conflicts.retry("counters of pool " + pool, () -> {
            dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(items).build());
            return Conflicts.Attempt.done(true);
        });
        return corrections;
    }

    private int countIndexed(String pool, JobStatus status) {
        int total = 0;
        Map<String, AttributeValue> start = null;
        do {
            var page = dynamo.query(QueryRequest.builder().tableName(table).indexName(BY_POOL_STATUS)
                    .select(Select.COUNT)
                    .keyConditionExpression("#p = :p AND #s = :s")
                    .expressionAttributeNames(Map.of("#p", "pool", "#s", "status"))
                    .expressionAttributeValues(Map.of(":p", s(pool), ":s", s(status.name())))
                    .exclusiveStartKey(start).build());
            total += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return total;
    }

    /** Every job in the ledger, for operators ({@code runner-scaler jobs}); a Scan, never on a hot path. */
    public List<Job> all() {
        return dynamo.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build()).items()
                .stream().filter(i -> !i.get("jobKey").s().startsWith("#")).map(DynamoJobLedger::job).toList();
    }

    private static Job job(Map<String, AttributeValue> i) {
        var labels = new LinkedHashSet<String>();
        if (i.containsKey("labels")) {
            i.get("labels").l().forEach(l -> labels.add(l.s()));
        }
        return new Job(i.get("jobKey").s(), i.get("forge").s(), i.get("project").s(), i.get("jobId").s(), labels,
                JobStatus.valueOf(i.get("status").s()), Optional.ofNullable(i.get("pool")).map(AttributeValue::s)
                        .filter(p -> !p.equals(UNMATCHED)),
                Instant.parse(i.get("createdAt").s()), Instant.parse(i.get("updatedAt").s()),
                i.containsKey("interrupted") && Boolean.TRUE.equals(i.get("interrupted").bool()),
                instant(i, "queuedAt"), instant(i, "startedAt"), instant(i, "finishedAt"));
    }

    private static Optional<Instant> instant(Map<String, AttributeValue> item, String attribute) {
        return Optional.ofNullable(item.get(attribute)).map(AttributeValue::s).map(Instant::parse);
    }
}
