package io.runnerscaler.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.Ec2EventsHandler;
import io.runnerscaler.lambda.QueuePump;
import io.runnerscaler.lambda.ReaperHandler;
import io.runnerscaler.lambda.ScaleUpHandler;
import io.runnerscaler.lambda.WebhookHandler;
import io.runnerscaler.testkit.FaultProxy;
import io.runnerscaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * AWS API calls per job and per launched runner for a burst of GitLab jobs (issue 7), counted by sending
 * every SDK call of the functions through a {@link FaultProxy} (no faults injected) and reading its journal.
 * The SQS receives and deletes of {@link QueuePump}, which Lambda's event source mapping makes in AWS, go
 * through a second proxy and are counted apart.
 *
 * <p>A job's whole life is counted: the burst of {@code pending} hooks and their scale-ups, the {@code running}
 * and {@code success} hooks, and the reaper pass that terminates the machines after IdleTime. One more reaper
 * pass with nothing to do shows the fixed cost of the schedule.
 *
 * <p>Targets: one EC2 mutating call per launch decision, no SSM write per GitLab job, no unfiltered
 * DescribeInstances. Exits 1 if one is missed.
 *
 * <pre>ApiCallsPerJob [--jobs 200] [--out section.md] [--emulator URL]</pre>
 */
public final class ApiCallsPerJob {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IDLE_TIME_SECONDS = 300;
    private static final String ESM = " (event source mapping)";

