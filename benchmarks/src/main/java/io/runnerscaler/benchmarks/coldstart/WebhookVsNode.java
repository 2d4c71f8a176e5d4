package io.runnerscaler.benchmarks.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnerscaler.benchmarks.e2e.Args;
import io.runnerscaler.benchmarks.e2e.BenchStack;
import io.runnerscaler.benchmarks.e2e.Percentiles;
import io.runnerscaler.benchmarks.e2e.Table;
import io.runnerscaler.testkit.Emulator;
import io.runnerscaler.testkit.FakeRuntimeApi;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The webhook function's cold start beside a Node handler doing the same work ({@code benchmarks/node-webhook}:
 * verify the token or signature, parse, normalise, one SQS send, 202), in the same run, against the same fake
 * Lambda Runtime API and the same emulator. Java runs the Quarkus artifact under the Java runtime interface
 * client with each JVM option set; Node runs {@code webhook.handler} under the Node runtime interface client
 * ({@code aws-lambda-ric}). Rounds alternate Java and Node (A B A B, the order flipped every round), so the
 * machine's drift falls on both; the ratio Java / Node is reported per option set, as a ratio of medians and
 * as the median of each Java run over the Node run beside it.
 *
 * <p>Several Java artifacts can be compared in one run ({@code --artifacts name=path,...}, each a Quarkus
 * runner jar with its {@code lib/}): that is how the attempts to shorten the Java cold start were measured.
 * Before the timed rounds each runtime answers one event with its own job id and the two queue messages are
 * compared (same body but the job id, same group and deduplication ids), so both did the same work; one more
 * run of each Java artifact with {@code -Xlog:class+load} counts the classes it loads, by package.
 *
 * <pre>WebhookVsNode [--runs 10] [--variants default,lambda,lambda-appcds] [--artifacts name=jar[@handler],...]
 *               [--floor true] [--node node] [--node-dir benchmarks/node-webhook] [--out section.md]
 *               [--emulator URL]</pre>
 * By default the artifact in functions/lambda/target is measured twice: {@code deployed}, started as the
 * template starts the webhook ({@link #DEPLOYED_HANDLER}), and {@code quarkus}, through Quarkus.
 */
public final class WebhookVsNode {

    static final String FUNCTION = "webhook";
    /** What the Node runtime interface client loads: {@code webhook.mjs}, its export {@code handler}. */
    static final String NODE_HANDLER = "webhook.handler";
    /** The webhook's Handler in infra-sam/template.yaml: the artifact started without Quarkus. */
    static final String DEPLOYED_HANDLER = "io.runnerscaler.lambda.WebhookFunction::handleRequest";
    /** Issue 16's goal for the ratio with Lambda's flags. */
    static final double GOAL = 1.5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LAMBDA_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");
    /** JVM options tried on top of Lambda's, for the attempts table (JAVA_TOOL_OPTIONS can set them). */
    static final Map<String, ColdStart.Variant> ATTEMPT_VARIANTS = Map.of(
            "lambda-noverify", new ColdStart.Variant("lambda-noverify", "`lambda` plus `-XX:+UnlockDiagnosticVMOptions "
                    + "-XX:-BytecodeVerificationRemote` (no bytecode verification of the application's classes)",
                    Stream.concat(LAMBDA_FLAGS.stream(), Stream.of("-XX:+UnlockDiagnosticVMOptions",
                            "-XX:-BytecodeVerificationRemote")).toList(), false),
            "lambda-c1-1thread", new ColdStart.Variant("lambda-c1-1thread", "`lambda` plus `-XX:CICompilerCount=1`",
                    Stream.concat(LAMBDA_FLAGS.stream(), Stream.of("-XX:CICompilerCount=1")).toList(), false));

    /** One timed cold start; {@code artifact} and {@code variant} are empty for Node. */
    record Run(int round, String runtime, String artifact, String variant, double init, double total, boolean ok,
               String detail) {
        String key() {
            return runtime.equals("node") ? "node" : artifact + "/" + variant;
        }
    }

    /**
     * A Java artifact to measure, by name, and the handler the function's configuration names; a reference
     * (the runtime's floor) answers without doing the webhook's work, so it is left out of the message check.
     */
    record Artifact(String name, Path jar, String handler, ColdStart bench, boolean reference) {
    }

    /** The Java runtime's floor, measured in every round beside the rest: {@link RuntimeFloor}. */
    static final String FLOOR = "floor";

    private WebhookVsNode() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int runs = args.integer("runs", 10);
        List<ColdStart.Variant> variants = Arrays.stream(args.text("variants", "default,lambda,lambda-appcds")
                .split(",")).map(String::strip).map(v -> {
                    ColdStart.Variant found = ColdStart.VARIANTS.getOrDefault(v, ATTEMPT_VARIANTS.get(v));
                    if (found == null) {
                        throw new IllegalArgumentException("unknown variant '" + v + "'; known: "
                                + ColdStart.VARIANTS.keySet() + " and " + ATTEMPT_VARIANTS.keySet());
                    }
                    return found;
                }).toList();
        Path root = Emulator.ProjectRoot.find();
        Path runtime = args.path("runtime").orElse(root.resolve("benchmarks/target/lambda-runtime"));
        Path nodeDir = args.path("node-dir").orElse(root.resolve("benchmarks/node-webhook")).toAbsolutePath();
        String node = args.text("node", "node");
        Path ric = nodeDir.resolve("node_modules/aws-lambda-ric/bin/index.mjs");
        if (!Files.isRegularFile(ric)) {
            throw new IllegalStateException("no " + ric + "; run `npm ci` in " + nodeDir + " (benchmarks/run does)");
        }
        String java = args.text("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Map<String, String> jars = new LinkedHashMap<>();
        Path current = ColdStart.findArtifact(root);
        String asDeployed = "deployed=" + current + "@" + DEPLOYED_HANDLER + ",quarkus=" + current;
        for (String spec : args.text("artifacts", asDeployed).split(",")) {
            int eq = spec.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--artifacts takes name=path[@handler][,...], got '" + spec + "'");
            }
            jars.put(spec.substring(0, eq).strip(), spec.substring(eq + 1).strip());
        }
        Path work = root.resolve("benchmarks/target/webhook-vs-node");
        deleteTree(work);
        Files.createDirectories(work);

        URI emulator = args.emulator();
        BenchStack stack = BenchStack.provision(emulator, "bench-vs-node-" + ProcessHandle.current().pid(),
                BenchStack.onePool("on-demand", 10_000, 300));
        List<Artifact> artifacts = new ArrayList<>();
        for (var e : jars.entrySet()) {
            Path dir = Files.createDirectories(work.resolve(e.getKey()));
            String[] jarAndHandler = e.getValue().split("@", 2);
            Path jar = Path.of(jarAndHandler[0]);
            String classpath = Stream.concat(Stream.of(jar), ColdStart.jars(runtime).stream())
                    .map(Path::toString).collect(Collectors.joining(File.pathSeparator));
            artifacts.add(new Artifact(e.getKey(), jar, jarAndHandler.length > 1 ? jarAndHandler[1]
                    : ColdStart.QUARKUS_HANDLER, new ColdStart(stack, root, dir, java, classpath, ""), false));
        }
        if (!args.text("floor", "true").equals("false")) {
            // This class's own jar: the runtime client and a constant answer, nothing of the function's.
            String self = Path.of(WebhookVsNode.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
            String classpath = Stream.concat(Stream.of(Path.of(self)), ColdStart.jars(runtime).stream())
                    .map(Path::toString).collect(Collectors.joining(File.pathSeparator));
            artifacts.add(new Artifact(FLOOR, Path.of(self), RuntimeFloor.class.getName() + "::handleRequest",
                    new ColdStart(stack, root, Files.createDirectories(work.resolve(FLOOR)), java, classpath, ""),
                    true));
        }
        ColdStart nodeBench = new ColdStart(stack, root, Files.createDirectories(work.resolve("node")), java, "", "");
        ColdStart.Launch nodeLaunch = new ColdStart.Launch(List.of(node, ric.toString(), NODE_HANDLER), nodeDir,
                Map.of("LAMBDA_TASK_ROOT", nodeDir.toString(), "_HANDLER", NODE_HANDLER));
        byte[] event = Files.readAllBytes(root.resolve("events/webhook-gitlab-pending.json"));

        List<Run> results = new ArrayList<>();
        List<String> conformance = new ArrayList<>();
        Map<String, Map<String, Integer>> classes = new LinkedHashMap<>();
        boolean same;
        try (FakeRuntimeApi api = new FakeRuntimeApi()) {
            // Untimed: each runtime once with its own job, the messages compared; these runs also warm the page
            // cache and train the CDS archives.
            Message nodeMessage = conformanceRun(api, stack, nodeBench, nodeLaunch, event, 8_000_000L, "node-check");
            same = nodeMessage != null;
            conformance.add("node: " + describe(nodeMessage));
            long job = 8_000_001L;
            for (Artifact a : artifacts) {
                for (ColdStart.Variant v : a.reference() ? List.<ColdStart.Variant>of() : variants) {
                    Message javaMessage = conformanceRun(api, stack, a.bench(), javaLaunch(a, v, List.of()), event,
                            job++, "check-" + a.name() + "-" + v.name());
                    String difference = difference(nodeMessage, javaMessage);
                    same &= difference == null;
                    conformance.add(a.name() + "/" + v.name() + ": " + (difference == null ? "the same message"
                            : difference));
                }
                Path classLog = work.resolve(a.name() + "-classes.log");
                ColdStart.Answered counted = a.bench().invoke(api, FUNCTION, javaLaunch(a, ColdStart.VARIANTS.get(
                        "lambda"), List.of("-Xlog:class+load:file=" + classLog)), event, "classes-" + a.name(), pid -> {
                        });
                classes.put(a.name(), counted.ok() ? classesByGroup(classLog) : Map.of());
            }
            for (int round = 1; round <= runs; round++) {
                for (Artifact a : artifacts) {
                    for (ColdStart.Variant v : variantsOf(a, variants)) {
                        boolean nodeFirst = round % 2 == 0;
                        if (nodeFirst) {
                            results.add(nodeRun(api, nodeBench, nodeLaunch, event, round));
                        }
                        ColdStart.Answered j = a.bench().invoke(api, FUNCTION, javaLaunch(a, v, List.of()), event,
                                "java-" + a.name() + "-" + v.name() + "-" + round, pid -> { });
                        results.add(new Run(round, "java", a.name(), v.name(), j.init(), j.total(), j.ok(), j.detail()));
                        if (!nodeFirst) {
                            results.add(nodeRun(api, nodeBench, nodeLaunch, event, round));
                        }
                        Run last = results.get(results.size() - 1);
                        Run java1 = results.get(results.size() - 2);
                        System.err.printf(Locale.ROOT, "round %d %s/%s: java %.0f ms, node %.0f ms%n", round, a.name(),
                                v.name(), nodeFirst ? last.total() : java1.total(),
                                nodeFirst ? java1.total() : last.total());
                    }
                }
            }
        }
        String section = report(results, artifacts, variants, runs, conformance, same, classes, java, node, root);
        System.out.println(section);
        if (args.path("out").isPresent()) {
            Files.writeString(args.path("out").get(), section);
        }
        System.exit(results.stream().allMatch(Run::ok) && same ? 0 : 1);
    }

    static ColdStart.Launch javaLaunch(Artifact a, ColdStart.Variant v, List<String> extra) {
        List<String> options = new ArrayList<>(v.jvmOptions(a.bench().work(), FUNCTION));
        options.addAll(extra);
        return a.bench().javaLaunch(FUNCTION, options, a.handler());
    }

    private static Run nodeRun(FakeRuntimeApi api, ColdStart bench, ColdStart.Launch launch, byte[] event, int round)
            throws IOException, InterruptedException {
        ColdStart.Answered n = bench.invoke(api, FUNCTION, launch, event, "node-" + round + "-" + System.nanoTime(),
                pid -> { });
        return new Run(round, "node", "", "", n.init(), n.total(), n.ok(), n.detail());
    }

    /**
     * One untimed run answering the sample event with this GitLab job id, and the message it put on the queue
     * (null when it did not answer 202 or sent nothing).
     */
    private static Message conformanceRun(FakeRuntimeApi api, BenchStack stack, ColdStart bench,
                                          ColdStart.Launch launch, byte[] sample, long jobId, String logName)
            throws IOException, InterruptedException {
        ObjectNode e = (ObjectNode) JSON.readTree(sample);
        ObjectNode body = (ObjectNode) JSON.readTree(e.get("body").asText());
        body.put("build_id", jobId);
        e.put("body", body.toString());
        ColdStart.Answered a = bench.invoke(api, FUNCTION, launch, JSON.writeValueAsBytes(e), logName, pid -> { });
        if (!a.ok()) {
            System.err.println(logName + ": " + a.detail());
            return null;
        }
        var sqs = stack.admin().sqs();
        String queue = stack.resources().queueUrl();
        for (int attempt = 0; attempt < 5; attempt++) {
            for (Message m : sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages()) {
                sqs.deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
                if (m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID).equals("gitlab:" + jobId)) {
                    return m;
                }
            }
        }
        return null;
    }

    /** Null when both messages are the same but for the job id, else what differs. */
    static String difference(Message node, Message java) throws IOException {
        if (node == null || java == null) {
            return (node == null ? "node" : "java") + " sent no message";
        }
        JsonNode a = withoutJobId(node.body());
        JsonNode b = withoutJobId(java.body());
        if (!a.equals(b)) {
            return "bodies differ: node " + a + ", java " + b;
        }
        String na = node.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID);
        String ja = java.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID);
        if (!na.replaceAll("\\d+", "#").equals(ja.replaceAll("\\d+", "#"))) {
            return "deduplication ids differ: node " + na + ", java " + ja;
        }
        return null;
    }

    private static JsonNode withoutJobId(String body) throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(body);
        n.remove("jobId");
        return n;
    }

    private static String describe(Message m) {
        return m == null ? "no message" : "body " + m.body() + ", deduplication id "
                + m.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID);
    }

    /** Classes loaded, by where they come from: the JDK, then the libraries by package, then the project. */
    static Map<String, Integer> classesByGroup(Path log) throws IOException {
        Map<String, Integer> groups = new TreeMap<>();
        try (Stream<String> lines = Files.lines(log)) {
            lines.forEach(line -> {
                // [0.012s][info][class,load] java.lang.Object source: shared objects file
                int tag = line.indexOf("[class,load] ");
                if (tag < 0) {
                    return;
                }
                String rest = line.substring(tag + 13);
                int space = rest.indexOf(' ');
                String name = space < 0 ? rest : rest.substring(0, space);
                groups.merge(group(name), 1, Integer::sum);
            });
        }
        return groups;
    }

    static String group(String className) {
        List<String> prefixes = List.of("software.amazon.awssdk.services.", "software.amazon.awssdk.",
                "com.fasterxml.jackson.", "io.quarkus.", "io.smallrye.", "org.jboss.", "com.amazonaws.",
                "io.runnerscaler.", "org.slf4j.", "org.crac.", "io.netty.", "org.apache.", "org.eclipse.",
                "jakarta.", "java.", "javax.", "jdk.", "sun.", "com.sun.");
        for (String p : prefixes) {
            if (className.startsWith(p)) {
                if (p.equals("software.amazon.awssdk.services.") || p.equals("software.amazon.awssdk.")) {
                    String tail = className.substring(p.length());
                    int dot = tail.indexOf('.');
                    return p + (dot < 0 ? tail : tail.substring(0, dot));
                }
                return p.substring(0, p.length() - 1);
            }
        }
        return "other";
    }

    static String report(List<Run> runs, List<Artifact> artifacts, List<ColdStart.Variant> variants, int n,
                         List<String> conformance, boolean same, Map<String, Map<String, Integer>> classes,
                         String java, String node, Path root) {
        StringBuilder b = new StringBuilder();
        b.append("## Webhook cold start beside Node (issue 16)\n\n");
        b.append(String.format(Locale.ROOT, "Fresh process to first answered event, the same GitLab Job Hook "
                + "(`events/webhook-gitlab-pending.json`) handed to each by the same local fake of the Lambda "
                + "Runtime API, with the same stack on the same emulator: the `webhook` function of the one "
                + "artifact (started as listed below the table) under the Java runtime interface client, beside `benchmarks/node-webhook` (the same "
                + "work in Node: the secret read from SSM, the constant-time token check, parse, normalise, one "
                + "SQS FIFO `SendMessage` with the same message, group and deduplication id, the same log and EMF "
                + "lines, 202) under the Node runtime interface client (`aws-lambda-ric`). %d rounds; in each, "
                + "every Java option set runs once with a Node run beside it, the order flipped every round. "
                + "*Init* is process start to the first `/invocation/next` poll. Java: `%s`; Node: `%s` %s.%n%n",
                n, java, node, nodeVersion(node)));
        Table t = new Table("runtime", "artifact", "options", "runs", "total min ms", "total median ms",
                "total max ms", "init median ms", "first invocation median ms", "ok");
        List<String> keys = new ArrayList<>();
        for (Artifact a : artifacts) {
            for (ColdStart.Variant v : variantsOf(a, variants)) {
                keys.add(a.name() + "/" + v.name());
            }
        }
        keys.add("node");
        for (String key : keys) {
            List<Run> rs = runs.stream().filter(r -> r.key().equals(key)).toList();
            List<Run> good = rs.stream().filter(Run::ok).toList();
            Percentiles total = stat(good, Run::total);
            Run first = rs.isEmpty() ? null : rs.get(0);
            boolean none = good.isEmpty();
            t.row(key.equals("node") ? "node" : "java", first == null ? "" : first.artifact(),
                    first == null ? "" : first.variant(), rs.size(), none ? "n/a" : ms(total.min()),
                    none ? "n/a" : "**" + ms(total.p50()) + "**", none ? "n/a" : ms(total.max()),
                    none ? "n/a" : ms(stat(good, Run::init).p50()),
                    none ? "n/a" : ms(stat(good, r -> r.total() - r.init()).p50()), good.size() + "/" + rs.size());
        }
        b.append(t).append('\n');
        b.append("Java artifacts, each started as a function's `Handler` names it:\n\n");
        for (Artifact a : artifacts) {
            b.append("- `").append(a.name()).append("`: ").append(a.reference()
                    ? "the runtime's floor, `" + a.handler() + "` (the runtime interface client reading the event "
                    + "and answering a constant 202: no framework, no SDK, none of the webhook's work)"
                    : "`" + (a.jar().toAbsolutePath().startsWith(root) ? root.relativize(a.jar().toAbsolutePath())
                    : a.jar()) + "`, handler `" + a.handler() + "`")
                    .append('\n');
        }
        b.append('\n');
        double nodeMedian = stat(runs.stream().filter(r -> r.ok() && r.runtime().equals("node")).toList(),
                Run::total).p50();
        Table ratios = new Table("artifact", "Java options", "Java median ms", "Node median ms",
                "ratio of medians", "median of paired ratios", "goal (Lambda's flags) <= " + GOAL + " x");
        for (Artifact a : artifacts) {
            for (ColdStart.Variant v : variantsOf(a, variants)) {
                List<Run> javaRuns = runs.stream().filter(r -> r.ok() && r.key().equals(a.name() + "/" + v.name()))
                        .toList();
                double javaMedian = stat(javaRuns, Run::total).p50();
                double paired = medianOf(javaRuns.stream().mapToDouble(j -> j.total() / partner(runs, j)).toArray());
                double ratio = javaMedian / nodeMedian;
                ratios.row(a.name(), v.name(), ms(javaMedian), ms(nodeMedian), times(ratio), times(paired),
                        a.reference() || !v.name().equals("lambda") ? "" : ratio <= GOAL ? "met" : "not met");
            }
        }
        b.append(ratios).append('\n');
        b.append("Option sets: ");
        b.append(variants.stream().map(v -> "`" + v.name() + "`: " + v.description()).collect(Collectors.joining("; ")));
        b.append(". Node runs as `node` with no options: its runtime interface client is what the managed "
                + "`nodejs` runtimes start, and Lambda's own flags for it only size the heap.\n\n");
        b.append("The two do the same work (one untimed run each with its own job id before the rounds, the queue "
                + "messages compared): ").append(same ? "yes" : "**no**").append(".\n\n");
        for (String c : conformance) {
            b.append("- ").append(c).append('\n');
        }
        b.append('\n');
        if (!classes.isEmpty()) {
            Table ct = new Table(Stream.concat(Stream.of("classes loaded to the answer (`lambda`, -Xlog:class+load)"),
                    classes.keySet().stream()).toArray(String[]::new));
            TreeMap<String, Integer> all = new TreeMap<>();
            classes.values().forEach(m -> m.forEach((k, v) -> all.merge(k, v, Math::max)));
            List<String> order = all.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue()
                    .reversed()).map(Map.Entry::getKey).toList();
            for (String g : order) {
                Object[] row = Stream.concat(Stream.of(g), classes.values().stream()
                        .map(m -> (Object) m.getOrDefault(g, 0))).toArray();
                ct.row(row);
            }
            Object[] total = Stream.concat(Stream.of("**all**"), classes.values().stream()
                    .map(m -> (Object) m.values().stream().mapToInt(Integer::intValue).sum())).toArray();
            ct.row(total);
            b.append(ct).append('\n');
        }
        return b.toString();
    }

    /** A reference runs once a round, with Lambda's flags; the function's artifacts with every option set. */
    static List<ColdStart.Variant> variantsOf(Artifact a, List<ColdStart.Variant> variants) {
        return a.reference() ? List.of(ColdStart.VARIANTS.get("lambda")) : variants;
    }

    private static String ms(double value) {
        return value > 0 && Double.isFinite(value) ? Percentiles.format(value) : "n/a";
    }

    private static String times(double ratio) {
        return ratio > 0 && Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f x", ratio) : "n/a";
    }

    /** The total of the Node run of the same round, artifact and option set as this Java run. */
    private static double partner(List<Run> runs, Run javaRun) {
        int i = runs.indexOf(javaRun);
        boolean nodeFirst = javaRun.round() % 2 == 0;
        Run other = runs.get(nodeFirst ? i - 1 : i + 1);
        return other.ok() && other.runtime().equals("node") ? other.total() : Double.NaN;
    }

    private static double medianOf(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Percentiles stat(List<Run> runs, ToDoubleFunction<Run> f) {
        return Percentiles.ofMillis(runs.stream().mapToDouble(f).toArray());
    }

    private static String nodeVersion(String node) {
        try {
            Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return v;
        } catch (IOException | InterruptedException e) {
            return "(version unknown)";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
