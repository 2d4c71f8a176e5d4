package io.runnerscaler.benchmarks.coldstart;

import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.Ec2Fleet;
import io.runnerscaler.benchmarks.e2e.Args;
import io.runnerscaler.benchmarks.e2e.BenchStack;
import io.runnerscaler.benchmarks.e2e.Percentiles;
import io.runnerscaler.benchmarks.e2e.Table;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.testkit.Emulator;
import io.runnerscaler.testkit.FakeRuntimeApi;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * What each function needs in memory and time for its typical and its worst-case work, to size
 * {@code MemorySize} and {@code Timeout} in the template from numbers. Each run is a fresh JVM with the
 * options Lambda's {@code java21} runtime gives a function of {@code --memory} MB (heap 85 %, metaspace 10 %,
 * code cache 5 % of it, serial GC, the JVM told the machine has that much memory) plus the template's
 * {@code JAVA_TOOL_OPTIONS}, running the Quarkus artifact under the runtime interface client against the
 * emulator, handed one event: so the duration is a cold first invocation, the slowest an invocation gets.
 * Peak RSS is the process's {@code VmHWM} read from {@code /proc} after it answered (what Lambda's
 * "Max Memory Used" counts); heap comes from the JVM's GC log and {@code jcmd GC.heap_info}.
 *
 * <pre>Sizing [--memory 1024] [--runs 3] [--reaper-runs 1] [--pools 10] [--machines 30] [--batch 10]
 *        [--out section.md]</pre>
 */
public final class Sizing {

    /** What the template's Globals set in JAVA_TOOL_OPTIONS. */
    static final List<String> TEMPLATE_JAVA_TOOL_OPTIONS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");

    /** One kind of work a function does, and how it is set up before each run. */
    record Workload(String function, String name, String event) {
    }

    /** One measured run. */
    record Measured(Workload workload, double init, double invocation, long peakRssKb, long peakHeapKb, int gcs,
                    boolean ok, String detail) {
    }

