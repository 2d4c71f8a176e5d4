package io.runnerscaler.aws;

import static io.runnerscaler.aws.DynamoMachineStore.n;
import static io.runnerscaler.aws.DynamoMachineStore.s;

import io.runnerscaler.core.port.AppQuota;
import io.runnerscaler.core.runner.Secret;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The App quota in the bootstrap secrets table, beside the machines' JIT configs: items keyed {@code app:<app>:token},
 * {@code app:<app>:paused} and {@code app:<app>:<bucket>:<minute>}, each expiring through the table's TTL on
 * {@code expiresAt} (checked on read too: TTL deletes late, and the emulator never). A runner instance can reach
 * none of them: its role may only take the item keyed by its own {@code aws:userid}, {@code <role id>:<instance id>}.
 * DynamoDB encrypts every item at rest; the token is never logged (its {@link Secret} hides it).
 */
public final class DynamoAppQuota implements AppQuota {

    /** A minute's spend is kept a while past its minute, for whoever looks at the table. */
    private static final Duration SPEND_KEPT = Duration.ofHours(1);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoAppQuota(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<Token> token(String app, Instant now) {
        return item(key(app, "token"), now).map(i -> new Token(new Secret(i.get("secret").s()),
                Instant.ofEpochSecond(Long.parseLong(i.get("expiresAt").n()))));
    }

    @Override
    public void putToken(String app, Token token) {
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(Map.of(
                "owner", s(key(app, "token")),
                "secret", s(token.token().value()),
                "expiresAt", n(token.expiresAt().getEpochSecond()))).build());
    }

    @Override
    public void dropToken(String app) {
        dynamo.deleteItem(DeleteItemRequest.builder().tableName(table).key(Map.of("owner", s(key(app, "token"))))
                .build());
    }

    @Override
    public Optional<Instant> pausedUntil(String app, Instant now) {
        return item(key(app, "paused"), now).map(i -> Instant.ofEpochSecond(Long.parseLong(i.get("expiresAt").n())));
    }

    @Override
    public void pauseUntil(String app, Instant until) {
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table)
                    .key(Map.of("owner", s(key(app, "paused"))))
                    .updateExpression("SET #expires = :until")
                    .conditionExpression("attribute_not_exists(#expires) OR #expires < :until")
                    .expressionAttributeNames(Map.of("#expires", "expiresAt"))
                    .expressionAttributeValues(Map.of(":until", n(until.getEpochSecond())))
                    .build());
        } catch (ConditionalCheckFailedException longerPauseKept) {
            // another instance paused the App for longer already
        }
    }

    @Override
    public int spend(String app, String bucket, int cost, int units, int perMinute, Instant now) {
        Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
        String key = key(app, bucket + ":" + minute.getEpochSecond());
        int asked = Math.min(units, perMinute / cost);
        if (asked <= 0) {
            return 0;
        }
        if (tryAdd(key, cost * asked, perMinute, minute)) {
            return asked;
        }
        // Not all fit: as many as the minute has left, in one more conditional write (another instance may take them
        // first, then none are spent and the caller waits for the next minute).
        int used = item(key, minute).map(i -> Integer.parseInt(i.get("points").n())).orElse(0);
        int fit = Math.min(asked, (perMinute - used) / cost);
        return fit > 0 && tryAdd(key, cost * fit, perMinute, minute) ? fit : 0;
    }

    private boolean tryAdd(String key, int points, int perMinute, Instant minute) {
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(Map.of("owner", s(key)))
                    .updateExpression("ADD #points :points SET #expires = :expires")
                    .conditionExpression("attribute_not_exists(#points) OR #points <= :room")
                    .expressionAttributeNames(Map.of("#points", "points", "#expires", "expiresAt"))
                    .expressionAttributeValues(Map.of(":points", n(points), ":room", n(perMinute - points),
                            ":expires", n(minute.plus(SPEND_KEPT).getEpochSecond())))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException full) {
            return false;
        }
    }

    /** The item, unless its {@code expiresAt} has passed at {@code now}. */
    private Optional<Map<String, AttributeValue>> item(String key, Instant now) {
        var got = dynamo.getItem(GetItemRequest.builder().tableName(table).consistentRead(true)
                .key(Map.of("owner", s(key))).build());
        if (!got.hasItem() || got.item().isEmpty()) {
            return Optional.empty();
        }
        AttributeValue expires = got.item().get("expiresAt");
        if (expires != null && Long.parseLong(expires.n()) <= now.getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(got.item());
    }

    private static String key(String app, String what) {
        return "app:" + app + ":" + what;
    }
}
