package io.runnerscaler.core.sim;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.matching.MatchResult;
import io.runnerscaler.core.memory.InMemoryFleet;
import io.runnerscaler.core.memory.InMemoryMachineStore;
import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.planner.InstanceNews;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.runner.RunnerRegistrations;
import io.runnerscaler.core.runner.UnmanagedRunners;
import io.runnerscaler.core.usecase.PlanExecutor;
import java.util.Collection;
import java.util.Locale;
import io.runnerscaler.core.matching.PoolMatcher;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.periods.PeriodResolver;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.planner.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A discrete-event simulation of the scaler on a virtual clock, driven by the real {@link Planner} and carried
 * out by the real {@link PlanExecutor} over the in-memory adapters (capacity reservations, on-demand grants,
 * the spot fallback, runner registration, boot-failure history: what Lambda runs, on other storage). Jobs
 * arrive and are matched to pools; the planner runs after every batch of simultaneous events (as scale-up
 * does on each webhook), on every reaper tick, and when a plan says it would change by itself (an IdleTime or
 * boot timeout running out). Launched machines become idle after their boot time, idle machines take queued
 * jobs oldest machine first and jobs in arrival order, jobs run for their duration, and machines may be
 * interrupted (the spot warning drains them, then EC2 ends them, each through the planner's
 * {@link Planner#onInstanceNews}). The timeline is what the executor logs, reasons included. Deterministic for a
 * given input.
 *
 * <pre>{@code
 * SimResult r = Simulation.builder(config).bootTimes(BootTimes.fixed(Duration.ofSeconds(60)))
 *         .prewarmed(true).build().run(jobs, start, start.plus(Duration.ofHours(1)));
 * System.out.println(r.timelineText());
 * }</pre>
 *
 * A simulation object is not thread-safe; run one simulation per instance at a time.
 */
public final class Simulation {

    private final ScalerConfig config;
    private final Planner planner;
    private final PeriodResolver periods = new PeriodResolver();
    private final PoolMatcher matcher;
    private final BootTimes bootTimes;
    private final Interruptions interruptions;
    private final Duration reaperInterval;
    private final boolean prewarmed;
    private final Consumer<Instant> progress;
    private final InMemoryFleet.Supply supply;
    private final Duration startTime;

    private Simulation(Builder b) {
        this.startTime = b.startTime;
        this.config = b.config;
        this.planner = b.planner;
        this.matcher = new PoolMatcher(config.pools());
        this.bootTimes = b.bootTimes;
        this.interruptions = b.interruptions;
        this.reaperInterval = b.reaperInterval;
        this.prewarmed = b.prewarmed;
        this.progress = b.progress;
        this.supply = b.supply;
    }

    public static Builder builder(ScalerConfig config) {
        return new Builder(config);
    }

    /** Runs the jobs from {@code start} until {@code until} (inclusive) and returns what happened. */
    public SimResult run(List<SimJob> jobs, Instant start, Instant until) {
        return new Run(start, until, false).execute(jobs);
    }

    /**
     * Runs until every job has finished and the pools are at rest (nothing launching, no idle machine
     * waiting out its IdleTime), or until {@code limit}, whichever comes first. The result ends then.
     */
    public SimResult runUntilQuiet(List<SimJob> jobs, Instant start, Instant limit) {
        return new Run(start, limit, true).execute(jobs);
    }

    /** Options; every one has a default. */
    public static final class Builder {
        private final ScalerConfig config;
        private Planner planner = new Planner();
        private BootTimes bootTimes = BootTimes.fixed(Duration.ofSeconds(60));
        private Interruptions interruptions = Interruptions.NONE;
        private Duration reaperInterval = Duration.ofMinutes(1);
        private boolean prewarmed;
        private Consumer<Instant> progress = t -> { };
        private InMemoryFleet.Supply supply = InMemoryFleet.Supply.UNLIMITED;
        private Duration startTime = Duration.ofSeconds(15);

        private Builder(ScalerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** How long a machine started from the stopped pool takes to be ready; default 15 s. */
        public Builder startTime(Duration startTime) {
            if (startTime.isNegative()) {
                throw new IllegalArgumentException("start time must not be negative");
            }
            this.startTime = startTime;
            return this;
        }

        public Builder planner(Planner planner) {
            this.planner = Objects.requireNonNull(planner);
            return this;
        }

        /** Boot time of each launched machine; default 60 s. */
        public Builder bootTimes(BootTimes bootTimes) {
            this.bootTimes = Objects.requireNonNull(bootTimes);
            return this;
        }

        public Builder interruptions(Interruptions interruptions) {
            this.interruptions = Objects.requireNonNull(interruptions);
            return this;
        }

        /** How often the reaper runs; default 1 min, {@link Duration#ZERO} for no reaper. */
        public Builder reaperInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("reaper interval must not be negative");
            }
            this.reaperInterval = interval;
            return this;
        }

        /** Start every pool with its idle target already booted and idle, as a long-running pool is. */
        public Builder prewarmed(boolean prewarmed) {
            this.prewarmed = prewarmed;
            return this;
        }

        /** Called with the virtual time after each batch of events, for progress bars. */
        public Builder progress(Consumer<Instant> progress) {
            this.progress = Objects.requireNonNull(progress);
            return this;
        }

        /**
         * What the cloud supplies for each launch: capacity errors and partial launches, which a spot-with-fallback
         * pool buys on demand; default: every launch in full.
         */
        public Builder supply(InMemoryFleet.Supply supply) {
            this.supply = Objects.requireNonNull(supply);
            return this;
        }

        public Simulation build() {
            return new Simulation(this);
        }
    }

    private sealed interface Ev {
        Instant at();

        record Arrive(Instant at, SimJob job) implements Ev {
        }

        record Ready(Instant at, String pool, String instanceId) implements Ev {
        }

        record Finish(Instant at, String pool, String instanceId, String jobId) implements Ev {
        }

        record Interrupt(Instant at, String pool, String instanceId) implements Ev {
        }

        record Tick(Instant at) implements Ev {
        }

        record Review(Instant at, String pool) implements Ev {
        }
    }

    private record Scheduled(Ev ev, long seq) {
    }

    private static final class PoolRun {
        final PoolConfig pool;
        final Deque<SimJob> queue = new ArrayDeque<>();
        final Map<Market, Long> machineSeconds = new EnumMap<>(Market.class);
        List<Reason> lastHolds = List.of();
        Sample lastSample;
        Instant reviewScheduled;
        int launched;
        int terminated;
        int interrupted;
        int sequence;
        Instant readyAt;
        long stoppedSeconds;
        int started;
        final Map<String, Instant> stoppedSince = new HashMap<>();
        final Map<String, Long> stoppedFor = new HashMap<>();

        PoolRun(PoolConfig pool) {
            this.pool = pool;
        }
    }

    /** One run's mutable state. */
    private final class Run {
        private final Instant start;
        private final Instant until;
        private final boolean stopWhenQuiet;
        private Instant end;
        private Instant now;
        private final PriorityQueue<Scheduled> events = new PriorityQueue<>(
                Comparator.comparing((Scheduled s) -> s.ev().at()).thenComparingLong(Scheduled::seq));
        private final Map<String, PoolRun> pools = new LinkedHashMap<>();
        private final Map<String, JobOutcome> outcomes = new LinkedHashMap<>();
        private final Map<String, SimJob> jobsById = new HashMap<>();
        private final List<SimEvent> timeline = new ArrayList<>();
        private final List<Sample> samples = new ArrayList<>();
        private final InMemoryMachineStore store = new InMemoryMachineStore();
        private final SimFleet fleet;
        private final PlanExecutor executor;
        private long seq;
        private int running;
        private boolean reaperPass;
        private final Map<String, String> paths = new HashMap<>();

        Run(Instant start, Instant until, boolean stopWhenQuiet) {
            if (until.isBefore(start)) {
                throw new IllegalArgumentException("until " + until + " is before start " + start);
            }
            this.start = start;
            this.until = until;
            this.stopWhenQuiet = stopWhenQuiet;
            this.end = until;
            this.now = start;
            for (PoolConfig pool : config.pools()) {
                pools.put(pool.name(), new PoolRun(pool));
            }
            this.fleet = new SimFleet();
            fleet.supply(supply);
            var runners = new RunnerRegistrations(List.of(new UnmanagedRunners(Forge.GITLAB),
                    new UnmanagedRunners(Forge.GITHUB)), BootstrapSecrets.NONE, EventLog.NONE);
            this.executor = new PlanExecutor(planner, fleet, store, runners, new Observer(), Metrics.NONE);
        }

        SimResult execute(List<SimJob> jobs) {
            for (SimJob job : jobs) {
                if (jobsById.putIfAbsent(job.id(), job) != null) {
                    throw new IllegalArgumentException("duplicate job id " + job.id());
                }
                outcomes.put(job.id(), new JobOutcome(job, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), 0));
                if (!job.arrival().isAfter(until)) {
                    schedule(new Ev.Arrive(job.arrival().isBefore(start) ? start : job.arrival(), job));
                }
            }
            if (prewarmed) {
                prewarm();
            }
            if (!reaperInterval.isZero()) {
                schedule(new Ev.Tick(start));
            }
            settle(start);
            while (!events.isEmpty() && !events.peek().ev().at().isAfter(until)) {
                now = events.peek().ev().at();
                while (!events.isEmpty() && events.peek().ev().at().equals(now)) {
                    apply(events.poll().ev());
                }
                settle(now);
                progress.accept(now);
                if (stopWhenQuiet && quiet()) {
                    end = now;
                    break;
                }
            }
            Map<String, PoolUsage> usage = new LinkedHashMap<>();
            for (PoolRun p : pools.values()) {
                for (Machine m : store.alive(p.pool.name())) {
                    account(p, m, end);
                }
                usage.put(p.pool.name(), new PoolUsage(p.pool.name(), p.launched, p.terminated, p.interrupted,
                        p.machineSeconds, p.stoppedSeconds, p.started));
            }
            return new SimResult(start, end, timeline, samples, List.copyOf(outcomes.values()), usage, paths);
        }

        /** No job left to arrive, wait or run, and nothing pending but reaper ticks and interruptions. */
        private boolean quiet() {
            if (running > 0 || pools.values().stream().anyMatch(p -> !p.queue.isEmpty()
                    || store.alive(p.pool.name()).stream().anyMatch(m -> m.state() == MachineState.LAUNCHING
                            || m.state() == MachineState.WARMING || m.state() == MachineState.STOPPING))) {
                return false;
            }
            return events.stream().allMatch(s -> s.ev() instanceof Ev.Tick || s.ev() instanceof Ev.Interrupt);
        }

        /** The world as a long-running pool has it: its idle target booted and idle, places reserved. */
        private void prewarm() {
            for (PoolRun p : pools.values()) {
                int target = Planner.idleTarget(periods.resolve(p.pool, start).idle(), 0);
                target = p.pool.limit() > 0 ? Math.min(target, p.pool.limit()) : target;
                if (target <= 0) {
                    continue;
                }
                Market market = Planner.marketFor(p.pool.market());
                store.reserve(p.pool.name(), target, p.pool.limit() > 0 ? p.pool.limit() : Integer.MAX_VALUE);
                for (Fleet.Launched l : fleet.launchUnsupplied(p.pool, target, market)) {
                    Machine m = new Machine(l.instanceId(), p.pool.name(), MachineState.LAUNCHING, market,
                            l.instanceType(), 0, start, start, Optional.empty());
                    store.put(m);
                    store.put(m.running(start));
                    p.launched++;
                    record(start, p.pool.name(), SimEvent.Kind.MACHINE_READY, l.instanceId(), null, "prewarmed");
                    scheduleInterruption(p, l.instanceId(), market, start);
                }
            }
        }

        private void apply(Ev ev) {
            switch (ev) {
                case Ev.Arrive a -> arrive(a);
                case Ev.Ready r -> {
                    PoolRun p = pools.get(r.pool());
                    store.find(r.instanceId()).filter(m -> m.state() == MachineState.LAUNCHING).ifPresent(m -> {
                        store.put(m.running(r.at()).withState(MachineState.IDLE, r.at(), Optional.empty()));
                        record(r.at(), p.pool.name(), SimEvent.Kind.MACHINE_READY, m.instanceId(), null, "");
                    });
                    // A refill booted to ready: it tags itself, and the next reaper pass stops it.
                    store.find(r.instanceId()).filter(m -> m.state() == MachineState.WARMING)
                            .ifPresent(m -> fleet.markReady(m.instanceId()));
                }
                case Ev.Finish f -> finish(f);
                case Ev.Interrupt i -> interrupt(i);
                case Ev.Tick t -> {
                    reaperPass = true;
                    Instant next = t.at().plus(reaperInterval);
                    if (!next.isAfter(until)) {
                        schedule(new Ev.Tick(next));
                    }
                }
                case Ev.Review r -> {
                    PoolRun p = pools.get(r.pool());
                    if (r.at().equals(p.reviewScheduled)) {
                        p.reviewScheduled = null;
                    }
                }
            }
        }

        private void arrive(Ev.Arrive a) {
            SimJob job = a.job();
            switch (matcher.match(job.forge(), job.labels())) {
                case MatchResult.Matched m -> {
                    PoolRun p = pools.get(m.pool().name());
                    p.queue.addLast(job);
                    outcomes.put(job.id(), new JobOutcome(job, Optional.of(p.pool.name()), Optional.empty(),
                            Optional.empty(), Optional.empty(), 0));
                    record(a.at(), p.pool.name(), SimEvent.Kind.JOB_QUEUED, job.id(), null, "");
                }
                case MatchResult.Unmatched u -> record(a.at(), "", SimEvent.Kind.JOB_UNMATCHED, job.id(), null,
                        u.reason() + ": " + u.detail());
            }
        }

        private void finish(Ev.Finish f) {
            PoolRun p = pools.get(f.pool());
            Optional<Machine> found = store.find(f.instanceId())
                    .filter(m -> m.state().isAlive() && m.jobId().filter(f.jobId()::equals).isPresent());
            if (found.isEmpty()) {
                return; // the machine was interrupted; the job was queued again
            }
            Machine m = found.get();
            Machine after = m.withBuildFinished(f.at());
            if (m.state() == MachineState.DRAINING) {
                after = after.withState(MachineState.DRAINING, f.at(), Optional.empty());
            }
            store.put(after);
            running--;
            JobOutcome o = outcomes.get(f.jobId());
            outcomes.put(f.jobId(), new JobOutcome(o.job(), o.pool(), o.instanceId(), o.started(),
                    Optional.of(f.at()), o.attempts(), o.path()));
            record(f.at(), p.pool.name(), SimEvent.Kind.JOB_FINISHED, f.jobId(), null, m.instanceId());
        }

        /** The spot warning, then EC2 taking the machine: both go through the planner as ec2-events does. */
        private void interrupt(Ev.Interrupt i) {
            PoolRun p = pools.get(i.pool());
            Optional<Machine> found = store.find(i.instanceId()).filter(m -> m.state().isAlive());
            if (found.isEmpty()) {
                return;
            }
            Machine m = found.get();
            executor.execute(p.pool.name(), planner.onInstanceNews(Optional.of(p.pool), m,
                    new InstanceNews.SpotNotice(true), i.at()), i.at());
            fleet.setState(m.instanceId(), "terminated");
            Machine drained = store.find(m.instanceId()).orElseThrow();
            executor.execute(p.pool.name(), planner.onInstanceNews(Optional.of(p.pool), drained,
                    new InstanceNews.StateChanged("terminated"), i.at()), i.at());
            if (m.jobId().isPresent() && (m.state() == MachineState.BUSY || m.state() == MachineState.DRAINING)) {
                running--;
                SimJob job = jobsById.get(m.jobId().get());
                p.queue.addFirst(job);
                record(i.at(), p.pool.name(), SimEvent.Kind.JOB_REQUEUED, job.id(), null, m.instanceId());
            }
        }

        /** After a batch of events: start what can start, then plan every pool until nothing changes. */
        private void settle(Instant now) {
            this.now = now;
            dispatch(now);
            for (PoolRun p : pools.values()) {
                for (int round = 0; round < 5; round++) {
                    // The reaper lists EC2: pools with a stopped pool get the listing on its passes (refills, ready
                    // refills stopped), as the reaper function does; the others plan as before.
                    Optional<List<Fleet.FleetInstance>> listing = reaperPass && p.pool.hasStoppedPool()
                            ? Optional.of(fleet.describeManaged().stream()
                                    .filter(i -> i.pool().equals(p.pool.name())).toList())
                            : Optional.empty();
                    Plan plan = planner.plan(new PoolState(p.pool, store.alive(p.pool.name()), p.queue.size(),
                            running, config.concurrent(), store.onDemandGrants(p.pool.name()),
                            store.bootFailures(p.pool.name()), listing), now);
                    int terminatedBefore = p.terminated;
                    executor.execute(p.pool, plan, now, Optional.empty());
                    recordHolds(p, plan, now);
                    plan.assessment().reviewAt().filter(t -> t.isAfter(now)).ifPresent(t -> review(p, t));
                    if (p.terminated == terminatedBefore) {
                        break;
                    }
                }
            }
            reaperPass = false;
            dispatch(now);
            for (PoolRun p : pools.values()) {
                sample(p, now);
            }
        }

        private void dispatch(Instant now) {
            while (true) {
                PoolRun chosen = null;
                Machine machine = null;
                for (PoolRun p : pools.values()) {
                    if (p.queue.isEmpty()) {
                        continue;
                    }
                    Optional<Machine> free = freeMachine(p);
                    if (free.isPresent() && (chosen == null
                            || p.queue.peekFirst().arrival().isBefore(chosen.queue.peekFirst().arrival()))) {
                        chosen = p;
                        machine = free.get();
                    }
                }
                if (chosen == null || (config.concurrent() > 0 && running >= config.concurrent())) {
                    return;
                }
                SimJob job = chosen.queue.pollFirst();
                BootPath path = machine.pathFor(job.arrival());
                paths.put(job.id(), path.id());
                store.put(machine.startedJob(job.id(), now, now));
                running++;
                JobOutcome o = outcomes.get(job.id());
                outcomes.put(job.id(), new JobOutcome(job, o.pool(), Optional.of(machine.instanceId()),
                        Optional.of(now), Optional.empty(), o.attempts() + 1, Optional.of(path)));
                record(now, chosen.pool.name(), SimEvent.Kind.JOB_STARTED, job.id(), null, machine.instanceId());
                schedule(new Ev.Finish(now.plus(job.duration()), chosen.pool.name(), machine.instanceId(), job.id()));
            }
        }

        /** The oldest idle machine that will still take a job (a runner stops at MaxBuilds). */
        private Optional<Machine> freeMachine(PoolRun p) {
            Machine best = null;
            for (Machine m : store.alive(p.pool.name())) {
                if (m.state() == MachineState.IDLE
                        && (p.pool.maxBuilds() <= 0 || m.buildsDone() < p.pool.maxBuilds())
                        && (best == null || m.launchedAt().isBefore(best.launchedAt())
                            || (m.launchedAt().equals(best.launchedAt())
                                && m.instanceId().compareTo(best.instanceId()) < 0))) {
                    best = m;
                }
            }
            return Optional.ofNullable(best);
        }

        /** Holds repeat on every plan while the cause lasts; the timeline shows when their reasons change. */
        private void recordHolds(PoolRun p, Plan plan, Instant now) {
            List<Reason> holds = plan.holds().stream().map(Action.Hold::reason).toList();
            if (!holds.equals(p.lastHolds)) {
                for (Action.Hold h : plan.holds()) {
                    record(now, p.pool.name(), SimEvent.Kind.HOLD, p.pool.name(), h.reason(), h.detail());
                }
                p.lastHolds = holds;
            }
        }

        /** A machine the executor launched: it boots, may be interrupted, and is reviewed at its boot timeout. */
        private void launched(PoolRun p, String id, Market market, Reason reason) {
            p.launched++;
            record(now, p.pool.name(), SimEvent.Kind.LAUNCH_REQUESTED, id, reason,
                    market.name().toLowerCase(Locale.ROOT));
            schedule(new Ev.Ready(now.plus(bootTimes.bootTime(p.pool, id)), p.pool.name(), id));
            scheduleInterruption(p, id, market, now);
            review(p, now.plus(p.pool.bootTimeout())); // the plan that launched it could not see it
        }

        /** A machine the executor recorded ended: EC2 taking it back is an interruption, the rest terminations. */
        private void ended(PoolRun p, String id, Reason reason) {
            store.find(id).ifPresent(m -> account(p, m, now));
            if (reason == Reason.INSTANCE_ENDED) {
                p.interrupted++;
                record(now, p.pool.name(), SimEvent.Kind.MACHINE_INTERRUPTED, id, null, "");
            } else {
                p.terminated++;
                record(now, p.pool.name(), SimEvent.Kind.MACHINE_TERMINATED, id, reason, "");
            }
        }

        /** The executor stopped a ready refill: EC2's stopped follows at once here, as ec2-events records it. */
        private void stopping(PoolRun p, String id) {
            store.find(id).filter(m -> m.state() == MachineState.STOPPING).ifPresent(m -> {
                store.put(m.withState(MachineState.STOPPED, now, Optional.empty()));
                p.stoppedSince.put(id, now);
                record(now, p.pool.name(), SimEvent.Kind.MACHINE_READY, id, Reason.POOL_REFILL, "stopped");
            });
        }

        /** The executor started a stopped machine: it is up after the start time, and reviewed at its boot timeout. */
        private void started(PoolRun p, String id) {
            p.started++;
            Instant since = p.stoppedSince.remove(id);
            if (since != null) {
                long s = Duration.between(since, now).toSeconds();
                p.stoppedSeconds += s;
                p.stoppedFor.merge(id, s, Long::sum);
            }
            record(now, p.pool.name(), SimEvent.Kind.LAUNCH_REQUESTED, id, Reason.STARTED_FROM_POOL, "start");
            schedule(new Ev.Ready(now.plus(startTime), p.pool.name(), id));
            review(p, now.plus(p.pool.bootTimeout()));
        }

        private void scheduleInterruption(PoolRun p, String id, Market market, Instant launchedAt) {
            interruptions.interruptAfter(p.pool, id, market)
                    .ifPresent(d -> schedule(new Ev.Interrupt(launchedAt.plus(d), p.pool.name(), id)));
        }

        private void review(PoolRun p, Instant at) {
            if (p.reviewScheduled == null || at.isBefore(p.reviewScheduled)) {
                p.reviewScheduled = at;
                schedule(new Ev.Review(at, p.pool.name()));
            }
        }

        private void sample(PoolRun p, Instant now) {
            int launching = 0;
            int idle = 0;
            int busy = 0;
            int draining = 0;
            int stopped = 0;
            for (Machine m : store.alive(p.pool.name())) {
                switch (m.state()) {
                    case LAUNCHING -> launching++;
                    case IDLE -> idle++;
                    case BUSY -> busy++;
                    case DRAINING -> draining++;
                    case WARMING, STOPPING, STOPPED -> stopped++;
                    case TERMINATED -> { }
                }
            }
            Sample s = new Sample(now, p.pool.name(), p.queue.size(), launching, idle, busy, draining, stopped);
            Sample last = p.lastSample;
            if (last == null || last.queued() != s.queued() || last.launching() != s.launching()
                    || last.idle() != s.idle() || last.busy() != s.busy() || last.draining() != s.draining()
                    || last.stopped() != s.stopped()) {
                samples.add(s);
                p.lastSample = s;
            }
        }

        /** A machine's life, split into what it ran (billed as an instance) and what it spent stopped (its volume). */
        private void account(PoolRun p, Machine m, Instant end) {
            Instant since = p.stoppedSince.remove(m.instanceId());
            if (since != null) {
                long s = Math.max(0, Duration.between(since, end).toSeconds());
                p.stoppedSeconds += s;
                p.stoppedFor.merge(m.instanceId(), s, Long::sum);
            }
            long seconds = Math.max(0, Duration.between(m.launchedAt(), end).toSeconds()
                    - p.stoppedFor.getOrDefault(m.instanceId(), 0L));
            p.machineSeconds.merge(m.market(), seconds, Long::sum);
        }

        private void schedule(Ev ev) {
            events.add(new Scheduled(ev, seq++));
        }

        private void record(Instant at, String pool, SimEvent.Kind kind, String subject, Reason reason,
                            String detail) {
            timeline.add(new SimEvent(at, pool, kind, subject, Optional.ofNullable(reason), detail));
        }

        /**
         * The cloud of the simulation: instances named {@code <pool>-<n>}, launched at the virtual time; and the
         * property every run checks, that nothing terminates a machine while it runs a job.
         */
        private final class SimFleet extends InMemoryFleet {
            SimFleet() {
                super(() -> now, pool -> pool.name() + "-" + (++pools.get(pool.name()).sequence));
            }

            @Override
            public synchronized void terminate(Collection<String> instanceIds) {
                for (String id : instanceIds) {
                    store.find(id).filter(m -> m.state() == MachineState.BUSY).ifPresent(m -> {
                        throw new IllegalStateException("busy machine " + id + " terminated at " + now);
                    });
                }
                super.terminate(instanceIds);
            }
        }

        /** The executor's log as the timeline: launches, terminations and drains with their reasons. */
        private final class Observer implements EventLog {
            @Override
            public void info(String event, Map<String, ?> fields) {
                PoolRun p = pools.get(String.valueOf(fields.get("pool")));
                if (p == null) {
                    return;
                }
                String id = String.valueOf(fields.get("instance"));
                switch (event) {
                    case "machine.launched" -> launched(p, id, Market.valueOf(String.valueOf(fields.get("market"))),
                            Reason.valueOf(String.valueOf(fields.get("reason"))));
                    case "machine.terminated" -> ended(p, id, Reason.valueOf(String.valueOf(fields.get("reason"))));
                    case "machine.draining" -> record(now, p.pool.name(), SimEvent.Kind.MACHINE_DRAINING, id,
                            Reason.valueOf(String.valueOf(fields.get("reason"))), "");
                    case "machine.stopping" -> stopping(p, id);
                    case "machine.started" -> started(p, id);
                    default -> { }
                }
            }

            @Override
            public void warn(String event, Map<String, ?> fields) {
                if (event.equals("machine.terminate_skipped")) {
                    throw new IllegalStateException("planner chose busy machine " + fields.get("instance")
                            + " for termination at " + now);
                }
                if (event.equals("machine.terminated")) {
                    info(event, fields);
                }
            }
        }
    }
}
