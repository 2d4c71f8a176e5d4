package io.runnerscaler.cli.trace;

import io.runnerscaler.cli.simulate.Trace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The jobs a history read turns into trace rows, and a count of those it leaves out and why, for the summary on
 * standard error. A job seen twice (overlapping saved pages, a run listed in two time slices) is kept once.
 */
final class TraceRows {

    /** Why a job is not written. */
    enum Left {
        NEVER_STARTED("never started"),
        NOT_FINISHED("not finished"),
        NO_INSTANTS("recorded before the ledger kept start and finish"),
        BEFORE_WINDOW("queued before --since");

        final String text;

        Left(String text) {
            this.text = text;
        }
    }

    private final Optional<Instant> since;
    private final Map<String, Trace.Row> rows = new LinkedHashMap<>();
    private final EnumMap<Left, Integer> left = new EnumMap<>(Left.class);
    private int arrivalFromCreatedAt;
    private int seenTwice;

    /** @param since jobs queued before it are left out; empty for no window */
    TraceRows(Optional<Instant> since) {
        this.since = since;
    }

    /**
     * @param fallback whether the arrival is the job's creation because its queueing time is not known
     * @return whether the row was kept (false when before the window or already seen)
     */
    boolean keep(Trace.Row row, boolean fallback) {
        Instant arrival = ((Trace.Arrival.At) row.arrival()).instant();
        if (since.isPresent() && arrival.isBefore(since.get())) {
            leave(Left.BEFORE_WINDOW);
            return false;
        }
        if (rows.putIfAbsent(row.id(), row) != null) {
            seenTwice++;
            return false;
        }
        if (fallback) {
            arrivalFromCreatedAt++;
        }
        return true;
    }

    void leave(Left why) {
        left.merge(why, 1, Integer::sum);
    }

    int size() {
        return rows.size();
    }

    /** The rows by arrival, then id, as the trace is written. */
    List<Trace.Row> sorted() {
        var sorted = new ArrayList<>(rows.values());
        sorted.sort(Comparator.comparing((Trace.Row r) -> ((Trace.Arrival.At) r.arrival()).instant())
                .thenComparing(Trace.Row::id));
        return sorted;
    }

    /** {@code 302 job(s) from 2026-03-02T08:01:00Z to ...; left out: 4 never started, 1 not finished}. */
    String summary() {
        var parts = new ArrayList<String>();
        List<Trace.Row> sorted = sorted();
        String span = sorted.isEmpty() ? "" : " queued from " + ((Trace.Arrival.At) sorted.getFirst().arrival()).instant()
                + " to " + ((Trace.Arrival.At) sorted.getLast().arrival()).instant();
        left.forEach((why, n) -> parts.add(n + " " + why.text));
        if (seenTwice > 0) {
            parts.add(seenTwice + " seen twice");
        }
        String out = rows.size() + " job(s)" + span + (parts.isEmpty() ? "" : "; left out: " + String.join(", ", parts));
        if (arrivalFromCreatedAt > 0) {
            out += "; " + arrivalFromCreatedAt + " without a queueing time arrive at their creation";
        }
        return out;
    }
}
