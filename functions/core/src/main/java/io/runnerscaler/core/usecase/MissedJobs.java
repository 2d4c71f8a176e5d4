package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.config.WatchConfig;
import io.runnerscaler.core.config.WatchConfig.Kind;
import io.runnerscaler.core.config.WatchConfig.Target;
import io.runnerscaler.core.matching.MatchResult;
import io.runnerscaler.core.matching.PoolMatcher;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.PendingJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds jobs whose webhook was lost: asks the forges for the pending jobs of the watched projects and hands
 * each one the ledger has not seen queued to the path a webhook takes, the job queue. There the FIFO queue
 * drops it as a duplicate of a pending webhook delivered in the last five minutes, keeps it in one message
 * group with the job's webhooks (never handled concurrently with them), and scale-up's idempotent, forward-only
 * ledger record makes a later webhook re-plan without launching again.
 *
 * <p>Forge API calls are bounded: each project is listed at most once per {@code watch.every}, least recently
 * listed first (a failed listing counts as one), and a pass stops at {@code watch.callsPerPass} calls. A
 * forge that rate-limits is left alone for as long as it asked; one that fails is skipped for the rest of the
 * pass. Nothing here fails the reaper.
 *
 * <p>A watched GitLab group is one more target in that rotation: listing it (its projects, subgroups included,
 * a page a call) costs calls from the same budget and yields projects, which are then watched like listed ones
 * from the next pass on. A group listing the budget cut short goes on from the page it reached in the next pass;
 * the projects found by the last complete listing stay watched meanwhile.
 * When a project was last listed, and the projects of each group, are kept in memory: a warm reaper keeps them
 * between passes, a cold start lists due projects and groups again, still within the call budget.
 */
public final class MissedJobs {

    /** Why a pending job the forge listed was re-driven, or left alone. */
    public enum Verdict {
        /** The ledger has never seen the job: its webhook was lost. */
        UNKNOWN(true),
        /** The ledger knows the job only as created: the pending webhook was lost. */
        EARLIER_STATUS(true),
        /** The ledger has the job queued, running or finished: its webhook came. */
        KNOWN(false),
        /** Younger than {@code pendingAfter}: its webhook may still be on the way. */
        TOO_YOUNG(false);

        private final boolean redrive;

        Verdict(boolean redrive) {
            this.redrive = redrive;
        }

        public boolean redrive() {
            return redrive;
        }
    }

    /**
     * What one pass did.
     *
     * @param calls    forge API calls made
     * @param jobs     each pending job seen, by job key, with its verdict
     * @param failures each watched project whose listing failed, with the reason
     */
    public record Outcome(int calls, Map<String, Verdict> jobs, Map<String, String> failures) {
        public Outcome {
            jobs = Map.copyOf(jobs);
            failures = Map.copyOf(failures);
        }
    }

    private final Map<Forge, PendingJobs> forges;
    private final JobLedger ledger;
    private final Consumer<JobEvent> redrive;
    private final EventLog log;
    private final Metrics metrics;
    private final Map<Target, Instant> lastListed = new HashMap<>();
    private final Map<Forge, Instant> pausedUntil = new EnumMap<>(Forge.class);
    private final Map<String, GroupProjects> groups = new HashMap<>();

    /** A watched group's projects as its last complete listing found them, and a listing under way. */
    private static final class GroupProjects {
        List<String> projects = List.of();
        List<String> found = new ArrayList<>();
        Optional<String> nextPage = Optional.empty();
    }

    /**
     * @param forges  the forges that can be asked, by forge; a watched project of another forge is skipped
     * @param redrive where a missed job goes: the job queue scale-up consumes ({@code JobQueue::enqueue})
     */
    public MissedJobs(List<PendingJobs> forges, JobLedger ledger, Consumer<JobEvent> redrive, EventLog log,
                      Metrics metrics) {
        this.forges = new EnumMap<>(Forge.class);
        forges.forEach(f -> this.forges.put(f.forge(), f));
        this.ledger = ledger;
        this.redrive = redrive;
        this.log = log;
        this.metrics = metrics;
    }

    /** Asks no forge: for stacks without forge API credentials. */
    public static MissedJobs none() {
        return new MissedJobs(List.of(), null, e -> { }, EventLog.NONE, Metrics.NONE);
    }

