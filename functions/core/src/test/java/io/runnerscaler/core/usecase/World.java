package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.memory.InMemoryFleet;
import io.runnerscaler.core.memory.InMemoryImageIds;
import io.runnerscaler.core.memory.InMemoryJobLedger;
import io.runnerscaler.core.memory.InMemoryMachineStore;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobRetry;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.RunnerRegistry;
import io.runnerscaler.core.runner.RunnerRegistrations;
import io.runnerscaler.core.runner.UnmanagedRunners;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The use cases wired as App wires them, over the in-memory adapters: the real planner and executor, a clock the
 * test moves, and the log lines and metrics they wrote.
 */
final class World {

    static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    /** One pool, docker+machine style: idle 0 unless the test says, limit 3, spot with fallback. */
    static final String POOL = """
            pools:
              - name: docker
                labels: [docker]
                runUntagged: true
                instanceTypes: [m7i.large]
                launchTemplate: lt
                market: spot-with-fallback
                limit: 3
                idleTime: 5m
                bootTimeout: 10m
            """;

    final MovableClock clock = new MovableClock(T0);
    final InMemoryMachineStore machines = new InMemoryMachineStore();
    final InMemoryFleet fleet = new InMemoryFleet(clock::instant);
    final InMemoryJobLedger ledger = new InMemoryJobLedger();
    final InMemoryImageIds images = new InMemoryImageIds();
    /** The image of the stack's runner template, as the reaper is told it. */
    Optional<String> stackImage = Optional.empty();
    final List<String> lines = new ArrayList<>();
    final List<String> metricLines = new ArrayList<>();
    final Planner planner = new Planner();
    final AtomicReference<ScalerConfig> config;
    final EventLog log = new EventLog() {
        @Override
        public void info(String event, Map<String, ?> fields) {
            lines.add(event + " " + fields);
        }

        @Override
        public void warn(String event, Map<String, ?> fields) {
            lines.add(event + " " + fields);
        }
    };
    final Metrics metrics = new Metrics() {
        @Override
        public void count(String name, Map<String, String> dimensions, double value) {
            metricLines.add(name + " " + new java.util.TreeMap<>(dimensions) + " " + (int) value);
        }

        @Override
        public void milliseconds(String name, Map<String, String> dimensions, double millis) {
            metricLines.add(name + " " + new java.util.TreeMap<>(dimensions) + " " + (long) millis + " ms");
        }
    };
    RunnerRegistry gitlab = new UnmanagedRunners(Forge.GITLAB);
    JobRetry retry = JobRetry.NOT_CONFIGURED;

    World() {
        this(POOL);
    }

    World(String yaml) {
        this.config = new AtomicReference<>(new ConfigLoader().parse(yaml));
    }

    PoolConfig pool() {
        return config.get().pool("docker").orElseThrow();
    }

    PlanExecutor executor() {
        return new PlanExecutor(planner, fleet, machines, new RunnerRegistrations(List.of(gitlab,
                new UnmanagedRunners(Forge.GITHUB)), BootstrapSecrets.NONE, log), log, metrics);
    }

    JobEvents jobEvents() {
        return new JobEvents(config::get, ledger, machines, planner, executor(), retry, clock, log, metrics);
    }

    Reaper reaper() {
        return new Reaper(config::get, ledger, machines, fleet, planner, executor(), clock, metrics, MissedJobs.none(),
                log, images, stackImage);
    }

    InstanceEvents instanceEvents() {
        return new InstanceEvents(config::get, machines, ledger, planner, executor(), clock, log, metrics);
    }

    static JobEvent job(String id, JobStatus status) {
        return new JobEvent(Forge.GITLAB, id, "group/app", status, Set.of(), Optional.empty(), "d-" + id + status,
                T0, Optional.empty(), Optional.empty());
    }

    /** Log lines of one event, e.g. {@code machine.terminated}. */
    List<String> logged(String event) {
        return lines.stream().filter(l -> l.startsWith(event + " ")).toList();
    }

    /** The ledger it wraps, except that reading one job fails, as a DynamoDB outage would. */
    static final class FailingFinds implements io.runnerscaler.core.port.JobLedger {
        private final io.runnerscaler.core.port.JobLedger ledger;

        FailingFinds(io.runnerscaler.core.port.JobLedger ledger) {
            this.ledger = ledger;
        }

        @Override
        public Transition record(JobEvent event, Optional<String> pool, Instant now) {
            return ledger.record(event, pool, now);
        }

        @Override
        public Optional<Job> find(String jobKey) {
            throw new IllegalStateException("table unreachable");
        }

        @Override
        public List<Job> inStatus(String pool, io.runnerscaler.core.model.JobStatus status) {
            return ledger.inStatus(pool, status);
        }

        @Override
        public List<Job> unmatched(io.runnerscaler.core.model.JobStatus status) {
            return ledger.unmatched(status);
        }

        @Override
        public boolean assignPool(String jobKey, String pool, io.runnerscaler.core.model.JobStatus status) {
            return ledger.assignPool(jobKey, pool, status);
        }

        @Override
        public void markInterrupted(String jobKey) {
            ledger.markInterrupted(jobKey);
        }

        @Override
        public boolean claimRetry(String jobKey, int max) {
            return ledger.claimRetry(jobKey, max);
        }
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
