package io.runnerscaler.benchmarks.coldstart;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.runnerscaler.benchmarks.e2e.Args;
import io.runnerscaler.benchmarks.e2e.BenchStack;
import io.runnerscaler.benchmarks.e2e.Percentiles;
import io.runnerscaler.benchmarks.e2e.Table;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.ScaleUpHandler;
import io.runnerscaler.testkit.Emulator;
import io.runnerscaler.testkit.FakeRuntimeApi;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Cold start of each function, total: from starting a fresh JVM to the function's first answer. Runs the
 * real Quarkus Lambda artifact the way the managed {@code java21} runtime does, under the AWS Lambda runtime
 * interface client ({@code AWSLambda} with {@code QuarkusStreamHandler::handleRequest}, the function chosen by
 * {@code QUARKUS_LAMBDA_HANDLER}), against a {@link FakeRuntimeApi} that hands it one sample event, with the
 * stack's environment pointing at the emulator. Measures process start to the first poll (Lambda's init
 * duration) and to the response POST (total), for N runs per function and per JVM option set, interleaved
 * so that load on the machine spreads evenly.
 *
 * <pre>ColdStart [--runs 5] [--variants default,lambda,lambda-appcds] [--out section.md] [--emulator URL]
 *           [--artifact functions/lambda/target/lambda-*-runner.jar] [--runtime benchmarks/target/lambda-runtime]
 *           [--java $JAVA_HOME/bin/java]</pre>
 */
public final class ColdStart {

