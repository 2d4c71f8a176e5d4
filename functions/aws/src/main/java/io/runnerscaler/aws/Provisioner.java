package io.runnerscaler.aws;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplatesRequest;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateEbsBlockDeviceRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateHttpTokensState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * Creates, on an emulator or a scratch account, what infra-sam/template.yaml creates in AWS: the FIFO job
 * queue with its dead-letter queue, the machines and jobs tables with their indexes, a launch template,
 * and parameters. Idempotent. Used by the end-to-end tests, the demo and {@code runner-scaler local}.
 */
public final class Provisioner {

    /** Receives before a message goes to the DLQ; matches the template's redrive policy. */
    public static final int MAX_RECEIVES = 10;

    private final AwsClients aws;

    public Provisioner(AwsClients aws) {
        this.aws = aws;
    }

    /** What was created, by name. */
    public record Resources(String queueUrl, String dlqUrl, String machinesTable, String jobsTable,
                            String bootstrapSecretsTable) {
    }

    public Resources create(String stack) {
        return create(stack, java.time.Duration.ofSeconds(180));
    }

    /**
     * @param visibility how long a received message stays hidden; a failed one comes back after it (the
     *                   template uses 180 s, six times the scale-up timeout; tests use seconds)
     */
    public Resources create(String stack, java.time.Duration visibility) {
        String dlqUrl = aws.sqs().createQueue(CreateQueueRequest.builder().queueName(stack + "-jobs-dlq.fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true")).build()).queueUrl();
        String dlqArn = aws.sqs().getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(dlqUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN).build()).attributes().get(QueueAttributeName.QUEUE_ARN);
        String queueUrl = aws.sqs().createQueue(CreateQueueRequest.builder().queueName(stack + "-jobs.fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true",
                        QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibility.toSeconds()),
                        QueueAttributeName.REDRIVE_POLICY,
                        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + MAX_RECEIVES + "\"}"))
                .build()).queueUrl();
        String machines = stack + "-machines";
        String jobs = stack + "-jobs";
        table(machines, "pool", "instanceId", new Index(DynamoMachineStore.BY_INSTANCE, "instanceId", null),
                new Index(DynamoMachineStore.BY_JOB, "jobId", null));
        table(jobs, "jobKey", null, new Index(DynamoJobLedger.BY_POOL_STATUS, "pool", "status"));
        String secrets = stack + "-bootstrap-secrets";
        table(secrets, "owner", null);
        return new Resources(queueUrl, dlqUrl, machines, jobs, secrets);
    }

    /**
     * A launch template like the stack's runner template (IMDSv2 required, shutdown terminates, encrypted gp3
     * root volume), created when none of that name exists.
     *
     * @return its id
     */
    public String launchTemplate(String name) {
        var existing = aws.ec2().describeLaunchTemplates(DescribeLaunchTemplatesRequest.builder().filters(
                        software.amazon.awssdk.services.ec2.model.Filter.builder().name("launch-template-name")
                                .values(name).build()).build())
                .launchTemplates().stream().filter(t -> t.launchTemplateName().equals(name)).findFirst();
        if (existing.isPresent()) {
            return existing.get().launchTemplateId();
        }
        // A filtered look-up: the emulator answers an unfiltered DescribeImages with its 1,300 images in ~8 s.
        String ami = aws.ec2().describeImages(DescribeImagesRequest.builder().owners("amazon").filters(
                        software.amazon.awssdk.services.ec2.model.Filter.builder().name("name")
                                .values("amzn2-ami-hvm-*").build(),
                        software.amazon.awssdk.services.ec2.model.Filter.builder().name("architecture")
                                .values("x86_64").build()).build()).images()
                .stream().map(Image::imageId).findFirst()
                .orElseThrow(() -> new IllegalStateException("the EC2 endpoint offers no image to launch"));
        return aws.ec2().createLaunchTemplate(CreateLaunchTemplateRequest.builder().launchTemplateName(name)
                .launchTemplateData(RequestLaunchTemplateData.builder().imageId(ami)
                        .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                        .metadataOptions(LaunchTemplateInstanceMetadataOptionsRequest.builder()
                                .httpTokens(LaunchTemplateHttpTokensState.REQUIRED).build())
                        .blockDeviceMappings(LaunchTemplateBlockDeviceMappingRequest.builder().deviceName("/dev/xvda")
                                .ebs(LaunchTemplateEbsBlockDeviceRequest.builder().volumeType(VolumeType.GP3)
                                        .volumeSize(30).encrypted(true).deleteOnTermination(true).build())
                                .build())
                        .build())
                .build()).launchTemplate().launchTemplateId();
    }

    public void parameter(String name, String value, boolean secure) {
        aws.ssm().putParameter(PutParameterRequest.builder().name(name).value(value).overwrite(true)
                .type(secure ? ParameterType.SECURE_STRING : ParameterType.STRING).build());
    }

    /** A global secondary index, projecting every attribute, as the template's are. */
    private record Index(String name, String pk, String sk) {
    }

    private void table(String name, String pk, String sk, Index... indexes) {
        var attributes = new java.util.LinkedHashMap<String, AttributeDefinition>();
        var keyNames = new java.util.ArrayList<String>(java.util.Arrays.asList(pk, sk));
        for (Index index : indexes) {
            keyNames.add(index.pk());
            keyNames.add(index.sk());
        }
        for (String a : keyNames) {
            if (a != null) {
                attributes.put(a, AttributeDefinition.builder().attributeName(a)
                        .attributeType(ScalarAttributeType.S).build());
            }
        }
        var request = CreateTableRequest.builder().tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes.values()).keySchema(keySchema(pk, sk));
        if (indexes.length > 0) {
            request.globalSecondaryIndexes(java.util.Arrays.stream(indexes).map(index -> GlobalSecondaryIndex.builder()
                    .indexName(index.name()).keySchema(keySchema(index.pk(), index.sk()))
                    .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()).toList());
        }
        try {
            aws.dynamo().createTable(request.build());
        } catch (ResourceInUseException alreadyThere) {
            // idempotent
        }
    }

    private static java.util.List<KeySchemaElement> keySchema(String pk, String sk) {
        var key = new java.util.ArrayList<KeySchemaElement>();
        key.add(KeySchemaElement.builder().attributeName(pk).keyType(KeyType.HASH).build());
        if (sk != null) {
            key.add(KeySchemaElement.builder().attributeName(sk).keyType(KeyType.RANGE).build());
        }
        return key;
    }

}
