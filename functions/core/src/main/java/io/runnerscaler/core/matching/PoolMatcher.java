package io.runnerscaler.core.matching;

import io.runnerscaler.core.config.Architecture;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses the pool for a job.
 *
 * <ul>
 *   <li>GitLab: every tag of the job must be among the pool's labels (exact, case-sensitive); a job
 *       without tags goes only to pools with {@code runUntagged}.</li>
 *   <li>GitHub: every {@code runs-on} label must be among the pool's labels, compared case-insensitively
 *       as GitHub does, where the default labels GitHub gives every self-hosted runner are implied:
 *       {@code self-hosted}, the OS ({@code linux}, {@code windows}, {@code macos}) and the architecture
 *       ({@code x64}, {@code arm}, {@code arm64}). A pool's OS is the one it lists, else {@code linux};
 *       its architecture is the one it lists, else {@code arm64} when all its instance types are
 *       Graviton ({@code m7g}, {@code c6gn}, {@code t4g}, {@code a1} ...), else {@code x64}.</li>
 *   <li>When several pools match, the most specific wins: the one with the fewest labels of its own
 *       (so the fewest capabilities the job did not ask for), then the earliest in the config.</li>
 * </ul>
 */
public final class PoolMatcher {

    static final Set<String> OS_LABELS = Set.of("linux", "windows", "macos");
    static final Set<String> ARCH_LABELS = Set.of("x64", "arm", "arm64");

    private final List<Candidate> candidates;

    public PoolMatcher(List<PoolConfig> pools) {
        List<Candidate> list = new ArrayList<>();
        for (int i = 0; i < pools.size(); i++) {
            list.add(new Candidate(pools.get(i), i, effectiveLabels(pools.get(i))));
        }
        list.sort(Comparator.comparingInt((Candidate c) -> c.pool.labels().size()).thenComparingInt(c -> c.order));
        this.candidates = List.copyOf(list);
    }

    public MatchResult match(JobEvent job) {
        return match(job.forge(), job.labels());
    }

    public MatchResult match(Forge forge, Set<String> jobLabels) {
        Set<String> wanted = normalise(forge, jobLabels);
        List<Candidate> ofForge = candidates.stream().filter(c -> c.pool.forge() == forge).toList();
        if (ofForge.isEmpty()) {
            return new MatchResult.Unmatched(UnmatchedReason.NO_POOL_FOR_FORGE,
                    "no pool is configured for " + forge.id());
        }
        if (forge == Forge.GITHUB && wanted.isEmpty()) {
            return new MatchResult.Unmatched(UnmatchedReason.NO_LABELS, "the job's runs-on names no labels");
        }
        List<Candidate> matching = new ArrayList<>();
        for (Candidate c : ofForge) {
            boolean fits = wanted.isEmpty() && forge == Forge.GITLAB
                    ? c.pool.runUntagged()
                    : c.labels.containsAll(wanted);
            if (fits) {
                matching.add(c);
            }
        }
        if (!matching.isEmpty()) {
            return new MatchResult.Matched(matching.getFirst().pool,
                    matching.subList(1, matching.size()).stream().map(c -> c.pool.name()).toList());
        }
        if (wanted.isEmpty()) {
            return new MatchResult.Unmatched(UnmatchedReason.UNTAGGED_NOT_ACCEPTED,
                    "the job has no tags and no gitlab pool has runUntagged");
        }
        Candidate closest = ofForge.stream()
                .min(Comparator.comparingInt((Candidate c) -> missing(wanted, c.labels).size())
                        .thenComparingInt(c -> c.order))
                .orElseThrow();
        return new MatchResult.Unmatched(UnmatchedReason.LABELS_NOT_COVERED,
                "no " + forge.id() + " pool has all of " + new TreeSet<>(wanted) + "; closest is '"
                        + closest.pool.name() + "', which lacks " + missing(wanted, closest.labels));
    }

    /** The labels a job may ask for to land on this pool, including those GitHub implies. */
    public static Set<String> effectiveLabels(PoolConfig pool) {
        Set<String> labels = new HashSet<>(normalise(pool.forge(), pool.labels()));
        if (pool.forge() == Forge.GITHUB) {
            labels.add("self-hosted");
            if (labels.stream().noneMatch(OS_LABELS::contains)) {
                labels.add("linux");
            }
            if (labels.stream().noneMatch(ARCH_LABELS::contains)) {
                boolean allGraviton = !pool.instanceTypes().isEmpty() && pool.instanceTypes().stream()
                        .allMatch(t -> Architecture.of(t) == Architecture.ARM64);
                labels.add(allGraviton ? Architecture.ARM64.label() : Architecture.X64.label());
            }
        }
        return Set.copyOf(labels);
    }

    private static Set<String> normalise(Forge forge, Set<String> labels) {
        if (forge == Forge.GITLAB) {
            return labels;
        }
        Set<String> out = new HashSet<>();
        for (String label : labels) {
            out.add(label.trim().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static Set<String> missing(Set<String> wanted, Set<String> have) {
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(have);
        return missing;
    }

    private record Candidate(PoolConfig pool, int order, Set<String> labels) {
    }
}
