package agar.engine.nn;

import java.util.function.IntConsumer;

import agar.engine.blas.Gemm;
import agar.engine.blas.Threads;

/** Splits independent row work across the cores. Each index writes only its own outputs, so results are
 * bit-identical whatever the thread count or schedule. Products inside the work run single-threaded
 * ({@link Gemm#singleThreaded}): the cores are busy already. */
final class Parallel {
    private Parallel() {}

    /** Below this much work (in multiply-adds) threads cost more than they save. */
    private static final long MIN_PARALLEL_WORK = 1 << 15;

    /** Indices are handed out in runs of about this much work, so that taking one costs little next to doing it. */
    private static final long RUN_WORK = 1 << 13;

    static void forEach(int n, long workPerItem, IntConsumer body) {
        if (n <= 1 || (long) n * workPerItem < MIN_PARALLEL_WORK) {
            for (int i = 0; i < n; i++) body.accept(i);
        } else {
            int run = Math.clamp(RUN_WORK / Math.max(1, workPerItem), 1, n);
            Threads.forEach((n + run - 1) / run, r -> Gemm.singleThreaded(() -> {
                for (int i = r * run, end = Math.min(n, i + run); i < end; i++) body.accept(i);
            }));
        }
    }
}
