package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.Durations;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.sim.SimEvent;
import io.runnerscaler.core.sim.SimJob;
import io.runnerscaler.core.sim.SimResult;
import io.runnerscaler.core.sim.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code runner-scaler simulate}: replays a job trace against one or two pool configs on a virtual clock,
 * with the real planner, and reports waits, machine-hours and cost per pool (and the comparison).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay a job trace against a pools config on a virtual clock, with the real planner.",
            "Prints per pool p50/p95/max job wait, machine-hours, cost, interrupted machines and retried jobs;"
                + " with --compare, both policies side by side. Trace format: docs/simulate.md."},
        footer = {"", "Example:",
            "  runner-scaler simulate --config examples/policies/docker-machine.yaml \\",
            "    --compare examples/policies/tuned.yaml \\",
            "    --trace examples/traces/working-day.csv --until 24h \\",
            "    --boot-jitter 30 --interruption-rate 0.05 --chart sim.png",
            "  runner-scaler simulate --config pools.yaml --trace week.csv \\",
            "    --sweep 'idleCount=0..6' --sweep 'idleTime=300,900,1800' --max-p95 2m --chart sweep.png",
            "", "Exit codes: 0 done, 1 bad config or trace, 2 usage error."})
public final class SimulateCommand implements Callable<Integer> {

