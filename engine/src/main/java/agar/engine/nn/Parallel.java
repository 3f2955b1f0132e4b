package agar.engine.nn;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import agar.engine.blas.Gemm;

/** Splits independent row work across the cores. Each index writes only its own outputs, so results are
 * bit-identical whatever the thread count or schedule. Products inside the work run single-threaded
 * ({@link Gemm#singleThreaded}): the cores are busy already. */
final class Parallel {
    private Parallel() {}

    /** Below this much work (in multiply-adds) threads cost more than they save. */
    private static final long MIN_PARALLEL_WORK = 1 << 15;

    static void forEach(int n, long workPerItem, IntConsumer body) {
        if (n <= 1 || (long) n * workPerItem < MIN_PARALLEL_WORK) {
            for (int i = 0; i < n; i++) body.accept(i);
        } else {
            IntStream.range(0, n).parallel().forEach(i -> Gemm.singleThreaded(() -> body.accept(i)));
        }
    }
}
