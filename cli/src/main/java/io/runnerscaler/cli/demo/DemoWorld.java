package io.runnerscaler.cli.demo;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.Ec2EventsHandler;
import io.runnerscaler.lambda.QueuePump;
import io.runnerscaler.lambda.ReaperHandler;
import io.runnerscaler.lambda.ScaleUpHandler;
import io.runnerscaler.lambda.Settings;
import io.runnerscaler.lambda.WebhookHandler;
import io.runnerscaler.testkit.ManualClock;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The world around the control plane, for the demo: GitLab sending Job Hooks, EC2 booting instances,
 * runners on them picking up jobs. It drives the real handlers (webhook, the queue into scale-up, reaper,
 * ec2-events) on the emulator, with a clock that jumps ahead instead of waiting.
 */
final class DemoWorld {

    static final String STACK = "runner-scaler-demo";
    static final String TOKEN = "runner-scaler-demo-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One job of the scenario. */
    record Job(long id, Instant createdAt, Duration runs) {
    }

    /** One sample of the pool for the chart. */
    record Sample(Instant at, int queued, int launching, int idle, int busy) {
    }

    private final ManualClock clock;
    private final App app;
    private final WebhookHandler webhook;
    private final QueuePump pump;
    private final ReaperHandler reaper;
    private final Ec2EventsHandler ec2Events;
    private final MachineStore machines;
    private final String pool;
    private final Duration bootTime;

    private final Map<Long, Job> byId = new HashMap<>();
    private final Deque<Job> waiting = new ArrayDeque<>();
    private final Map<Long, Instant> started = new HashMap<>();
    private final Map<Long, Instant> finishesAt = new HashMap<>();
    private final Map<Long, String> runningOn = new HashMap<>();
    private final Set<Long> done = new HashSet<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Map<Long, Duration> waits = new HashMap<>();

    DemoWorld(AwsClients aws, String endpoint, String configYaml, String pool, Instant start, Duration bootTime,
              PrintStream log) {
        this.clock = new ManualClock(start);
        this.pool = pool;
        this.bootTime = bootTime;
        Provisioner provisioner = new Provisioner(aws);
        Provisioner.Resources r = provisioner.create(STACK);
        provisioner.launchTemplate("runner-scaler-docker");
        String configParameter = "/runner-scaler/" + STACK + "/config";
        String secretParameter = "/runner-scaler/" + STACK + "/gitlab-webhook-secret";
        provisioner.parameter(configParameter, configYaml, false);
        provisioner.parameter(secretParameter, TOKEN, true);
        Settings settings = new Settings("us-east-1", Optional.of(endpoint), STACK, configParameter, r.queueUrl(), r.dlqUrl(),
                r.machinesTable(), r.jobsTable(), secretParameter, "/runner-scaler/" + STACK + "/github-webhook-secret");
        this.app = new App(settings, clock, log);
        this.webhook = new WebhookHandler(app.webhook());
        this.pump = new QueuePump(aws.sqs(), r.queueUrl(), new ScaleUpHandler(app));
        this.reaper = new ReaperHandler(app.reaper());
        this.ec2Events = new Ec2EventsHandler(app.instanceEvents());
        this.machines = app.machines();
    }

    Instant now() {
        return clock.instant();
    }

    List<Sample> samples() {
        return samples;
    }

    Map<Long, Duration> waits() {
        return waits;
    }

    /** Runs the scenario until every job is done and the pool has been quiet for {@code settle}. */
    void run(List<Job> jobs, Duration step, Duration reaperEvery, Duration settle) {
        List<Job> pending = new ArrayList<>(jobs);
        Instant lastReaper = Instant.MIN;
        Instant allDoneAt = null;
        while (allDoneAt == null || clock.instant().isBefore(allDoneAt.plus(settle))) {
            Instant now = clock.instant();
            for (var it = pending.iterator(); it.hasNext(); ) {
                Job job = it.next();
                if (!job.createdAt().isAfter(now)) {
                    it.remove();
                    byId.put(job.id(), job);
                    waiting.add(job);
                    send(hook(job, "pending", null, null, null));
                }
            }
            boot(now);
            finish(now);
            pickUp(now);
            pump.drain();
            if (lastReaper.equals(Instant.MIN) || !now.isBefore(lastReaper.plus(reaperEvery))) {
                reaper.handleRequest(Map.of(), null);
                lastReaper = now;
            }
            sample(now);
            if (allDoneAt == null && done.size() == jobs.size()) {
                allDoneAt = now;
            }
            clock.advance(step);
        }
    }

