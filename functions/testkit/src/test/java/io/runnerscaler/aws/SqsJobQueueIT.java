package io.runnerscaler.aws;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.port.JobQueue;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.contract.JobQueueContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;

/** The job queue's contract against SQS FIFO on the emulator. */
class SqsJobQueueIT extends JobQueueContract {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private AwsClients aws;
    private String queueUrl;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        aws = emulator.clients();
        queueUrl = new Provisioner(aws).create("queue").queueUrl();
    }

    @Override
    protected JobQueue queue() {
        return new SqsJobQueue(aws.sqs(), queueUrl);
    }

    /** Receives until the queue is empty, deleting what it got, as scale-up does. */
    @Override
    protected List<JobEvent> received() {
        List<JobEvent> events = new ArrayList<>();
        var codec = new JobEventCodec();
        while (true) {
            List<Message> batch = aws.sqs().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10))
                    .messages();
            if (batch.isEmpty()) {
                return events;
            }
            for (Message m : batch) {
                events.add(codec.decode(m.body()));
                aws.sqs().deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    @Override
    protected JobQueue unreachable() {
        return new SqsJobQueue(aws.sqs(), queueUrl.replace("queue", "no-such-queue"));
    }
}