    private static final List<String> EC2_MUTATING = List.of("EC2 CreateFleet", "EC2 RunInstances", "EC2 CreateTags",
            "EC2 RequestSpotInstances", "EC2 RequestSpotFleet");
    /** A pool's launch template and its versions: written when its bootstrap or base changes, not per launch. */
    private static final List<String> EC2_TEMPLATE_WRITES = List.of("EC2 CreateLaunchTemplate",
            "EC2 CreateLaunchTemplateVersion", "EC2 ModifyLaunchTemplate", "EC2 DeleteLaunchTemplateVersions");
    private static final List<String> SSM_WRITES = List.of("SSM PutParameter", "SSM DeleteParameter",
            "SSM DeleteParameters", "SSM LabelParameterVersion", "SSM AddTagsToResource");

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv);
        int jobs = args.integer("jobs", 200);
        URI emulator = args.emulator();
        String name = "bench-calls-" + ProcessHandle.current().pid();
        BenchStack stack = BenchStack.provision(emulator, name,
                BenchStack.onePool("spot-with-fallback", jobs + 50, IDLE_TIME_SECONDS));
        // The emulator launches RunInstances' MinCount, so the reaper fills the stopped pool one machine a pass:
        // the stopped column runs a smaller burst (the counts per job do not depend on its size).
        int stoppedJobs = Math.min(jobs, 30);
        BenchStack stoppedStack = BenchStack.provision(emulator, name + "-stopped",
                BenchStack.onePool("on-demand", jobs + 50, IDLE_TIME_SECONDS) + "    stoppedCount: " + stoppedJobs
                        + "\n");
        try (FaultProxy functions = new FaultProxy(emulator); FaultProxy esm = new FaultProxy(emulator);
             FaultProxy stoppedFunctions = new FaultProxy(emulator); FaultProxy stoppedEsm = new FaultProxy(emulator)) {
            var run = new ApiCallsPerJob(stack, functions, esm);
            var stopped = new ApiCallsPerJob(stoppedStack, stoppedFunctions, stoppedEsm);
            String section = run.run(jobs) + "\n" + stopped.runStopped(stoppedJobs);
            run.allTargetsMet &= stopped.allTargetsMet;
            System.out.println(section);
            if (args.path("out").isPresent()) {
                Files.writeString(args.path("out").get(), section);
            }
            System.exit(run.allTargetsMet ? 0 : 1);
        }
    }

    private final BenchStack stack;
    private final FaultProxy functionsProxy;
    private final CallJournal functionsCalls;
    private final CallJournal esmCalls;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final WebhookHandler webhook;
    private final QueuePump pump;
    private final ReaperHandler reaper;
    private final App app;
    private boolean allTargetsMet;

    ApiCallsPerJob(BenchStack stack, FaultProxy functions, FaultProxy esm) {
        this.stack = stack;
        this.functionsProxy = functions;
        this.functionsCalls = new CallJournal(functions);
        this.esmCalls = new CallJournal(esm);
        this.app = stack.app(functions.endpoint(), clock, new PrintStream(log, true, StandardCharsets.UTF_8));
        this.webhook = new WebhookHandler(app.webhook());
        this.pump = new QueuePump(AwsClients.create(BenchStack.REGION, Optional.of(esm.endpoint())).sqs(),
                stack.resources().queueUrl(), new ScaleUpHandler(app));
        this.reaper = new ReaperHandler(app.reaper());
    }

    /** Calls of one phase, by name (functions' and event source mapping's together). */
    private record Phase(String title, Map<String, CallJournal.Calls> calls) {
        int get(String name) {
            return calls.containsKey(name) ? calls.get(name).count() : 0;
        }

        long millis(String name) {
            return calls.containsKey(name) ? calls.get(name).totalMillis() : 0;
        }

        long itemsRead() {
            return calls.values().stream().mapToLong(CallJournal.Calls::itemsRead).sum();
        }
    }

    String run(int jobs) {
        functionsCalls.reset();
        esmCalls.reset();
        List<Long> ids = new ArrayList<>();
        Map<Long, Instant> created = new LinkedHashMap<>();

        // The burst: every pending hook arrives before the queue is drained, as in a pipeline fan-out.
        for (int i = 0; i < jobs; i++) {
            long id = 9_000_000L + i;
            ids.add(id);
            clock.advance(Duration.ofMillis(50));
            created.put(id, clock.instant());
            require(webhook.handleRequest(GitLabHooks.pending(id, clock.instant()), null).getStatusCode() == 202,
                    "pending hook not accepted");
        }
        pump.drain();
        Phase burst = phase("burst: " + jobs + " `pending`");
        int decisions = launchDecisions();
        List<Machine> machines = app.machines().alive(BenchStack.POOL);
        int launched = machines.size();
        Map<String, Machine> byJob = new LinkedHashMap<>();
        machines.forEach(m -> m.jobId().ifPresent(j -> byJob.put(j, m)));

        // The jobs run on their machines and succeed.
        clock.advance(Duration.ofSeconds(60));
        Instant started = clock.instant();
        for (long id : ids) {
            Machine m = byJob.get(GitLabHooks.jobKey(id));
            webhook.handleRequest(GitLabHooks.running(id, created.get(id), started, m == null ? "unknown" : m.instanceId()),
                    null);
        }
        pump.drain();
        clock.advance(Duration.ofSeconds(120));
        for (long id : ids) {
            Machine m = byJob.get(GitLabHooks.jobKey(id));
            webhook.handleRequest(GitLabHooks.success(id, created.get(id), started, clock.instant(),
                    m == null ? "unknown" : m.instanceId()), null);
        }
        pump.drain();
        Phase ran = phase("`running` + `success`");

        // The schedule's pass after IdleTime ends the machines; one more pass finds nothing to do.
        clock.advance(Duration.ofSeconds(IDLE_TIME_SECONDS + 1));
        int terminated = ((Number) reaper.handleRequest(Map.of(), null).get("terminated")).intValue();
        Phase reaped = phase("reaper pass ending them");
        clock.advance(Duration.ofSeconds(60));
        reaper.handleRequest(Map.of(), null);
        Phase idle = phase("one idle reaper pass");

        return report(jobs, launched, decisions, terminated, List.of(burst, ran, reaped), idle);
    }

    /**
     * The stopped-pool column: the same burst on a pool with {@code stoppedCount} = jobs, after the reaper refilled
     * it and stopped every refill that said it was ready (the setup, not counted). Each job's decision must be one
     * StartInstances, with no CreateFleet, no RunInstances and no SSM write.
     */
    String runStopped(int jobs) {
        var ec2Events = new Ec2EventsHandler(app);
        // Each pass: the reaper refills and stops the refills that said they were ready; each refill says so (its
        // bootstrap would tag itself) and EC2's stopped reaches ec2-events.
        for (int pass = 0; pass < 4 * jobs && pooled(io.runnerscaler.core.model.MachineState.STOPPED) < jobs; pass++) {
            clock.advance(Duration.ofSeconds(60));
            reaper.handleRequest(Map.of(), null);
            List<String> warming = app.machines().alive(BenchStack.POOL).stream()
                    .filter(m -> m.state() == io.runnerscaler.core.model.MachineState.WARMING)
                    .map(Machine::instanceId).toList();
            if (!warming.isEmpty()) {
                stack.admin().ec2().createTags(b -> b.resources(warming).tags(t -> t.key(
                        io.runnerscaler.core.port.Fleet.READY_TAG).value("true")));
            }
            app.machines().alive(BenchStack.POOL).stream()
                    .filter(m -> m.state() == io.runnerscaler.core.model.MachineState.STOPPING)
                    .forEach(m -> ec2Events.handleRequest(Map.of("detail-type",
                            "EC2 Instance State-change Notification", "source", "aws.ec2",
                            "detail", Map.of("instance-id", m.instanceId(), "state", "stopped")), null));
        }
        require(pooled(io.runnerscaler.core.model.MachineState.STOPPED) == jobs, "not every refill was stopped");
        functionsCalls.reset();
        esmCalls.reset();
        functionsProxy.clear();

        for (int i = 0; i < jobs; i++) {
            long id = 9_500_000L + i;
            clock.advance(Duration.ofMillis(50));
            require(webhook.handleRequest(GitLabHooks.pending(id, clock.instant()), null).getStatusCode() == 202,
                    "pending hook not accepted");
        }
        pump.drain();
        Phase burst = phase("stopped pool: burst of " + jobs + " `pending`");
        int started = burst.get("EC2 StartInstances");
        int launches = burst.get("EC2 CreateFleet") + burst.get("EC2 RunInstances");
        int mutating = EC2_MUTATING.stream().mapToInt(burst::get).sum() + started + burst.get("EC2 StopInstances")
                + burst.get("EC2 TerminateInstances");
        int ssmWrites = SSM_WRITES.stream().mapToInt(burst::get).sum();
        long startedMachines = app.machines().alive(BenchStack.POOL).stream()
                .filter(m -> m.state() == io.runnerscaler.core.model.MachineState.LAUNCHING).count();
        allTargetsMet = started == jobs && mutating == jobs && launches == 0 && ssmWrites == 0
                && startedMachines == jobs;

        Table t = new Table("call", burst.title(), "per job");
        new TreeSet<>(burst.calls().keySet()).forEach(name -> t.row(name.endsWith(ESM) ? "_" + name + "_" : name,
                burst.get(name), ratio(burst.get(name), jobs)));
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "### Stopped pool column: the same burst started from %d stopped machines "
                + "(issue 15)%n%n", jobs));
        b.append("An on-demand pool with `stoppedCount` %d, filled by the reaper (refills by RunInstances, stopped "
                .formatted(jobs) + "with StopInstances once ready; that setup is not counted), then the burst of "
                + "`pending` jobs through the webhook and scale-up. Each job's decision starts one stopped machine.\n\n");
        b.append(t).append('\n');
        Table targets = new Table("target", "measured", "result");
        targets.row("one EC2 mutating call (StartInstances) per job's decision", mutating + " mutating calls, "
                + started + " StartInstances for " + jobs + " jobs", Table.pass(started == jobs && mutating == jobs));
        targets.row("zero CreateFleet / RunInstances on the start path", launches + " calls", Table.pass(launches == 0));
        targets.row("zero SSM writes", ssmWrites + " writes", Table.pass(ssmWrites == 0));
        targets.row("every job got a started machine", startedMachines + " started", Table.pass(startedMachines == jobs));
        b.append(targets).append('\n');
        return b.toString();
    }

    private int pooled(io.runnerscaler.core.model.MachineState state) {
        return (int) app.machines().alive(BenchStack.POOL).stream().filter(m -> m.state() == state).count();
    }

    private Phase phase(String title) {
        Map<String, CallJournal.Calls> calls = new LinkedHashMap<>(functionsCalls.calls());
        esmCalls.calls().forEach((k, v) -> calls.merge(k + ESM, v, CallJournal.Calls::plus));
        Phase phase = new Phase(title, calls);
        // Cross-check the journal against the proxy's own counters for the calls the targets rest on.
        require(phase.get("EC2 CreateFleet") == functionsProxy.ec2Calls("CreateFleet"),
                "journal and proxy disagree on CreateFleet");
        require(phase.get("SSM PutParameter") == functionsProxy.jsonCalls("AmazonSSM.PutParameter"),
                "journal and proxy disagree on PutParameter");
        functionsCalls.reset();
        esmCalls.reset();
        return phase;
    }

    /** Plans that launched something, from the functions' decision log lines. */
    private int launchDecisions() {
        int decisions = 0;
        for (String line : log.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                if ("job.queued".equals(n.path("event").asText()) && n.path("launch").asInt() > 0) {
                    decisions++;
                }
            } catch (IOException notJson) {
                // EMF or other output
            }
        }
        return decisions;
    }

    private String report(int jobs, int launched, int decisions, int terminated, List<Phase> life, Phase idle) {
        var names = new TreeSet<String>();
        life.forEach(p -> names.addAll(p.calls().keySet()));
        names.addAll(idle.calls().keySet());
        List<String> header = new ArrayList<>(List.of("call"));
        life.forEach(p -> header.add(p.title()));
        header.addAll(List.of("per job", "per launched runner", idle.title(), "mean ms per call"));
        Table t = new Table(header.toArray(String[]::new));
        int[] lifeTotals = new int[life.size()];
        int lifeSum = 0;
        for (String name : names) {
            List<Object> row = new ArrayList<>();
            row.add(name.endsWith(ESM) ? "_" + name + "_" : name);
            int sum = 0;
            for (int i = 0; i < life.size(); i++) {
                int c = life.get(i).get(name);
                row.add(c);
                sum += c;
                lifeTotals[i] += c;
            }
            lifeSum += sum;
            row.add(ratio(sum, jobs));
            row.add(ratio(sum, launched));
            row.add(idle.get(name));
            long millis = life.stream().mapToLong(p -> p.millis(name)).sum() + idle.millis(name);
            int count = sum + idle.get(name);
            row.add(count == 0 ? "-" : Percentiles.format(millis / (double) count));
            t.row(row.toArray());
        }
        List<Object> totals = new ArrayList<>();
        totals.add("**all calls**");
        for (int c : lifeTotals) {
            totals.add(c);
        }
        totals.add(ratio(lifeSum, jobs));
        totals.add(ratio(lifeSum, launched));
        totals.add(idle.calls().values().stream().mapToInt(CallJournal.Calls::count).sum());
        totals.add("");
        t.row(totals.toArray());

        Phase burst = life.get(0);
        int mutating = EC2_MUTATING.stream().mapToInt(burst::get).sum();
        int templateWrites = life.stream().mapToInt(p -> EC2_TEMPLATE_WRITES.stream().mapToInt(p::get).sum()).sum()
                + EC2_TEMPLATE_WRITES.stream().mapToInt(idle::get).sum();
        int ssmWrites = life.stream().mapToInt(p -> SSM_WRITES.stream().mapToInt(p::get).sum()).sum()
                + SSM_WRITES.stream().mapToInt(idle::get).sum();
        int unfiltered = life.stream().mapToInt(p -> p.get("EC2 DescribeInstances (UNFILTERED)")).sum()
                + idle.get("EC2 DescribeInstances (UNFILTERED)");
        boolean oneMutatingPerDecision = decisions > 0 && mutating == decisions;
        // One pool, one function instance, a fresh stack: its launch template is created once, on the first launch.
        boolean templateOnce = templateWrites == 1 && burst.get("EC2 CreateLaunchTemplate") == 1;
        allTargetsMet = oneMutatingPerDecision && templateOnce && ssmWrites == 0 && unfiltered == 0 && launched == jobs
                && terminated == launched;

        StringBuilder b = new StringBuilder();
        b.append("## AWS API calls per job and per launched runner (issue 7)\n\n");
        b.append(String.format(Locale.ROOT, "A burst of %d GitLab `pending` jobs for one `spot-with-fallback` pool "
                + "(IdleCount 0, limit %d), then each job `running` and `success` on its machine, then the reaper "
                + "pass after IdleTime that terminates the machines: %d runners launched in %d launch decisions, "
                + "%d terminated. Every SDK call of the functions went through the testkit's `FaultProxy` (no "
                + "faults) and was counted from its journal; rows in italics are the SQS calls Lambda's event "
                + "source mapping makes in AWS (`QueuePump` here, through a second proxy).%n%n",
                jobs, jobs + 50, launched, decisions, terminated));
        b.append(t).append('\n');
        Table targets = new Table("target", "measured", "result");
        targets.row("one EC2 mutating call (CreateFleet / RunInstances / CreateTags) per launch decision",
                mutating + " calls for " + decisions + " decisions", Table.pass(oneMutatingPerDecision));
        targets.row("the pool's launch template (user-data) written once, not per decision",
                templateWrites + " launch template writes", Table.pass(templateOnce));
        targets.row("zero SSM writes per GitLab job", ssmWrites + " writes", Table.pass(ssmWrites == 0));
        targets.row("zero unfiltered DescribeInstances", unfiltered + " calls", Table.pass(unfiltered == 0));
        targets.row("every job launched one runner and every runner was reaped", launched + " launched, "
                + terminated + " terminated, " + jobs + " jobs", Table.pass(launched == jobs && terminated == launched));
        b.append(targets).append('\n');
        List<String> reads = new ArrayList<>();
        for (Phase p : life) {
            reads.add(p.title() + ": " + p.itemsRead() + String.format(Locale.ROOT, " (%.1f per job)",
                    p.itemsRead() / (double) jobs));
        }
        reads.add(idle.title() + ": " + idle.itemsRead());
        b.append("DynamoDB items read (a Query's or Scan's `ScannedCount`, what DynamoDB bills, including items a "
                + "filter drops, plus the item a GetItem returned): ").append(String.join("; ", reads))
                .append(". A job's scale-up plans from its pool's counter items (one for its jobs, one for its "
                + "machines), kept in the same transaction as each job and machine, so the items read per job do "
                + "not grow with the burst (the burst benchmark below holds that to 1.2 x from 200 to 2,000 jobs); "
                + "the reaper's pass reads each pool's live machines.\n\n");
        b.append("In AWS the webhook function scales out during a burst; each new instance reads the webhook "
                + "secret (SSM GetParameter) once and keeps it for five minutes, and each new scale-up instance "
                + "reads the config once, so a real burst makes a few more GetParameter calls than this "
                + "single-instance run.\n");
        return b.toString();
    }

    private static String ratio(int calls, int per) {
        return per == 0 ? "-" : String.format(Locale.ROOT, "%.2f", calls / (double) per);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
