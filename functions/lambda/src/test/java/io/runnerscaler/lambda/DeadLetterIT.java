package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.SqsDeadLetters;
import io.runnerscaler.testkit.AwsEmulator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/** Invariant 3: a message that can never succeed is parked in the DLQ with its reason, never lost, and can be re-driven. */
class DeadLetterIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private EmulatedStack stack;

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link DeadLetterIamIT}. */
    StackAccess access() {
        return StackAccess.of(emulator);
    }

    @BeforeEach
    void provision() {
        access().reset();
        stack = new EmulatedStack(access(), EmulatedStack.ONE_POOL);
    }

    @Test
    void poisonMessageGoesToTheDeadLetterQueueWithItsReasonAndIsNotRetried() {
        send("{\"v\":1,\"forge\":\"gitlab\"}", "gitlab:1");

        assertThat(stack.pump().drain()).isEqualTo(1);

        var parked = stack.aws.sqs().receiveMessage(ReceiveMessageRequest.builder()
                .queueUrl(stack.resources.dlqUrl()).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID).build()).messages();
        assertThat(parked).hasSize(1);
        assertThat(parked.get(0).body()).isEqualTo("{\"v\":1,\"forge\":\"gitlab\"}");
        assertThat(parked.get(0).messageAttributes().get(SqsDeadLetters.REASON).stringValue())
                .contains("not a valid job event").contains("jobId is missing");
        assertThat(parked.get(0).attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo("gitlab:1");
        assertThat(mainQueue()).isEmpty();
        assertThat(stack.logs()).contains("scale_up.message_parked");
    }

    @Test
    void redriveMovesParkedMessagesBackToTheJobQueue() {
        var dlq = new SqsDeadLetters(stack.aws.sqs(), stack.resources.dlqUrl());
        dlq.park("{\"v\":1}", "gitlab:2", "test");
        dlq.park("{\"v\":1,\"x\":1}", "gitlab:3", "test");

        assertThat(dlq.redrive(stack.resources.queueUrl())).isEqualTo(2);

        assertThat(mainQueue()).hasSize(2);
        assertThat(dlq.redrive(stack.resources.queueUrl())).isZero();
    }

    private void send(String body, String group) {
        stack.aws.sqs().sendMessage(SendMessageRequest.builder().queueUrl(stack.resources.queueUrl())
                .messageBody(body).messageGroupId(group).messageDeduplicationId(group).build());
    }

    private List<?> mainQueue() {
        return stack.aws.sqs().receiveMessage(ReceiveMessageRequest.builder().queueUrl(stack.resources.queueUrl())
                .maxNumberOfMessages(10).build()).messages();
    }
}
