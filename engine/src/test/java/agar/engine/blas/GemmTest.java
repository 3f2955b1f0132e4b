package agar.engine.blas;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GemmTest {
    /** C = alpha op(A) op(B) + beta C in float64, straight from the definition. */
    static double[] naive(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b,
                          int ldb, float beta, float[] c, int ldc) {
        double[] out = new double[m * ldc];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double) (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                out[i * ldc + j] = alpha * s + beta * c[i * ldc + j];
            }
        return out;
    }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void bothBackendsMatchFloat64ForEveryTransposeCase() {
        Random r = new Random(7);
        int m = 37, n = 29, k = 53;
        for (Gemm.Backend be : new Gemm.Backend[] {Gemm.backend(), new JavaGemm()})
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    int lda = ta ? m : k, ldb = tb ? k : n;
                    float[] a = random(r, m * k), b = random(r, k * n), c = random(r, m * n);
                    double[] want = naive(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, c, n);
                    be.sgemm(ta, tb, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 2f, c, 0, n);
                    for (int i = 0; i < m * n; i++)
                        assertEquals(want[i], c[i], 1e-4 * (1 + Math.abs(want[i])), be.name() + " ta=" + ta + " tb=" + tb);
                }
    }

    @Test
    void offsetsAddressSubmatrices() {
        Random r = new Random(3);
        float[] a = random(r, 100), b = random(r, 100), c = new float[100];
        // A = rows 1..2 of a 10-wide matrix starting at column 2; B^T likewise; C written at offset 5.
        Gemm.sgemm(false, true, 2, 3, 4, 1f, a, 12, 10, b, 31, 10, 0f, c, 5, 10);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int p = 0; p < 4; p++) s += a[12 + i * 10 + p] * b[31 + j * 10 + p];
                assertEquals(s, c[5 + i * 10 + j], 1e-5);
            }
        assertEquals(0f, c[0]);
    }

    /** Large enough that OpenBLAS products are cut into blocks of rows (m >= n) or of columns (m < n). */
    @Test
    void productsSplitAcrossCoresMatchFloat64() {
        Random r = new Random(11);
        for (int[] mnk : new int[][] {{300, 40, 64}, {40, 300, 64}})
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    int m = mnk[0], n = mnk[1], k = mnk[2];
                    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2; // padded rows
                    float[] a = random(r, (ta ? k : m) * lda), b = random(r, (tb ? n : k) * ldb);
                    float[] c = random(r, m * ldc);
                    double[] want = naive(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, c, ldc);
                    // the operands sit at offsets inside larger arrays
                    float[] aa = new float[a.length + 7], bb = new float[b.length + 9], cc = new float[c.length + 4];
                    System.arraycopy(a, 0, aa, 7, a.length);
                    System.arraycopy(b, 0, bb, 9, b.length);
                    System.arraycopy(c, 0, cc, 4, c.length);
                    Gemm.sgemm(ta, tb, m, n, k, 0.5f, aa, 7, lda, bb, 9, ldb, 2f, cc, 4, ldc);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < ldc; j++) {
                            double w = j < n ? want[i * ldc + j] : c[i * ldc + j]; // padding untouched
                            assertEquals(w, cc[4 + i * ldc + j], 1e-4 * (1 + Math.abs(w)),
                                    m + "x" + n + " ta=" + ta + " tb=" + tb + " (" + i + ", " + j + ")");
                        }
                }
    }
}
