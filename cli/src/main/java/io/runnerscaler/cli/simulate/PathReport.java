package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.sim.JobOutcome;
import io.runnerscaler.core.sim.PoolUsage;
import io.runnerscaler.core.sim.SimResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How each job got its machine (an idle one, one started from the stopped pool, one launched cold) with the waits of
 * each path, and what a policy costs in all and beyond the jobs' own run time: idle machines, boots, and the volumes
 * of stopped machines.
 *
 * @param machineCost what the running instances cost
 * @param volumeCost  what the stopped machines' volumes cost (only volumes are billed while an instance is stopped)
 * @param jobsCost    the jobs' own run time at the price each pool's machines ran at
 */
public record PathReport(Map<String, Path> paths, double machineCost, double stoppedHours, double volumeCost,
                         double jobsCost) {

    /** Hours in a month, as AWS prices GB-months of EBS per hour. */
    static final double HOURS_PER_MONTH = 730;

    /** Jobs of one path and their waits. */
    public record Path(String name, int jobs, Duration p50, Duration p95) {
    }

    public double total() {
        return machineCost + volumeCost;
    }

    /** What the policy costs beyond the jobs' own run time: idle machines, boots, stopped volumes. */
    public double beyondJobs() {
        return Math.max(0, total() - jobsCost);
    }

    /**
     * @param volumeGb         each machine's EBS volume size
     * @param pricePerGbMonth  the volume's price per GB-month
     */
    public static PathReport of(ScalerConfig config, SimResult result, Prices prices, double volumeGb,
                                double pricePerGbMonth) {
        Map<String, List<Duration>> waits = new LinkedHashMap<>();
        for (String path : List.of(SimResult.IDLE, SimResult.STOPPED, SimResult.COLD)) {
            waits.put(path, new ArrayList<>());
        }
        double machineCost = 0;
        double stoppedHours = 0;
        double jobsCost = 0;
        for (PoolConfig pool : config.pools()) {
            PoolUsage usage = result.usage().get(pool.name());
            Prices.Price price = prices.forPool(pool);
            double spot = usage.machineSeconds().getOrDefault(Market.SPOT, 0L) / 3600.0;
            double onDemand = usage.machineSeconds().getOrDefault(Market.ON_DEMAND, 0L) / 3600.0;
            double cost = spot * price.spot() + onDemand * price.onDemand();
            double perHour = spot + onDemand > 0 ? cost / (spot + onDemand) : price.onDemand();
            double runHours = 0;
            for (JobOutcome o : result.jobs()) {
                if (o.pool().filter(pool.name()::equals).isEmpty() || o.finished().isEmpty()) {
                    continue;
                }
                runHours += o.job().duration().toSeconds() / 3600.0;
                o.waited().ifPresent(w -> waits.get(result.paths().getOrDefault(o.job().id(), SimResult.COLD)).add(w));
            }
            machineCost += cost;
            jobsCost += runHours * perHour;
            stoppedHours += usage.stoppedSeconds() / 3600.0;
        }
        Map<String, Path> paths = new LinkedHashMap<>();
        waits.forEach((name, list) -> {
            list.sort(null);
            paths.put(name, new Path(name, list.size(), PolicyReport.percentile(list, 50),
                    PolicyReport.percentile(list, 95)));
        });
        double volumeCost = stoppedHours * volumeGb * pricePerGbMonth / HOURS_PER_MONTH;
        return new PathReport(paths, machineCost, stoppedHours, volumeCost, jobsCost);
    }

    /** The cost line: running instances, stopped volumes, and what is beyond the jobs' own run time. */
    public String costText() {
        var out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "cost $%.2f = machines running $%.2f + stopped volumes $%.2f"
                        + " (%.1f stopped machine-hours); beyond the jobs' run time $%.2f (%.0f %%)%n", total(),
                machineCost, volumeCost, stoppedHours, beyondJobs(), total() > 0 ? 100 * beyondJobs() / total() : 0));
        return out.toString();
    }
}
