package io.runnerscaler.core.planner;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.periods.ActiveSettings;
import io.runnerscaler.core.periods.PeriodResolver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides what a pool needs at an instant. Pure: no clock, no I/O; the same state and instant always
 * give the same plan. Scale-up, the reaper, the simulator and the demo all call this; nothing else
 * decides. Thread-safe.
 *
 * <p>The semantics are docker+machine's ({@code executors/docker/machine/idle_limit_strategy.go}):
 * <ul>
 *   <li>The idle settings are the pool's, or those of the last period whose schedule contains
 *       {@code now}.</li>
 *   <li>Idle target: {@code idleCount}; with {@code idleScaleFactor > 0} it is
 *       {@code floor(factor x busy)}, at least {@code max(idleCountMin, 1)} and at most
 *       {@code idleCount}.</li>
 *   <li>Available machines are IDLE and LAUNCHING ones (as docker+machine counts Idle and Creating).
 *       Launches cover queued jobs (as far as global {@code concurrent} lets them run) plus the idle
 *       target, bounded by {@code limit} (every live machine counts, busy and draining included, except
 *       those this plan terminates) and by {@code maxGrowthRate} (machines LAUNCHING at once).</li>
 *   <li>Removal order: machines are walked oldest first (launch time, then instance id), and the
 *       oldest available machines fill the target; an IDLE machine after them is terminated once it has
 *       been idle for {@code idleTime}. So the newest idle machines go first, as in docker+machine,
 *       which walks its machines oldest first by name and counts as it goes.</li>
 *   <li>{@code maxBuilds}: an IDLE machine that has run that many jobs is terminated, and does not count
 *       as available, so queued jobs get a replacement. A BUSY machine is never touched.</li>
 *   <li>A LAUNCHING machine older than {@code bootTimeout} is terminated; a DRAINING machine with no job
 *       is terminated.</li>
 *   <li>If the pool has more machines than {@code limit} (the limit was lowered), the newest IDLE
 *       machines are terminated at once.</li>
 * </ul>
 * Only IDLE, LAUNCHING (boot timeout) and job-less DRAINING machines are ever terminated; never BUSY.
 *
 * <p>A plan lists terminations first, then drains, then launches (for jobs before those for the idle
 * target), then holds: the order to apply them in.
 */
public final class Planner {

    private static final Comparator<Machine> OLDEST_FIRST =
            Comparator.comparing(Machine::launchedAt).thenComparing(Machine::instanceId);

    private final PeriodResolver periods;

    public Planner() {
        this(new PeriodResolver());
    }

    public Planner(PeriodResolver periods) {
        this.periods = periods;
    }

    public Plan plan(PoolState state, Instant now) {
        PoolConfig pool = state.pool();
        ActiveSettings active = periods.resolve(pool, now);
        IdleSettings idle = active.idle();
        List<Action> actions = new ArrayList<>();
        List<Machine> available = new ArrayList<>();
        int total = 0;
        int busy = 0;
        int idleUsable = 0;
        int launching = 0;
        int draining = 0;
        int terminating = 0;
        Instant reviewAt = null;

        for (Machine m : state.machines()) {
            switch (m.state()) {
                case TERMINATED -> {
                    continue;
                }
                case BUSY -> busy++;
                case DRAINING -> {
                    draining++;
                    if (m.jobId().isPresent()) {
                        busy++;
                    } else {
                        actions.add(new Action.Terminate(m.instanceId(), Reason.DRAINED));
                        terminating++;
                    }
                }
                case LAUNCHING -> {
                    Instant deadline = m.launchedAt().plus(pool.bootTimeout());
                    if (!now.isBefore(deadline)) {
                        actions.add(new Action.Terminate(m.instanceId(), Reason.BOOT_TIMEOUT));
                        terminating++;
                    } else {
                        launching++;
                        available.add(m);
                        reviewAt = earliest(reviewAt, deadline);
                    }
                }
                case IDLE -> {
                    if (pool.maxBuilds() > 0 && m.buildsDone() >= pool.maxBuilds()) {
                        actions.add(new Action.Terminate(m.instanceId(), Reason.MAX_BUILDS_REACHED));
                        terminating++;
                    } else {
                        idleUsable++;
                        available.add(m);
                    }
                }
            }
            total++;
        }

        int target = idleTarget(idle, busy);
        int slots = state.concurrent() > 0 ? Math.max(0, state.concurrent() - state.runningJobsAll())
                : Integer.MAX_VALUE;
        int jobDemand = Math.min(state.queuedJobs(), slots);
        int quota = target + jobDemand;
        int availableCount = idleUsable + launching;

        // Launch what queued jobs and the idle target need, within limit and growth rate.
        int wantedForJobs = Math.max(0, jobDemand - availableCount);
        int wanted = Math.max(0, quota - availableCount);
        // Machines this plan terminates free their place: the plan is applied terminations first, and the
        // executor's atomic reservation still refuses a launch if a termination did not happen.
        int staying = total - terminating;
        int room = pool.limit() > 0 ? Math.max(0, pool.limit() - staying) : Integer.MAX_VALUE;
        int growthRoom = pool.maxGrowthRate() > 0 ? Math.max(0, pool.maxGrowthRate() - launching)
                : Integer.MAX_VALUE;
        int launch = Math.min(wanted, Math.min(room, growthRoom));
        if (launch > 0) {
            Market market = marketFor(pool.market());
            int forJobs = Math.min(launch, wantedForJobs);
            if (forJobs > 0) {
                actions.add(new Action.Launch(forJobs, market, Reason.JOBS_WAITING));
            }
            if (launch > forJobs) {
                actions.add(new Action.Launch(launch - forJobs, market,
                        active.inPeriod() ? Reason.PERIOD_ACTIVE : Reason.BELOW_IDLE_COUNT));
            }
        }
        if (wanted > launch) {
            boolean limitBinds = room <= growthRoom;
            actions.add(new Action.Hold(limitBinds ? Reason.LIMIT_REACHED : Reason.GROWTH_RATE,
                    (wanted - launch) + " more machine(s) wanted; "
                            + (limitBinds ? staying + " of limit " + pool.limit() + " in the pool"
                                    : launching + " launching, maxGrowthRate " + pool.maxGrowthRate())));
        }
        if (state.queuedJobs() > slots) {
            actions.add(new Action.Hold(Reason.CONCURRENT_REACHED, (state.queuedJobs() - slots)
                    + " queued job(s) wait for concurrent " + state.concurrent() + " ("
                    + state.runningJobsAll() + " running)"));
        }

        // Remove idle machines: above the limit at once, beyond the target after idleTime.
        int excess = pool.limit() > 0 ? staying - pool.limit() : 0;
        if (excess > 0) {
            available.sort(OLDEST_FIRST);
            for (int i = available.size() - 1; i >= 0 && excess > 0; i--) {
                Machine m = available.get(i);
                if (m.state() == MachineState.IDLE) {
                    actions.add(new Action.Terminate(m.instanceId(), Reason.ABOVE_LIMIT));
                    available.remove(i);
                    excess--;
                }
            }
        }
        if (available.size() > quota) {
            reviewAt = removeExpiredBeyondTarget(available, quota, idle, now, actions, reviewAt);
        }

        var assessment = new Assessment(target, active.period(), idleUsable, busy, launching, draining, total,
                state.queuedJobs(), Optional.ofNullable(reviewAt));
        actions.sort(Comparator.comparingInt(Planner::applyOrder));
        return new Plan(pool.name(), actions, assessment);
    }

