package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Provisioner;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The IAM-enforced test set-up itself: each function's role is what the SAM transform makes of the template's
 * function, a call its role does not allow is refused and named, SQS calls are checked against the queue the
 * template names, and a DynamoDB transaction is authorised by its items' actions, as AWS does.
 */
class IamEnforcementIamIT {

    @RegisterExtension
    static final IamEnforcement iam = new IamEnforcement();

    /**
     * What SAM makes of a function's permissions (aws-sam-translator, pinned through aws-sam-cli): a role with
     * AWSLambdaBasicExecutionRole ({@code samtranslator/model/sam_resources.py}), the function's {@code Policies}
     * as managed policy ARNs, AWSLambdaSQSQueueExecutionRole for an SQS event source
     * ({@code samtranslator/model/eventsources/pull.py}; serverless-application-model issue 2118), and an inline
     * policy sending to an asynchronous invocation's OnFailure queue; SnapStart adds nothing to the role.
     */
    @Test
    void eachRoleIsWhatTheSamTransformMakesOfItsFunction() throws IOException {
        Map<String, Object> sam;
        try (Reader reader = Files.newBufferedReader(io.runnerscaler.testkit.AwsEmulator.ProjectRoot.find()
                .resolve("infra-sam/template.yaml"))) {
            sam = new Yaml(new TemplateTest.CloudFormationConstructor()).load(reader);
        }
        TemplateRoles roles = TemplateRoles.resolve(Map.of());
        Map<String, Object> resources = map(sam.get("Resources"));
        int functions = 0;
        for (var entry : resources.entrySet()) {
            Map<String, Object> resource = map(entry.getValue());
            if (!"AWS::Serverless::Function".equals(resource.get("Type"))) {
                continue;
            }
            functions++;
            Map<String, Object> properties = map(resource.get("Properties"));
            String handler = (String) map(map(properties.get("Environment")).get("Variables")).get("QUARKUS_LAMBDA_HANDLER");
            StackFunction function = java.util.Arrays.stream(StackFunction.values())
                    .filter(f -> f.handler.equals(handler)).findFirst().orElseThrow();
            List<String> expected = new ArrayList<>(List.of("AWSLambdaBasicExecutionRole"));
            for (Object policy : (List<?>) properties.get("Policies")) {
                expected.add((String) map(policy).get("Ref"));
            }
            boolean sqsEvents = map(properties.getOrDefault("Events", Map.of())).values().stream()
                    .anyMatch(e -> "SQS".equals(map(e).get("Type")));
            if (sqsEvents) {
                expected.add("AWSLambdaSQSQueueExecutionRole");
            }
            TemplateRoles.Role role = roles.of(function);
            assertThat(role.managed().stream().map(TemplateRoles.Policy::name))
                    .as("managed policies of %s", entry.getKey()).containsExactlyInAnyOrderElementsOf(expected);

            Object onFailure = map(map(properties.getOrDefault("EventInvokeConfig", Map.of()))
                    .getOrDefault("DestinationConfig", Map.of())).get("OnFailure");
            if (onFailure == null) {
                assertThat(role.inline()).as("inline policies of %s", entry.getKey()).isEmpty();
            } else {
                assertThat(role.inline()).as("inline policies of %s", entry.getKey()).singleElement().satisfies(p -> {
                    assertThat(p.document().at("/Statement/0/Action").asText()).isEqualTo("sqs:SendMessage");
                    assertThat(p.document().at("/Statement/0/Resource").asText()).endsWith(":rs-test-events-dlq");
                });
            }
        }
        assertThat(functions).isEqualTo(StackFunction.values().length);
        JsonNode sqsExecution = roles.of(StackFunction.SCALE_UP).managed().stream()
                .filter(p -> p.name().equals("AWSLambdaSQSQueueExecutionRole")).findFirst().orElseThrow().document();
        assertThat(sqsExecution.toString()).as("what the event source mapping polls with")
                .contains("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes");
    }

    @Test
    void aCallTheTemplateDoesNotAllowIsRefusedAndTheFailureNamesTheFunctionRoleAndAction() {
        AwsClients webhook = iam.function(StackFunction.WEBHOOK, Map.of()).orElseThrow();

        assertThatThrownBy(() -> webhook.ec2().terminateInstances(r -> r.instanceIds("i-0123456789abcdef0")))
                .isInstanceOf(AwsServiceException.class);

        assertThat(iam.withRefusals(new AssertionError("the test's own failure")))
                .hasMessageContaining("webhook (role WebhookFunctionRole) was refused ec2:TerminateInstances")
                .hasMessageContaining("the test's own failure");
        iam.reset();
    }

    @Test
    void sqsCallsAreCheckedAgainstTheQueuesTheTemplateNames() {
        Provisioner.Resources stack = new Provisioner(iam.admin()).create(EmulatedStack.STACK);
        AwsClients webhook = iam.function(StackFunction.WEBHOOK, Map.of()).orElseThrow();

        webhook.sqs().sendMessage(r -> r.queueUrl(stack.queueUrl()).messageBody("{}").messageGroupId("g")
                .messageDeduplicationId("1"));
        assertThatThrownBy(() -> webhook.sqs().sendMessage(r -> r.queueUrl(stack.dlqUrl()).messageBody("{}")
                .messageGroupId("g").messageDeduplicationId("2"))).isInstanceOf(AwsServiceException.class);

        assertThat(iam.withRefusals(new AssertionError())).hasMessageContaining(
                "webhook (role WebhookFunctionRole) was refused sqs:SendMessage");
        iam.reset();
    }

    @Test
    void aTransactionIsAuthorisedByTheActionsOfItsItems() {
        Provisioner.Resources stack = new Provisioner(iam.admin()).create(EmulatedStack.STACK);
        TransactWriteItem put = TransactWriteItem.builder().put(Put.builder().tableName(stack.jobsTable())
                .item(Map.of("jobKey", AttributeValue.fromS("gitlab:1"))).build()).build();

        iam.function(StackFunction.SCALE_UP, Map.of()).orElseThrow().dynamo().transactWriteItems(r -> r.transactItems(put));
        assertThatThrownBy(() -> iam.function(StackFunction.WEBHOOK, Map.of()).orElseThrow().dynamo()
                .transactWriteItems(r -> r.transactItems(put))).isInstanceOf(AwsServiceException.class);

        assertThat(iam.withRefusals(new AssertionError())).hasMessageContaining(
                "webhook (role WebhookFunctionRole) was refused dynamodb:PutItem");
        iam.reset();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
