package io.runnerscaler.aws;

import static io.runnerscaler.aws.DynamoMachineStore.n;
import static io.runnerscaler.aws.DynamoMachineStore.s;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
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
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The job ledger in DynamoDB: partition key {@code jobKey}; the {@code byPoolStatus} index lists a pool's
 * jobs by status. Every write is one conditional UpdateItem that only moves a job forward, so redelivered
 * and out-of-order events change nothing.
 */
public final class DynamoJobLedger implements JobLedger {

    public static final String BY_POOL_STATUS = "byPoolStatus";
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

    public DynamoJobLedger(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Transition record(JobEvent e, Optional<String> pool, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":status", s(e.status().name()));
        values.put(":rank", n(e.status().ordinal()));
        values.put(":finished", n(FIRST_FINISHED_RANK));
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
        try {
            UpdateItemResponse r = dynamo.updateItem(UpdateItemRequest.builder().tableName(table)
                    .key(Map.of("jobKey", s(e.jobKey())))
                    .updateExpression(update)
                    .conditionExpression("attribute_not_exists(#jobKey) OR (#statusRank < :rank AND #statusRank < :finished)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.UPDATED_OLD)
                    .build());
            return r.hasAttributes() && r.attributes().containsKey("statusRank") ? Transition.ADVANCED
                    : Transition.CREATED;
        } catch (ConditionalCheckFailedException stale) {
            return Transition.STALE;
        }
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
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(Map.of("jobKey", s(jobKey)))
                    .updateExpression("SET #pool = :pool")
                    .conditionExpression("#pool = :unmatched AND #status = :status")
                    .expressionAttributeNames(Map.of("#pool", "pool", "#status", "status"))
                    .expressionAttributeValues(Map.of(":pool", s(pool), ":unmatched", s(UNMATCHED),
                            ":status", s(status.name())))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException movedOn) {
            return false;
        }
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

    @Override
    public int count(String pool, JobStatus status) {
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
                .stream().map(DynamoJobLedger::job).toList();
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
