package io.runnerscaler.benchmarks.e2e;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.runner.RunnerIdentity;
import io.runnerscaler.core.usecase.JobEvents;
import io.runnerscaler.lambda.App;
import io.runnerscaler.testkit.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;

/**
 * Work per job at any burst (issue 16): a burst of {@code pending} jobs over several GitLab pools, handled by
 * concurrent scale-up instances (each its own {@link App}, as Lambda runs them), then each job {@code running} and
 * {@code success} on its machine, then reaper passes. Every DynamoDB call of the functions is counted by an SDK
 * interceptor: items read are {@code ScannedCount} of a Query or Scan (what DynamoDB bills, filtered out or not)
 * plus the items a GetItem, BatchGetItem or TransactGetItems returned.
 *
 * <p>Run at two burst sizes in one run: items read per job event must stay within 10 and grow by at most 1.2 x from
 * the small burst to the large one; no pool passes its {@code limit}; every job gets exactly one machine; and the
 * reaper's calls per idle pass stay the same pass after pass. The events go straight to the scale-up use case (the
 * webhook and queue cost the same per event at any size: one SQS send, one receive).
 *
 * <pre>Burst [--jobs 2000] [--small 200] [--pools 20] [--handlers 10] [--out section.md] [--emulator URL]</pre>
 */