    /** What a pending job the forge listed needs, given what the ledger knows of it. Pure. */
    public static Verdict judge(JobEvent pending, Optional<JobLedger.Job> known, Duration pendingAfter,
                                Instant now) {
        if (Duration.between(pending.createdAt(), now).compareTo(pendingAfter) < 0) {
            return Verdict.TOO_YOUNG;
        }
        if (known.isEmpty()) {
            return Verdict.UNKNOWN;
        }
        return known.get().status().canMoveTo(JobStatus.QUEUED) ? Verdict.EARLIER_STATUS : Verdict.KNOWN;
    }

    /**
     * The projects to list now, least recently listed first (never listed first of all, then in config order):
     * those not listed within {@code every} whose forge is not paused. Pure.
     */
    public static List<Target> due(List<Target> watched, Map<Target, Instant> lastListed,
                                   Map<Forge, Instant> pausedUntil, Duration every, Instant now) {
        return watched.stream()
                .filter(t -> !pausedUntil.getOrDefault(t.forge(), Instant.MIN).isAfter(now))
                .filter(t -> !lastListed.containsKey(t) || !lastListed.get(t).plus(every).isAfter(now))
                .sorted(Comparator.comparing(t -> lastListed.getOrDefault(t, Instant.MIN)))
                .toList();
    }

    /** One pass: lists what is due within the call budget and re-drives the missed jobs. */
    public Outcome find(ScalerConfig cfg, Instant now) {
        WatchConfig watch = cfg.watch();
        int budget = watch.callsPerPass();
        int calls = 0;
        var jobs = new LinkedHashMap<String, Verdict>();
        var failures = new LinkedHashMap<String, String>();
        var failedForges = new HashSet<Forge>();
        PoolMatcher matcher = new PoolMatcher(cfg.pools());
        for (Target target : due(watched(watch), lastListed, pausedUntil, watch.every(), now)) {
            if (calls >= budget || failedForges.contains(target.forge())) {
                continue;
            }
            PendingJobs forge = forges.get(target.forge());
            if (forge == null) {
                lastListed.put(target, now);
                failures.put(target.toString(), "NOT_CONFIGURED");
                log.warn("missed_jobs.not_configured", Map.of("forge", target.forge().id(),
                        subject(target), target.project(), "detail", "no API credentials for " + target.forge().id()
                                + " in this stack; the " + subject(target) + " is not watched"));
                continue;
            }
            if (target.kind() == Kind.GROUP) {
                calls += listGroup(target, forge, budget - calls, now, failures, failedForges);
                continue;
            }
            lastListed.put(target, now);
            PendingJobs.Listing listing;
            try {
                listing = forge.pending(target.project(), budget - calls);
            } catch (RuntimeException e) {
                calls++;
                String reason = failed(target, e, now);
                failures.put(target.toString(), reason);
                failedForges.add(target.forge());
                continue;
            }
            calls += listing.calls();
            listing.retryAfter().ifPresent(wait -> pausedUntil.put(target.forge(), now.plus(wait)));
            int redriven = 0;
            for (JobEvent pending : listing.jobs()) {
                Verdict verdict = judge(pending, ledger.find(pending.jobKey()), watch.pendingAfter(), now);
                jobs.put(pending.jobKey(), verdict);
                if (verdict.redrive() && redrive(target, pending, verdict, matcher, now)) {
                    redriven++;
                }
            }
            var fields = new LinkedHashMap<String, Object>();
            fields.put("forge", target.forge().id());
            fields.put("project", target.project());
            fields.put("pending", listing.jobs().size());
            fields.put("redriven", redriven);
            fields.put("calls", listing.calls());
            fields.put("complete", listing.complete());
            log.info("missed_jobs.listed", fields);
        }
        return new Outcome(calls, jobs, failures);
    }

    /**
     * The watched targets: the config's projects, repositories and groups, then the projects the groups' last
     * complete listings found that the config does not list itself, in the order found.
     */
    private List<Target> watched(WatchConfig watch) {
        List<Target> targets = watch.targets();
        var all = new LinkedHashSet<>(targets);
        for (String group : watch.gitlabGroups()) {
            Optional.ofNullable(groups.get(group)).ifPresent(g -> g.projects.forEach(
                    p -> all.add(new Target(Forge.GITLAB, p))));
        }
        return List.copyOf(all);
    }

