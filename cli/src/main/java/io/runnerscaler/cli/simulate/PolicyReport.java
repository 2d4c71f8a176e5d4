package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.sim.JobOutcome;
import io.runnerscaler.core.sim.PoolUsage;
import io.runnerscaler.core.sim.SimResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The numbers a policy is judged by, per pool and over all pools: job waits, machine-hours, cost.
 *
 * @param name  what to call the policy in tables (its config file's name)
 * @param pools one line per pool, in config order
 * @param total every pool together
 */
public record PolicyReport(String name, List<Line> pools, Line total) {

    public PolicyReport {
        pools = List.copyOf(pools);
    }

    /**
     * One pool's (or all pools') figures.
     *
     * @param jobs          jobs that matched the pool
     * @param notStarted    jobs still waiting when the simulation ended (left out of the wait figures)
     * @param p50           median wait from queued to (last) start; nearest rank
     * @param p95           95th percentile wait; nearest rank
     * @param cost          what the machines cost on the markets they were bought on
     * @param costOnDemand  what the same machine-hours cost all on demand
     * @param interrupted   machines the cloud took back
     * @param retried       jobs that started more than once (their machine was interrupted)
     */
    public record Line(String pool, int jobs, int notStarted, Duration p50, Duration p95, Duration max,
                       double spotHours, double onDemandHours, double cost, double costOnDemand, int launched,
                       int interrupted, int retried) {

        public double machineHours() {
            return spotHours + onDemandHours;
        }
    }

    public static PolicyReport of(String name, ScalerConfig config, SimResult result, Prices prices) {
        List<Line> lines = new ArrayList<>();
        List<Duration> allWaits = new ArrayList<>();
        int jobs = 0;
        int notStarted = 0;
        int retried = 0;
        int launched = 0;
        int interrupted = 0;
        double spot = 0;
        double onDemand = 0;
        double cost = 0;
        double costOnDemand = 0;
        for (PoolConfig pool : config.pools()) {
            List<JobOutcome> outcomes = result.jobs().stream()
                    .filter(j -> j.pool().filter(pool.name()::equals).isPresent()).toList();
            List<Duration> waits = outcomes.stream().flatMap(j -> j.waited().stream()).sorted().toList();
            int poolRetried = (int) outcomes.stream().filter(j -> j.attempts() > 1).count();
            PoolUsage usage = result.usage().get(pool.name());
            Map<Market, Long> seconds = usage.machineSeconds();
            double s = seconds.getOrDefault(Market.SPOT, 0L) / 3600.0;
            double o = seconds.getOrDefault(Market.ON_DEMAND, 0L) / 3600.0;
            Prices.Price price = prices.forPool(pool);
            double c = s * price.spot() + o * price.onDemand();
            double cod = (s + o) * price.onDemand();
            lines.add(new Line(pool.name(), outcomes.size(), outcomes.size() - waits.size(), percentile(waits, 50),
                    percentile(waits, 95), waits.isEmpty() ? Duration.ZERO : waits.getLast(), s, o, c, cod,
                    usage.launched(), usage.interrupted(), poolRetried));
            allWaits.addAll(waits);
            jobs += outcomes.size();
            notStarted += outcomes.size() - waits.size();
            retried += poolRetried;
            launched += usage.launched();
            interrupted += usage.interrupted();
            spot += s;
            onDemand += o;
            cost += c;
            costOnDemand += cod;
        }
        allWaits.sort(null);
        Line total = new Line("all pools", jobs, notStarted, percentile(allWaits, 50), percentile(allWaits, 95),
                allWaits.isEmpty() ? Duration.ZERO : allWaits.getLast(), spot, onDemand, cost, costOnDemand, launched,
                interrupted, retried);
        return new PolicyReport(name, lines, total);
    }

    /** Jobs that matched no pool: they would wait forever, so they are counted apart. */
    public static long unmatched(SimResult result) {
        return result.jobs().stream().map(JobOutcome::pool).filter(Optional::isEmpty).count();
    }

    /** Nearest-rank percentile of sorted values: the smallest value with at least p % of values at or below it. */
    static Duration percentile(List<Duration> sorted, int p) {
        if (sorted.isEmpty()) {
            return Duration.ZERO;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
