package io.runnerscaler.aws;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.port.JobQueue;
import java.time.Duration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The SQS FIFO queue between webhook and scale-up. The group is the job, so one job's events stay in
 * order while different jobs proceed in parallel; the deduplication id is job + status, so a redelivered
 * webhook within SQS's five-minute window is dropped by SQS itself (the ledger catches later ones).
 */
public final class SqsJobQueue implements JobQueue {

    /**
     * The whole send, retries included. The webhook answers within its 6 s function timeout: a queue that
     * has not taken the message by then gets a 503 the forge shows and retries, and a counted
     * {@code QueueUnavailable}, rather than a function timeout API Gateway turns into an anonymous 5xx.
     */
    public static final Duration SEND_TIMEOUT = Duration.ofSeconds(3);

    private final SqsClient sqs;
    private final String queueUrl;
    private final JobEventCodec codec = new JobEventCodec();

    public SqsJobQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void enqueue(JobEvent event) {
        try {
            sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(codec.encode(event))
                    .messageGroupId(event.jobKey()).messageDeduplicationId(event.deduplicationKey())
                    .overrideConfiguration(o -> o.apiCallTimeout(SEND_TIMEOUT)).build());
        } catch (SdkException e) {
            throw new QueueUnavailableException("SQS send failed: " + e.getClass().getSimpleName(), e);
        }
    }
}
