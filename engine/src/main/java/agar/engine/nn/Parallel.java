package agar.engine.nn;

import java.util.function.IntConsumer;

import agar.engine.blas.Threads;

/** Splits independent row work across the cores. Each index writes only its own outputs, so results are
 * bit-identical whatever the thread count or schedule. */
final class Parallel {
    private Parallel() {}

    /** Below this much work (in multiply-adds) threads cost more than they save. */
    private static final long MIN_PARALLEL_WORK = 1 << 15;

    static void forEach(int n, long workPerItem, IntConsumer body) {
        if (n <= 1 || (long) n * workPerItem < MIN_PARALLEL_WORK) {
            for (int i = 0; i < n; i++) body.accept(i);
        } else {
            Threads.forEach(n, body);
        }
    }
}
