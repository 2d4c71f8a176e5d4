package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.Reason;
import io.runnerscaler.core.port.Capacity;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.RunnerRegistry;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.runner.RunnerRegistrations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Carries out a {@link Plan}: the one place that launches, drains, terminates and records machines as ended,
 * and logs and counts each action with its reason. It decides nothing: where the outcome of a step calls for
 * another (spot fell short, fewer on-demand grants than planned, a registration failed), it reports the
 * outcome to the {@link Planner} and carries out what that returns.
 */
public final class PlanExecutor {

    /** Tag naming the job a machine was launched for. */
    public static final String JOB_TAG = "runner-scaler:job";

    private final Planner planner;
    private final Fleet fleet;
    private final MachineStore machines;
    private final RunnerRegistrations runners;
    private final EventLog log;
    private final Metrics metrics;

    public PlanExecutor(Fleet fleet, MachineStore machines, RunnerRegistrations runners, EventLog log,
                        Metrics metrics) {
        this(new Planner(), fleet, machines, runners, log, metrics);
    }

    /** @param planner asked again when a step's outcome calls for another step */
    public PlanExecutor(Planner planner, Fleet fleet, MachineStore machines, RunnerRegistrations runners,
                        EventLog log, Metrics metrics) {
        this.planner = planner;
        this.fleet = fleet;
        this.machines = machines;
        this.runners = runners;
        this.log = log;
        this.metrics = metrics;
    }

    /** The forge steps of machines' lives, for use cases that need to know a pool's runner. */
    public RunnerRegistrations runners() {
        return runners;
    }

    /**
     * @param forJob the job whose event led to this plan, tagged on the first machine launched for jobs
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
        run(pool, plan, now, forJob, inTime, null);
    }

    /**
     * Carries out a plan made from the pool's counters read at capacity {@code version}: its reservations are made
     * only while the capacity is still as read (counting this plan's own), and its starts claim their stopped
     * machines first. When another invocation changed the pool in between, nothing more is done.
     *
     * @return false when the pool changed since its counters were read: read them and plan again
     */
    public boolean execute(PoolConfig pool, Plan plan, Instant now, Optional<String> forJob, long version) {
        return execute(pool, plan, now, forJob, () -> true, version);
    }

    /** {@link #execute(PoolConfig, Plan, Instant, Optional, long)} within a time budget, as the reaper's pass runs. */
    public boolean execute(PoolConfig pool, Plan plan, Instant now, Optional<String> forJob, BooleanSupplier inTime,
                           long version) {
        try {
            run(pool, plan, now, forJob, inTime, new Expected(version));
            return true;
        } catch (CapacityChanged changed) {
            log.info("plan.superseded", fields(pool.name(), Map.of("reason", changed.getMessage())));
            return false;
        }
    }

    /** The capacity version a counted plan expects, moved on by the plan's own reservations and releases. */
    private static final class Expected {
        long version;

        Expected(long version) {
            this.version = version;
        }
    }

    /** A machine this plan ended moved the capacity version on by one, as its own reservations do. */
    private static void ownEnd(Expected expected, boolean ended) {
        if (ended && expected != null) {
            expected.version++;
        }
    }

    /** The pool changed since the counters a plan was made from were read. */
    private static final class CapacityChanged extends RuntimeException {
        CapacityChanged(String what) {
            super(what, null, false, false);
        }
    }

