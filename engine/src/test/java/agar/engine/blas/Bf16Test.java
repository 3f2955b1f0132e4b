package agar.engine.blas;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Bf16Test {
    // Rounding (fromFloat/toFloat) is tested through DType in agar.engine.io.DTypeTest.

    static float[] bf16Values(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = Bf16.toFloat(Bf16.fromFloat((float) r.nextGaussian()));
        return x;
    }

    /** Column counts that cover whole vector blocks, blocks plus a tail, odd tails and tail-only rows. */
    @ParameterizedTest
    @CsvSource({"7, 64", "5, 72", "3, 37", "4, 5", "1, 1", "9, 130", "3, 2100"})
    void packedLinearMatchesFloat64(int rows, int cols) {
        SplittableRandom r = new SplittableRandom(rows * 1000L + cols);
        float[] w = bf16Values(r, rows * cols);
        assertTrue(Bf16.exact(w));
        Bf16 p = Bf16.pack(w, rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) assertEquals(w[i * cols + j], p.get(i, j), "(" + i + ", " + j + ")");
        float[] alone = null;
        for (int m = 1; m <= 6; m++) { // 4 rows at a time plus 0..2 left over
            float[] x = new float[m * cols], y = new float[m * rows];
            SplittableRandom rx = new SplittableRandom(cols);
            for (int i = 0; i < x.length; i++) x[i] = (float) rx.nextGaussian();
            for (int i = 0; i < y.length; i++) y[i] = (float) r.nextGaussian();
            float[] y0 = y.clone();
            p.linear(x, y, m, true);
            for (int i = 0; i < m; i++)
                for (int o = 0; o < rows; o++) {
                    double s = y0[i * rows + o];
                    for (int k = 0; k < cols; k++) s += (double) x[i * cols + k] * w[o * cols + k];
                    assertEquals(s, y[i * rows + o], 1e-4 * (1 + Math.abs(s)), "m=" + m + " row " + i + " out " + o);
                }
            float[] again = new float[m * rows];
            p.linear(x, again, m, false);
            for (int i = 0; i < again.length; i++) assertEquals(y[i] - y0[i], again[i], 1e-4 * (1 + Math.abs(y[i])));
            // row 0 is the same x in every m (the generator is reseeded); its outputs must not depend on m
            if (m == 1) alone = again.clone();
            for (int o = 0; o < rows; o++) assertEquals(alone[o], again[o], "row 0 with m=" + m + " out " + o);
        }
    }

    /** Several matrices in one call (q, k, v of a decode step) give each output the bits a call of its own gives. */
    @Test
    void severalMatricesInOneCallMatchSeparateCalls() {
        SplittableRandom r = new SplittableRandom(5);
        int cols = 72;
        int[] rows = {70, 5, 9}; // more groups than one task holds; padded last groups
        Bf16[] ws = new Bf16[rows.length];
        for (int p = 0; p < rows.length; p++) ws[p] = Bf16.pack(bf16Values(r, rows[p] * cols), rows[p], cols);
        for (int m : new int[] {1, 6}) {
            float[] x = new float[m * cols];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            float[][] ys = new float[rows.length][];
            for (int p = 0; p < rows.length; p++) ys[p] = new float[m * rows[p]];
            Bf16.linear(x, m, false, ws, ys);
            for (int p = 0; p < rows.length; p++) {
                float[] alone = new float[m * rows[p]];
                ws[p].linear(x, alone, m, false);
                for (int i = 0; i < alone.length; i++)
                    assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(ys[p][i]),
                            "m=" + m + " matrix " + p + " output " + i);
            }
        }
    }

    @Test
    void valuesBelowBf16PrecisionAreNotExact() {
        assertFalse(Bf16.exact(new float[] {1f, 1f + 0x1p-20f}));
        assertTrue(Bf16.exact(new float[] {0f, -2.5f, 0x1p100f, 3 * 0x1p-100f}));
    }
}