    /** Instances whose boot time has passed report running, as EC2 would through EventBridge. */
    private void boot(Instant now) {
        for (Machine m : machines.alive(pool)) {
            if (m.state() == MachineState.LAUNCHING && !m.launchedAt().plus(bootTime).isAfter(now)) {
                ec2Events.handleRequest(Map.of("detail-type", "EC2 Instance State-change Notification",
                        "source", "aws.ec2", "detail", Map.of("instance-id", m.instanceId(), "state", "running")), null);
            }
        }
    }

    /** A runner on each idle machine asks GitLab for a job, as gitlab-runner does. */
    private void pickUp(Instant now) {
        for (Machine m : machines.alive(pool)) {
            if (waiting.isEmpty()) {
                return;
            }
            if (m.state() == MachineState.IDLE && !runningOn.containsValue(m.instanceId())) {
                Job job = waiting.poll();
                started.put(job.id(), now);
                finishesAt.put(job.id(), now.plus(job.runs()));
                runningOn.put(job.id(), m.instanceId());
                waits.put(job.id(), Duration.between(job.createdAt(), now));
                send(hook(job, "running", now, null, m.instanceId()));
            }
        }
    }

    private void finish(Instant now) {
        for (var e : new HashMap<>(finishesAt).entrySet()) {
            if (!e.getValue().isAfter(now)) {
                long id = e.getKey();
                finishesAt.remove(id);
                String instance = runningOn.remove(id);
                done.add(id);
                send(hook(byId.get(id), "success", started.get(id), e.getValue(), instance));
            }
        }
    }

    private void sample(Instant now) {
        int launching = 0;
        int idle = 0;
        int busy = 0;
        for (Machine m : machines.alive(pool)) {
            switch (m.state()) {
                case LAUNCHING -> launching++;
                case IDLE, DRAINING -> idle++;
                case BUSY -> busy++;
                default -> { }
            }
        }
        samples.add(new Sample(now, waiting.size(), launching, idle, busy));
    }

    private void send(APIGatewayV2HTTPEvent event) {
        var response = webhook.handleRequest(event, null);
        if (response.getStatusCode() != 202) {
            throw new IllegalStateException("webhook answered " + response.getStatusCode() + ": " + response.getBody());
        }
    }

    /** A Job Hook delivery in GitLab's documented shape, wrapped as API Gateway delivers it. */
    private APIGatewayV2HTTPEvent hook(Job job, String status, Instant startedAt, Instant finishedAt, String runner) {
        ObjectNode b = JSON.createObjectNode();
        b.put("object_kind", "build");
        b.put("ref", "main");
        b.put("build_id", job.id());
        b.put("build_name", "test");
        b.put("build_stage", "test");
        b.put("build_status", status);
        b.put("build_created_at_iso", job.createdAt().toString());
        b.put("build_started_at_iso", startedAt == null ? null : startedAt.toString());
        b.put("build_finished_at_iso", finishedAt == null ? null : finishedAt.toString());
        b.put("pipeline_id", 2366);
        b.put("project_id", 380);
        b.put("project_name", "gitlab-org/gitlab-test");
        if (runner != null) {
            b.putObject("runner").put("id", 9171).put("description", runner).put("runner_type", "project_type")
                    .put("active", true).put("is_shared", false).putArray("tags");
        } else {
            b.putNull("runner");
        }
        b.putObject("project").put("id", 380).put("path_with_namespace", "gitlab-org/gitlab-test");
        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        e.setRawPath("/webhook/gitlab");
        e.setHeaders(Map.of("content-type", "application/json", "x-gitlab-event", "Job Hook", "x-gitlab-token", TOKEN,
                "x-gitlab-event-uuid", job.id() + "-" + status));
        e.setBody(b.toString());
        e.setIsBase64Encoded(false);
        return e;
    }
}
