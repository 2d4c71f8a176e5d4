package io.runnerscaler.lambda;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.core.json.JsonValue;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.webhook.GitHubWorkflowJob;
import io.runnerscaler.core.webhook.GitLabJobHook;
import io.runnerscaler.core.webhook.ParsedDelivery;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.core.webhook.WebhookResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What each function runs before the SnapStart snapshot ({@link Priming}): AWS's "invoke priming". Besides
 * building the SDK clients, each function makes the read-only calls its work makes — so the SDK's
 * marshallers, signer, HTTP client and TLS are loaded and compiled — and runs its JSON and HMAC code on a
 * canned delivery. Nothing here writes, sends, launches, logs a decision or counts a metric: the snapshot is
 * taken in the real account, once per published version. Reads go to keys that cannot exist, and nothing
 * read is kept. The IAM policy of each function allows exactly these calls.
 */
final class FunctionPrimers {

    /** The webhook's own streaming reader and writer; this class is loaded on every cold start's path. */
    private static final JsonFactory JSON = new JsonFactory();

    /** A key no machine or job has: table keys are pool names and forge-prefixed job ids. */
    static final String NO_SUCH_KEY = "_snapstart-priming";

    /** A minimal GitLab Job Hook in the shape GitLab sends (events/webhook-gitlab-pending.json, trimmed). */
    private static final byte[] GITLAB_JOB_HOOK = """
            {"object_kind":"build","ref":"main","tag":false,"build_id":1,"build_name":"test","build_stage":"test",
             "build_status":"pending","build_created_at":"2026-11-23T09:00:00Z","build_started_at":null,
             "build_finished_at":null,"build_allow_failure":false,"project_id":1,"project_name":"group / project",
             "user":{"id":1,"name":"priming"},"runner":null,
             "project":{"id":1,"name":"project","path_with_namespace":"group/project"}}
            """.getBytes(StandardCharsets.UTF_8);

    /** A minimal GitHub workflow_job delivery (events/webhook-github-queued.json, trimmed). */
    private static final byte[] GITHUB_WORKFLOW_JOB = """
            {"action":"queued","workflow_job":{"id":1,"run_id":1,"status":"queued","labels":["self-hosted","linux"],
             "created_at":"2026-11-23T09:00:00Z","started_at":"2026-11-23T09:00:00Z","runner_name":null},
             "repository":{"full_name":"owner/repo","owner":{"login":"owner"}},"installation":{"id":1}}
            """.getBytes(StandardCharsets.UTF_8);

    private FunctionPrimers() {
    }

    /**
     * The primers of the function Quarkus runs ({@code QUARKUS_LAMBDA_HANDLER}); for an unknown or absent
     * name only the SDK clients are built.
     */
    static List<Runnable> forFunction(Optional<String> function, App app, Settings settings) {
        AwsClients aws = app.aws();
        List<Runnable> primers = new ArrayList<>();
        String name = function.orElse("");
        switch (name) {
            case "webhook" -> {
                primers.add(() -> readConfigParameter(aws, settings));
                primers.add(() -> aws.sqs().getQueueAttributes(r -> r.queueUrl(settings.queueUrl())
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)));
                primers.add(FunctionPrimers::parseAndVerifyCannedDeliveries);
            }
            case "scale-up", "reaper", "ec2-events" -> {
                primers.add(() -> readConfigParameter(aws, settings));
                primers.add(() -> aws.dynamo().getItem(r -> r.tableName(settings.machinesTable()).consistentRead(true)
                        .key(Map.of("pool", s(NO_SUCH_KEY), "instanceId", s(NO_SUCH_KEY)))));
                primers.add(() -> aws.dynamo().getItem(r -> r.tableName(settings.jobsTable())
                        .key(Map.of("jobKey", s(NO_SUCH_KEY)))));
                primers.add(() -> aws.ec2().describeInstances(r -> r.maxResults(5).filters(
                        f -> f.name("tag:runner-scaler:stack").values(settings.stack()),
                        f -> f.name("instance-state-name").values("running"))));
                if (name.equals("scale-up")) {
                    primers.add(FunctionPrimers::roundTripCannedJobEvent);
                }
            }
            default -> {
                primers.add(aws::sqs);
                primers.add(aws::dynamo);
                primers.add(aws::ec2);
                primers.add(aws::ssm);
            }
        }
        return primers;
    }

    /** GetParameter with decryption, as the secrets and the config are read; the value is dropped. */
    private static void readConfigParameter(AwsClients aws, Settings settings) {
        aws.ssm().getParameter(r -> r.name(settings.configParameter()).withDecryption(true));
    }

    /**
     * The webhook's own path on canned bodies: the API Gateway event read from its stream into a request and
     * an answer written back (what Lambda hands the function), both forges' parsers, the HMAC-SHA256
     * signature and the constant-time token check, with a key that is no one's secret.
     */
    static void parseAndVerifyCannedDeliveries() {
        byte[] body;
        try {
            body = WebhookHandler.request(JsonValue.read(JSON, cannedHttpEvent())).body();
            WebhookHandler.respond(new WebhookResponse(202, "{}"), OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ParsedDelivery gitlab = new GitLabJobHook().parse(Optional.of("Job Hook"), body, "priming");
        ParsedDelivery github = new GitHubWorkflowJob().parse("workflow_job", GITHUB_WORKFLOW_JOB, "priming");
        SharedSecrets key = SharedSecrets.parse("snapstart-priming-not-a-secret");
        String signature = SharedSecrets.signature("snapstart-priming-not-a-secret".getBytes(StandardCharsets.UTF_8),
                GITHUB_WORKFLOW_JOB);
        if (!key.matchesSignature(GITHUB_WORKFLOW_JOB, signature) || key.matchesToken("other")) {
            throw new IllegalStateException("the canned delivery did not verify");
        }
        for (ParsedDelivery parsed : List.of(gitlab, github)) {
            if (!(parsed instanceof ParsedDelivery.Job job)) {
                throw new IllegalStateException("the canned delivery did not parse: " + parsed);
            }
            roundTrip(job.event());
        }
    }

    /** The canned GitLab delivery as API Gateway hands it to the function (payload format 2.0). */
    private static byte[] cannedHttpEvent() throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (JsonGenerator event = JSON.createGenerator(bytes)) {
            event.writeStartObject();
            event.writeStringField("rawPath", "/webhook/gitlab");
            event.writeBooleanField("isBase64Encoded", false);
            event.writeStringField("body", new String(GITLAB_JOB_HOOK, StandardCharsets.UTF_8));
            event.writeObjectFieldStart("headers");
            event.writeStringField("x-gitlab-event", "Job Hook");
            event.writeStringField("content-type", "application/json");
            event.writeEndObject();
            event.writeObjectFieldStart("requestContext");
            event.writeObjectFieldStart("http");
            event.writeStringField("method", "POST");
            event.writeEndObject();
            event.writeEndObject();
            event.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** What scale-up does with every message body: decode it into a job event. */
    static void roundTripCannedJobEvent() {
        ParsedDelivery parsed = new GitLabJobHook().parse(Optional.of("Job Hook"), GITLAB_JOB_HOOK, "priming");
        if (!(parsed instanceof ParsedDelivery.Job job)) {
            throw new IllegalStateException("the canned delivery did not parse: " + parsed);
        }
        roundTrip(job.event());
    }

    private static void roundTrip(JobEvent event) {
        JobEventCodec codec = new JobEventCodec();
        if (!codec.decode(codec.encode(event)).equals(event)) {
            throw new IllegalStateException("the canned job event did not survive the queue codec");
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
