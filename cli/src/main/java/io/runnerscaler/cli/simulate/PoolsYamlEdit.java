package io.runnerscaler.cli.simulate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Edits knobs of a pools YAML file in place, as its author would: a value that is written is replaced where it
 * stands, a knob that is not is added as a line at the end of its pool or period, and everything else (comments,
 * order, quoting, blank lines) stays as it was. The sweep simulates exactly the edited text, and prints the
 * recommended one as a diff against the file.
 */
final class PoolsYamlEdit {

    private static final YAMLFactory YAML = new YAMLFactory();

    /** One knob to set: in the mapping at {@code mapping} ({@code pools[0]}, {@code pools[0].periods[1]}). */
    record Edit(String mapping, String key, String value) {
    }

    /** A block mapping of the file: the column its keys start at (0-based) and the last line holding a value of it. */
    private record Mapping(int keyColumn, int lastLine, boolean flow) {
    }

    /** A scalar of the file: its characters. */
    private record Scalar(int start, int end) {
    }

    private final String text;
    private final Map<String, Mapping> mappings = new HashMap<>();
    private final Map<String, Scalar> scalars = new HashMap<>();
    private final Map<String, String> poolNames = new HashMap<>();

    /** @throws IllegalArgumentException when the text is not YAML (the config loader reports that better) */
    PoolsYamlEdit(String text) {
        this.text = text;
        locate();
    }

    /** How many pools the file has. */
    int pools() {
        int n = 0;
        while (mappings.containsKey("pools[" + n + "]")) {
            n++;
        }
        return n;
    }

    /** How many periods pool {@code pool} has. */
    int periods(int pool) {
        int n = 0;
        while (mappings.containsKey("pools[" + pool + "].periods[" + n + "]")) {
            n++;
        }
        return n;
    }

    String poolName(int pool) {
        return poolNames.getOrDefault("pools[" + pool + "]", "pools[" + pool + "]");
    }

    /** The text with the edits made. */
    String apply(List<Edit> edits) {
        record Change(int at, int remove, String insert) {
        }
        var changes = new ArrayList<Change>();
        for (Edit e : edits) {
            Scalar scalar = scalars.get(e.mapping() + "." + e.key());
            if (scalar != null) {
                changes.add(new Change(scalar.start(), scalar.end() - scalar.start(), e.value()));
                continue;
            }
            Mapping m = mappings.get(e.mapping());
            if (m == null || m.flow()) {
                throw new IllegalArgumentException(e.mapping() + ": cannot add " + e.key() + " to "
                        + (m == null ? "a mapping the file does not have" : "a flow-style {...} mapping")
                        + "; write " + e.key() + " in it first");
            }
            int at = endOfLine(m.lastLine());
            changes.add(new Change(at, 0, "\n" + " ".repeat(m.keyColumn()) + e.key() + ": " + e.value()));
        }
        changes.sort(Comparator.comparingInt(Change::at).reversed());
        var out = new StringBuilder(text);
        for (Change c : changes) {
            out.replace(c.at(), c.at() + c.remove(), c.insert());
        }
        return out.toString();
    }

    private int endOfLine(int line) {
        int at = 0;
        for (int l = 1; l < line; l++) {
            at = text.indexOf('\n', at) + 1;
        }
        int end = text.indexOf('\n', at);
        return end < 0 ? text.length() : end;
    }

    /** Walks the tokens once, noting where every mapping and scalar is, by path. */
    private void locate() {
        Deque<String> path = new ArrayDeque<>(); // paths of the enclosing mappings and sequences, innermost first
        Deque<Integer> arrayIndexes = new ArrayDeque<>();
        Deque<String> mappingPaths = new ArrayDeque<>();
        String key = null;
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> key = p.currentName();
                    case START_OBJECT, START_ARRAY -> {
                        String here = child(path, key, arrayIndexes);
                        path.push(here);
                        if (t == JsonToken.START_OBJECT) {
                            // A block mapping starts at its first key; a flow one at its brace.
                            boolean flow = text.charAt((int) p.currentTokenLocation().getCharOffset()) == '{';
                            mappings.put(here, new Mapping(0, p.currentTokenLocation().getLineNr(), flow));
                            mappingPaths.push(here);
                            arrayIndexes.push(-1);
                        } else {
                            arrayIndexes.push(0);
                        }
                        key = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        path.pop();
                        arrayIndexes.pop();
                        if (t == JsonToken.END_OBJECT) {
                            mappingPaths.pop();
                        }
                        advance(arrayIndexes);
                        key = null;
                    }
                    default -> {
                        String here = child(path, key, arrayIndexes);
                        int start = (int) p.currentTokenLocation().getCharOffset();
                        int end = (int) p.currentLocation().getCharOffset();
                        scalars.put(here, new Scalar(start, end));
                        int line = p.currentLocation().getLineNr();
                        for (String m : mappingPaths) {
                            Mapping old = mappings.get(m);
                            mappings.put(m, new Mapping(old.keyColumn(), Math.max(old.lastLine(), line), old.flow()));
                        }
                        if ("name".equals(key) && !mappingPaths.isEmpty()) {
                            poolNames.put(mappingPaths.peek(), p.getText());
                        }
                        advance(arrayIndexes);
                        key = null;
                    }
                }
                if (t == JsonToken.FIELD_NAME && !mappingPaths.isEmpty()) {
                    String m = mappingPaths.peek();
                    Mapping old = mappings.get(m);
                    if (old.keyColumn() == 0) {
                        mappings.put(m, new Mapping(p.currentTokenLocation().getColumnNr() - 1, old.lastLine(),
                                old.flow()));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage(), e);
        }
    }

    private static String child(Deque<String> path, String key, Deque<Integer> arrayIndexes) {
        String parent = path.isEmpty() ? "" : path.peek();
        if (!arrayIndexes.isEmpty() && arrayIndexes.peek() >= 0) {
            return parent + "[" + arrayIndexes.peek() + "]";
        }
        return key == null ? parent : parent.isEmpty() ? key : parent + "." + key;
    }

    private static void advance(Deque<Integer> arrayIndexes) {
        if (!arrayIndexes.isEmpty() && arrayIndexes.peek() >= 0) {
            arrayIndexes.push(arrayIndexes.pop() + 1);
        }
    }
}
