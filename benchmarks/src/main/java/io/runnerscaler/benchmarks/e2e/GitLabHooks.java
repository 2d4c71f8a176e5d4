package io.runnerscaler.benchmarks.e2e;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * GitLab Job Hook deliveries for distinct jobs, in the shape of events/webhook-gitlab-*.json (GitLab's
 * documented payload, wrapped as API Gateway's HTTP API delivers it), signed with the test token.
 */
public final class GitLabHooks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GitLabHooks() {
    }

    public static APIGatewayV2HTTPEvent pending(long jobId, Instant createdAt) {
        return hook(jobId, "pending", createdAt, null, null, null);
    }

    public static APIGatewayV2HTTPEvent running(long jobId, Instant createdAt, Instant startedAt, String runner) {
        return hook(jobId, "running", createdAt, startedAt, null, runner);
    }

    public static APIGatewayV2HTTPEvent success(long jobId, Instant createdAt, Instant startedAt, Instant finishedAt,
                                                String runner) {
        return hook(jobId, "success", createdAt, startedAt, finishedAt, runner);
    }

    /** The ledger's key for a GitLab job. */
    public static String jobKey(long jobId) {
        return "gitlab:" + jobId;
    }

    private static APIGatewayV2HTTPEvent hook(long jobId, String status, Instant createdAt, Instant startedAt,
                                              Instant finishedAt, String runner) {
        ObjectNode b = JSON.createObjectNode();
        b.put("object_kind", "build");
        b.put("ref", "main");
        b.put("tag", false);
        b.put("build_id", jobId);
        b.put("build_name", "test");
        b.put("build_stage", "test");
        b.put("build_status", status);
        b.put("build_created_at_iso", createdAt.toString());
        b.put("build_started_at_iso", startedAt == null ? null : startedAt.toString());
        b.put("build_finished_at_iso", finishedAt == null ? null : finishedAt.toString());
        b.put("build_allow_failure", false);
        b.put("pipeline_id", 2366);
        b.put("project_id", 380);
        b.put("project_name", "gitlab-org/gitlab-test");
        if (runner != null) {
            b.putObject("runner").put("id", 9171).put("description", runner).put("runner_type", "project_type")
                    .put("active", true).put("is_shared", false).putArray("tags");
        } else {
            b.putNull("runner");
        }
        b.putObject("project").put("id", 380).put("name", "gitlab-test")
                .put("path_with_namespace", "gitlab-org/gitlab-test");
        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        e.setVersion("2.0");
        e.setRouteKey("POST /webhook/gitlab");
        e.setRawPath("/webhook/gitlab");
        e.setHeaders(Map.of("content-type", "application/json", "user-agent", "GitLab/18.6.0",
                "x-gitlab-event", "Job Hook", "x-gitlab-token", BenchStack.GITLAB_TOKEN,
                "x-gitlab-event-uuid", jobId + "-" + status));
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod("POST");
        http.setPath("/webhook/gitlab");
        context.setHttp(http);
        e.setRequestContext(context);
        e.setBody(b.toString());
        e.setIsBase64Encoded(false);
        return e;
    }
}
