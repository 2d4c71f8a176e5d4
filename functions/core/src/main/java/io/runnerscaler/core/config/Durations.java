package io.runnerscaler.core.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as the config accepts them: whole seconds ({@code 300}, like docker+machine's
 * {@code IdleTime}) or Go-style units ({@code 300s}, {@code 5m}, {@code 1h30m}).
 */
public final class Durations {

    private static final Pattern UNITS = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private Durations() {
    }

    /** The duration, or empty when the text is not one of the accepted forms. */
    public static Optional<Duration> parse(String text) {
        String s = text.trim();
        if (s.matches("\\d{1,12}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(s)));
        }
        Matcher m = UNITS.matcher(s);
        if (s.isEmpty() || !m.matches()) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.ZERO;
            if (m.group(1) != null) {
                d = d.plusHours(Long.parseLong(m.group(1)));
            }
            if (m.group(2) != null) {
                d = d.plusMinutes(Long.parseLong(m.group(2)));
            }
            if (m.group(3) != null) {
                d = d.plusSeconds(Long.parseLong(m.group(3)));
            }
            return Optional.of(d);
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** The shortest form this parser reads back: {@code 1h30m}, {@code 300s} stays {@code 5m}. */
    public static String format(Duration d) {
        long seconds = d.toSeconds();
        if (seconds == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (seconds >= 3600) {
            out.append(seconds / 3600).append('h');
            seconds %= 3600;
        }
        if (seconds >= 60) {
            out.append(seconds / 60).append('m');
            seconds %= 60;
        }
        if (seconds > 0) {
            out.append(seconds).append('s');
        }
        return out.toString();
    }
}