    private void run(PoolConfig pool, Plan plan, Instant now, Optional<String> forJob, BooleanSupplier inTime,
                     Expected expected) {
        int deferred = 0;
        Optional<String> jobLeft = forJob;
        for (Action action : plan.actions()) {
            boolean terminates = action instanceof Action.Terminate || action instanceof Action.Discard;
            if (terminates && (deferred > 0 || !inTime.getAsBoolean())) {
                deferred++;
                continue;
            }
            switch (action) {
                case Action.Launch l -> launch(pool, l, now, jobLeft, expected);
                case Action.Start st -> {
                    if (start(pool, st, now, jobLeft, expected)) {
                        jobLeft = Optional.empty();
                    }
                }
                case Action.Stop st -> stop(pool.name(), st, now);
                case Action.Terminate t -> ownEnd(expected, terminate(pool, t, now));
                case Action.Discard d -> ownEnd(expected, discard(pool.name(), d, machines.find(d.instanceId()), now));
                case Action.Ended e -> ownEnd(expected, ended(pool.name(), e, now));
                case Action.Drain d -> drain(pool.name(), d, now);
                case Action.ResetBootFailures r -> {
                    machines.resetBootFailures(pool.name());
                    log.info("pool.boot_failures_reset", fields(pool.name(), Map.of("instance", r.instanceId(),
                            "reason", r.reason().name())));
                }
                case Action.Hold h -> hold(pool, h);
            }
        }
        if (deferred > 0) {
            log.warn("plan.terminations_deferred", fields(pool.name(), Map.of("count", deferred,
                    "reason", "OUT_OF_TIME", "detail", "left to the next pass")));
        }
    }

    /**
     * Carries out actions on recorded machines that need no pool settings, for EC2's news about one machine
     * ({@link Planner#onInstanceNews}) and for the instances of a pool no longer configured: {@link Action.Discard},
     * {@link Action.Ended} and {@link Action.Drain}.
     */
    public void execute(String pool, List<Action> actions, Instant now) {
        for (Action action : actions) {
            switch (action) {
                case Action.Discard d -> discard(pool, d, machines.find(d.instanceId()), now);
                case Action.Ended e -> ended(pool, e, now);
                case Action.Drain d -> drain(pool, d, now);
                case Action.Stop st -> stop(pool, st, now);
                default -> throw new IllegalArgumentException("pool '" + pool + "': " + action
                        + " needs the pool's settings");
            }
        }
    }

    private void hold(PoolConfig pool, Action.Hold h) {
        log.info("plan.hold", fields(pool.name(), Map.of("reason", h.reason().name(), "detail", h.detail())));
        if (h.reason() == Reason.BOOT_FAILURES) {
            metrics.count("PoolBackoff", Map.of("Pool", pool.name()));
        }
    }

