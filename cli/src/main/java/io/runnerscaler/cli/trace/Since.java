package io.runnerscaler.cli.trace;

import io.runnerscaler.core.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a trace's window starts: {@code 7d}, {@code 36h}, {@code 90m} (before now), a date or an ISO instant. */
final class Since {

    private static final Pattern DAYS = Pattern.compile("(\\d{1,4})d");

    private Since() {
    }

    /** The instant, or empty when the text is none of the accepted forms. */
    static Optional<Instant> parse(String text, Instant now) {
        String s = text.strip();
        Matcher days = DAYS.matcher(s);
        if (days.matches()) {
            return Optional.of(now.minus(Duration.ofDays(Long.parseLong(days.group(1)))));
        }
        Optional<Duration> ago = Durations.parse(s);
        if (ago.isPresent()) {
            return Optional.of(now.minus(ago.get()));
        }
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Optional.of(LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