    /**
     * The idle target, as docker+machine computes it: {@code idleCount}, or with a scale factor
     * {@code floor(busy x factor)} bounded below by {@code max(idleCountMin, 1)} and above by
     * {@code idleCount}.
     */
    public static int idleTarget(IdleSettings idle, int busy) {
        if (idle.idleScaleFactor() <= 0) {
            return idle.idleCount();
        }
        int min = Math.max(idle.idleCountMin(), 1);
        int scaled = (int) Math.min(Integer.MAX_VALUE, Math.floor(busy * idle.idleScaleFactor()));
        return Math.min(idle.idleCount(), Math.max(min, scaled));
    }

    /** Terminations first, then drains, launches, and the holds that explain what was not launched. */
    private static int applyOrder(Action action) {
        return switch (action) {
            case Action.Terminate t -> 0;
            case Action.Drain d -> 1;
            case Action.Launch l -> 2;
            case Action.Hold h -> 3;
        };
    }

    /** Spot and spot-with-fallback pools ask for spot first; the fleet falls back where allowed. */
    public static Market marketFor(MarketPolicy policy) {
        return switch (policy) {
            case SPOT, SPOT_WITH_FALLBACK -> Market.SPOT;
            case ON_DEMAND -> Market.ON_DEMAND;
        };
    }

    /**
     * The {@code quota} oldest available machines fill the target; every IDLE machine after them that
     * has been idle for {@code idleTime} is terminated. This is docker+machine's oldest-first walk, found
     * with a selection instead of a sort so a 10,000-machine pool plans in linear time. Returns the
     * earliest instant at which a machine kept beyond the target will expire.
     */
    private static Instant removeExpiredBeyondTarget(List<Machine> available, int quota, IdleSettings idle,
                                                     Instant now, List<Action> actions, Instant reviewAt) {
        Machine[] machines = available.toArray(new Machine[0]);
        long[] keys = new long[machines.length];
        for (int i = 0; i < machines.length; i++) {
            Instant launched = machines[i].launchedAt();
            keys[i] = launched.getEpochSecond() * 1_000_000_000L + launched.getNano();
        }
        if (quota > 0) {
            OldestFirst.select(machines, keys, quota);
        }
        List<Machine> expired = new ArrayList<>();
        for (int i = quota; i < machines.length; i++) {
            Machine m = machines[i];
            if (m.state() != MachineState.IDLE) {
                continue;
            }
            Instant expires = m.stateSince().plus(idle.idleTime());
            if (now.isBefore(expires)) {
                reviewAt = earliest(reviewAt, expires);
            } else {
                expired.add(m);
            }
        }
        expired.sort(OLDEST_FIRST);
        for (Machine m : expired) {
            actions.add(new Action.Terminate(m.instanceId(), Reason.IDLE_TIME_EXCEEDED));
        }
        return reviewAt;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
