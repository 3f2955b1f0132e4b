package agar.engine.blas;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix [rows, cols] held as bfloat16, two values per int, and the matrix-vector product over it.
 * Decoding one token reads every weight once, so its speed is memory bandwidth over weight bytes: bf16 halves the
 * bytes, and the products are still computed in f32 (bf16 is the top half of an f32, so unpacking is a shift).
 *
 * <p>Layout: rows are taken in groups of four (the last group padded with zero rows), and each row is cut into blocks
 * of 2L columns (L = f32 lanes of the preferred vector). A group stores, block after block, the four rows' L ints of
 * that block, so the kernel that reads four rows at once reads one sequential stream (the hardware prefetcher follows
 * it; four rows stored apart would be four short streams). Lane j of a row's L ints holds column j in its low half
 * and column L + j in its high half, so one int load gives two float vectors: {@code bits << 16} and
 * {@code bits & 0xFFFF0000}. The last {@code cols % 2L} columns of each row are stored in pairs in {@code tail}.
 */
public final class Bf16 {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Up to this many rows of x (decode batches), {@link #linear} beats f32 GEMM on this machine: reading the weights
     * dominates. Beyond it the product is bound by arithmetic, where OpenBLAS's blocking wins (a decode step at batch
     * 16 and 32 took about half the time with sgemm): see docs/benchmarks-engine.md. */
    public static final int MAX_ROWS = 8;
    /** Weight rows per group: the kernels read four rows at once. */
    private static final int G = 4;
    /** Groups of output rows per parallel task: large enough to amortise the fork, small enough to balance the cores. */
    private static final int GROUPS_PER_TASK = 16;
    /** Columns per panel: a panel of 32 rows of x (128 KB) stays in L2 while the weight rows stream past. */
    private static final int PANEL = 1024;

    public final int rows, cols;
    private final int groups, blocked, blocks, tailInts; // blocked = columns in whole blocks, blocks = blocked / 2L
    private final int[] data;  // [groups, blocks, G, L]
    private final int[] tail;  // [groups * G, tailInts]

    private Bf16(int rows, int cols, int[] data, int[] tail) {
        this.rows = rows;
        this.cols = cols;
        this.groups = (rows + G - 1) / G;
        this.blocked = cols - cols % (2 * L);
        this.blocks = blocked / (2 * L);
        this.tailInts = (cols - blocked + 1) / 2;
        this.data = data;
        this.tail = tail;
    }

    /** bf16 -> f32 is exact: the bf16 bits are the high half of the f32. */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** f32 -> bf16 bits, rounding to nearest even as PyTorch does; NaN stays NaN (quieted), sign kept. */
    public static short fromFloat(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) return (short) ((bits >>> 16) | 0x0040);
        // Adding 0x7FFF plus the lowest kept bit rounds half-way cases to the even neighbour; a carry into the
        // exponent is the correct result (including overflow to infinity).
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** True when every value is exactly a bf16 (its low 16 bits are zero), so packing loses nothing. */
    public static boolean exact(float[] w) {
        for (float v : w) if ((Float.floatToRawIntBits(v) & 0xFFFF) != 0) return false;
        return true;
    }

    /** Packs w[rows, cols]; the caller checks {@link #exact} first if the values must be kept exactly. */
    public static Bf16 pack(float[] w, int rows, int cols) {
        if ((long) rows * cols != w.length)
            throw new IllegalArgumentException(rows + " x " + cols + " does not match " + w.length + " values");
        int groups = (rows + G - 1) / G, blocked = cols - cols % (2 * L), blocks = blocked / (2 * L);
        int tailInts = (cols - blocked + 1) / 2;
        int[] data = new int[Math.multiplyExact(Math.multiplyExact(groups, blocks), G * L)];
        int[] tail = new int[Math.multiplyExact(groups * G, tailInts)];
        for (int r = 0; r < rows; r++) {
            int src = r * cols;
            for (int b = 0; b < blocks; b++) {
                int dst = ((r / G * blocks + b) * G + r % G) * L, c = b * 2 * L;
                for (int j = 0; j < L; j++) data[dst + j] = pair(w[src + c + j], w[src + c + L + j]);
            }
            for (int c = blocked; c < cols; c += 2)
                tail[r * tailInts + (c - blocked) / 2] = pair(w[src + c], c + 1 < cols ? w[src + c + 1] : 0f);
        }
        return new Bf16(rows, cols, data, tail);
    }

    private static int pair(float lo, float hi) {
        return (fromFloat(lo) & 0xFFFF) | (fromFloat(hi) << 16);
    }