    /**
     * Reserves the places, then launches step by step: a launch for on-demand grants first takes the grants, a
     * spot launch is followed by whatever the planner makes of the fleet's answer. Places not used are given
     * back at the end.
     */
    private void launch(PoolConfig pool, Action.Launch wanted, Instant now, Optional<String> forJob,
                        Expected expected) {
        RunnerRegistry.Allowance allowance = runners.registrations(pool, wanted.count());
        Optional<Action.Launch> allowed = planner.withinRegistrations(wanted, allowance.granted());
        if (allowance.granted() < wanted.count()) {
            log.info("plan.hold", fields(pool.name(), Map.of("reason", Reason.FORGE_RATE_LIMIT.name(), "detail",
                    (wanted.count() - allowance.granted()) + " of " + wanted.count() + " not launched: the forge's API"
                            + " budget registers no more before " + now.plus(allowance.retryAfter()))));
            boolean forThisJob = wanted.reason() == Reason.JOBS_WAITING || wanted.reason() == Reason.RETRY_ON_DEMAND;
            if (allowed.isEmpty() && forThisJob && forJob.isPresent()) {
                // Handed to the caller: scale-up brings the job back once the budget has room (SQS, not a sleep).
                throw new ForgeException.RateLimited("pool '" + pool.name() + "': no machine launched for "
                        + forJob.get() + ": the forge's API budget registers no more runners now (retry after "
                        + allowance.retryAfter().toSeconds() + "s)", 429, allowance.retryAfter());
            }
        }
        if (allowed.isEmpty()) {
            return;
        }
        Action.Launch planned = allowed.get();
        int granted;
        if (expected == null) {
            granted = machines.reserve(pool.name(), planned.count(), pool.limit());
        } else {
            granted = machines.reserve(pool.name(), planned.count(), pool.limit(), expected.version);
            if (granted == Capacity.CHANGED) {
                throw new CapacityChanged("the pool's capacity changed since its counters were read");
            }
            if (granted > 0) {
                expected.version++;
            }
        }
        if (granted < planned.count()) {
            // Another invocation took the places between our snapshot and now: the limit holds.
            log.info("plan.hold", fields(pool.name(), Map.of("reason", Reason.LIMIT_REACHED.name(), "detail",
                    (planned.count() - granted) + " of " + planned.count() + " not launched: pool is at its limit")));
        }
        if (granted == 0) {
            return;
        }
        // Only a launch for waiting jobs is for this job; idle top-ups and refills belong to no job.
        var job = new ArrayList<String>();
        if (planned.reason() == Reason.JOBS_WAITING || planned.reason() == Reason.RETRY_ON_DEMAND
                || planned.reason() == Reason.START_FAILED) {
            forJob.ifPresent(job::add);
        }
        int unused = granted;
        Fleet.LaunchResult last = null;
        Optional<Action.Launch> step = Optional.of(new Action.Launch(granted, planned.market(), planned.reason()));
        while (step.isPresent()) {
            Action.Launch l = step.get();
            if (l.reason() == Reason.RETRY_ON_DEMAND) {
                int taken = machines.takeOnDemand(pool.name(), l.count());
                step = planner.afterGrants(pool, l, taken);
                if (taken == 0) {
                    continue;
                }
                l = new Action.Launch(taken, l.market(), l.reason());
            }
            Fleet.LaunchResult result;
            try {
                result = l.reason() == Reason.POOL_REFILL
                        ? fleet.launchStoppable(pool, l.count(), l.market(), Map.of(Fleet.REFILL_TAG, "true"))
                        : fleet.launch(pool, l.count(), l.market(),
                                job.isEmpty() ? Map.of() : Map.of(JOB_TAG, job.getFirst()));
            } catch (RuntimeException e) {
                machines.release(pool.name(), unused);
                throw e;
            }
            recordOrUndo(pool, l, result, now, job);
            unused -= result.launched().size();
            if (l.reason() != Reason.POOL_REFILL) {
                // A refill registers nothing: its registration is made when it is started for a job.
                handOff(pool, result, now);
            }
            logErrors(pool, l, result);
            last = result;
            if (l.reason() != Reason.RETRY_ON_DEMAND) {
                step = planner.afterLaunch(pool, l, result.launched().size(), result.capacityError());
            }
        }
        machines.release(pool.name(), unused);
        if (unused > 0 && expected != null) {
            expected.version++;
        }
        if (unused > 0 && last != null) {
            Fleet.LaunchFailure why = last.failure().orElse(new Fleet.LaunchFailure(Fleet.LaunchFailure.Kind.OTHER,
                    "NoInstances", "the fleet returned fewer instances"));
            metrics.count("LaunchFailures", Map.of("Pool", pool.name(), "Reason", why.kind().name()), unused);
        }
    }

    /**
     * Each launched machine is counted with its reason; every error the fleet reported for the launch is logged and
     * counted by kind ({@code FleetErrors}), also those of overrides that failed beside others that launched.
     */
    private void logErrors(PoolConfig pool, Action.Launch l, Fleet.LaunchResult result) {
        metrics.count("MachinesLaunched", Map.of("Pool", pool.name(), "Forge", pool.forge().id(),
                "Reason", l.reason().name()), result.launched().size());
        if (result.errors().isEmpty() && result.missing() == 0) {
            return;
        }
        for (Fleet.LaunchFailure error : result.errors()) {
            metrics.count("FleetErrors", Map.of("Pool", pool.name(), "Reason", error.kind().name()));
        }
        var f = new LinkedHashMap<String, Object>();
        f.put("reason", result.failure().map(e -> e.kind().name()).orElse("OTHER"));
        f.put("code", result.failure().map(Fleet.LaunchFailure::code).orElse("NoInstances"));
        f.put("codes", String.join(",", result.errors().stream().map(Fleet.LaunchFailure::code).toList()));
        f.put("market", l.market().name());
        f.put("requested", result.requested());
        f.put("launched", result.launched().size());
        if (result.missing() > 0) {
            log.warn("machine.launch_failed", fields(pool.name(), f));
        } else {
            log.info("fleet.errors", fields(pool.name(), f));
        }
    }

