package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Reason;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.runner.RunnerRegistrations;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Carries out a {@link Plan}: the one place that launches, drains and terminates machines, and logs each
 * action with its reason.
 */
public final class PlanExecutor {

    /** Tag naming the job a machine was launched for. */
    public static final String JOB_TAG = "runner-scaler:job";

    private final Fleet fleet;
    private final MachineStore machines;
    private final RunnerRegistrations runners;
    private final EventLog log;
    private final Metrics metrics;

    public PlanExecutor(Fleet fleet, MachineStore machines, RunnerRegistrations runners, EventLog log,
                        Metrics metrics) {
        this.fleet = fleet;
        this.machines = machines;
        this.runners = runners;
        this.log = log;
        this.metrics = metrics;
    }

    /**
     * @param forJob the job whose event led to this plan, tagged on the first machine launched
     */
    public void execute(PoolConfig pool, Plan plan, Instant now, Optional<String> forJob) {
        execute(pool, plan, now, forJob, () -> true);
    }

    /**
     * @param inTime whether there is time for one more termination (each re-checks the forge, deregisters,
     *               terminates and writes the table); once it says no, the plan's other terminations are
     *               left to the next pass, which plans them again from the table and EC2, so a function that
     *               has a timeout stops cleanly between machines instead of in the middle of one
     */
    public void execute(PoolConfig pool, Plan plan, Instant now, Optional<String> forJob, BooleanSupplier inTime) {
        int deferred = 0;
        for (Action action : plan.actions()) {
            if (action instanceof Action.Terminate && (deferred > 0 || !inTime.getAsBoolean())) {
                deferred++;
                continue;
            }
            switch (action) {
                case Action.Launch l -> launch(pool, l, now, forJob);
                case Action.Terminate t -> terminate(pool, t, now);
                case Action.Drain d -> drain(pool, d, now);
                case Action.Hold h -> log.info("plan.hold", fields(pool, Map.of("reason", h.reason().name(),
                        "detail", h.detail())));
            }
        }
        if (deferred > 0) {
            log.warn("plan.terminations_deferred", fields(pool, Map.of("count", deferred,
                    "reason", "OUT_OF_TIME", "detail", "left to the next pass")));
        }
    }

    private void launch(PoolConfig pool, Action.Launch l, Instant now, Optional<String> forJob) {
        int granted = machines.reserve(pool.name(), l.count(), pool.limit());
        if (granted < l.count()) {
            // Another invocation took the places between our snapshot and now: the limit holds.
            log.info("plan.hold", fields(pool, Map.of("reason", "LIMIT_REACHED",
                    "detail", (l.count() - granted) + " of " + l.count() + " not launched: pool is at its limit")));
        }
        if (granted == 0) {
            return;
        }
        // Only a launch for waiting jobs is for this job; idle top-ups belong to no job.
        Optional<String> job = l.reason() == Reason.JOBS_WAITING ? forJob : Optional.empty();
        Map<String, String> tags = job.map(j -> Map.of(JOB_TAG, j)).orElse(Map.of());
        // Jobs retried after a spot interruption asked for on-demand machines: spend those grants first.
        int onDemand = l.market() == Market.SPOT && l.reason() == Reason.JOBS_WAITING
                ? machines.takeOnDemand(pool.name(), granted) : 0;
        Fleet.LaunchResult result;
        try {
            result = onDemand == 0 ? fleet.launch(pool, granted, l.market(), tags)
                    : combine(fleet.launch(pool, onDemand, Market.ON_DEMAND, tags), granted - onDemand == 0 ? null
                            : fleet.launch(pool, granted - onDemand, l.market(), tags));
        } catch (RuntimeException e) {
            machines.release(pool.name(), granted);
            throw e;
        }
        recordOrUndo(pool, l, result, now, job);
        machines.release(pool.name(), granted - result.launched().size());
        for (Fleet.Launched launched : result.launched()) {
            if (runners.handOff(pool, launched.instanceId(), now.plus(pool.bootTimeout()))
                    instanceof RunnerRegistrations.HandOff.Failed failed) {
                // Without its registration the machine can do nothing (and would shut itself down later).
                fleet.terminate(List.of(launched.instanceId()));
                machines.find(launched.instanceId()).ifPresent(m -> machines.markTerminated(m, now));
                log.warn("machine.terminated", fields(pool, Map.of("instance", launched.instanceId(),
                        "reason", "REGISTRATION_FAILED", "detail", failed.reason())));
            }
        }
        metrics.count("MachinesLaunched", Map.of("Pool", pool.name(), "Forge", pool.forge().id()),
                result.launched().size());
        result.failure().ifPresent(failure -> {
            metrics.count("LaunchFailures", Map.of("Pool", pool.name(), "Reason", failure.kind().name()),
                    result.requested() - result.launched().size());
            log.warn("machine.launch_failed", fields(pool, Map.of("reason", failure.kind().name(), "code",
                    failure.code(), "requested", result.requested(), "launched", result.launched().size())));
        });
    }

