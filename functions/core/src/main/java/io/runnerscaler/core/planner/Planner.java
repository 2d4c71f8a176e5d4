package io.runnerscaler.core.planner;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.matching.MatchResult;
import io.runnerscaler.core.matching.PoolMatcher;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.runner.RunnerIdentity;
import io.runnerscaler.core.periods.ActiveSettings;
import io.runnerscaler.core.periods.PeriodResolver;
import io.runnerscaler.core.port.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a pool needs at an instant. Pure: no clock, no I/O; the same state and instant always
 * give the same plan. Scale-up, the reaper, ec2-events, the simulator and the demo all call this; executors
 * carry out its actions and nothing else decides. Thread-safe.
 *
 * <p>The scaling semantics are docker+machine's ({@code executors/docker/machine/idle_limit_strategy.go}):
 * <ul>
 *   <li>The idle settings are the pool's, or those of the last period whose schedule contains
 *       {@code now}.</li>
 *   <li>Idle target: {@code idleCount}; with {@code idleScaleFactor > 0} it is
 *       {@code floor(factor x busy)}, at least {@code max(idleCountMin, 1)} and at most
 *       {@code idleCount}.</li>
 *   <li>Available machines are IDLE and LAUNCHING ones (as docker+machine counts Idle and Creating).
 *       Launches cover queued jobs (as far as global {@code concurrent} lets them run) plus the idle
 *       target, bounded by {@code limit} (every live machine counts, busy and draining included, except
 *       those this plan ends) and by {@code maxGrowthRate} (machines LAUNCHING at once).</li>
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
 * Beyond docker+machine:
 * <ul>
 *   <li>Market: launches go on the pool's market; on a spot pool, launches for waiting jobs the pool owes on
 *       demand ({@link PoolState#onDemandGrants()}) go on demand ({@code RETRY_ON_DEMAND}). After the fleet
 *       answers, {@link #afterLaunch} buys on demand what spot lacked for a capacity error
 *       ({@code SPOT_CAPACITY_FALLBACK}).</li>
 *   <li>Reconciliation, when the state carries EC2's listing: a machine EC2 no longer lists past
 *       {@link #LISTING_LAG} is recorded ended ({@code INSTANCE_GONE}), a stopped instance is terminated
 *       without asking the forge, as it runs no job ({@code STOPPED}), an instance with no live record past {@link #ORPHAN_GRACE} is discarded
 *       ({@code ORPHANED}). EC2's own events about one machine go through {@link #onInstanceNews}.</li>
 *   <li>Boot failures ({@link #isBootFailure}): after {@link BootBackoff#FAILURES} within
 *       {@link BootBackoff#WINDOW} the pool launches nothing during an exponential backoff
 *       ({@code BOOT_FAILURES}); a machine launched since then that takes a job resets it
 *       ({@code HEALTHY_LAUNCH}). A machine whose registration failed is discarded
 *       ({@link #registrationFailed}).</li>
 * </ul>
 * Stopped pools ({@code stoppedCount}, not docker+machine's):
 * <ul>
 *   <li>Machines WARMING (launched to refill, booting to ready), STOPPING and STOPPED are never counted idle,
 *       busy or available; they count toward {@code limit}.</li>
 *   <li>What jobs and the idle target want is started from the STOPPED machines first, oldest first
 *       ({@code STARTED_FROM_POOL}): a start keeps the machine's place, so neither limit nor growth rate binds
 *       it. Only the rest is launched. A start EC2 refuses for capacity becomes a cold launch
 *       ({@link #afterStart}, {@code START_FAILED}).</li>
 *   <li>After the jobs' and the idle target's launches, on a pass that lists EC2 (the reaper's, never scale-up's),
 *       the pool refills up to {@code stoppedCount} with launches ({@code POOL_REFILL}) within limit and growth
 *       rate (WARMING machines count as launching);
 *       a WARMING machine EC2 lists as ready is stopped ({@code POOL_REFILL}).</li>
 *   <li>A STOPPED machine launched {@code stoppedMaxAge} ago ({@code STOPPED_MAX_AGE}) or built from an
 *       image other than the pool's current one ({@code IMAGE_OUTDATED}), and stopped machines beyond
 *       {@code stoppedCount} ({@code ABOVE_STOPPED_COUNT}), are discarded: nothing is registered on them.</li>
 * </ul>
 * Planned from counters ({@link PoolState#counted}, scale-up's plan for a job): the same counts by state, places
 * reserved but not yet recorded counted as launching (as they are beside a machine list, {@link PoolState#inFlight});
 * such a plan starts and launches only, and ending machines is left to plans made from the machines (the reaper's).
 *
 * <p>Only IDLE, LAUNCHING (boot timeout), job-less DRAINING (drained, or retired after its last build), stopped,
 * pooled and gone machines are ever ended; never BUSY.
 *
 * <p>A plan lists the machines it ends first, then drains, then launches (for jobs before those for the idle
 * target), then holds: the order to apply them in.
 */
public final class Planner {

    /** How long an unknown instance may live: enough for a slow scale-up to record what it launched. */
    public static final Duration ORPHAN_GRACE = Duration.ofMinutes(2);
    /** EC2 lists new instances a little after CreateFleet returns; a machine younger than this is never "gone". */
    public static final Duration LISTING_LAG = Duration.ofMinutes(2);
    private static final String STOPPED = "stopped";
    /**
     * How long an unmatched queued job is worth matching again: GitLab drops a job pending for a day
     * ({@code Ci::StuckBuilds::DropPendingService}, {@code BUILD_PENDING_OUTDATED_TIMEOUT = 1.day}), GitHub a job
     * queued for a self-hosted runner for 24 hours (its usage limits for self-hosted runners).
     */
    public static final Duration REMATCH_WINDOW = Duration.ofDays(1);

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
        Map<String, Fleet.FleetInstance> listed = new HashMap<>();
        state.listing().ifPresent(l -> l.forEach(i -> listed.put(i.instanceId(), i)));
        Set<String> ending = state.listing()
                .map(l -> reconcile(pool, state.machines(), listed, l, now, actions))
                .orElse(Set.of());
        List<Machine> available = new ArrayList<>();
        List<Machine> stopped = new ArrayList<>();
        int total = 0;
        int busy = 0;
        int idleUsable = 0;
        int launching = 0;
        int warming = 0;
        int stopping = 0;
        int draining = 0;
        int terminating = 0;
        Instant reviewAt = null;

        for (Machine m : state.machines()) {
            if (ending.contains(m.instanceId())) {
                continue;
            }
            Optional<Fleet.FleetInstance> instance = Optional.ofNullable(listed.get(m.instanceId()));
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
                        // A machine retired after its last build (maxBuilds) drains too: it takes no new job.
                        boolean spent = pool.maxBuilds() > 0 && m.buildsDone() >= pool.maxBuilds();
                        actions.add(new Action.Terminate(m.instanceId(),
                                spent ? Reason.MAX_BUILDS_REACHED : Reason.DRAINED));
                        terminating++;
                    }
                }
                case LAUNCHING -> {
                    // A machine started from the stopped pool boots from its start, not its launch.
                    Instant deadline = latest(m.launchedAt(), m.stateSince()).plus(pool.bootTimeout());
                    if (!now.isBefore(deadline)) {
                        actions.add(new Action.Terminate(m.instanceId(), Reason.BOOT_TIMEOUT, !m.tookJob()));
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
                case WARMING -> {
                    Instant deadline = m.stateSince().plus(pool.bootTimeout());
                    if (!now.isBefore(deadline)) {
                        // Nothing registered on it: nobody to ask.
                        actions.add(new Action.Discard(m.instanceId(), Reason.BOOT_TIMEOUT, true));
                        terminating++;
                    } else {
                        warming++;
                        if (instance.filter(Fleet.FleetInstance::ready).isPresent()) {
                            actions.add(new Action.Stop(m.instanceId(), Reason.POOL_REFILL));
                        } else {
                            reviewAt = earliest(reviewAt, deadline);
                        }
                    }
                }
                case STOPPING -> {
                    String ec2 = instance.map(Fleet.FleetInstance::state).orElse("");
                    if (ec2.equals(STOPPED)) {
                        // The stopped event was missed: the listing says it is there to start.
                        stopped.add(m);
                    } else {
                        stopping++;
                        if (ec2.equals("running")) {
                            // The stop call did not take (the record is written first): ask again.
                            actions.add(new Action.Stop(m.instanceId(), Reason.POOL_REFILL));
                        }
                    }
                }
                case STOPPED -> {
                    Optional<Reason> retire = retirement(pool, state, m, instance, now);
                    if (retire.isPresent()) {
                        actions.add(new Action.Discard(m.instanceId(), retire.get(), false));
                        terminating++;
                    } else {
                        stopped.add(m);
                    }
                }
            }
            total++;
        }

        List<String> stoppedIds;
        if (state.counted().isPresent()) {
            // Planned from the counters: every machine counts where its state puts it, and a place reserved for a
            // launch not yet recorded counts as launching. Nothing here ends a machine: plans made from the
            // machines (the reaper's) do that.
            MachineCounts counts = state.counted().get();
            draining = counts.of(MachineState.DRAINING);
            busy = counts.of(MachineState.BUSY) + draining;
            idleUsable = counts.of(MachineState.IDLE);
            launching = counts.of(MachineState.LAUNCHING) + counts.inFlight();
            warming = counts.of(MachineState.WARMING);
            stopping = counts.of(MachineState.STOPPING);
            total = counts.total();
            stoppedIds = counts.stopped();
        } else {
            stopped.sort(OLDEST_FIRST);
            stoppedIds = stopped.stream().map(Machine::instanceId).toList();
            // Places another invocation reserved and has not recorded yet: launching, and in the pool.
            launching += state.inFlight();
            total += state.inFlight();
        }

        Optional<Instant> backoff = bootBackoff(state, now, actions);
        int target = idleTarget(idle, busy);
        int slots = state.concurrent() > 0 ? Math.max(0, state.concurrent() - state.runningJobsAll())
                : Integer.MAX_VALUE;
        int jobDemand = Math.min(state.queuedJobs(), slots);
        int quota = target + jobDemand;
        int availableCount = idleUsable + launching;

        // What queued jobs and the idle target need: started from the stopped pool first (a started machine keeps
        // its place, so no limit or growth rate binds it), launched within limit and growth rate for the rest.
        int wantedForJobs = Math.max(0, jobDemand - availableCount);
        int wantedAll = Math.max(0, quota - availableCount);
        int starts = Math.min(wantedAll, stoppedIds.size());
        for (int i = 0; i < starts; i++) {
            actions.add(new Action.Start(stoppedIds.get(i), Reason.STARTED_FROM_POOL));
        }
        wantedForJobs = Math.max(0, wantedForJobs - starts);
        int wanted = wantedAll - starts;
        // Machines this plan terminates free their place: the plan is applied terminations first, and the
        // executor's atomic reservation still refuses a launch if a termination did not happen.
        int staying = total - terminating;
        int room = pool.limit() > 0 ? Math.max(0, pool.limit() - staying) : Integer.MAX_VALUE;
        int growthRoom = pool.maxGrowthRate() > 0 ? Math.max(0, pool.maxGrowthRate() - launching - warming)
                : Integer.MAX_VALUE;
        int launch = Math.min(wanted, Math.min(room, growthRoom));
        // The stopped pool refills after the jobs and the idle target got theirs, on passes that list EC2 (the
        // reaper's): a refill is never urgent, and a job's path (scale-up) stays one StartInstances call.
        int pooled = warming + stopping + stoppedIds.size() - starts;
        int refillWanted = state.listing().isPresent() ? Math.max(0, idle.stoppedCount() - pooled) : 0;
        int refill = Math.min(refillWanted, Math.min(sub(room, launch), sub(growthRoom, launch)));
        if (backoff.isPresent()) {
            if (wanted + refillWanted > 0) {
                actions.add(new Action.Hold(Reason.BOOT_FAILURES, (wanted + refillWanted) + " machine(s) wanted; "
                        + state.bootFailures().size() + " machine(s) ended before their first job since "
                        + state.bootFailures().getFirst() + "; no launch before " + backoff.get()));
            }
            reviewAt = earliest(reviewAt, backoff.get());
        } else {
            if (launch > 0) {
                addLaunches(pool, state, active, launch, Math.min(launch, wantedForJobs), actions);
            }
            if (refill > 0) {
                actions.add(new Action.Launch(refill, marketFor(pool.market()), Reason.POOL_REFILL));
            }
            int short_ = (wanted - launch) + (refillWanted - refill);
            if (short_ > 0) {
                boolean limitBinds = sub(room, launch + refill) <= sub(growthRoom, launch + refill);
                actions.add(new Action.Hold(limitBinds ? Reason.LIMIT_REACHED : Reason.GROWTH_RATE,
                        short_ + " more machine(s) wanted" + (refillWanted > refill ? " (stopped pool included)" : "")
                                + "; " + (limitBinds ? staying + " of limit " + pool.limit() + " in the pool"
                                        : (launching + warming) + " launching, maxGrowthRate "
                                                + pool.maxGrowthRate())));
            }
        }
        if (state.queuedJobs() > slots) {
            actions.add(new Action.Hold(Reason.CONCURRENT_REACHED, (state.queuedJobs() - slots)
                    + " queued job(s) wait for concurrent " + state.concurrent() + " ("
                    + state.runningJobsAll() + " running)"));
        }

        // Stopped machines beyond the stopped target (a period that held more ended) go at once, newest first.
        int extraStopped = state.counted().isPresent() ? 0 : pooled - idle.stoppedCount();
        for (int i = stoppedIds.size() - 1, extra = extraStopped; i >= starts && extra > 0; i--, extra--) {
            actions.add(new Action.Discard(stoppedIds.get(i), Reason.ABOVE_STOPPED_COUNT, false));
            terminating++;
        }
        staying = total - terminating;

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
     * Whether a stopped machine is due to be replaced: launched longer ago than {@code stoppedMaxAge}, or (when the
     * pool's current image is known and EC2 lists the machine's) built from another image.
     */
    private static Optional<Reason> retirement(PoolConfig pool, PoolState state, Machine m,
                                               Optional<Fleet.FleetInstance> instance, Instant now) {
        if (!now.isBefore(m.launchedAt().plus(pool.stoppedMaxAge()))) {
            return Optional.of(Reason.STOPPED_MAX_AGE);
        }
        Optional<String> image = instance.map(Fleet.FleetInstance::imageId).filter(i -> !i.isEmpty());
        if (image.isPresent() && state.image().isPresent() && !state.image().get().equals(image.get())) {
            return Optional.of(Reason.IMAGE_OUTDATED);
        }
        return Optional.empty();
    }

    private static int sub(int a, int b) {
        return a == Integer.MAX_VALUE ? a : Math.max(0, a - b);
    }

    /**
     * Launches on the pool's market; for a spot pool, the launches for waiting jobs that the pool owes on demand
     * (grants of jobs retried after a spot interruption) go on demand first.
     */
    private static void addLaunches(PoolConfig pool, PoolState state, ActiveSettings active, int launch, int forJobs,
                                    List<Action> actions) {
        Market market = marketFor(pool.market());
        int onDemand = market == Market.SPOT ? Math.min(forJobs, state.onDemandGrants()) : 0;
        if (onDemand > 0) {
            actions.add(new Action.Launch(onDemand, Market.ON_DEMAND, Reason.RETRY_ON_DEMAND));
        }
        if (forJobs > onDemand) {
            actions.add(new Action.Launch(forJobs - onDemand, market, Reason.JOBS_WAITING));
        }
        if (launch > forJobs) {
            actions.add(new Action.Launch(launch - forJobs, market,
                    active.inPeriod() ? Reason.PERIOD_ACTIVE : Reason.BELOW_IDLE_COUNT));
        }
    }

    /**
     * The pool's boot health: a machine launched since the boot failures began that took a job resets them;
     * otherwise, when they call for it, the instant launches may resume. Adds the reset to {@code actions}.
     */
    private static Optional<Instant> bootBackoff(PoolState state, Instant now, List<Action> actions) {
        if (state.bootFailures().isEmpty()) {
            return Optional.empty();
        }
        // A machine launched in the same batch as the first failed one counts too: launched within a boot timeout.
        Instant since = state.bootFailures().getFirst().minus(state.pool().bootTimeout());
        Optional<Machine> healthy = state.machines().stream()
                .filter(m -> m.tookJob() && !m.launchedAt().isBefore(since)).findFirst();
        if (healthy.isPresent()) {
            actions.add(new Action.ResetBootFailures(healthy.get().instanceId(), Reason.HEALTHY_LAUNCH));
            return Optional.empty();
        }
        return BootBackoff.until(state.bootFailures()).filter(now::isBefore);
    }

    /**
     * Whether a machine ending now for a reason of its own (it never came up, died, stopped, was never able to
     * register) is a boot failure: it ended before its first job, within a boot timeout of its launch. One that
     * lived longer booted: its own safety idle limit or lifetime ended it.
     */
    public static boolean isBootFailure(PoolConfig pool, Machine m, Instant now) {
        return !m.tookJob() && m.state() != MachineState.DRAINING && (m.state() == MachineState.LAUNCHING
                || now.isBefore(m.launchedAt().plus(pool.bootTimeout())));
    }

    /**
     * Reconciliation of the table with EC2's listing of the pool: a machine EC2 no longer lists (past the
     * listing lag) ended without us; a stopped instance is terminated; an instance of the pool the table has
     * no live record of is an orphan once past the grace. Adds the actions; returns the machines they end,
     * which the rest of the plan no longer counts.
     */
    private static Set<String> reconcile(PoolConfig pool, List<Machine> machines,
                                         Map<String, Fleet.FleetInstance> byId, List<Fleet.FleetInstance> listed,
                                         Instant now, List<Action> actions) {
        Set<String> ending = new HashSet<>();
        Set<String> known = new HashSet<>();
        for (Machine m : machines) {
            if (!m.state().isAlive()) {
                continue;
            }
            known.add(m.instanceId());
            Fleet.FleetInstance instance = byId.get(m.instanceId());
            if (instance == null && m.launchedAt().plus(LISTING_LAG).isBefore(now)) {
                actions.add(new Action.Ended(m.instanceId(), Reason.INSTANCE_GONE, isBootFailure(pool, m, now)));
                ending.add(m.instanceId());
            } else if (instance != null && STOPPED.equals(instance.state()) && !stoppedOnPurpose(m)) {
                actions.add(new Action.Discard(m.instanceId(), Reason.STOPPED, isBootFailure(pool, m, now)));
                ending.add(m.instanceId());
            }
        }
        actions.addAll(orphans(listed, known, now));
        return ending;
    }

    /**
     * Instances the table has no live record of ({@code known} are the live ones), terminated once past
     * {@link #ORPHAN_GRACE}; also for the instances of a pool no longer configured.
     */
    public static List<Action> orphans(List<Fleet.FleetInstance> listed, Set<String> known, Instant now) {
        List<Action> actions = new ArrayList<>();
        for (Fleet.FleetInstance i : listed) {
            if (!known.contains(i.instanceId()) && !i.launchTime().plus(ORPHAN_GRACE).isAfter(now)) {
                actions.add(new Action.Discard(i.instanceId(), Reason.ORPHANED, false));
            }
        }
        return actions;
    }

    /**
     * What EC2's news about one recorded machine calls for: a stopped instance is terminated (it runs no job, so
     * there is nobody to ask), one shutting down or terminated is recorded ended, a spot interruption warning or
     * rebalance recommendation drains it. {@code running} is no decision: the machine is up (the caller records it
     * IDLE).
     *
     * @param pool the machine's pool, empty when no longer configured (then nothing counts as a boot failure)
     */
    public List<Action> onInstanceNews(Optional<PoolConfig> pool, Machine m, InstanceNews news, Instant now) {
        if (!m.state().isAlive()) {
            return List.of();
        }
        boolean bootFailure = pool.map(p -> isBootFailure(p, m, now)).orElse(false);
        return switch (news) {
            case InstanceNews.StateChanged s when stoppedOnPurpose(m)
                    && (s.ec2State().equals(STOPPED) || s.ec2State().equals("stopping")) -> List.of();
            case InstanceNews.StateChanged s when m.state() == MachineState.STOPPED
                    && (s.ec2State().equals("pending") || s.ec2State().equals("running")) -> List.of();
            case InstanceNews.StateChanged s -> switch (s.ec2State()) {
                case STOPPED -> List.of(new Action.Discard(m.instanceId(), Reason.STOPPED, bootFailure));
                case "shutting-down", "terminated", "stopping" -> List.of(new Action.Ended(m.instanceId(),
                        Reason.INSTANCE_ENDED, bootFailure));
                default -> List.of();
            };
            case InstanceNews.SpotNotice n when m.state().isPooled() -> m.state() != MachineState.WARMING
                    ? List.<Action>of() : List.of(new Action.Discard(m.instanceId(), n.interruption()
                            ? Reason.SPOT_INTERRUPTION : Reason.REBALANCE, false));
            case InstanceNews.SpotNotice n -> m.state() == MachineState.DRAINING ? List.<Action>of()
                    : List.of(new Action.Drain(m.instanceId(), n.interruption() ? Reason.SPOT_INTERRUPTION
                            : Reason.REBALANCE));
        };
    }

    /**
     * Whether the machine is stopping or stopped because the scaler stopped it for the stopped pool: EC2's
     * {@code stopping} and {@code stopped} about it are expected, not an end. Any other machine that stops (its
     * runner or a person stopped it, a spot instance was interrupted with behaviour {@code stop}) is discarded as
     * before.
     */
    private static boolean stoppedOnPurpose(Machine m) {
        return m.state() == MachineState.STOPPING || m.state() == MachineState.STOPPED;
    }

    /**
     * EC2 could not start a stopped machine: for a capacity error, launch one machine cold in its place, on the
     * pool's market (a spot-with-fallback pool then falls back to on demand through {@link #afterLaunch}). The
     * stopped machine stays in the pool; it is tried again at the next start. Other errors launch nothing: they
     * are no shortage, and the next plan decides again.
     */
    public Optional<Action.Launch> afterStart(PoolConfig pool, Action.Start asked, Fleet.LaunchFailure failure) {
        if (failure.kind() != Fleet.LaunchFailure.Kind.CAPACITY) {
            return Optional.empty();
        }
        return Optional.of(new Action.Launch(1, marketFor(pool.market()), Reason.START_FAILED));
    }

    /**
     * Which of the pool's live machines a job that started runs on. The forge's word comes first: the machine
     * already busy with the job (a redelivery), then for GitLab the runner manager the Jobs API names (the Job
     * Hook names only the runner, which every machine of a pool shares), for GitHub the runner name (one runner per
     * machine, {@code <pool>-<instance id>}). A job the forge puts on another runner (another runner id, or a
     * GitHub runner name that is no machine of the pool's), or on a manager none of our live machines is, marks no
     * machine busy. Only when the forge names nothing does the planner guess, as docker+machine users would: the
     * machine launched for the job, else the one idle the longest, else the one launching the longest.
     */
    public Placement placeRunningJob(PoolConfig pool, List<Machine> alive, RunningJob job) {
        List<Machine> live = alive.stream().filter(m -> m.state().isAlive()).toList();
        Optional<Machine> already = live.stream().filter(m -> m.state() == MachineState.BUSY)
                .filter(m -> m.jobId().filter(job.jobKey()::equals).isPresent()).findFirst();
        if (already.isPresent()) {
            return new Placement.OnMachine(already.get(), Reason.ALREADY_BUSY);
        }
        Optional<String> otherRunner = job.runnerId().filter(id -> job.poolRunnerId().filter(id::equals).isEmpty()
                && job.poolRunnerId().isPresent());
        if (otherRunner.isPresent()) {
            return new Placement.Nowhere(Reason.OTHER_RUNNER, "runner " + otherRunner.get() + " took the job; the"
                    + " pool's runner is " + job.poolRunnerId().get());
        }
        if (pool.forge() == Forge.GITLAB && job.runnerManager().isPresent()) {
            String manager = job.runnerManager().get();
            return live.stream().filter(m -> gitlabSystemId(pool, m).filter(manager::equals).isPresent()).findFirst()
                    .<Placement>map(m -> new Placement.OnMachine(m, Reason.RUNNER_MANAGER))
                    .orElseGet(() -> new Placement.Nowhere(Reason.UNKNOWN_MACHINE, "runner manager " + manager
                            + " is none of the pool's " + live.size() + " live machine(s)"));
        }
        if (job.runnerName().isPresent()) {
            String name = job.runnerName().get();
            Optional<Machine> named = live.stream().filter(m -> m.instanceId().equals(name)
                    || (pool.forge() == Forge.GITHUB && githubRunnerName(pool, m).filter(name::equals).isPresent()))
                    .findFirst();
            if (named.isPresent()) {
                return new Placement.OnMachine(named.get(), Reason.RUNNER_NAME);
            }
            if (pool.forge() == Forge.GITHUB) {
                return new Placement.Nowhere(Reason.OTHER_RUNNER, "runner '" + name + "' is none of the pool's "
                        + live.size() + " live machine(s)");
            }
        }
        return live.stream().filter(m -> m.state() != MachineState.BUSY)
                .filter(m -> m.jobId().filter(job.jobKey()::equals).isPresent()).findFirst()
                .<Placement>map(m -> new Placement.OnMachine(m, Reason.LAUNCHED_FOR_JOB))
                .or(() -> live.stream().filter(m -> m.state() == MachineState.IDLE)
                        .min(Comparator.comparing(Machine::stateSince).thenComparing(Machine::instanceId))
                        .map(m -> new Placement.OnMachine(m, Reason.LONGEST_IDLE)))
                .or(() -> live.stream().filter(m -> m.state() == MachineState.LAUNCHING).min(OLDEST_FIRST)
                        .map(m -> new Placement.OnMachine(m, Reason.OLDEST_LAUNCHING)))
                .orElseGet(() -> new Placement.Nowhere(Reason.NO_MACHINE, "no idle or launching machine"));
    }

    /**
     * Queued jobs no pool took, matched again against the pools of a config loaded since: each one a pool now
     * takes gets it ({@link Reason#CONFIG_CHANGED}), so the pool's next plan counts it as waiting. A job last heard
     * of more than {@link #REMATCH_WINDOW} ago is left alone: both forges have given up on it by then.
     */
    public List<Rematch> rematch(List<PoolConfig> pools, List<JobLedger.Job> unmatched, Instant now) {
        PoolMatcher matcher = new PoolMatcher(pools);
        List<Rematch> rematched = new ArrayList<>();
        for (JobLedger.Job job : unmatched) {
            if (job.status() != JobStatus.QUEUED || job.pool().isPresent()
                    || job.updatedAt().plus(REMATCH_WINDOW).isBefore(now)) {
                continue;
            }
            Forge forge;
            try {
                forge = Forge.fromId(job.forge());
            } catch (IllegalArgumentException unknownForge) {
                continue;
            }
            if (matcher.match(forge, job.labels()) instanceof MatchResult.Matched m) {
                rematched.add(new Rematch(job.jobKey(), m.pool().name(), Reason.CONFIG_CHANGED));
            }
        }
        return rematched;
    }

    private static Optional<String> gitlabSystemId(PoolConfig pool, Machine m) {
        return identity(pool, m).map(RunnerIdentity::gitlabSystemId);
    }

    private static Optional<String> githubRunnerName(PoolConfig pool, Machine m) {
        return identity(pool, m).map(RunnerIdentity::githubRunnerName);
    }

    /** Every machine the fleet launched has an instance id; a record with another id names no runner. */
    private static Optional<RunnerIdentity> identity(PoolConfig pool, Machine m) {
        try {
            return Optional.of(new RunnerIdentity(pool.name(), m.instanceId()));
        } catch (IllegalArgumentException notAnInstanceId) {
            return Optional.empty();
        }
    }

    /**
     * A launched instance whose record could not be written is discarded at once: an instance nobody records
     * would otherwise run until reconciliation ends it as an orphan, and the job is planned again anyway.
     */
    public Action recordFailed(PoolConfig pool, String instanceId) {
        return new Action.Discard(instanceId, Reason.UNRECORDED, false);
    }

    /** A launched machine whose runner could not be handed its registration is discarded: it can never work. */
    public Action registrationFailed(PoolConfig pool, String instanceId) {
        return new Action.Discard(instanceId, Reason.REGISTRATION_FAILED, true);
    }

    /**
     * After the fleet answered a launch: a spot-with-fallback pool buys on demand the machines spot did not
     * supply whenever one of the fleet's errors was a capacity error.
     *
     * <p>Why a second planning step rather than a policy object the executor applies: the fallback depends on
     * what the fleet said, so either way someone decides after CreateFleet; asked here, the rule is one pure,
     * table-tested function and the executor only loops "carry out, report, carry out what comes back".
     *
     * @param launched       machines the launch produced
     * @param capacityError  whether any of the fleet's errors for it was a capacity error
     */
    public Optional<Action.Launch> afterLaunch(PoolConfig pool, Action.Launch asked, int launched,
                                               boolean capacityError) {
        int missing = asked.count() - launched;
        if (missing <= 0 || asked.market() != Market.SPOT || pool.market() != MarketPolicy.SPOT_WITH_FALLBACK
                || !capacityError) {
            return Optional.empty();
        }
        // A refill stays a refill on demand: the machine still goes to the stopped pool.
        return Optional.of(new Action.Launch(missing, Market.ON_DEMAND,
                asked.reason() == Reason.POOL_REFILL ? Reason.POOL_REFILL : Reason.SPOT_CAPACITY_FALLBACK));
    }

    /**
     * A {@link Reason#RETRY_ON_DEMAND} launch found fewer grants than planned (another invocation took them): the
     * machines are still wanted for waiting jobs, on the pool's market.
     */
    public Optional<Action.Launch> afterGrants(PoolConfig pool, Action.Launch asked, int granted) {
        int missing = asked.count() - granted;
        return missing <= 0 ? Optional.empty()
                : Optional.of(new Action.Launch(missing, marketFor(pool.market()), Reason.JOBS_WAITING));
    }

    /**
     * Before a launch: the forge can register only {@code granted} of the machines now (the GitHub App's per-minute
     * budget, or a pause after a rate limit). Those launch; the rest are not launched at all, since a machine without
     * its registration could never take a job, and wait for the budget ({@link Reason#FORGE_RATE_LIMIT}).
     */
    public Optional<Action.Launch> withinRegistrations(Action.Launch asked, int granted) {
        int launch = Math.min(asked.count(), Math.max(0, granted));
        return launch == 0 ? Optional.empty() : Optional.of(new Action.Launch(launch, asked.market(), asked.reason()));
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

    /** Machines that end first, then drains, resets, launches, and the holds that explain what was not launched. */
    private static int applyOrder(Action action) {
        return switch (action) {
            case Action.Ended e -> 0;
            case Action.Discard d -> 0;
            case Action.Terminate t -> 0;
            case Action.Drain d -> 1;
            case Action.Stop s -> 1;
            case Action.ResetBootFailures r -> 2;
            case Action.Start s -> 3;
            case Action.Launch l -> 4;
            case Action.Hold h -> 5;
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

    private static Instant latest(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
