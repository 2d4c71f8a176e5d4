package io.runnerscaler.aws;

import io.runnerscaler.core.port.Redelivery;
import java.time.Duration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;

/**
 * Redelivery through SQS {@code ChangeMessageVisibility} on the message's receipt handle. Per the SQS API
 * reference, the new timeout counts from the call (0 s to 12 h), and a message stays in flight, its receipt
 * handle valid, until it is deleted or becomes visible; Lambda's event source mapping deletes only the messages
 * not listed in {@code batchItemFailures}, so the listed ones keep the visibility set here. In a FIFO queue no
 * message of a group is returned while one of the group is in flight ("Interleaving multiple ordered message
 * groups", SQS Developer Guide), so the group's returned messages get the same delay and come back together.
 */
public final class SqsRedelivery implements Redelivery {

    /** SQS's largest visibility timeout. */
    private static final long MAX_SECONDS = 43_200;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsRedelivery(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void redeliverAfter(String receiptHandle, Duration after) {
        int seconds = (int) Math.min(MAX_SECONDS, Math.max(0, after.toSeconds()));
        sqs.changeMessageVisibility(ChangeMessageVisibilityRequest.builder().queueUrl(queueUrl)
                .receiptHandle(receiptHandle).visibilityTimeout(seconds).build());
    }
}
