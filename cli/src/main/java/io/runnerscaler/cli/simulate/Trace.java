package io.runnerscaler.cli.simulate;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.SequenceWriter;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.sim.SimJob;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A job trace for the simulator, read from and written as CSV (format in {@code docs/simulate.md}) with
 * Jackson's CSV parser, so fields may be quoted ({@code "docker;linux"}, or a label holding a comma).
 *
 * <p>The first line that is not blank or a {@code #} comment is the header; columns go by name, in any
 * order: {@code arrival}, {@code duration_seconds} and {@code forge} are required, {@code labels}
 * ({@code ;}-separated) and {@code id} are optional. An arrival is an ISO-8601 instant or a number of
 * seconds after the simulation's start.
 */
public record Trace(String name, List<Row> rows) {

    /** The simulation's start when the trace has only offsets and no start is given: a Monday, 00:00 UTC. */
    public static final Instant DEFAULT_START = Instant.parse("2026-03-02T00:00:00Z");

    static final List<String> COLUMNS = List.of("id", "arrival", "duration_seconds", "forge", "labels");
    private static final List<String> REQUIRED = List.of("arrival", "duration_seconds", "forge");
    private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .enable(CsvParser.Feature.TRIM_SPACES)
            .enable(CsvParser.Feature.ALLOW_COMMENTS)
            .build();
    /** The header {@link #write} puts first: every column, in the documented order. */
    private static final CsvSchema WRITE_SCHEMA = CsvSchema.builder().addColumns(COLUMNS, CsvSchema.ColumnType.STRING)
            .setUseHeader(true).build();

    public Trace {
        rows = List.copyOf(rows);
    }

    /** When a job is queued: at an instant, or some time after the simulation's start. */
    public sealed interface Arrival {
        record At(Instant instant) implements Arrival {
        }

        record After(Duration offset) implements Arrival {
        }
    }

    /** One job line, with its line number for messages (0 for rows not read from a file). */
    public record Row(int line, String id, Forge forge, Set<String> labels, Arrival arrival, Duration duration) {
        public Row {
            labels = Set.copyOf(labels);
        }

        /** A job that came from a forge's history or the ledger: queued at an instant. */
        public static Row at(String id, Forge forge, Set<String> labels, Instant arrival, Duration duration) {
            return new Row(0, id, forge, labels, new Arrival.At(arrival), duration);
        }
    }

    public static Trace parse(String name, String csv) {
        return parse(name, new StringReader(csv.startsWith("\uFEFF") ? csv.substring(1) : csv));
    }

    /** Reads a whole trace; the first problem found is thrown as a {@link TraceException} naming its line. */
    public static Trace parse(String name, Reader csv) {
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Integer> columns = null;
        int headerWidth = 0;
        try (MappingIterator<String[]> lines = CSV.readerFor(String[].class).with(CsvSchema.emptySchema())
                .readValues(csv)) {
            while (true) {
                String[] fields;
                int lineNo = 0;
                try {
                    if (!lines.hasNextValue()) {
                        break;
                    }
                    lineNo = line(lines.getParser().currentLocation()); // the row's first line, once reached
                    fields = lines.nextValue();
                } catch (JsonProcessingException e) {
                    throw new TraceException(name + ":" + (lineNo > 0 ? lineNo : line(e.getLocation()))
                            + ": not valid CSV (" + e.getOriginalMessage() + ")");
                }
                if (fields.length == 0 || (fields.length == 1 && fields[0].isEmpty())) {
                    continue; // a line of spaces or tabs
                }
                String where = name + ":" + lineNo + ": ";
                if (columns == null) {
                    columns = header(where, fields);
                    headerWidth = fields.length;
                    continue;
                }
                if (fields.length != headerWidth) {
                    throw new TraceException(where + "has " + fields.length + " field(s), the header has "
                            + headerWidth);
                }
                rows.add(row(where, lineNo, fields, columns, rows.size() + 1, ids));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (columns == null) {
            throw new TraceException(name + ": empty trace; the first line must be a header such as "
                    + "'arrival,duration_seconds,forge,labels'");
        }
        if (rows.isEmpty()) {
            throw new TraceException(name + ": no jobs after the header");
        }
        return new Trace(name, rows);
    }

    private static int line(JsonLocation at) {
        return at == null ? 0 : at.getLineNr();
    }

    private static Map<String, Integer> header(String where, String[] fields) {
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < fields.length; i++) {
            String column = fields[i].toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(column)) {
                throw new TraceException(where + "unknown column '" + fields[i] + "'; the columns are "
                        + String.join(", ", COLUMNS) + (looksLikeData(fields) ? " (is the header line missing?)" : ""));
            }
            if (columns.putIfAbsent(column, i) != null) {
                throw new TraceException(where + "column '" + column + "' appears twice");
            }
        }
        for (String required : REQUIRED) {
            if (!columns.containsKey(required)) {
                throw new TraceException(where + "the header lacks the required column '" + required
                        + "'; required: " + String.join(", ", REQUIRED));
            }
        }
        return columns;
    }

    private static boolean looksLikeData(String[] fields) {
        return Arrays.stream(fields).anyMatch(f -> SECONDS.matcher(f).matches() || f.contains("T"));
    }

    private static Row row(String where, int lineNo, String[] fields, Map<String, Integer> columns, int ordinal,
                           Map<String, Integer> ids) {
        String id = Optional.ofNullable(columns.get("id")).map(i -> fields[i]).filter(s -> !s.isEmpty())
                .orElse("job-" + ordinal);
        if (!ID.matcher(id).matches()) {
            throw new TraceException(where + "id '" + id + "' must be 1-128 letters, digits or . _ : / -");
        }
        Integer previous = ids.putIfAbsent(id, lineNo);
        if (previous != null) {
            throw new TraceException(where + "id '" + id + "' is already used on line " + previous);
        }
        Arrival arrival = arrival(where, fields[columns.get("arrival")]);
        Duration duration = duration(where, fields[columns.get("duration_seconds")]);
        Forge forge = forge(where, fields[columns.get("forge")]);
        Set<String> labels = new LinkedHashSet<>();
        if (columns.containsKey("labels")) {
            for (String label : fields[columns.get("labels")].split(";")) {
                if (!label.isBlank()) {
                    labels.add(label.strip());
                }
            }
        }
        return new Row(lineNo, id, forge, labels, arrival, duration);
    }

    private static Arrival arrival(String where, String value) {
        if (value.isEmpty()) {
            throw new TraceException(where + "arrival is empty; give an ISO instant (2026-03-02T09:00:00Z)"
                    + " or seconds after the start (540)");
        }
        if (SECONDS.matcher(value).matches()) {
            return new Arrival.After(seconds(value));
        }
        try {
            return new Arrival.At(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new TraceException(where + "arrival '" + value + "' is neither an ISO instant"
                    + " (2026-03-02T09:00:00Z) nor a number of seconds after the start (540)");
        }
    }

    private static Duration duration(String where, String value) {
        if (!SECONDS.matcher(value).matches()) {
            throw new TraceException(where + "duration_seconds '" + value + "' is not a number of seconds"
                    + (value.startsWith("-") ? " (it must not be negative)" : " (like 600)"));
        }
        return seconds(value);
    }

    private static Duration seconds(String value) {
        BigDecimal s = new BigDecimal(value);
        return Duration.ofSeconds(s.longValue(), s.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    private static Forge forge(String where, String value) {
        for (Forge f : Forge.values()) {
            if (f.id().equalsIgnoreCase(value) || f.name().equalsIgnoreCase(value)) {
                return f;
            }
        }
        throw new TraceException(where + "forge '" + value + "' is not one of "
                + String.join(", ", Arrays.stream(Forge.values()).map(Forge::id).toList()));
    }

    /**
     * Writes the rows in the documented format: a header, then one job a line in the order given, arrivals as
     * written (ISO instants or offsets), durations in seconds with at most millisecond digits, labels joined by
     * {@code ;}. Fields are quoted where CSV needs it, so whatever a forge calls a label reads back the same.
     */
    public static void write(List<Row> rows, Writer out) throws IOException {
        try (SequenceWriter csv = CSV.writerFor(String[].class).with(WRITE_SCHEMA)
                .without(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS).writeValues(out)) {
            for (Row r : rows) {
                csv.write(new String[] {r.id(), arrivalText(r.arrival()), secondsText(r.duration()), r.forge().id(),
                    String.join(";", r.labels().stream().sorted().toList())});
            }
        }
    }

    private static String arrivalText(Arrival arrival) {
        return switch (arrival) {
            case Arrival.At at -> at.instant().toString();
            case Arrival.After after -> secondsText(after.offset());
        };
    }

    /** {@code 600}, {@code 90.5}: whole milliseconds, trailing zeros dropped. */
    static String secondsText(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString();
    }

    /**
     * Where the simulation starts when no start is given: the earliest ISO arrival if the trace has
     * one, else {@link #DEFAULT_START}.
     */
    public Instant defaultStart() {
        return rows.stream().map(Row::arrival).flatMap(a -> a instanceof Arrival.At at ? Stream.of(at.instant())
                : Stream.empty()).min(Instant::compareTo).orElse(DEFAULT_START);
    }

    /** The jobs, with offsets counted from {@code start}; an instant before {@code start} is an error. */
    public List<SimJob> jobs(Instant start) {
        List<SimJob> jobs = new ArrayList<>();
        for (Row r : rows) {
            Instant at = switch (r.arrival()) {
                case Arrival.At a -> a.instant();
                case Arrival.After a -> start.plus(a.offset());
            };
            if (at.isBefore(start)) {
                throw new TraceException(name + ":" + r.line() + ": arrival " + at + " is before the simulation's"
                        + " start " + start + "; pass an earlier --start");
            }
            jobs.add(new SimJob(r.id(), r.forge(), r.labels(), at, r.duration()));
        }
        return jobs;
    }
}
