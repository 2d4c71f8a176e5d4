package io.runnerscaler.cli.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's duration syntax, which GitLab Runner's config.toml uses for {@code time.Duration} settings
 * ({@code idle_time = "20m0s"}): an optional sign and a sequence of decimal numbers with units {@code ns},
 * {@code us} ({@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}, as Go's {@code time.ParseDuration}
 * reads it; {@code "0"} alone is zero. The config's own durations ({@code 300}, {@code 5m}) are read by core's
 * {@code Durations}; this is only for importing GitLab Runner's.
 */
final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, BigDecimal> NANOS = Map.of("ns", BigDecimal.ONE, "us", BigDecimal.valueOf(1_000),
            "µs", BigDecimal.valueOf(1_000), "μs", BigDecimal.valueOf(1_000), "ms", BigDecimal.valueOf(1_000_000),
            "s", BigDecimal.valueOf(1_000_000_000L), "m", BigDecimal.valueOf(60_000_000_000L),
            "h", BigDecimal.valueOf(3_600_000_000_000L));

    private GoDuration() {
    }

    static Optional<Duration> parse(String text) {
        String s = text.strip();
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = PART.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                return Optional.empty();
            }
            nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1))
                    .multiply(NANOS.get(m.group(2))));
            at = m.end();
        }
        long whole = nanos.setScale(0, RoundingMode.DOWN).longValueExact();
        return Optional.of(Duration.ofNanos(negative ? -whole : whole));
    }

    /** Whole seconds for the pools YAML, rounded up so that a sub-second idle time is not read as none. */
    static long seconds(Duration d) {
        return d.toNanosPart() == 0 ? d.toSeconds() : d.toSeconds() + 1;
    }
}