    private static final Pattern GC_PAUSE = Pattern.compile("GC\\(\\d+\\) Pause.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    /** A heap generation in {@code jcmd GC.heap_info} (Serial GC; the names changed in JDK 22). */
    private static final Pattern HEAP_INFO_USED = Pattern.compile(
            "^\\s*(?:def new generation|tenured generation|DefNew|Tenured)\\s+total \\d+K, used (\\d+)K");

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int memory = args.integer("memory", 1024);
        int runs = args.integer("runs", 3);
        int pools = args.integer("pools", 10);
        int machines = args.integer("machines", 30);
        int batch = args.integer("batch", 10);
        int reaperRuns = args.integer("reaper-runs", 1);
        Path root = Emulator.ProjectRoot.find();
        Path artifact = args.path("artifact").orElseGet(() -> ColdStart.findArtifact(root));
        Path runtime = args.path("runtime").orElse(root.resolve("benchmarks/target/lambda-runtime"));
        Path work = root.resolve("benchmarks/target/sizing");
        Files.createDirectories(work);
        String java = args.text("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = Stream.concat(Stream.of(artifact), ColdStart.jars(runtime).stream()).map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator));
        URI emulator = args.emulator();
        long pid = ProcessHandle.current().pid();

        // One stack for the single-pool work, one with pools x machines for the reaper.
        BenchStack small = BenchStack.provision(emulator, "bench-size-" + pid, BenchStack.onePool("on-demand", 10_000, 300));
        String instance = ColdStart.seedMachine(small, root);
        String yaml = BenchStack.manyPools(pools, machines, "10m");
        BenchStack large = BenchStack.provision(emulator, "bench-size-reaper-" + pid, yaml);
        List<PoolConfig> poolConfigs = new ConfigLoader().parse(yaml).pools();

        var onSmall = new ColdStart(small, root, work, java, classpath, instance);
        var onLarge = new ColdStart(large, root, work, java, classpath, instance);
        String reaper = Files.readString(root.resolve("events/reaper-schedule.json"));
        String kept = "reaper: " + pools + " pools x " + machines + " idle machines, all kept";
        String reaped = "reaper: " + pools + " pools x " + machines + " idle machines past IdleTime, all terminated";
        List<Measured> results = new ArrayList<>();
        // Untimed: the reaper's machines, idle since now, so the measured passes keep them all.
        List<Machine> seeded = seed(large, poolConfigs, machines);
        AtomicLong jobs = new AtomicLong(5_000_000);
        try (FakeRuntimeApi api = new FakeRuntimeApi()) {
            for (int i = 0; i < runs; i++) {
                results.add(measure(onSmall, api, memory, work, new Workload("webhook", "one GitLab delivery",
                        Files.readString(root.resolve("events/webhook-gitlab-pending.json")))));
                results.add(measure(onSmall, api, memory, work, new Workload("scale-up", "1 message",
                        sqsBatch(root, 1, jobs))));
                results.add(measure(onSmall, api, memory, work, new Workload("scale-up", batch + " messages",
                        sqsBatch(root, batch, jobs))));
                results.add(measure(onSmall, api, memory, work, new Workload("ec2-events", "one state change",
                        new String(onSmall.event("ec2-events", i), StandardCharsets.UTF_8))));
                results.add(measure(onLarge, api, memory, work, new Workload("reaper", kept, reaper)));
            }
            // The worst pass: every machine idle for an hour, so all of them are terminated (a period that
            // drops idleCount to 0 at the end of a working day does this). Slow on the emulator: fewer runs.
            for (int i = 0; i < reaperRuns; i++) {
                if (i > 0) {
                    seeded = seed(large, poolConfigs, machines);
                }
                Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
                DynamoMachineStore store = new DynamoMachineStore(large.admin().dynamo(), large.resources().machinesTable());
                seeded.forEach(m -> store.put(m.withState(MachineState.IDLE, hourAgo, Optional.empty())));
                results.add(measure(onLarge, api, memory, work, new Workload("reaper", reaped, reaper)));
            }
        }
        String section = report(results, memory, runs, java);
        System.out.println(section);
        if (args.path("out").isPresent()) {
            Files.writeString(args.path("out").get(), section);
        }
        System.exit(results.stream().allMatch(Measured::ok) ? 0 : 1);
    }

    /** The JVM options Lambda's java21 runtime uses for a function of {@code memoryMb}, plus the template's. */
    static List<String> lambdaOptions(int memoryMb) {
        long kb = memoryMb * 1024L;
        List<String> options = new ArrayList<>(List.of("-XX:MaxHeapSize=" + kb * 85 / 100 + "k",
                "-XX:MaxMetaspaceSize=" + kb * 10 / 100 + "k", "-XX:ReservedCodeCacheSize=" + kb * 5 / 100 + "k",
                "-XX:MaxRAM=" + memoryMb + "m", "-XX:+UseSerialGC", "-Xshare:auto"));
        options.addAll(TEMPLATE_JAVA_TOOL_OPTIONS);
        return options;
    }

    private static Measured measure(ColdStart bench, FakeRuntimeApi api, int memory, Path work, Workload w)
            throws IOException, InterruptedException {
        String name = "sizing-" + w.function() + "-" + Integer.toHexString(w.name().hashCode());
        Path gcLog = work.resolve(name + ".gc.log");
        Files.deleteIfExists(gcLog);
        List<String> options = new ArrayList<>(lambdaOptions(memory));
        options.add("-Xlog:gc:file=" + gcLog);
        long[] rss = {0};
        String[] heapInfo = {""};
        ColdStart.Answered a = bench.invoke(api, w.function(), options, w.event().getBytes(StandardCharsets.UTF_8),
                name, pid -> {
                    rss[0] = peakRssKb(pid);
                    heapInfo[0] = heapInfo(pid);
                });
        long peakHeapKb = 0;
        int gcs = 0;
        long heapNowKb = 0;
        List<String> lines = new ArrayList<>(Files.exists(gcLog) ? Files.readAllLines(gcLog) : List.of());
        lines.addAll(List.of(heapInfo[0].split("\n")));
        for (String line : lines) {
            Matcher pause = GC_PAUSE.matcher(line);
            if (pause.find()) {
                gcs++;
                peakHeapKb = Math.max(peakHeapKb, Long.parseLong(pause.group(1)) * 1024);
            }
            Matcher used = HEAP_INFO_USED.matcher(line);
            if (used.find()) {
                heapNowKb += Long.parseLong(used.group(1));
            }
        }
        peakHeapKb = Math.max(peakHeapKb, heapNowKb);
        Measured m = new Measured(w, a.init(), a.total() - a.init(), rss[0], peakHeapKb, gcs, a.ok(), a.detail());
        System.err.printf(Locale.ROOT, "%s / %s: invocation %.0f ms, peak RSS %d MB, heap %d MB, %d GCs %s%n",
                w.function(), w.name(), m.invocation(), m.peakRssKb() / 1024, m.peakHeapKb() / 1024, gcs,
                a.ok() ? "" : "FAILED " + a.detail());
        return m;
    }

    /** What {@code jcmd <pid> GC.heap_info} prints: the heap generations in use right now. */
    private static String heapInfo(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** VmHWM of a live process, in kB; 0 where /proc is not available. */
    static long peakRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** {@code machines} running instances per pool, launched as scale-up launches them, recorded IDLE since now. */
    private static List<Machine> seed(BenchStack stack, List<PoolConfig> pools, int machines) {
        Ec2Fleet fleet = new Ec2Fleet(stack.admin().ec2(), stack.name());
        DynamoMachineStore store = new DynamoMachineStore(stack.admin().dynamo(), stack.resources().machinesTable());
        Instant now = Instant.now();
        List<Machine> seeded = new ArrayList<>();
        for (PoolConfig pool : pools) {
            Fleet.LaunchResult result = fleet.launch(pool, machines, Market.ON_DEMAND, Map.of());
            if (result.launched().size() != machines) {
                throw new IllegalStateException("seeding " + pool.name() + " launched " + result.launched().size()
                        + " of " + machines + ": " + result.failure());
            }
            for (Fleet.Launched l : result.launched()) {
                Machine m = new Machine(l.instanceId(), pool.name(), MachineState.IDLE, l.market(), l.instanceType(), 0,
                        now, now, Optional.empty());
                store.put(m);
                seeded.add(m);
            }
        }
        return seeded;
    }

    /** An SQS event with {@code size} records of the scale-up sample, each for a new job. */
    private static String sqsBatch(Path root, int size, AtomicLong jobs) throws IOException {
        String sample = Files.readString(root.resolve("events/scale-up-sqs.json"));
        String record = sample.substring(sample.indexOf('{', sample.indexOf('[')), sample.lastIndexOf(']')).strip();
        String records = IntStream.range(0, size).mapToObj(i -> {
            long job = jobs.incrementAndGet();
            return record.replace("1977", Long.toString(job))
                    .replace("059f36b4-87a3-44ab-83d2-661975830a7d", "00000000-0000-4000-8000-" + String.format(
                            Locale.ROOT, "%012d", job));
        }).collect(Collectors.joining(",\n"));
        return "{\"Records\": [\n" + records + "\n]}";
    }

    static String report(List<Measured> results, int memory, int runs, String java) {
        StringBuilder b = new StringBuilder("## Memory and duration per function (issue 9)\n\n");
        b.append(String.format(Locale.ROOT, "Measured %s on %d CPUs, load average %s at the end.%n%n",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")), Runtime.getRuntime().availableProcessors(), loadAverage()));
        b.append(String.format(Locale.ROOT, "Each run is a fresh JVM (`%s`) running the Quarkus artifact under the "
                + "runtime interface client with the options Lambda gives a %d MB function (`%s`), handed one event "
                + "against the emulator: the duration is a cold first invocation, the slowest an invocation gets "
                + "(class loading, SDK clients, config read). Peak RSS is `VmHWM` from `/proc/<pid>/status` after "
                + "the answer (Lambda's *Max Memory Used* counts the same resident memory); heap is the largest "
                + "heap before a GC (`-Xlog:gc`) or in use after the answer "
                + "(`jcmd <pid> GC.heap_info`); the rest of the RSS is metaspace, code cache, thread stacks and the "
                + "JVM itself. Runs: %d of each, "
                + "fewer of the slow pass that terminates every machine (the *ok* column counts them).%n%n",
                java, memory, String.join(" ", lambdaOptions(memory)), runs));
        Table t = new Table("function", "work", "invocation median ms", "invocation max ms", "init median ms",
                "peak RSS max MB", "heap max MB", "GCs", "ok");
        List<String> seen = results.stream().map(r -> key(r.workload())).distinct().toList();
        for (String k : seen) {
            List<Measured> rs = results.stream().filter(r -> key(r.workload()).equals(k)).toList();
            Workload w = rs.get(0).workload();
            List<Measured> good = rs.stream().filter(Measured::ok).toList();
            Percentiles invocation = Percentiles.ofMillis(good.stream().mapToDouble(Measured::invocation).toArray());
            Percentiles init = Percentiles.ofMillis(good.stream().mapToDouble(Measured::init).toArray());
            t.row(w.function(), w.name(), Percentiles.format(invocation.p50()), Percentiles.format(invocation.max()),
                    Percentiles.format(init.p50()), mb(good.stream().mapToLong(Measured::peakRssKb).max().orElse(0)),
                    mb(good.stream().mapToLong(Measured::peakHeapKb).max().orElse(0)),
                    good.stream().mapToInt(Measured::gcs).max().orElse(0), good.size() + "/" + rs.size());
        }
        b.append(t).append('\n');
        results.stream().filter(r -> !r.ok()).forEach(r -> b.append("- failed: ").append(key(r.workload()))
                .append(": ").append(r.detail().length() > 240 ? r.detail().substring(0, 240) + "..." : r.detail())
                .append('\n'));
        return b.toString();
    }

    private static String key(Workload w) {
        return w.function() + " / " + w.name();
    }

    private static String loadAverage() {
        try {
            return String.join("/", Arrays.asList(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String mb(long kb) {
        return Long.toString(Math.round(kb / 1024.0));
    }
}