    /**
     * Lists a group's projects from where its last listing stopped, within {@code budget} calls. Only a complete
     * listing replaces the group's projects and counts as the group listed; one cut short stays due and goes on
     * from its next page. A failed one counts as listed, like a project's. Returns the calls made.
     */
    private int listGroup(Target target, PendingJobs forge, int budget, Instant now, Map<String, String> failures,
                          Set<Forge> failedForges) {
        GroupProjects group = groups.computeIfAbsent(target.project(), g -> new GroupProjects());
        PendingJobs.Projects listing;
        try {
            listing = forge.projects(target.project(), group.nextPage.orElse("1"), budget);
        } catch (RuntimeException e) {
            lastListed.put(target, now);
            failures.put(target.toString(), failed(target, e, now));
            failedForges.add(target.forge());
            return 1;
        }
        listing.retryAfter().ifPresent(wait -> pausedUntil.put(target.forge(), now.plus(wait)));
        group.found.addAll(listing.projects());
        group.nextPage = listing.nextPage();
        if (listing.complete()) {
            group.projects = List.copyOf(new LinkedHashSet<>(group.found));
            group.found = new ArrayList<>();
            lastListed.put(target, now);
        }
        var fields = new LinkedHashMap<String, Object>();
        fields.put("forge", target.forge().id());
        fields.put("group", target.project());
        fields.put("projects", listing.complete() ? group.projects.size() : group.found.size());
        fields.put("calls", listing.calls());
        fields.put("complete", listing.complete());
        listing.nextPage().ifPresent(page -> fields.put("nextPage", page));
        log.info("missed_jobs.group_listed", fields);
        return listing.calls();
    }

    /** The log field naming what a target is: a project (or repository), or a group. */
    private static String subject(Target target) {
        return target.kind() == Kind.GROUP ? "group" : "project";
    }

    /** Hands the job to scale-up as QUEUED; a failure is logged and left for the project's next listing. */
    private boolean redrive(Target target, JobEvent pending, Verdict verdict, PoolMatcher matcher, Instant now) {
        String pool = matcher.match(pending) instanceof MatchResult.Matched m ? m.pool().name() : "none";
        var fields = new LinkedHashMap<String, Object>();
        fields.put("forge", target.forge().id());
        fields.put("project", target.project());
        fields.put("job", pending.jobKey());
        fields.put("pool", pool);
        fields.put("labels", pending.labels().stream().sorted().toList());
        fields.put("reason", verdict.name());
        fields.put("pendingSeconds", Duration.between(pending.createdAt(), now).toSeconds());
        try {
            redrive.accept(pending);
        } catch (RuntimeException e) {
            fields.put("error", e.getClass().getSimpleName());
            fields.put("detail", String.valueOf(e.getMessage()));
            log.warn("job.missed_redrive_failed", fields);
            return false;
        }
        metrics.count("MissedJobsFound", Map.of("Forge", target.forge().id(), "Pool", pool));
        log.info("job.missed", fields);
        return true;
    }

    /** Logs and counts a failed listing, pauses a forge that rate-limits, and names the reason. */
    private String failed(Target target, RuntimeException e, Instant now) {
        String reason = switch (e) {
            case ForgeException.RateLimited r -> {
                pausedUntil.put(target.forge(), now.plus(r.retryAfter().orElse(Duration.ofMinutes(1))));
                yield "RATE_LIMITED";
            }
            case ForgeException.Unavailable u -> "UNAVAILABLE";
            case ForgeException.Unauthorized u -> "UNAUTHORIZED";
            case ForgeException.Forbidden f -> "FORBIDDEN";
            case ForgeException.NotFound n -> "NOT_FOUND";
            case ForgeException.Rejected r -> "REJECTED";
            case ForgeException.Misconfigured m -> "MISCONFIGURED";
            default -> "UNEXPECTED";
        };
        metrics.count("MissedJobsListFailures", Map.of("Forge", target.forge().id(), "Reason", reason));
        var fields = new LinkedHashMap<String, Object>();
        fields.put("forge", target.forge().id());
        fields.put(subject(target), target.project());
        fields.put("reason", reason);
        fields.put("retryable", !(e instanceof ForgeException r) || r.retryable());
        if (e instanceof ForgeException.RateLimited r) {
            r.retryAfter().ifPresent(d -> fields.put("retryAfterSeconds", d.toSeconds()));
        }
        fields.put("detail", e instanceof ForgeException ? e.getMessage() : e.getClass().getSimpleName());
        log.warn("missed_jobs.list_failed", fields);
        return reason;
    }
}