    /**
     * Records each launched machine, first thing after CreateFleet, so the table knows every instance it paid
     * for. If the table cannot be written, the instances not yet recorded are terminated at once and the failure
     * goes up so the job is planned again: an instance nobody records would otherwise run until reconciliation
     * ends it as an orphan. Their places are not given back here: a write that failed on the way back may have
     * been made, and then reconciliation gives the place back when it sees the instance gone; otherwise the
     * reservation audit does. Giving back too late only delays a launch; giving back twice could pass the limit.
     */
    private void recordOrUndo(PoolConfig pool, Action.Launch l, Fleet.LaunchResult result, Instant now,
                              Optional<String> job) {
        var unrecorded = new java.util.ArrayList<>(result.launched().stream().map(Fleet.Launched::instanceId).toList());
        boolean first = true;
        try {
            for (Fleet.Launched launched : result.launched()) {
                Optional<String> forThis = first ? job : Optional.empty();
                first = false;
                machines.put(new Machine(launched.instanceId(), pool.name(), MachineState.LAUNCHING,
                        launched.market(), launched.instanceType(), 0, now, now, forThis));
                unrecorded.remove(launched.instanceId());
                var f = new LinkedHashMap<String, Object>();
                f.put("instance", launched.instanceId());
                f.put("market", launched.market().name());
                f.put("instanceType", launched.instanceType());
                f.put("reason", l.reason().name());
                forThis.ifPresent(j -> f.put("job", j));
                log.info("machine.launched", fields(pool, f));
            }
        } catch (RuntimeException e) {
            String undo;
            try {
                fleet.terminate(unrecorded);
                undo = "terminated";
            } catch (RuntimeException cleanupFailed) {
                undo = "left to reconciliation (" + cleanupFailed.getClass().getSimpleName() + ")";
            }
            log.warn("machine.record_failed", fields(pool, Map.of("instances", String.join(",", unrecorded),
                    "error", e.getClass().getSimpleName(), "undo", undo)));
            throw e;
        }
    }

    private static Fleet.LaunchResult combine(Fleet.LaunchResult first, Fleet.LaunchResult second) {
        if (second == null) {
            return first;
        }
        var launched = new java.util.ArrayList<>(first.launched());
        launched.addAll(second.launched());
        return new Fleet.LaunchResult(launched, first.requested() + second.requested(),
                first.failure().or(second::failure));
    }

    private void terminate(PoolConfig pool, Action.Terminate t, Instant now) {
        Optional<Machine> current = machines.find(t.instanceId());
        if (current.isEmpty() || current.get().state() == MachineState.TERMINATED) {
            return;
        }
        if (current.get().state() == MachineState.BUSY) {
            // The plan was made from a snapshot; the machine took a job since. Never kill a busy runner.
            log.warn("machine.terminate_skipped", fields(pool, Map.of("instance", t.instanceId(),
                    "reason", "BUSY_SINCE_PLANNED")));
            return;
        }
        // Ask the forge too: it knows about a job the webhook has not told us of yet; then deregister.
        RunnerRegistrations.Release release = runners.release(pool, t.instanceId());
        if (!release.mayTerminate()) {
            log.info("machine.terminate_deferred", fields(pool, Map.of("instance", t.instanceId(),
                    "reason", release.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT))));
            return;
        }
        fleet.terminate(List.of(t.instanceId()));
        if (!machines.markTerminated(current.get(), now)) {
            return;
        }
        metrics.count("MachinesTerminated", Map.of("Pool", pool.name(), "Reason", t.reason().name()));
        log.info("machine.terminated", fields(pool, Map.of("instance", t.instanceId(), "reason", t.reason().name())));
    }

    private void drain(PoolConfig pool, Action.Drain d, Instant now) {
        machines.find(d.instanceId()).filter(m -> m.state().isAlive() && m.state() != MachineState.DRAINING)
                .ifPresent(m -> {
                    machines.put(m.withState(MachineState.DRAINING, now, m.jobId()));
                    log.info("machine.draining", fields(pool, Map.of("instance", d.instanceId(),
                            "reason", d.reason().name())));
                });
    }

    static Map<String, Object> fields(PoolConfig pool, Map<String, ?> more) {
        var f = new LinkedHashMap<String, Object>();
        f.put("pool", pool.name());
        f.putAll(more);
        return f;
    }
}