    /** Value (r, c), for tests and for reading weights back. */
    public float get(int r, int c) {
        int bits;
        if (c < blocked) {
            int j = c % (2 * L);
            bits = data[((r / G * blocks + c / (2 * L)) * G + r % G) * L + j % L];
            return Float.intBitsToFloat(j < L ? bits << 16 : bits & 0xFFFF0000);
        }
        bits = tail[r * tailInts + (c - blocked) / 2];
        return Float.intBitsToFloat((c - blocked) % 2 == 0 ? bits << 16 : bits & 0xFFFF0000);
    }

    /**
     * y[m, rows] = x[m, cols] W^T, or += when {@code accumulate}: the linear layer of {@link Gemm#linear} on bf16
     * weights. Groups of weight rows are split across cores; each group, while in L1, meets the rows of x four at a
     * time, a panel of columns after another. Every output is one accumulator per panel, summed in column order and
     * added panel after panel, so a row's result depends neither on how many rows come with it nor on the thread
     * schedule. Rows of x left over after the fours go group by group, panel by panel, so the weights stream in order.
     */
    public void linear(float[] x, float[] y, int m, boolean accumulate) {
        linear(x, m, accumulate, new Bf16[] {this}, new float[][] {y});
    }

    /**
     * ys[p] = x ws[p]^T (or +=) for several matrices with the same columns, in one parallel region (q, k and v, or
     * gate and up, of a decode step): at one token a product takes tens of microseconds, and the hand-off to the
     * other core costs a fair share of that. Each output is computed exactly as by {@link #linear(float[], float[],
     * int, boolean)}.
     */
    public static void linear(float[] x, int m, boolean accumulate, Bf16[] ws, float[][] ys) {
        int[] firstTask = new int[ws.length + 1];
        for (int p = 0; p < ws.length; p++) {
            Bf16 w = ws[p];
            if (w.cols != ws[0].cols) throw new IllegalArgumentException(w.cols + " columns, not " + ws[0].cols);
            if (x.length < m * w.cols || ys[p].length < m * w.rows)
                throw new IllegalArgumentException("x or y too small for " + m + " rows of " + w.rows + " x " + w.cols);
            firstTask[p + 1] = firstTask[p] + (w.groups + GROUPS_PER_TASK - 1) / GROUPS_PER_TASK;
        }
        Threads.forEach(firstTask[ws.length], t -> {
            int p = 0;
            while (t >= firstTask[p + 1]) p++;
            ws[p].task(t - firstTask[p], x, ys[p], m, accumulate);
        });
    }

    /** The outputs of groups [t GROUPS_PER_TASK, (t + 1) GROUPS_PER_TASK) for every row of x. */
    private void task(int t, float[] x, float[] y, int m, boolean accumulate) {
        float[] acc = new float[8];
        int g0 = t * GROUPS_PER_TASK, g1 = Math.min(groups, g0 + GROUPS_PER_TASK), m4 = m - m % 4;
        for (int c0 = 0; c0 < cols && m4 > 0; c0 += PANEL) {
            int c1 = Math.min(cols, c0 + PANEL);
            boolean add = accumulate || c0 > 0; // later panels add to the earlier ones
            for (int g = g0; g < g1; g++)
                for (int i = 0; i < m4; i += 4)
                    for (int half = 0; half < 2; half++) {
                        dot4x2(g, half, x, i * cols, c0, c1, acc);
                        int r = g * G + 2 * half;
                        for (int a = 0; a < 4; a++) {
                            store(y, (i + a) * rows, r, acc[2 * a], add);
                            store(y, (i + a) * rows, r + 1, acc[2 * a + 1], add);
                        }
                    }
        }
        for (int i = m4; i < m; i++)
            for (int g = g0; g < g1; g++)
                for (int c0 = 0; c0 < cols; c0 += PANEL) {
                    dot1x4(g, x, i * cols, c0, Math.min(cols, c0 + PANEL), acc);
                    for (int q = 0; q < G; q++) store(y, i * rows, g * G + q, acc[q], accumulate || c0 > 0);
                }
    }

    /** y[yo + r] (+)= v, for real rows only (the padding rows of the last group are dropped). */
    private void store(float[] y, int yo, int r, float v, boolean accumulate) {
        if (r >= rows) return;
        y[yo + r] = accumulate ? y[yo + r] + v : v;
    }

