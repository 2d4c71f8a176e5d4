package io.runnerscaler.core.planner;

import io.runnerscaler.core.model.Machine;

/**
 * Partial ordering of machines by launch time (then instance id): moves the {@code k} oldest to the
 * front in linear expected time, for the planner's removal walk over large pools.
 */
final class OldestFirst {

    private OldestFirst() {
    }

    /** Rearranges so that {@code machines[0..k)} are the k oldest, in no particular order. */
    static void select(Machine[] machines, long[] keys, int k) {
        int lo = 0;
        int hi = machines.length - 1;
        while (lo < hi) {
            int p = partition(machines, keys, lo, hi, lo + (hi - lo) / 2);
            if (p == k - 1 || p == k) {
                return;
            } else if (p < k) {
                lo = p + 1;
            } else {
                hi = p - 1;
            }
        }
    }

    /** Lomuto partition around the pivot; returns the pivot's final index. */
    private static int partition(Machine[] m, long[] keys, int lo, int hi, int pivotIndex) {
        swap(m, keys, pivotIndex, hi);
        int store = lo;
        for (int i = lo; i < hi; i++) {
            if (less(m, keys, i, hi)) {
                swap(m, keys, i, store++);
            }
        }
        swap(m, keys, store, hi);
        return store;
    }

    private static boolean less(Machine[] m, long[] keys, int i, int j) {
        return keys[i] < keys[j] || (keys[i] == keys[j] && m[i].instanceId().compareTo(m[j].instanceId()) < 0);
    }

    private static void swap(Machine[] m, long[] keys, int i, int j) {
        Machine t = m[i];
        m[i] = m[j];
        m[j] = t;
        long k = keys[i];
        keys[i] = keys[j];
        keys[j] = k;
    }
}