    static final List<String> FUNCTIONS = List.of("webhook", "scale-up", "reaper", "ec2-events");
    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    static final String QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    private static final long RUN_TIMEOUT_SECONDS = 300;
    /** Issue 9's anchor: a Node 24 webhook Lambda's total cold start. */
    private static final double NODE_ANCHOR_MS = 500;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES, true).build();

    /** A set of JVM options to compare. */
    record Variant(String name, String description, List<String> options, boolean appCds) {
        List<String> jvmOptions(Path work, String function) {
            List<String> all = new ArrayList<>(options);
            if (appCds) {
                all.add("-XX:SharedArchiveFile=" + work.resolve("appcds-" + function + ".jsa"));
                all.add("-XX:+AutoCreateSharedArchive");
            }
            return all;
        }
    }

    static final Map<String, Variant> VARIANTS = Stream.of(
            new Variant("default", "JVM defaults (C2 tiered compilation, G1 on this machine)", List.of(), false),
            new Variant("lambda", "what the java21 runtime sets: `-XX:+TieredCompilation -XX:TieredStopAtLevel=1 "
                    + "-XX:+UseSerialGC`", List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC"), false),
            new Variant("lambda-appcds", "`lambda` plus an application CDS archive per function "
                    + "(`-XX:SharedArchiveFile=... -XX:+AutoCreateSharedArchive`, written by one untimed training run)",
                    List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), true))
            .collect(Collectors.toMap(Variant::name, v -> v, (a, b) -> a, LinkedHashMap::new));

    /** One measured cold start; times in milliseconds. */
    record Run(String function, String variant, double init, double total, boolean ok, String detail) {
    }

    private final BenchStack stack;
    private final Path root;
    private final Path work;
    private final String java;
    private final String classpath;
    private final String instanceId;
    private int sequence;

    ColdStart(BenchStack stack, Path root, Path work, String java, String classpath, String instanceId) {
        this.stack = stack;
        this.root = root;
        this.work = work;
        this.java = java;
        this.classpath = classpath;
        this.instanceId = instanceId;
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int runs = args.integer("runs", 5);
        List<Variant> variants = Arrays.stream(args.text("variants", String.join(",", VARIANTS.keySet())).split(","))
                .map(String::strip).map(v -> {
                    Variant found = VARIANTS.get(v);
                    if (found == null) {
                        throw new IllegalArgumentException("unknown variant '" + v + "'; known: " + VARIANTS.keySet());
                    }
                    return found;
                }).toList();
        List<String> functions = Arrays.stream(args.text("functions", String.join(",", FUNCTIONS)).split(","))
                .map(String::strip).toList();
        Path root = Emulator.ProjectRoot.find();
        Path artifact = args.path("artifact").orElseGet(() -> findArtifact(root));
        Path runtime = args.path("runtime").orElse(root.resolve("benchmarks/target/lambda-runtime"));
        Path work = root.resolve("benchmarks/target/coldstart");
        Files.createDirectories(work);
        try (Stream<Path> old = Files.list(work)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        String java = args.text("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = Stream.concat(Stream.of(artifact), jars(runtime).stream()).map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator));

        URI emulator = args.emulator();
        BenchStack stack = BenchStack.provision(emulator, "bench-cold-" + ProcessHandle.current().pid(),
                BenchStack.onePool("on-demand", 10_000, 300));
        String instance = seedMachine(stack, root);
        var bench = new ColdStart(stack, root, work, java, classpath, instance);

        List<Run> results = new ArrayList<>();
        try (FakeRuntimeApi api = new FakeRuntimeApi()) {
            for (Variant v : variants) {
                if (v.appCds()) {
                    for (String f : functions) {
                        Run training = bench.run(api, f, v);
                        System.err.printf(Locale.ROOT, "training %s/%s: %.0f ms %s%n", v.name(), f, training.total(),
                                training.ok() ? "" : training.detail());
                    }
                }
            }
            for (int i = 0; i < runs; i++) {
                for (Variant v : variants) {
                    for (String f : functions) {
                        Run r = bench.run(api, f, v);
                        results.add(r);
                        System.err.printf(Locale.ROOT, "run %d %s/%s: init %.0f ms, total %.0f ms %s%n", i + 1,
                                v.name(), f, r.init(), r.total(), r.ok() ? "" : "FAILED " + r.detail());
                    }
                }
            }
        }
        String section = report(results, variants, functions, runs, artifact, root, java);
        System.out.println(section);
        if (args.path("out").isPresent()) {
            Files.writeString(args.path("out").get(), section);
        }
        System.exit(results.stream().allMatch(Run::ok) ? 0 : 1);
    }

    /** One fresh JVM running one function until it has answered one event. */
    Run run(FakeRuntimeApi api, String function, Variant variant) throws IOException, InterruptedException {
        int n = ++sequence;
        Answered a = invoke(api, function, variant.jvmOptions(work, function), event(function, n),
                variant.name() + "-" + function, pid -> { });
        return new Run(function, variant.name(), a.init(), a.total(), a.ok(), a.detail());
    }

    /** How a fresh JVM answered its one event; times in milliseconds from process start. */
    record Answered(double init, double total, boolean ok, String detail) {
    }

    /**
     * Starts a fresh JVM with these options running {@code function} under the runtime interface client,
     * hands it {@code event}, and waits for its answer. {@code beforeExit} sees the process id after the
     * answer and before the process is ended (to read what it used); its log goes to {@code <logName>.log}.
     */
    Answered invoke(FakeRuntimeApi api, String function, List<String> jvmOptions, byte[] event, String logName,
                    LongConsumer beforeExit) throws IOException, InterruptedException {
        return invoke(api, function, javaLaunch(function, jvmOptions), event, logName, beforeExit);
    }

    /** The JVM with these options running {@code function} of the artifact under the runtime interface client. */
    Launch javaLaunch(String function, List<String> jvmOptions) {
        return javaLaunch(function, jvmOptions, QUARKUS_HANDLER);
    }

    /** The same with another handler of the artifact ({@code class::method}), as a function's Handler names it. */
    Launch javaLaunch(String function, List<String> jvmOptions, String handler) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, RIC_MAIN, handler));
        return new Launch(command, work, Map.of("QUARKUS_LAMBDA_HANDLER", function,
                "LAMBDA_TASK_ROOT", work.toString(), "_HANDLER", handler));
    }

    /** Where the runs' logs and CDS archives go. */
    Path work() {
        return work;
    }

    /** A runtime process to start: its command line, working directory and what it adds to the stack's environment. */
    record Launch(List<String> command, Path directory, Map<String, String> environment) {
    }

    /**
     * Starts a fresh runtime process as {@code launch} says, with the environment Lambda gives a function of the
     * stack, hands it {@code event} through the fake Runtime API, and waits for its answer; times are from
     * process start.
     */
    Answered invoke(FakeRuntimeApi api, String function, Launch launch, byte[] event, String logName,
                    LongConsumer beforeExit) throws IOException, InterruptedException {
        int n = ++sequence;
        FakeRuntimeApi.Invocation invocation = api.arm(
                "arn:aws:lambda:us-east-1:123456789012:function:" + stack.name() + "-" + function, event);
        Path log = work.resolve(logName + ".log");
        ProcessBuilder pb = new ProcessBuilder(launch.command()).directory(launch.directory().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RUNNER_SCALER_") || k.startsWith("QUARKUS_") || k.startsWith("AWS_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS") || k.startsWith("NODE_"));
        env.putAll(stack.environment(stack.emulator()));
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("AWS_LAMBDA_FUNCTION_NAME", stack.name() + "-" + function);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + stack.name() + "-" + function);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "bench/" + n);
        env.putAll(launch.environment());

        long start = System.nanoTime();
        Process process = pb.start();
        try {
            // A process that cannot start (a missing jar, a bad option) exits without polling: stop waiting then.
            CompletableFuture.anyOf(invocation.answer, process.onExit())
                    .get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!invocation.answer.isDone()) {
                return new Answered(0, 0, false, "the process exited with status " + process.exitValue()
                        + " before answering; see " + log);
            }
            FakeRuntimeApi.Answer answer = invocation.answer.get();
            double total = (answer.nanos() - start) / 1e6;
            double init = invocation.firstPoll.isDone() ? (invocation.firstPoll.getNow(start) - start) / 1e6 : total;
            beforeExit.accept(process.pid());
            String problem = answer.error() ? answer.body() : check(function, answer.body());
            return new Answered(init, total, problem == null, problem == null ? "" : problem);
        } catch (TimeoutException e) {
            return new Answered(0, 0, false, "no answer within " + RUN_TIMEOUT_SECONDS + " s; see " + log);
        } catch (ExecutionException e) {
            return new Answered(0, 0, false, String.valueOf(e.getCause()));
        } finally {
            // SIGTERM: the JVM exits normally, so AutoCreateSharedArchive can write its archive.
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            invocation.release();
        }
    }

    /** Null when the function's answer is what it answers on success, else what is wrong. */
    static String check(String function, String body) {
        boolean ok = switch (function) {
            case "webhook" -> body.contains("\"statusCode\":202");
            case "scale-up" -> body.replace(" ", "").contains("\"batchItemFailures\":[]");
            case "reaper" -> body.contains("\"pools\"");
            case "ec2-events" -> body.contains("\"handled\":true");
            default -> true;
        };
        return ok ? null : "unexpected answer: " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }

    /**
     * The event a function gets: the samples in events/ (the scale-up sample's job made unique per run, so
     * every run plans and launches), and an EC2 state change for the machine seeded at set-up.
     */
    byte[] event(String function, int n) throws IOException {
        return switch (function) {
            case "webhook" -> Files.readAllBytes(root.resolve("events/webhook-gitlab-pending.json"));
            case "scale-up" -> Files.readString(root.resolve("events/scale-up-sqs.json"))
                    .replace("1977", Long.toString(3_000_000L + n)).getBytes(StandardCharsets.UTF_8);
            case "reaper" -> Files.readAllBytes(root.resolve("events/reaper-schedule.json"));
            case "ec2-events" -> JSON.writeValueAsBytes(Map.of("version", "0", "id", "cold-start-" + n,
                    "detail-type", "EC2 Instance State-change Notification", "source", "aws.ec2",
                    "account", "123456789012", "time", "2026-11-23T09:01:00Z", "region", BenchStack.REGION,
                    "resources", List.of("arn:aws:ec2:us-east-1:123456789012:instance/" + instanceId),
                    "detail", Map.of("instance-id", instanceId, "state", "running")));
            default -> throw new IllegalArgumentException("unknown function '" + function + "'; known: " + FUNCTIONS);
        };
    }

    /** One machine in the pool for the ec2-events function to report on, launched by an in-process scale-up. */
    static String seedMachine(BenchStack stack, Path root) throws IOException {
        App app = new App(stack.settings(stack.emulator()), Clock.systemUTC(), new PrintStream(
                PrintStream.nullOutputStream()));
        SQSEvent event = JSON.readValue(root.resolve("events/scale-up-sqs.json").toFile(), SQSEvent.class);
        new ScaleUpHandler(app).handleRequest(event, null);
        return app.machines().alive(BenchStack.POOL).stream().map(Machine::instanceId).findFirst()
                .orElseThrow(() -> new IllegalStateException("the seeding scale-up launched no machine"));
    }

    static Path findArtifact(Path root) {
        Path target = root.resolve("functions/lambda/target");
        Path fastJar = target.resolve("quarkus-app/quarkus-run.jar");
        if (Files.isRegularFile(fastJar)) {
            return fastJar;
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no Quarkus artifact in " + target + "; build it with "
                            + "mvn -pl functions/lambda -am package -DskipTests"));
        } catch (IOException e) {
            throw new IllegalStateException("no " + target + "; build it with mvn -pl functions/lambda -am package "
                    + "-DskipTests", e);
        }
    }

    static List<Path> jars(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException("no runtime interface client jars in " + dir);
            }
            return jars;
        } catch (IOException e) {
            throw new IllegalStateException("no " + dir + "; `mvn -pl benchmarks -am package` copies the runtime "
                    + "interface client there", e);
        }
    }

    static String report(List<Run> runs, List<Variant> variants, List<String> functions, int n, Path artifact,
                         Path root, String java) {
        StringBuilder b = new StringBuilder();
        b.append("## Cold start per function (issue 9)\n\n");
        b.append(String.format(Locale.ROOT, "Fresh JVM to first answered event, total: `%s` started under the AWS "
                + "Lambda runtime interface client (`AWSLambda %s`, the function chosen with "
                + "`QUARKUS_LAMBDA_HANDLER`), polling a local fake of the Lambda Runtime API that hands it one "
                + "event; measured from process start to the response POST. *Init* is process start to the first "
                + "`/invocation/next` poll (what Lambda reports as Init Duration); the rest is the first invocation "
                + "(App, SDK clients, SSM reads and the function's AWS calls to the emulator). Runs per "
                + "function and option set: %d, interleaved. JVM: `%s`.%n%n", root.relativize(artifact),
                QUARKUS_HANDLER, n, java));
        Table t = new Table("function", "options", "total min ms", "total median ms", "total max ms",
                "init median ms", "first invocation median ms", "ok");
        Map<String, Double> medianByVariant = new LinkedHashMap<>();
        for (String f : functions) {
            for (Variant v : variants) {
                List<Run> rs = runs.stream().filter(r -> r.function().equals(f) && r.variant().equals(v.name())).toList();
                List<Run> good = rs.stream().filter(Run::ok).toList();
                Percentiles total = Percentiles.ofMillis(good.stream().mapToDouble(Run::total).toArray());
                Percentiles init = Percentiles.ofMillis(good.stream().mapToDouble(Run::init).toArray());
                Percentiles invoke = Percentiles.ofMillis(good.stream().mapToDouble(r -> r.total() - r.init()).toArray());
                t.row(f, v.name(), Percentiles.format(total.min()), "**" + Percentiles.format(total.p50()) + "**",
                        Percentiles.format(total.max()), Percentiles.format(init.p50()),
                        Percentiles.format(invoke.p50()), good.size() + "/" + rs.size());
            }
        }
        for (Variant v : variants) {
            medianByVariant.put(v.name(), Percentiles.ofMillis(runs.stream().filter(r -> r.ok()
                    && r.variant().equals(v.name())).mapToDouble(Run::total).toArray()).p50());
        }
        b.append(t).append('\n');
        b.append("Option sets:\n\n");
        for (Variant v : variants) {
            b.append("- `").append(v.name()).append("`: ").append(v.description()).append('\n');
        }
        b.append('\n');
        double base = medianByVariant.values().iterator().next();
        Table compare = new Table("options", "median total, all functions", "vs first");
        medianByVariant.forEach((k, v) -> compare.row(k, Percentiles.format(v) + " ms",
                String.format(Locale.ROOT, "%.2f x", v / base)));
        b.append(compare).append('\n');
        String best = medianByVariant.entrySet().stream().min(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse("?");
        Table targets = new Table("target", "measured", "result");
        boolean allOk = runs.stream().allMatch(Run::ok);
        targets.row("every function answers its first event correctly", runs.stream().filter(Run::ok).count() + " of "
                + runs.size() + " runs", Table.pass(allOk));
        double webhookBest = variants.stream().mapToDouble(v -> Percentiles.ofMillis(runs.stream()
                .filter(r -> r.ok() && r.function().equals("webhook") && r.variant().equals(v.name()))
                .mapToDouble(Run::total).toArray()).p50()).filter(x -> x > 0).min().orElse(0);
        targets.row("webhook vs issue 9's anchor (Node 24 webhook, about 0.5 s total); informational",
                Percentiles.format(webhookBest) + " ms best median = "
                        + String.format(Locale.ROOT, "%.1f x", webhookBest / NODE_ANCHOR_MS) + " the anchor", "info");
        b.append(targets).append('\n');
        b.append("Fastest option set in this run: `").append(best).append("`. SnapStart (restoring a snapshot "
                + "taken after init, with SDK clients primed through `org.crac` hooks) cannot be measured here: "
                + "it needs Lambda itself. It removes most of *init* from the total; the first invocation's share "
                + "remains unless priming also exercises it.\n");
        return b.toString();
    }
}