    /** Each launched machine's runner gets its registration; a machine whose hand-off failed is the planner's. */
    private void handOff(PoolConfig pool, Fleet.LaunchResult result, Instant now) {
        for (Fleet.Launched launched : result.launched()) {
            handOff(pool, new Machine(launched.instanceId(), pool.name(), MachineState.LAUNCHING,
                    launched.market(), launched.instanceType(), 0, now, now, Optional.empty()), now);
        }
    }

    private void handOff(PoolConfig pool, Machine recorded, Instant now) {
        if (runners.handOff(pool, recorded.instanceId(), now.plus(pool.bootTimeout()))
                instanceof RunnerRegistrations.HandOff.Failed failed) {
            Action.Discard d = (Action.Discard) planner.registrationFailed(pool, recorded.instanceId());
            discard(pool.name(), d, Optional.of(recorded), now, failed.reason());
        }
    }

    /**
     * Starts a machine of the stopped pool: one StartInstances call, then the record (LAUNCHING again, since now)
     * and its registration, made now and never at refill (a GitHub JIT config is generated here). If EC2 refuses,
     * the planner says what to launch instead. Returns whether the machine was started (and took {@code forJob}).
     */
    private boolean start(PoolConfig pool, Action.Start st, Instant now, Optional<String> forJob, Expected expected) {
        Optional<Machine> current = machines.find(st.instanceId())
                .filter(m -> m.state() == MachineState.STOPPED || m.state() == MachineState.STOPPING);
        Optional<Machine> started = current.map(m -> m.startedFromPool(now, forJob));
        // The record is claimed first, so two invocations never start the same machine for two jobs.
        if (started.isEmpty() || !machines.transition(current.get(), started.get())) {
            if (expected != null) {
                throw new CapacityChanged("stopped machine " + st.instanceId() + " was taken since planned");
            }
            log.info("machine.start_skipped", fields(pool.name(), Map.of("instance", st.instanceId(),
                    "reason", "NOT_STOPPED_SINCE_PLANNED")));
            return false;
        }
        Optional<Fleet.LaunchFailure> refused = fleet.start(st.instanceId());
        if (refused.isPresent()) {
            // Back to the pool as it was: it is tried again at the next start.
            machines.transition(started.get(), current.get());
            Fleet.LaunchFailure why = refused.get();
            metrics.count("StartFailures", Map.of("Pool", pool.name(), "Reason", why.kind().name()));
            log.warn("machine.start_failed", fields(pool.name(), Map.of("instance", st.instanceId(),
                    "reason", why.kind().name(), "code", why.code())));
            planner.afterStart(pool, st, why).ifPresent(l -> launch(pool, l, now, forJob, expected));
            return false;
        }
        metrics.count("MachinesStarted", Map.of("Pool", pool.name(), "Reason", st.reason().name()));
        var f = new LinkedHashMap<String, Object>();
        f.put("instance", st.instanceId());
        f.put("reason", st.reason().name());
        forJob.ifPresent(j -> f.put("job", j));
        log.info("machine.started", fields(pool.name(), f));
        handOff(pool, started.get(), now);
        return true;
    }

