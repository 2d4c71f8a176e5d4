package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.config.Durations;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --sweep KEY=VALUES}: a pools YAML knob and the values to try. {@code KEY} is a knob for every pool
 * and every period ({@code idleCount}), for the pools' own settings only, which apply outside periods
 * ({@code pool.idleCount}), or for one period of each pool ({@code periods[0].idleCount}). {@code VALUES} is a
 * range of whole numbers ({@code 0..6}) or a list ({@code 300,900,1800}, {@code 5m,15m}, {@code 0,0.5,1}).
 *
 * @param period the period index for {@code periods[N].KEY}; empty for the other scopes
 */
record SweepAxis(String spec, String key, Scope scope, Optional<Integer> period, List<String> values) {

    /** Where in each pool the value goes. */
    enum Scope { EVERYWHERE, POOL, PERIOD }

    /** How a knob's values are written and checked. */
    enum Kind { COUNT, FACTOR, DURATION }

    /** Knobs a pool and its periods both have. */
    static final List<String> IDLE_KEYS = List.of("idleCount", "idleCountMin", "idleScaleFactor", "idleTime",
            "stoppedCount");
    /** Knobs only a pool has. */
    static final List<String> POOL_KEYS = List.of("limit", "maxGrowthRate", "maxBuilds");
    private static final int MOST_VALUES = 1000;
    private static final Pattern KEY = Pattern.compile("(?:(pool)\\.|periods\\[(\\d{1,3})]\\.)?([A-Za-z]+)");
    private static final Pattern RANGE = Pattern.compile("(\\d{1,6})\\.\\.(\\d{1,6})");

    SweepAxis {
        values = List.copyOf(values);
    }

    /** @throws IllegalArgumentException naming what is wrong and what is accepted */
    static SweepAxis parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("'" + spec + "' should be KEY=VALUES, like idleCount=0..6 or "
                    + "idleTime=300,900,1800");
        }
        String keyText = spec.substring(0, eq).strip();
        Matcher m = KEY.matcher(keyText);
        if (!m.matches() || !(IDLE_KEYS.contains(m.group(3)) || POOL_KEYS.contains(m.group(3)))) {
            throw new IllegalArgumentException("unknown sweep key '" + keyText + "'; the keys are "
                    + String.join(", ", IDLE_KEYS) + " (for pools and their periods; prefix pool. or periods[N]. for"
                    + " one place) and " + String.join(", ", POOL_KEYS) + " (pools only)");
        }
        String key = m.group(3);
        Scope scope = m.group(1) != null ? Scope.POOL : m.group(2) != null ? Scope.PERIOD : Scope.EVERYWHERE;
        if (POOL_KEYS.contains(key) && scope == Scope.PERIOD) {
            throw new IllegalArgumentException("'" + keyText + "': " + key + " is a pool setting, periods do not have it");
        }
        if (POOL_KEYS.contains(key)) {
            scope = Scope.POOL;
        }
        Optional<Integer> period = Optional.ofNullable(m.group(2)).map(Integer::parseInt);
        return new SweepAxis(spec, key, scope, period, values(keyText, kind(key), spec.substring(eq + 1).strip()));
    }

    static Kind kind(String key) {
        return switch (key) {
            case "idleScaleFactor" -> Kind.FACTOR;
            case "idleTime" -> Kind.DURATION;
            default -> Kind.COUNT;
        };
    }

    private static List<String> values(String key, Kind kind, String text) {
        var values = new ArrayList<String>();
        Matcher range = RANGE.matcher(text);
        if (range.matches()) {
            int from = Integer.parseInt(range.group(1));
            int to = Integer.parseInt(range.group(2));
            if (to < from || to - from >= MOST_VALUES) {
                throw new IllegalArgumentException(key + "=" + text + ": a range goes up, at most " + MOST_VALUES
                        + " values, like 0..6");
            }
            for (int v = from; v <= to; v++) {
                values.add(Integer.toString(v));
            }
        } else {
            for (String value : text.split(",", -1)) {
                values.add(checked(key, kind, value.strip()));
            }
        }
        if (values.stream().distinct().count() != values.size()) {
            throw new IllegalArgumentException(key + "=" + text + ": a value is listed twice");
        }
        return values;
    }

    private static String checked(String key, Kind kind, String value) {
        boolean ok = switch (kind) {
            case COUNT -> value.matches("\\d{1,6}");
            case FACTOR -> value.matches("\\d{1,4}(\\.\\d{1,4})?");
            case DURATION -> Durations.parse(value).isPresent();
        };
        if (!ok) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not " + switch (kind) {
                case COUNT -> "a whole number, like 0..6 or 1,2,4";
                case FACTOR -> "a factor, like 0,0.5,1";
                case DURATION -> "a duration, like 300, 15m or 1h30m";
            });
        }
        return kind == Kind.FACTOR ? new BigDecimal(value).stripTrailingZeros().toPlainString() : value;
    }

    /** The key as the user wrote it, for tables and labels: {@code idleCount}, {@code periods[0].idleTime}. */
    String label() {
        return switch (scope) {
            case EVERYWHERE -> key;
            case POOL -> POOL_KEYS.contains(key) ? key : "pool." + key;
            case PERIOD -> "periods[" + period.orElseThrow() + "]." + key;
        };
    }
}