    /** acc[2a + b] = (x row a, starting at xo) . (W row 2 half + b of group g) over columns [c0, c1), a = 0..3. */
    private void dot4x2(int g, int half, float[] x, int xo, int c0, int c1, float[] acc) {
        var a00 = FloatVector.zero(F);
        var a01 = a00;
        var a10 = a00;
        var a11 = a00;
        var a20 = a00;
        var a21 = a00;
        var a30 = a00;
        var a31 = a00;
        int end = Math.min(c1, blocked);
        for (int c = c0, w = ((g * blocks + c0 / (2 * L)) * G + 2 * half) * L; c < end; c += 2 * L, w += G * L) {
            var b0 = IntVector.fromArray(I, data, w);
            var b1 = IntVector.fromArray(I, data, w + L);
            var lo0 = b0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            var hi0 = b0.and(0xFFFF0000).reinterpretAsFloats();
            var lo1 = b1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            var hi1 = b1.and(0xFFFF0000).reinterpretAsFloats();
            var xl = FloatVector.fromArray(F, x, xo + c);
            var xh = FloatVector.fromArray(F, x, xo + c + L);
            a00 = hi0.fma(xh, lo0.fma(xl, a00));
            a01 = hi1.fma(xh, lo1.fma(xl, a01));
            xl = FloatVector.fromArray(F, x, xo + cols + c);
            xh = FloatVector.fromArray(F, x, xo + cols + c + L);
            a10 = hi0.fma(xh, lo0.fma(xl, a10));
            a11 = hi1.fma(xh, lo1.fma(xl, a11));
            xl = FloatVector.fromArray(F, x, xo + 2 * cols + c);
            xh = FloatVector.fromArray(F, x, xo + 2 * cols + c + L);
            a20 = hi0.fma(xh, lo0.fma(xl, a20));
            a21 = hi1.fma(xh, lo1.fma(xl, a21));
            xl = FloatVector.fromArray(F, x, xo + 3 * cols + c);
            xh = FloatVector.fromArray(F, x, xo + 3 * cols + c + L);
            a30 = hi0.fma(xh, lo0.fma(xl, a30));
            a31 = hi1.fma(xh, lo1.fma(xl, a31));
        }
        int r0 = g * G + 2 * half, r1 = r0 + 1;
        acc[0] = Lanes.sum(a00) + tail(r0, x, xo, c1);
        acc[1] = Lanes.sum(a01) + tail(r1, x, xo, c1);
        acc[2] = Lanes.sum(a10) + tail(r0, x, xo + cols, c1);
        acc[3] = Lanes.sum(a11) + tail(r1, x, xo + cols, c1);
        acc[4] = Lanes.sum(a20) + tail(r0, x, xo + 2 * cols, c1);
        acc[5] = Lanes.sum(a21) + tail(r1, x, xo + 2 * cols, c1);
        acc[6] = Lanes.sum(a30) + tail(r0, x, xo + 3 * cols, c1);
        acc[7] = Lanes.sum(a31) + tail(r1, x, xo + 3 * cols, c1);
    }

    /**
     * The same sums as {@link #dot4x2}, in the same order, for one row of x and the four rows of group g: four
     * independent chains keep the FMA units busy while the weights stream in (decoding one token).
     */
    private void dot1x4(int g, float[] x, int xo, int c0, int c1, float[] acc) {
        var a0 = FloatVector.zero(F);
        var a1 = a0;
        var a2 = a0;
        var a3 = a0;
        int end = Math.min(c1, blocked);
        for (int c = c0, w = (g * blocks + c0 / (2 * L)) * G * L; c < end; c += 2 * L, w += G * L) {
            var xl = FloatVector.fromArray(F, x, xo + c);
            var xh = FloatVector.fromArray(F, x, xo + c + L);
            a0 = fma2(IntVector.fromArray(I, data, w), xl, xh, a0);
            a1 = fma2(IntVector.fromArray(I, data, w + L), xl, xh, a1);
            a2 = fma2(IntVector.fromArray(I, data, w + 2 * L), xl, xh, a2);
            a3 = fma2(IntVector.fromArray(I, data, w + 3 * L), xl, xh, a3);
        }
        int r = g * G;
        acc[0] = Lanes.sum(a0) + tail(r, x, xo, c1);
        acc[1] = Lanes.sum(a1) + tail(r + 1, x, xo, c1);
        acc[2] = Lanes.sum(a2) + tail(r + 2, x, xo, c1);
        acc[3] = Lanes.sum(a3) + tail(r + 3, x, xo, c1);
    }

    /** acc + lo(bits) * xl + hi(bits) * xh, in that order. */
    private static FloatVector fma2(IntVector bits, FloatVector xl, FloatVector xh, FloatVector acc) {
        var lo = bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        var hi = bits.and(0xFFFF0000).reinterpretAsFloats();
        return hi.fma(xh, lo.fma(xl, acc));
    }

    /** The columns past the last whole vector block, stored in pairs; counted with the last panel. */
    private float tail(int r, float[] x, int xo, int c1) {
        float s = 0;
        if (c1 < cols) return s;
        for (int c = blocked, w = r * tailInts; c < cols; c += 2) {
            int bits = tail[w + (c - blocked) / 2];
            s += Float.intBitsToFloat(bits << 16) * x[xo + c];
            if (c + 1 < cols) s += Float.intBitsToFloat(bits & 0xFFFF0000) * x[xo + c + 1];
        }
        return s;
    }

    public long bytes() {
        return (long) (data.length + tail.length) * Integer.BYTES;
    }
}