    /** Without --until, a sweep runs to this long after the last job would end. */
    static final Duration SWEEP_TAIL = Duration.ofHours(2);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "POOLS.yaml", description = "The pools config to simulate.")
    Path config;

    @Option(names = "--trace", required = true, paramLabel = "JOBS.csv", description = "The job trace (CSV).")
    Path trace;

    @Option(names = "--compare", paramLabel = "OTHER.yaml",
            description = "A second pools config to run on the same trace and compare with the first.")
    Optional<Path> compare;

    @Option(names = "--chart", paramLabel = "FILE.png|FILE.svg",
            description = "Write queued jobs and machines by state over time: one panel per config, in one file.")
    Optional<Path> chart;

    @Option(names = "--chart-per-config",
            description = "With --compare: write one chart file per config instead, FILE-<config>.png|svg.")
    boolean chartPerConfig;

    @Option(names = "--start", paramLabel = "INSTANT",
            description = "When the simulation starts; offsets in the trace count from here. Default: the"
                    + " earliest ISO arrival in the trace, else 2026-03-02T00:00:00Z (a Monday).")
    Optional<Instant> start;

    @Option(names = "--until", paramLabel = "WHEN",
            description = "When it ends: an ISO instant or a time after the start (86400, 24h, 90m). Default:"
                    + " when every job is done and every config is at rest.")
    Optional<String> until;

    @Option(names = "--boot-seconds", defaultValue = "60", paramLabel = "S",
            description = "Mean cold boot: launch asked for to runner ready (default ${DEFAULT-VALUE}).")
    double bootSeconds;

    @Option(names = "--boot-jitter", defaultValue = "0", paramLabel = "S",
            description = "Boot times are uniform in boot-seconds ± this (default ${DEFAULT-VALUE}).")
    double bootJitter;

    @Option(names = "--start-seconds", defaultValue = "15", paramLabel = "S",
            description = "Time a machine started from the stopped pool takes to be ready (default ${DEFAULT-VALUE}).")
    double startSeconds;

    @Option(names = "--ebs-gb", defaultValue = "30", paramLabel = "GB",
            description = "Each machine's EBS volume, billed while it is stopped (default ${DEFAULT-VALUE}).")
    double ebsGb;

    @Option(names = "--ebs-price", defaultValue = "0.08", paramLabel = "USD/GB-month",
            description = "EBS price per GB-month (default ${DEFAULT-VALUE}, gp3 in us-east-1).")
    double ebsPrice;

    @Option(names = "--on-demand-price", paramLabel = "USD/h",
            description = "On-demand price per machine-hour (default " + 0.096 + ").")
    Optional<Double> onDemandPrice;

    @Option(names = "--spot-price", paramLabel = "USD/h",
            description = "Spot price per machine-hour (default " + 0.035 + ").")
    Optional<Double> spotPrice;

    @Option(names = "--price", paramLabel = "TYPE=OD/SPOT",
            description = "Prices of one instance type, e.g. m6i.large=0.096/0.035; a pool is priced by its"
                    + " first instance type. Repeatable.")
    List<String> typePrices = new ArrayList<>();

    @Option(names = "--interruption-rate", defaultValue = "0", paramLabel = "RATE",
            description = "Spot interruptions per spot machine-hour, e.g. 0.05; interrupted jobs are queued"
                    + " again (default ${DEFAULT-VALUE}).")
    double interruptionRate;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed for boot times and interruptions (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeline", description = "Also print every event with the planner's reasons.")
    boolean timeline;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (default: when the console is a terminal).")
    Optional<Boolean> progress;

    @Option(names = "--sweep", paramLabel = "KEY=VALUES",
            description = "Try every value of a knob (repeatable; every combination is run): idleCount=0..6,"
                    + " idleTime=300,900,1800, idleScaleFactor=0,0.5,1, or idleCountMin, limit, maxGrowthRate,"
                    + " maxBuilds. A knob applies to every pool and period; pool.KEY to the pools' own settings,"
                    + " periods[N].KEY to one period. Prints the table and --chart draws p95 wait against cost.")
    List<String> sweeps = new ArrayList<>();

    @Option(names = "--max-p95", paramLabel = "WAIT",
            description = "With --sweep: recommend the cheapest combination whose p95 job wait is at most WAIT"
                    + " (120, 2m, 1h), printed as a diff of the pools file.")
    Optional<String> maxP95;

    @Option(names = "--threads", paramLabel = "N",
            description = "With --sweep: simulations at once (default: the machine's processors).")
    Optional<Integer> threads;

    /** A config file, parsed, with the name used in tables. */
    record Policy(String name, Path file, ScalerConfig config) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Prices prices = prices();
        SeededCloud cloud = cloud();
        sweepAxes(); // every usage error before any work
        maxP95.ifPresent(this::maxP95);
        List<Policy> policies = new ArrayList<>();
        try {
            policies.add(policy(config));
            if (compare.isPresent()) {
                policies.add(policy(compare.get()));
            }
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println("runner-scaler simulate: no such file: " + e.getFile());
            return 1;
        }
        for (Policy p : policies) {
            ConfigLoader.refusedWithoutGitHubApp(p.config()).forEach(w -> err.println("warning: " + p.file() + ": " + w));
        }
        if (policies.size() == 2 && policies.get(0).name().equals(policies.get(1).name())) {
            policies.set(0, new Policy(policies.get(0).file().toString(), policies.get(0).file(), policies.get(0).config()));
            policies.set(1, new Policy(policies.get(1).file().toString(), policies.get(1).file(), policies.get(1).config()));
        }
        Trace jobsTrace;
        Instant begin;
        List<SimJob> jobs;
        Optional<Instant> end;
        try {
            jobsTrace = Trace.parse(trace.toString(), Files.readString(trace));
            begin = start.orElseGet(jobsTrace::defaultStart);
            jobs = jobsTrace.jobs(begin);
            end = until.map(u -> parseUntil(u, begin));
        } catch (TraceException e) {
            err.println(e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println("runner-scaler simulate: no such file: " + e.getFile());
            return 1;
        }

        if (!sweeps.isEmpty()) {
            return sweep(policies.getFirst(), jobs, begin, end, cloud, prices, out, err);
        }
        Map<Policy, SimResult> results = simulate(policies, jobs, begin, end, cloud, err);
        SimResult first = results.values().iterator().next();
        out.printf(Locale.ROOT, "Simulated %d job(s) from %s, %s to %s (%s); boot %s s%s, start from stopped %s s;"
                        + " spot interruptions %s per"
                        + " machine-hour; prices per hour on-demand $%.3f, spot $%.3f; seed %d.%n",
                jobs.size(), trace, begin, first.end(), span(Duration.between(begin, first.end())),
                fmt(bootSeconds), bootJitter > 0 ? " ± " + fmt(bootJitter) + " s" : "", fmt(startSeconds),
                fmt(interruptionRate),
                prices.fallback().onDemand(), prices.fallback().spot(), seed);
        List<PolicyReport> reports = new ArrayList<>();
        for (var entry : results.entrySet()) {
            Policy p = entry.getKey();
            SimResult r = entry.getValue();
            PolicyReport report = PolicyReport.of(p.name(), p.config(), r, prices);
            reports.add(report);
            out.println();
            out.println(p.name() + " (" + p.file() + ")");
            if (timeline) {
                out.println(r.timelineText());
                out.println();
            }
            out.print(ReportTables.pools(report));
            out.println();
            out.print(ReportTables.paths(r));
            out.print(PathReport.of(p.config(), r, prices, ebsGb, ebsPrice).costText());
            List<SimEvent> unmatched = r.events(SimEvent.Kind.JOB_UNMATCHED);
            if (!unmatched.isEmpty()) {
                err.println("warning: " + unmatched.size() + " job(s) matched no pool in " + p.file() + " and were"
                        + " left out; first: " + unmatched.getFirst().subject() + " (" + unmatched.getFirst().detail() + ")");
            }
        }
        if (reports.size() == 2) {
            out.println();
            out.println("Comparison (change is from " + reports.get(0).name() + " to " + reports.get(1).name() + ")");
            out.print(ReportTables.comparison(reports.get(0), reports.get(1)));
        }
        if (chart.isPresent()) {
            List<SimChart.Panel> panels = new ArrayList<>();
            for (var entry : results.entrySet()) {
                panels.add(new SimChart.Panel(entry.getKey().name(), entry.getValue()));
            }
            out.println();
            if (chartPerConfig && panels.size() > 1) {
                for (SimChart.Panel panel : panels) {
                    Path file = perConfig(chart.get(), panel.policy());
                    SimChart.write(List.of(panel), file);
                    out.println("Chart: " + file);
                }
            } else {
                SimChart.write(panels, chart.get());
                out.println("Chart: " + chart.get());
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Runs every policy over the same window: until {@code end} if given, else until the last of them is
     * at rest (a policy that came to rest earlier is run again to that instant, so machine-hours compare).
     */
    private Map<Policy, SimResult> simulate(List<Policy> policies, List<SimJob> jobs, Instant begin,
                                            Optional<Instant> end, SeededCloud cloud, PrintWriter err) {
        boolean showProgress = progress.orElseGet(ProgressBar::stderrIsTerminal);
        Instant lastWork = jobs.stream().map(j -> j.arrival().plus(j.duration())).max(Instant::compareTo).orElse(begin);
        Map<Policy, SimResult> results = new LinkedHashMap<>();
        for (Policy p : policies) {
            ProgressBar bar = showProgress ? new ProgressBar(err, "simulating " + p.name(), begin,
                    end.orElse(lastWork)) : null;
            Simulation sim = simulation(p, cloud, bar);
            SimResult r = end.isPresent() ? sim.run(jobs, begin, end.get())
                    : sim.runUntilQuiet(jobs, begin, lastWork.plus(Duration.ofDays(7)));
            if (bar != null) {
                bar.finish();
            }
            results.put(p, r);
        }
        if (end.isEmpty() && results.size() > 1) {
            Instant common = results.values().stream().map(SimResult::end).max(Instant::compareTo).orElseThrow();
            for (var entry : results.entrySet()) {
                if (entry.getValue().end().isBefore(common)) {
                    entry.setValue(simulation(entry.getKey(), cloud, null).run(jobs, begin, common));
                }
            }
        }
        return results;
    }

    /** The sweep's knobs; a usage error names what is wrong with one. */
    private List<SweepAxis> sweepAxes() {
        if (sweeps.isEmpty()) {
            if (maxP95.isPresent() || threads.isPresent()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--max-p95 and --threads go with --sweep");
            }
            return List.of();
        }
        if (compare.isPresent()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sweep and --compare do not go together:"
                    + " the sweep compares every combination with the config as it is");
        }
        var axes = new ArrayList<SweepAxis>();
        for (String sweep : sweeps) {
            try {
                SweepAxis axis = SweepAxis.parse(sweep);
                if (axes.stream().anyMatch(a -> a.label().equals(axis.label()))) {
                    throw new IllegalArgumentException(axis.label() + " is swept twice");
                }
                axes.add(axis);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sweep " + e.getMessage());
            }
        }
        try {
            Sweep.combinations(axes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sweep: " + e.getMessage());
        }
        if (threads.isPresent() && threads.get() < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1");
        }
        return axes;
    }

    private Duration maxP95(String text) {
        return Durations.parse(text).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                "--max-p95 '" + text + "' is not a wait like 120, 2m or 1h30m"));
    }

    /**
     * Every combination of the swept knobs on the trace, to the same end: {@code --until}, else two hours after
     * the last job would end if it started on arrival (so a slow combination's late jobs still count, and every
     * combination pays for the same span of idle machines).
     */
    private int sweep(Policy policy, List<SimJob> jobs, Instant begin, Optional<Instant> end, SeededCloud cloud,
                      Prices prices, PrintWriter out, PrintWriter err) throws IOException {
        List<SweepAxis> axes = sweepAxes();
        Optional<Duration> within = maxP95.map(this::maxP95);
        Instant lastWork = jobs.stream().map(j -> j.arrival().plus(j.duration())).max(Instant::compareTo).orElse(begin);
        Instant until = end.orElse(lastWork.plus(SWEEP_TAIL));
        String yaml = Files.readString(policy.file());
        int total = Sweep.combinations(axes).size() + 1;
        Optional<ProgressBar> bar = progress.orElseGet(ProgressBar::stderrIsTerminal)
                ? Optional.of(new ProgressBar(err, "sweeping")) : Optional.empty();
        List<Sweep.Outcome> outcomes;
        try {
            outcomes = Sweep.run(yaml, axes, jobs, begin, until, cloud, prices, new Sweep.StoppedMachines(
                            Duration.ofMillis(Math.round(startSeconds * 1000)), ebsGb, ebsPrice),
                    threads.orElse(Runtime.getRuntime().availableProcessors()),
                    done -> bar.ifPresent(b -> b.fraction(done / (double) total, done + " of " + total)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sweep " + e.getMessage());
        }
        bar.ifPresent(ProgressBar::finish);
        List<Sweep.Outcome> frontier = Sweep.frontier(outcomes);
        Optional<Sweep.Outcome> recommended = within.flatMap(w -> Sweep.recommended(outcomes, w));
        out.printf(Locale.ROOT, "Swept %d combination(s) of %s on %d job(s) from %s, %s to %s; boot %s s%s, start"
                        + " from stopped %s s; prices per hour on-demand $%.3f, spot $%.3f, stopped volumes %s GB at"
                        + " $%s per GB-month; seed %d.%n", total - 1,
                String.join(", ", axes.stream().map(SweepAxis::label).toList()), jobs.size(), trace, begin, until,
                fmt(bootSeconds), bootJitter > 0 ? " ± " + fmt(bootJitter) + " s" : "", fmt(startSeconds),
                prices.fallback().onDemand(), prices.fallback().spot(), fmt(ebsGb), fmt(ebsPrice), seed);
        out.println();
        out.print(Sweep.table(axes, outcomes, frontier, recommended));
        out.println();
        if (within.isPresent()) {
            Path shown = policy.file().normalize();
            out.print(Sweep.recommendation(outcomes, recommended, within.get(),
                    (shown.startsWith("..") || shown.isAbsolute() ? shown.getFileName() : shown).toString()));
        }
        if (chart.isPresent()) {
            SweepChart.write(axes, outcomes, frontier, recommended, within, trace.getFileName().toString(), chart.get());
            out.println("Chart: " + chart.get());
        }
        outcomes.stream().filter(o -> o.current() && o.invalid().isPresent()).findFirst().ifPresent(o ->
                err.println("warning: " + policy.file() + " itself is invalid: " + o.invalid().get()));
        out.flush();
        return 0;
    }

    private Simulation simulation(Policy p, SeededCloud cloud, ProgressBar bar) {
        Simulation.Builder b = Simulation.builder(p.config()).bootTimes(cloud).interruptions(cloud).prewarmed(true)
                .startTime(Duration.ofMillis(Math.round(startSeconds * 1000)));
        if (bar != null) {
            b.progress(bar);
        }
        return b.build();
    }

    private Policy policy(Path file) throws IOException {
        String yaml = Files.readString(file);
        ScalerConfig parsed;
        try {
            parsed = new ConfigLoader().parse(yaml);
        } catch (ConfigException e) {
            List<String> problems = e.problems().stream().map(p -> file + ": " + p).toList();
            throw new ConfigException(problems);
        }
        String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return new Policy(name, file, parsed);
    }

    private Prices prices() {
        Prices.Price fallback = new Prices.Price(onDemandPrice.orElse(Prices.DEFAULT.onDemand()),
                spotPrice.orElse(Prices.DEFAULT.spot()));
        if (!(fallback.onDemand() > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--on-demand-price must be above 0");
        }
        Map<String, Prices.Price> byType = new LinkedHashMap<>();
        for (String spec : typePrices) {
            try {
                var entry = Prices.parseTypePrice(spec, fallback);
                byType.put(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(this.spec.commandLine(), "--price " + e.getMessage());
            }
        }
        try {
            return new Prices(fallback, byType);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private SeededCloud cloud() {
        if (!(bootSeconds >= 0) || !(bootJitter >= 0) || !(startSeconds >= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--boot-seconds, --boot-jitter and --start-seconds must not be negative");
        }
        if (!(ebsGb >= 0) || !(ebsPrice >= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ebs-gb and --ebs-price must not be negative");
        }
        if (!(interruptionRate >= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interruption-rate must not be negative");
        }
        return new SeededCloud(seed, Duration.ofMillis(Math.round(bootSeconds * 1000)),
                Duration.ofMillis(Math.round(bootJitter * 1000)), interruptionRate);
    }

    /** An ISO instant, or a time after the start as the config writes durations (86400, 24h, 1h30m). */
    private Instant parseUntil(String value, Instant begin) {
        Optional<Duration> after = Durations.parse(value);
        if (after.isPresent()) {
            return begin.plus(after.get());
        }
        try {
            Instant at = Instant.parse(value.strip());
            if (at.isBefore(begin)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--until " + value
                        + " is before the start " + begin);
            }
            return at;
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--until '" + value
                    + "' is neither an ISO instant nor a time after the start like 86400, 24h or 90m");
        }
    }

    /** {@code out/sim.png} and config {@code tuned} give {@code out/sim-tuned.png}. */
    static Path perConfig(Path chart, String config) {
        String name = chart.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String file = dot > 0 ? name.substring(0, dot) + "-" + config + name.substring(dot) : name + "-" + config;
        return chart.resolveSibling(file.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private static String span(Duration d) {
        return d.toMinutes() >= 120 ? String.format(Locale.ROOT, "%.1f h", d.toSeconds() / 3600.0)
                : ReportTables.wait(d);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
