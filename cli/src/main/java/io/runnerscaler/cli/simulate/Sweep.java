package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.sim.SimJob;
import io.runnerscaler.core.sim.SimResult;
import io.runnerscaler.core.sim.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * {@code simulate --sweep}: every combination of the swept knobs, applied to the pools file as its author would
 * edit it ({@link PoolsYamlEdit}) and checked by the config loader, simulated on the same trace, cloud and
 * prices in parallel; then the combinations no other beats on both p95 wait and cost (the frontier), and the
 * cheapest within a p95 wait.
 */
final class Sweep {

    /** More combinations than this is a usage error: a typo in a range, not a sweep anyone waits for. */
    static final int MOST_COMBINATIONS = 5000;

    private Sweep() {
    }

    /**
     * What a stopped pool's machines cost and take, as {@code simulate} models them: the start of a stopped machine,
     * and its volume, billed while it is stopped.
     */
    record StoppedMachines(Duration start, double volumeGb, double pricePerGbMonth) {
    }

    /** One value of one swept knob. */
    record Choice(SweepAxis axis, String value) {
    }

    /** One point of the sweep: a value for every swept knob, first knob outermost. */
    record Combination(List<Choice> choices) {
        Combination {
            choices = List.copyOf(choices);
        }

        String label() {
            return String.join(" ", choices.stream().map(c -> c.axis().label() + "=" + c.value()).toList());
        }

        /** The edits this combination makes to the file, in every pool (and period) its knobs name. */
        List<PoolsYamlEdit.Edit> edits(PoolsYamlEdit file) {
            var edits = new ArrayList<PoolsYamlEdit.Edit>();
            for (Choice c : choices) {
                SweepAxis axis = c.axis();
                for (int pool = 0; pool < file.pools(); pool++) {
                    String poolPath = "pools[" + pool + "]";
                    switch (axis.scope()) {
                        case POOL -> edits.add(new PoolsYamlEdit.Edit(poolPath, axis.key(), c.value()));
                        case EVERYWHERE -> {
                            edits.add(new PoolsYamlEdit.Edit(poolPath, axis.key(), c.value()));
                            for (int period = 0; period < file.periods(pool); period++) {
                                edits.add(new PoolsYamlEdit.Edit(poolPath + ".periods[" + period + "]", axis.key(),
                                        c.value()));
                            }
                        }
                        case PERIOD -> {
                            int period = axis.period().orElseThrow();
                            if (period >= file.periods(pool)) {
                                throw new IllegalArgumentException(axis.label() + ": pool '" + file.poolName(pool)
                                        + "' has " + file.periods(pool) + " period(s)");
                            }
                            edits.add(new PoolsYamlEdit.Edit(poolPath + ".periods[" + period + "]", axis.key(),
                                    c.value()));
                        }
                    }
                }
            }
            return edits;
        }
    }

    /**
     * How one combination (or the file as it is, {@code combination} empty) fared.
     *
     * @param yaml    the pools file as simulated
     * @param invalid the config loader's first problem, when the combination makes the file invalid
     * @param report  empty when invalid
     * @param volumeCost what the stopped machines' volumes cost (beside the running machines in {@code report})
     */
    record Outcome(Optional<Combination> combination, String yaml, Optional<String> invalid,
                   Optional<PolicyReport> report, double volumeCost) {

        Outcome(Optional<Combination> combination, String yaml, Optional<String> invalid,
                Optional<PolicyReport> report) {
            this(combination, yaml, invalid, report, 0);
        }

        /** Running machines and stopped volumes: what the sweep orders, charts and recommends by. */
        double cost() {
            return total().cost() + volumeCost;
        }

        String label() {
            return combination.map(Combination::label).orElse("current");
        }

        boolean current() {
            return combination.isEmpty();
        }

        /** Valid, and every job started before the end: only these may be on the frontier or recommended. */
        boolean usable() {
            return report.isPresent() && report.get().total().notStarted() == 0;
        }

        PolicyReport.Line total() {
            return report.orElseThrow().total();
        }
    }

