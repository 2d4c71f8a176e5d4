package io.runnerscaler.aws;

import static io.runnerscaler.aws.DynamoMachineStore.n;
import static io.runnerscaler.aws.DynamoMachineStore.s;

import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.runner.Secret;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Per-machine registration secrets in DynamoDB, keyed {@code <runner role id>:<instance id>} — what IAM
 * calls the instance's {@code aws:userid} — so the template can let each instance delete (and so read)
 * only its own item. Reading is DeleteItem with ALL_OLD: read once, gone. Items expire through TTL on
 * {@code expiresAt}; since the emulator never expires items, reads check it themselves. Not SSM: its
 * PutParameter allows only a few writes per second per account (see docs/runner-tokens.md).
 */
public final class DynamoBootstrapSecrets implements BootstrapSecrets {

    private final DynamoDbClient dynamo;
    private final String table;
    private final String runnerRoleId;

    public DynamoBootstrapSecrets(DynamoDbClient dynamo, String table, String runnerRoleId) {
        this.dynamo = dynamo;
        this.table = table;
        this.runnerRoleId = runnerRoleId;
    }

    @Override
    public void put(String instanceId, Secret secret, Instant expiresAt) {
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(Map.of(
                "owner", s(owner(instanceId)),
                "secret", s(secret.value()),
                "expiresAt", n(expiresAt.getEpochSecond()))).build());
    }

    @Override
    public Optional<Secret> take(String instanceId, Instant now) {
        var old = dynamo.deleteItem(DeleteItemRequest.builder().tableName(table).key(key(instanceId))
                .returnValues(ReturnValue.ALL_OLD).build());
        if (!old.hasAttributes() || old.attributes().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = old.attributes();
        if (Long.parseLong(item.get("expiresAt").n()) <= now.getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(new Secret(item.get("secret").s()));
    }

    @Override
    public void discard(String instanceId) {
        dynamo.deleteItem(DeleteItemRequest.builder().tableName(table).key(key(instanceId)).build());
    }

    /** The item key the instance itself computes at boot from {@code aws sts get-caller-identity}. */
    public String owner(String instanceId) {
        return runnerRoleId + ":" + instanceId;
    }

    private Map<String, AttributeValue> key(String instanceId) {
        return Map.of("owner", s(owner(instanceId)));
    }
}
