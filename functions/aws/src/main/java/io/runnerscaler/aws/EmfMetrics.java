package io.runnerscaler.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnerscaler.core.port.Metrics;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metrics as CloudWatch Embedded Metric Format lines on stdout: Lambda ships them to CloudWatch Logs and
 * CloudWatch extracts the metrics, with no API call on the request path. Namespace {@code RunnerScaler}.
 */
public final class EmfMetrics implements Metrics {

    public static final String NAMESPACE = "RunnerScaler";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Clock clock;

    public EmfMetrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public void count(String name, Map<String, String> dimensions, double value) {
        emit(name, "Count", dimensions, value);
    }

    @Override
    public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        emit(name, "Milliseconds", dimensions, millis);
    }

    private void emit(String name, String unit, Map<String, String> dimensions, double value) {
        var dims = new TreeMap<>(dimensions);
        ObjectNode line = JSON.createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        var dimensionSet = directive.putArray("Dimensions").addArray();
        dims.keySet().forEach(dimensionSet::add);
        directive.putArray("Metrics").addObject().put("Name", name).put("Unit", unit);
        dims.forEach(line::put);
        line.put(name, value);
        out.println(line);
    }
}
