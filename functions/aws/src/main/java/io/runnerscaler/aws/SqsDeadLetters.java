package io.runnerscaler.aws;

import io.runnerscaler.core.port.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The FIFO dead-letter queue: parks messages with a {@code reason} attribute, and re-drives them to the job
 * queue ({@code runner-scaler dlq redrive}) once the cause is fixed.
 */
public final class SqsDeadLetters implements DeadLetters {

    public static final String REASON = "reason";

    private final SqsClient sqs;
    private final String dlqUrl;

    public SqsDeadLetters(SqsClient sqs, String dlqUrl) {
        this.sqs = sqs;
        this.dlqUrl = dlqUrl;
    }

    @Override
    public void park(String body, String group, String reason) {
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(dlqUrl).messageBody(body)
                .messageGroupId(group == null || group.isBlank() ? "unknown" : group)
                .messageDeduplicationId(sha256(body))
                .messageAttributes(Map.of(REASON, MessageAttributeValue.builder().dataType("String")
                        .stringValue(reason.length() > 1000 ? reason.substring(0, 1000) : reason).build()))
                .build());
    }

    /** Moves every message from the dead-letter queue back to {@code queueUrl}; returns how many. */
    public int redrive(String queueUrl) {
        int moved = 0;
        while (true) {
            var messages = sqs.receiveMessage(ReceiveMessageRequest.builder().queueUrl(dlqUrl).maxNumberOfMessages(10)
                    .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID).build()).messages();
            if (messages.isEmpty()) {
                return moved;
            }
            for (Message m : messages) {
                String group = m.attributes().getOrDefault(MessageSystemAttributeName.MESSAGE_GROUP_ID, "redriven");
                // A new deduplication id: the original one may still be inside SQS's five-minute window.
                sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(m.body())
                        .messageGroupId(group).messageDeduplicationId("redrive-" + m.messageId()).build());
                sqs.deleteMessage(DeleteMessageRequest.builder().queueUrl(dlqUrl).receiptHandle(m.receiptHandle())
                        .build());
                moved++;
            }
        }
    }

    private static String sha256(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