public final class Burst {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv);
        int jobs = args.integer("jobs", 2000);
        int small = args.integer("small", 200);
        int pools = args.integer("pools", 20);
        int handlers = args.integer("handlers", 10);
        var emulator = args.emulator();
        long started = System.nanoTime();
        Result few = new Burst(emulator, "bench-burst-s" + ProcessHandle.current().pid(), small, pools, handlers).run();
        Result many = new Burst(emulator, "bench-burst-l" + ProcessHandle.current().pid(), jobs, pools, handlers).run();
        String section = report(few, many, pools, handlers, (System.nanoTime() - started) / 1_000_000_000L);
        System.out.println(section);
        if (args.path("out").isPresent()) {
            Files.writeString(args.path("out").get(), section);
        }
        System.exit(few.targetsMet() && many.targetsMet() && ratio(many, few) <= 1.2 ? 0 : 1);
    }

    /** What one burst measured. */
    record Result(int jobs, int limitPerPool, long pendingReads, long runningReads, long successReads,
                  int pendingEvents, int runningEvents, int successEvents, int violations, int machines,
                  int jobsWithoutMachine, int jobsWithSeveral, int busyAfterRunning, List<Map<String, Long>> idlePasses,
                  List<Long> idlePassReads, long conflicts, long replans, long seconds) {

        double readsPerEvent() {
            return (pendingReads + runningReads + successReads)
                    / (double) (pendingEvents + runningEvents + successEvents);
        }

        boolean reaperConstant() {
            return idlePasses.stream().distinct().count() == 1 && idlePassReads.stream().distinct().count() == 1;
        }

        boolean targetsMet() {
            return readsPerEvent() <= 10 && violations == 0 && jobsWithoutMachine == 0 && jobsWithSeveral == 0
                    && busyAfterRunning == machines && reaperConstant();
        }
    }

    private final BenchStack stack;
    private final int jobs;
    private final int pools;
    private final int handlers;
    private final int limit;
    private final ManualClock clock = new ManualClock(T0);
    private final Counting counting = new Counting();
    private final List<App> apps = new ArrayList<>();
    private final Map<String, Integer> maxAlive = new ConcurrentHashMap<>();

    Burst(java.net.URI emulator, String name, int jobs, int pools, int handlers) {
        this.jobs = jobs;
        this.pools = pools;
        this.handlers = handlers;
        this.limit = (jobs + pools - 1) / pools;
        this.stack = BenchStack.provision(emulator, name, BenchStack.manyPools(pools, limit, "1h"));
        // The functions' log lines are not kept; those saying a plan was superseded (planned again) are counted.
        PrintStream quiet = new PrintStream(new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(int c) {
                if (c == '\n') {
                    if (line.indexOf("\"plan.superseded\"") >= 0) {
                        counting.replans.incrementAndGet();
                    }
                    line.setLength(0);
                } else if (line.length() < 200) {
                    line.append((char) c);
                }
            }
        }, true);
        for (int i = 0; i < handlers; i++) {
            AwsClients clients = AwsClients.create(BenchStack.REGION, emulator, List.of(counting),
                    Duration.ofMinutes(5));
            apps.add(new App(stack.settings(emulator), clock, quiet, clients));
        }
    }

    Result run() {
        long t0 = System.nanoTime();
        List<JobEvent> pending = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            pending.add(event(i, JobStatus.QUEUED, Optional.empty()));
        }
        counting.reset();
        handle(pending);
        long pendingReads = counting.itemsRead.sum();
        progress("pending", pendingReads, t0);
        long conflicts = counting.conflicts();
        List<Machine> machines = new ArrayList<>();
        for (int p = 0; p < pools; p++) {
            machines.addAll(apps.getFirst().machines().alive("pool-" + p));
        }
        Map<String, List<Machine>> byJob = new HashMap<>();
        machines.forEach(m -> m.jobId().ifPresent(j -> byJob.computeIfAbsent(j, k -> new ArrayList<>()).add(m)));
        // A plan launches for every job its pool counts, tagging its own job on the first machine: a job is served
        // when its pool has as many machines as jobs; one tagged on two machines was launched for twice.
        int without = 0;
        for (int p = 0; p < pools; p++) {
            String pool = "pool-" + p;
            long poolJobs = pending.stream().filter(e -> e.labels().contains(pool)).count();
            long poolMachines = machines.stream().filter(m -> m.pool().equals(pool)).count();
            without += (int) Math.max(0, Math.min(poolJobs, limit) - poolMachines);
        }
        int several = (int) byJob.values().stream().filter(l -> l.size() > 1).count();
        int violations = 0;
        for (int p = 0; p < pools; p++) {
            int alive = apps.getFirst().machines().alive("pool-" + p).size();
            int reserved = apps.getFirst().machines().reserved("pool-" + p);
            violations += alive > limit || reserved > limit ? 1 : 0;
        }
        // Each machine boots (EC2's running, which ec2-events records), then runs its job and succeeds.
        clock.advance(Duration.ofSeconds(40));
        for (Machine m : machines) {
            apps.getFirst().machines().put(m.running(clock.instant()));
        }
        // Each job runs on the machine launched for it, or on one its pool launched untagged (a plan launches for
        // every job it counts, tagging its own); GitLab names the machine by its runner manager's system id, the
        // Job Hook's runner by the description every machine of a pool shares.
        Map<String, java.util.ArrayDeque<Machine>> untagged = new HashMap<>();
        machines.stream().filter(m -> m.jobId().isEmpty())
                .forEach(m -> untagged.computeIfAbsent(m.pool(), p -> new java.util.ArrayDeque<>()).add(m));
        List<JobEvent> running = new ArrayList<>();
        List<JobEvent> success = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            String key = "gitlab:" + (8_000_000L + i);
            String pool = "pool-" + (i % pools);
            Optional<Machine> on = Optional.ofNullable(byJob.get(key)).map(List::getFirst)
                    .or(() -> Optional.ofNullable(untagged.get(pool)).map(java.util.ArrayDeque::poll));
            Optional<String> manager = on.map(m -> new RunnerIdentity(m.pool(), m.instanceId()).gitlabSystemId());
            running.add(event(i, JobStatus.RUNNING, Optional.of("bench runner")).withRunner(Optional.of("9171"),
                    manager));
            success.add(event(i, JobStatus.SUCCEEDED, Optional.of("bench runner")).withRunner(Optional.of("9171"),
                    manager));
        }
        counting.reset();
        handle(running);
        long runningReads = counting.itemsRead.sum();
        progress("running", runningReads, t0);
        int busy = 0;
        for (int p = 0; p < pools; p++) {
            busy += (int) apps.getFirst().machines().alive("pool-" + p).stream()
                    .filter(m -> m.state() == MachineState.BUSY).count();
        }
        clock.advance(Duration.ofSeconds(120));
        counting.reset();
        handle(success);
        long successReads = counting.itemsRead.sum();
        progress("success", successReads, t0);
        conflicts += counting.conflicts();

        // Reaper passes while the machines idle (IdleTime is an hour): the same calls each pass.
        // A function instance's first pass also matches the unmatched jobs again: not an idle pass.
        clock.advance(Duration.ofSeconds(60));
        apps.getFirst().reaper().run();
        List<Map<String, Long>> passes = new ArrayList<>();
        List<Long> passReads = new ArrayList<>();
        for (int pass = 0; pass < 3; pass++) {
            clock.advance(Duration.ofSeconds(60));
            counting.reset();
            apps.getFirst().reaper().run();
            passes.add(counting.calls());
            passReads.add(counting.itemsRead.sum());
        }
        return new Result(jobs, limit, pendingReads, runningReads, successReads, pending.size(), running.size(),
                success.size(), violations, machines.size(), without, several, busy, passes, passReads, conflicts,
                counting.replans.get(), (System.nanoTime() - t0) / 1_000_000_000L);
    }

    /** A phase done, on stderr, so a long run shows where it is. */
    private void progress(String phase, long reads, long t0) {
        System.err.printf(Locale.ROOT, "Burst %d jobs: %s events done, %.2f items read per event, %d s%n", jobs, phase,
                reads / (double) jobs, (System.nanoTime() - t0) / 1_000_000_000L);
    }

    private JobEvent event(int i, JobStatus status, Optional<String> runner) {
        long id = 8_000_000L + i;
        String pool = "pool-" + (i % pools);
        Instant created = T0.plusMillis(i);
        return new JobEvent(Forge.GITLAB, Long.toString(id), "group/app-" + (i % pools), status, Set.of(pool), runner,
                id + "-" + status, created, status == JobStatus.QUEUED ? Optional.empty() : Optional.of(created
                .plusSeconds(40)), status.isFinished() ? Optional.of(created.plusSeconds(160)) : Optional.empty());
    }

    /** The events handled by {@code handlers} threads at once, each with its own scale-up instance. */
    private void handle(List<JobEvent> events) {
        var queue = new ConcurrentLinkedQueue<>(events);
        var failures = new ConcurrentLinkedQueue<Throwable>();
        List<Thread> threads = new ArrayList<>();
        for (App app : apps) {
            JobEvents use = app.jobEvents();
            threads.add(Thread.ofPlatform().start(() -> {
                for (JobEvent e = queue.poll(); e != null; e = queue.poll()) {
                    try {
                        use.handle(e);
                    } catch (RuntimeException failed) {
                        // As SQS would, the message comes back: once more at the end.
                        if (failures.size() < 1000) {
                            failures.add(failed);
                            queue.add(e);
                        } else {
                            throw failed;
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (!failures.isEmpty()) {
            System.err.println("Burst: " + failures.size() + " event(s) handled again after " + failures.peek());
        }
    }

    /** Counts every DynamoDB call and the items it read, and the calls of every service, by operation. */
    static final class Counting implements ExecutionInterceptor {
        final LongAdder itemsRead = new LongAdder();
        final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
        final AtomicLong replans = new AtomicLong();
        private final LongAdder conflicts = new LongAdder();

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            Object r = context.response();
            String name = context.request().getClass().getSimpleName().replace("Request", "");
            calls.computeIfAbsent(name, k -> new LongAdder()).increment();
            switch (r) {
                case GetItemResponse g -> itemsRead.add(g.hasItem() ? 1 : 0);
                case QueryResponse q -> itemsRead.add(q.scannedCount() == null ? 0 : q.scannedCount());
                case ScanResponse s -> itemsRead.add(s.scannedCount() == null ? 0 : s.scannedCount());
                case BatchGetItemResponse b -> itemsRead.add(b.responses().values().stream().mapToInt(List::size).sum());
                case TransactGetItemsResponse t -> itemsRead.add(t.responses().size());
                default -> { }
            }
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            String error = context.exception().getClass().getSimpleName();
            if (error.equals("TransactionCanceledException") || error.equals("TransactionConflictException")) {
                conflicts.increment();
            }
        }

        long conflicts() {
            return conflicts.sum();
        }

        Map<String, Long> calls() {
            var copy = new java.util.TreeMap<String, Long>();
            calls.forEach((k, v) -> copy.put(k, v.sum()));
            return copy;
        }

        void reset() {
            itemsRead.reset();
            calls.clear();
        }
    }

    private static double ratio(Result many, Result few) {
        return many.readsPerEvent() / few.readsPerEvent();
    }

    static String report(Result few, Result many, int pools, int handlers, long seconds) {
        StringBuilder b = new StringBuilder();
        b.append("## Work per job at any burst (issue 16)\n\n");
        b.append(String.format(Locale.ROOT, "Bursts of %d and %d GitLab `pending` jobs over %d pools (limit = each "
                + "pool's share), handled by %d concurrent scale-up instances (each its own `App`, as Lambda runs "
                + "them), then each job `running` and `success` on its machine (named, as GitLab's Jobs API names it, by "
                + "its runner manager's system id), then three reaper passes while the "
                + "machines idle. Every DynamoDB call was counted by an SDK interceptor: items read are a Query's or "
                + "Scan's `ScannedCount` plus the items GetItem, BatchGetItem and TransactGetItems returned. %d s in "
                + "all.%n%n", few.jobs(), many.jobs(), pools, handlers, seconds));
        Table t = new Table("measure", few.jobs() + " jobs", many.jobs() + " jobs");
        t.row("items read per `pending` event", per(few.pendingReads(), few.pendingEvents()),
                per(many.pendingReads(), many.pendingEvents()));
        t.row("items read per `running` event", per(few.runningReads(), few.runningEvents()),
                per(many.runningReads(), many.runningEvents()));
        t.row("items read per `success` event", per(few.successReads(), few.successEvents()),
                per(many.successReads(), many.successEvents()));
        t.row("**items read per job event**", String.format(Locale.ROOT, "%.2f", few.readsPerEvent()),
                String.format(Locale.ROOT, "%.2f", many.readsPerEvent()));
        t.row("machines launched", few.machines(), many.machines());
        t.row("plans made again after another scale-up launched first", few.replans(), many.replans());
        t.row("jobs without a machine / with several", few.jobsWithoutMachine() + " / " + few.jobsWithSeveral(),
                many.jobsWithoutMachine() + " / " + many.jobsWithSeveral());
        t.row("machines marked busy by the `running` events", few.busyAfterRunning(), many.busyAfterRunning());
        t.row("pools past their limit", few.violations(), many.violations());
        t.row("transactions that met another (retried)", few.conflicts(), many.conflicts());
        t.row("reaper calls per idle pass (3 passes)", passes(few), passes(many));
        t.row("reaper items read per idle pass", few.idlePassReads(), many.idlePassReads());
        t.row("seconds", few.seconds(), many.seconds());
        b.append(t).append('\n');
        double r = ratio(many, few);
        Table targets = new Table("target", "measured", "result");
        targets.row("items read per job event <= 10", String.format(Locale.ROOT, "%.2f and %.2f",
                few.readsPerEvent(), many.readsPerEvent()), Table.pass(few.readsPerEvent() <= 10
                && many.readsPerEvent() <= 10));
        targets.row("items read per job event, " + many.jobs() + " vs " + few.jobs() + " jobs <= 1.2 x",
                String.format(Locale.ROOT, "%.2f x", r), Table.pass(r <= 1.2));
        targets.row("0 limit violations", few.violations() + many.violations() + "",
                Table.pass(few.violations() + many.violations() == 0));
        targets.row("every job one machine, and each running job's machine busy", (few.jobsWithoutMachine()
                + many.jobsWithoutMachine()) + " without, " + (few.jobsWithSeveral() + many.jobsWithSeveral())
                + " with several, " + (few.busyAfterRunning() + many.busyAfterRunning()) + " of "
                + (few.machines() + many.machines()) + " busy",
                Table.pass(few.jobsWithoutMachine() + many.jobsWithoutMachine() + few.jobsWithSeveral()
                        + many.jobsWithSeveral() == 0 && few.busyAfterRunning() == few.machines()
                        && many.busyAfterRunning() == many.machines()));
        targets.row("reaper calls and reads per idle pass constant", few.reaperConstant() && many.reaperConstant()
                ? "the same each pass" : "they changed", Table.pass(few.reaperConstant() && many.reaperConstant()));
        b.append(targets).append('\n');
        return b.toString();
    }

    private static String per(long reads, int events) {
        return String.format(Locale.ROOT, "%.2f", reads / (double) events);
    }

    private static String passes(Result r) {
        Set<Long> totals = new HashSet<>();
        r.idlePasses().forEach(p -> totals.add(p.values().stream().mapToLong(Long::longValue).sum()));
        return totals.size() == 1 ? totals.iterator().next() + " each" : r.idlePasses().stream()
                .map(p -> Long.toString(p.values().stream().mapToLong(Long::longValue).sum())).toList().toString();
    }
}