    /**
     * Stops a refill that booted to ready. The record says STOPPING before the call, so EC2's {@code stopping} and
     * {@code stopped} about it are expected whenever they come; a call that did not take is asked again by the
     * planner when EC2 still lists the instance running.
     */
    private void stop(String pool, Action.Stop st, Instant now) {
        Optional<Machine> current = machines.find(st.instanceId())
                .filter(m -> m.state() == MachineState.WARMING || m.state() == MachineState.STOPPING);
        if (current.isEmpty()) {
            return;
        }
        if (current.get().state() == MachineState.WARMING) {
            machines.put(current.get().withState(MachineState.STOPPING, now, Optional.empty()));
        }
        fleet.stop(List.of(st.instanceId()));
        log.info("machine.stopping", fields(pool, Map.of("instance", st.instanceId(), "reason", st.reason().name())));
    }

    /**
     * Records each launched machine, first thing after CreateFleet, so the table knows every instance it paid
     * for. If the table cannot be written, the instances not yet recorded are discarded at once as the planner
     * says ({@link Planner#recordFailed}) and the failure goes up so the job is planned again: an instance nobody records would otherwise run until reconciliation
     * ends it as an orphan. Their places are not given back here: a write that failed on the way back may have
     * been made, and then reconciliation gives the place back when it sees the instance gone; otherwise the
     * reservation audit does. Giving back too late only delays a launch; giving back twice could pass the limit.
     *
     * @param job the job to tag on the first machine recorded, taken from the list when used
     */
    private void recordOrUndo(PoolConfig pool, Action.Launch l, Fleet.LaunchResult result, Instant now,
                              List<String> job) {
        var unrecorded = new ArrayList<>(result.launched().stream().map(Fleet.Launched::instanceId).toList());
        try {
            for (Fleet.Launched launched : result.launched()) {
                Optional<String> forThis = job.isEmpty() ? Optional.empty() : Optional.of(job.removeFirst());
                MachineState first = l.reason() == Reason.POOL_REFILL ? MachineState.WARMING : MachineState.LAUNCHING;
                machines.put(new Machine(launched.instanceId(), pool.name(), first,
                        launched.market(), launched.instanceType(), 0, now, now, forThis));
                unrecorded.remove(launched.instanceId());
                var f = new LinkedHashMap<String, Object>();
                f.put("instance", launched.instanceId());
                f.put("market", launched.market().name());
                f.put("instanceType", launched.instanceType());
                f.put("reason", l.reason().name());
                forThis.ifPresent(j -> f.put("job", j));
                log.info("machine.launched", fields(pool.name(), f));
            }
        } catch (RuntimeException e) {
            String undo = "terminated";
            for (String id : unrecorded) {
                try {
                    discard(pool.name(), (Action.Discard) planner.recordFailed(pool, id), Optional.empty(), now,
                            "its record could not be written (" + e.getClass().getSimpleName() + ")");
                } catch (RuntimeException cleanupFailed) {
                    undo = "left to reconciliation (" + cleanupFailed.getClass().getSimpleName() + ")";
                }
            }
            log.warn("machine.record_failed", fields(pool.name(), Map.of("instances", String.join(",", unrecorded),
                    "error", e.getClass().getSimpleName(), "undo", undo)));
            throw e;
        }
    }

    /** @return whether a machine's record ended (which moves the pool's capacity version on) */
    private boolean terminate(PoolConfig pool, Action.Terminate t, Instant now) {
        Optional<Machine> current = machines.find(t.instanceId());
        if (current.isEmpty() || current.get().state() == MachineState.TERMINATED) {
            return false;
        }
        if (current.get().state() == MachineState.BUSY) {
            // The plan was made from a snapshot; the machine took a job since. Never kill a busy runner.
            log.warn("machine.terminate_skipped", fields(pool.name(), Map.of("instance", t.instanceId(),
                    "reason", "BUSY_SINCE_PLANNED")));
            return false;
        }
        // Ask the forge too: it knows about a job the webhook has not told us of yet; then deregister.
        RunnerRegistrations.Release release = runners.release(pool, t.instanceId());
        if (!release.mayTerminate()) {
            log.info("machine.terminate_deferred", fields(pool.name(), Map.of("instance", t.instanceId(),
                    "reason", release.getClass().getSimpleName().toUpperCase(Locale.ROOT))));
            return false;
        }
        fleet.terminate(List.of(t.instanceId()));
        return recordEnd(pool.name(), current.get(), t.reason(), t.bootFailure(), now, Map.of());
    }

