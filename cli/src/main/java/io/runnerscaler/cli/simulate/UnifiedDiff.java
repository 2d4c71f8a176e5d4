package io.runnerscaler.cli.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two texts, as {@code diff -u} prints it and {@code patch} or {@code git apply} reads it: a
 * longest common subsequence of lines, hunks with {@value #CONTEXT} lines of context.
 */
final class UnifiedDiff {

    static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    /** The diff from {@code before} to {@code after}; empty when they are equal. */
    static String of(String before, String after, String name) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        int[][] common = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        record Line(char op, String text, int aLine, int bLine) {
        }
        var script = new ArrayList<Line>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                script.add(new Line(' ', a.get(i), i++, j++));
            } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
                script.add(new Line('-', a.get(i), i++, j));
            } else {
                script.add(new Line('+', b.get(j), i, j++));
            }
        }
        var out = new StringBuilder();
        int k = 0;
        while (k < script.size()) {
            if (script.get(k).op() == ' ') {
                k++;
                continue;
            }
            int from = Math.max(0, k - CONTEXT);
            int to = k;
            // A hunk runs to the last change followed by more than twice the context of equal lines.
            int equal = 0;
            for (int m = k; m < script.size(); m++) {
                if (script.get(m).op() == ' ') {
                    equal++;
                    if (equal > 2 * CONTEXT) {
                        break;
                    }
                } else {
                    equal = 0;
                    to = m;
                }
            }
            int end = Math.min(script.size(), to + 1 + CONTEXT);
            List<Line> hunk = script.subList(from, end);
            int aStart = hunk.getFirst().aLine();
            int bStart = hunk.getFirst().bLine();
            long aCount = hunk.stream().filter(l -> l.op() != '+').count();
            long bCount = hunk.stream().filter(l -> l.op() != '-').count();
            if (out.isEmpty()) {
                out.append("--- a/").append(name).append('\n').append("+++ b/").append(name).append('\n');
            }
            out.append("@@ -").append(range(aStart, aCount)).append(" +").append(range(bStart, bCount)).append(" @@\n");
            hunk.forEach(l -> out.append(l.op()).append(l.text()).append('\n'));
            k = end;
        }
        return out.toString();
    }

    private static String range(int start, long count) {
        return (count == 0 ? start : start + 1) + (count == 1 ? "" : "," + count);
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }
}
