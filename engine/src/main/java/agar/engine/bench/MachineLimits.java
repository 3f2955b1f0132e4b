package agar.engine.bench;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import agar.engine.blas.Gemm;

/**
 * What this machine can do at best, measured the way the engine would use it: sgemm through {@link Gemm} (large
 * squares, best of several runs) and memory bandwidth (a Vector API streaming read, and a copy, over an array far
 * larger than the caches, split over all cores). Agar's own numbers are reported as fractions of these.
 */
public final class MachineLimits {
    private MachineLimits() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** @param gflops best sgemm GFLOP/s per square size */
    public record Limits(double peakGflops, int peakSize, double readGBs, double copyGBs, int[] sizes, double[] gflops) {}

    public static Limits measure(int[] sizes, int repeats, long bandwidthBytes) {
        double[] gflops = new double[sizes.length];
        int best = 0;
        for (int i = 0; i < sizes.length; i++) {
            gflops[i] = sgemmGflops(sizes[i], repeats);
            if (gflops[i] > gflops[best]) best = i;
        }
        float[] a = new float[Math.toIntExact(bandwidthBytes / Float.BYTES)];
        Arrays.fill(a, 1f); // touch every page before timing
        double read = readGBs(a, repeats), copy = copyGBs(a, repeats);
        return new Limits(gflops[best], sizes[best], read, copy, sizes.clone(), gflops);
    }

    /** The best of each limit over several samples (the machine is shared, so each sample may be low). */
    public static Limits best(List<Limits> samples) {
        Limits b = samples.getFirst();
        double read = 0, copy = 0;
        double[] gflops = new double[b.sizes().length];
        for (Limits l : samples) {
            read = Math.max(read, l.readGBs());
            copy = Math.max(copy, l.copyGBs());
            for (int i = 0; i < gflops.length; i++) gflops[i] = Math.max(gflops[i], l.gflops()[i]);
        }
        int peak = 0;
        for (int i = 0; i < gflops.length; i++) if (gflops[i] > gflops[peak]) peak = i;
        return new Limits(gflops[peak], b.sizes()[peak], read, copy, b.sizes(), gflops);
    }

    /** Best GFLOP/s of C = A B for n x n matrices (2 n^3 flops per call). */
    public static double sgemmGflops(int n, int repeats) {
        SplittableRandom r = new SplittableRandom(n);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
        return gemmGflops(false, true, n, n, n, a, b, c, repeats);
    }

    /** Best GFLOP/s over {@code repeats} calls of C[m,n] = op(A) op(B) with inner dimension k, after one warm-up. */
    public static double gemmGflops(boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b, float[] c,
                                    int repeats) {
        int lda = ta ? m : k, ldb = tb ? k : n;
        Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return 2.0 * m * n * k / best;
    }

    /** Streaming read: a vector sum over the whole array, one contiguous slice per core. */
    public static double readGBs(float[] a, int repeats) {
        int parts = Runtime.getRuntime().availableProcessors();
        long best = Long.MAX_VALUE;
        double sink = 0;
        for (int i = 0; i <= repeats; i++) { // the first pass warms up the JIT
            long t0 = System.nanoTime();
            sink += IntStream.range(0, parts).parallel()
                    .mapToDouble(p -> sum(a, slice(a.length, parts, p), slice(a.length, parts, p + 1))).sum();
            if (i > 0) best = Math.min(best, System.nanoTime() - t0);
        }
        if (sink == 42) System.out.print(""); // keeps the sums alive
        return (double) a.length * Float.BYTES / best;
    }

    /** Copy into a second array of the same size; counts bytes read plus bytes written, as STREAM does. */
    public static double copyGBs(float[] a, int repeats) {
        float[] b = new float[a.length];
        int parts = Runtime.getRuntime().availableProcessors();
        long best = Long.MAX_VALUE;
        for (int i = 0; i <= repeats; i++) {
            long t0 = System.nanoTime();
            IntStream.range(0, parts).parallel().forEach(p -> {
                int from = slice(a.length, parts, p);
                System.arraycopy(a, from, b, from, slice(a.length, parts, p + 1) - from);
            });
            if (i > 0) best = Math.min(best, System.nanoTime() - t0);
        }
        return 2.0 * a.length * Float.BYTES / best;
    }

    private static int slice(int n, int parts, int p) {
        return (int) ((long) n * p / parts);
    }

    /** Four accumulators so that the adds do not wait on each other; the loads are what we time. */
    static float sum(float[] a, int from, int to) {
        var s0 = FloatVector.zero(S);
        var s1 = s0;
        var s2 = s0;
        var s3 = s0;
        int L = S.length(), i = from;
        for (; i + 4 * L <= to; i += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(S, a, i));
            s1 = s1.add(FloatVector.fromArray(S, a, i + L));
            s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * L));
            s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * L));
        }
        float s = agar.engine.blas.Lanes.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < to; i++) s += a[i];
        return s;
    }
}