    static List<Combination> combinations(List<SweepAxis> axes) {
        List<Combination> all = new ArrayList<>(List.of(new Combination(List.of())));
        for (SweepAxis axis : axes) {
            var next = new ArrayList<Combination>();
            for (Combination c : all) {
                for (String value : axis.values()) {
                    var choices = new ArrayList<>(c.choices());
                    choices.add(new Choice(axis, value));
                    next.add(new Combination(choices));
                }
                if (next.size() > MOST_COMBINATIONS) {
                    throw new IllegalArgumentException("more than " + MOST_COMBINATIONS
                            + " combinations; sweep fewer values");
                }
            }
            all = next;
        }
        return all;
    }

    /**
     * Simulates the file as it is and every combination from {@code begin} to {@code end}, on {@code threads}
     * threads; {@code done} hears how many have finished.
     *
     * @throws IllegalArgumentException when a knob names a place the file does not have
     */
    static List<Outcome> run(String yaml, List<SweepAxis> axes, List<SimJob> jobs, Instant begin, Instant end,
                             SeededCloud cloud, Prices prices, StoppedMachines stopped, int threads,
                             IntConsumer done) {
        PoolsYamlEdit file = new PoolsYamlEdit(yaml);
        List<Combination> combinations = combinations(axes);
        var texts = new ArrayList<String>();
        texts.add(yaml);
        for (Combination c : combinations) {
            texts.add(file.apply(c.edits(file)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, texts.size())));
        try {
            var futures = new ArrayList<Future<Outcome>>();
            for (int i = 0; i < texts.size(); i++) {
                Optional<Combination> combination = i == 0 ? Optional.empty() : Optional.of(combinations.get(i - 1));
                String text = texts.get(i);
                futures.add(pool.submit(() -> simulate(combination, text, jobs, begin, end, cloud, prices,
                        stopped)));
            }
            var outcomes = new ArrayList<Outcome>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
                done.accept(outcomes.size());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sweep interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a simulation of the sweep failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Outcome simulate(Optional<Combination> combination, String yaml, List<SimJob> jobs, Instant begin,
                                    Instant end, SeededCloud cloud, Prices prices, StoppedMachines stopped) {
        ScalerConfig config;
        try {
            config = new ConfigLoader().parse(yaml);
        } catch (ConfigException e) {
            return new Outcome(combination, yaml, Optional.of(e.problems().getFirst()), Optional.empty());
        }
        SimResult result = Simulation.builder(config).bootTimes(cloud).interruptions(cloud).prewarmed(true)
                .startTime(stopped.start()).build().run(jobs, begin, end);
        String name = combination.map(Combination::label).orElse("current");
        double volumes = PathReport.of(config, result, prices, stopped.volumeGb(), stopped.pricePerGbMonth())
                .volumeCost();
        return new Outcome(combination, yaml, Optional.empty(), Optional.of(PolicyReport.of(name, config, result,
                prices)), volumes);
    }

    /** The usable outcomes no other beats on both cost and p95 wait, cheapest first. */
    static List<Outcome> frontier(List<Outcome> outcomes) {
        var frontier = new ArrayList<Outcome>();
        Duration best = null;
        for (Outcome o : byCost(outcomes)) {
            if (best == null || o.total().p95().compareTo(best) < 0) {
                frontier.add(o);
                best = o.total().p95();
            }
        }
        return frontier;
    }

    /** The cheapest usable combination (the file itself counts) whose p95 wait is at most {@code maxP95}. */
    static Optional<Outcome> recommended(List<Outcome> outcomes, Duration maxP95) {
        return byCost(outcomes).stream().filter(o -> o.total().p95().compareTo(maxP95) <= 0).findFirst();
    }

    /** Usable outcomes by cost, then p95 wait, then machine-hours, then the current file first. */
    private static List<Outcome> byCost(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome::usable).sorted(Comparator
                .comparingDouble((Outcome o) -> Math.round(o.cost() * 1000) / 1000.0)
                .thenComparing(o -> o.total().p95())
                .thenComparingDouble(o -> o.total().machineHours())
                .thenComparing(o -> !o.current())).toList();
    }

    /**
     * The {@code recommended:} line with the pick's figures against the file's, and the pick as a unified diff of
     * the file named {@code file}; or a line saying no combination keeps the p95 wait within {@code within}.
     */
    static String recommendation(List<Outcome> outcomes, Optional<Outcome> recommended, Duration within,
                                 String file) {
        if (recommended.isEmpty()) {
            String best = outcomes.stream().filter(Outcome::usable).min(Comparator.comparing((Outcome o) -> o.total()
                    .p95())).map(o -> "; the lowest is " + ReportTables.wait(o.total().p95()) + " (" + o.label() + ")")
                    .orElse("");
            return "recommended: none; no combination keeps the p95 job wait within " + ReportTables.wait(within)
                    + best + ". Raise limit or sweep more idle machines.\n";
        }
        Outcome r = recommended.get();
        PolicyReport.Line t = r.total();
        var out = new StringBuilder(String.format(Locale.ROOT, "recommended: %s: p95 job wait %s (within %s), p50 %s,"
                        + " max %s, %s machine-hours, %s%n", r.label(), ReportTables.wait(t.p95()),
                ReportTables.wait(within), ReportTables.wait(t.p50()), ReportTables.wait(t.max()),
                ReportTables.hours(t.machineHours()), ReportTables.usd(r.cost())));
        Outcome current = outcomes.stream().filter(Outcome::current).findFirst().orElseThrow();
        if (current.usable()) {
            out.append(String.format(Locale.ROOT, "  against the file as it is: p95 %s, %s machine-hours, %s (%s)%n",
                    ReportTables.wait(current.total().p95()), ReportTables.hours(current.total().machineHours()),
                    ReportTables.usd(current.cost()), ReportTables.change(current.cost(), r.cost())
                            .replace("same", "same cost")));
        }
        String diff = UnifiedDiff.of(current.yaml(), r.yaml(), file);
        out.append('\n').append(diff.isEmpty()
                ? "The file as it is is the cheapest within that wait: nothing to change.\n" : diff).append('\n');
        return out.toString();
    }

    /** Every outcome, cheapest first (invalid ones last), with the knobs' values and the figures. */
    static String table(List<SweepAxis> axes, List<Outcome> outcomes, List<Outcome> frontier,
                        Optional<Outcome> recommended) {
        var header = new ArrayList<String>();
        axes.forEach(a -> header.add(a.label()));
        header.addAll(List.of("p50 wait", "p95 wait", "max wait", "machine-h", "cost", "note"));
        List<String[]> rows = new ArrayList<>();
        rows.add(header.toArray(String[]::new));
        var ordered = new ArrayList<>(byCost(outcomes));
        outcomes.stream().filter(o -> !o.usable()).forEach(ordered::add);
        for (Outcome o : ordered) {
            var row = new ArrayList<String>();
            for (SweepAxis axis : axes) {
                row.add(o.combination().flatMap(c -> c.choices().stream().filter(ch -> ch.axis() == axis)
                        .map(Choice::value).findFirst()).orElse("as is"));
            }
            if (o.report().isPresent()) {
                PolicyReport.Line t = o.total();
                row.addAll(List.of(ReportTables.wait(t.p50()), ReportTables.wait(t.p95()), ReportTables.wait(t.max()),
                        ReportTables.hours(t.machineHours()), ReportTables.usd(o.cost())));
            } else {
                row.addAll(List.of("", "", "", "", ""));
            }
            row.add(note(o, frontier, recommended));
            rows.add(row.toArray(String[]::new));
        }
        return ReportTables.markdown(rows, axes.size(), header.size() - 1);
    }

    private static String note(Outcome o, List<Outcome> frontier, Optional<Outcome> recommended) {
        var notes = new ArrayList<String>();
        if (o.current()) {
            notes.add("current");
        }
        if (recommended.filter(r -> r == o).isPresent()) {
            notes.add("recommended");
        } else if (frontier.contains(o)) {
            notes.add("frontier");
        }
        o.invalid().ifPresent(problem -> notes.add("invalid: " + problem));
        o.report().filter(r -> r.total().notStarted() > 0)
                .ifPresent(r -> notes.add(r.total().notStarted() + " job(s) not started by the end"));
        return String.join(", ", notes);
    }
}