    private boolean discard(String pool, Action.Discard d, Optional<Machine> record, Instant now) {
        return discard(pool, d, record, now, null);
    }

    /** Terminates an instance with no runner to ask (an orphan, a failed registration); records it if it is live. */
    private boolean discard(String pool, Action.Discard d, Optional<Machine> record, Instant now, String detail) {
        fleet.terminate(List.of(d.instanceId()));
        Map<String, Object> more = new LinkedHashMap<>();
        if (detail != null) {
            more.put("detail", detail);
        }
        Optional<Machine> live = record.filter(m -> m.state().isAlive());
        if (live.isPresent()) {
            boolean ended = recordEnd(pool, live.get(), d.reason(), d.bootFailure(), now, more);
            runners.dropUnreadSecret(d.instanceId());
            return ended;
        }
        more.put("detail", detail != null ? detail : record.isPresent() ? "the table says it ended"
                : "tagged by this stack, unknown to the table");
        metrics.count("MachinesTerminated", Map.of("Pool", pool, "Reason", d.reason().name()));
        log.warn("machine.terminated", fields(pool, instanceFields(d.instanceId(), d.reason(), more)));
        return false;
    }

    /** The instance ended without us: the record follows, and any unread registration secret goes with it. */
    private boolean ended(String pool, Action.Ended e, Instant now) {
        boolean ended = machines.find(e.instanceId()).filter(m -> m.state().isAlive())
                .map(m -> recordEnd(pool, m, e.reason(), e.bootFailure(), now, Map.of())).orElse(false);
        runners.dropUnreadSecret(e.instanceId());
        return ended;
    }

    /** Marks the machine ended with its reason, counts and logs it, and adds a boot failure to the pool's history. */
    private boolean recordEnd(String pool, Machine m, Reason reason, boolean bootFailure, Instant now,
                              Map<String, Object> more) {
        if (!machines.markEnded(m, now, reason.name())) {
            return false;
        }
        metrics.count("MachinesTerminated", Map.of("Pool", pool, "Reason", reason.name()));
        var f = instanceFields(m.instanceId(), reason, more);
        if (bootFailure) {
            f.put("bootFailure", true);
        }
        log.info("machine.terminated", fields(pool, f));
        if (bootFailure) {
            machines.recordBootFailure(pool, now);
            metrics.count("BootFailures", Map.of("Pool", pool));
        }
        return true;
    }

    private void drain(String pool, Action.Drain d, Instant now) {
        machines.find(d.instanceId()).filter(m -> m.state().isAlive() && m.state() != MachineState.DRAINING)
                .ifPresent(m -> {
                    machines.put(m.withState(MachineState.DRAINING, now, m.jobId()));
                    log.info("machine.draining", fields(pool, Map.of("instance", d.instanceId(),
                            "reason", d.reason().name())));
                });
    }

    private static Map<String, Object> instanceFields(String instanceId, Reason reason, Map<String, Object> more) {
        var f = new LinkedHashMap<String, Object>();
        f.put("instance", instanceId);
        f.put("reason", reason.name());
        f.putAll(more);
        return f;
    }

    static Map<String, Object> fields(String pool, Map<String, ?> more) {
        var f = new LinkedHashMap<String, Object>();
        f.put("pool", pool);
        f.putAll(more);
        return f;
    }
}
