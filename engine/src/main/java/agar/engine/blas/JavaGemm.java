package agar.engine.blas;

import java.util.stream.IntStream;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pure-Java GEMM on the Vector API: the fallback when OpenBLAS cannot load, and the reference the tests hold it to.
 * Operands are first laid out so the inner loop runs over contiguous k (A as [m,k], B as [n,k]), then each C element
 * is a dot product; rows of C are split across cores.
 */
final class JavaGemm implements Gemm.Backend {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public String name() {
        return "java-vector";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        float[] ak = rowsOverK(a, aOff, lda, m, k, transA);
        float[] bk = rowsOverK(b, bOff, ldb, n, k, !transB);
        IntStream.range(0, m).parallel().forEach(i -> {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float dot = dot(ak, i * k, bk, j * k, k);
                c[ci + j] = alpha * dot + (beta == 0f ? 0f : beta * c[ci + j]);
            }
        });
    }

    /** Copies X (or X^T) into a dense [rows, k] array whose rows run over k. */
    private static float[] rowsOverK(float[] x, int off, int ld, int rows, int k, boolean transposed) {
        float[] out = new float[rows * k];
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < k; p++)
                out[r * k + p] = transposed ? x[off + p * ld + r] : x[off + r * ld + p];
        return out;
    }

    static float dot(float[] x, int xOff, float[] y, int yOff, int len) {
        var acc = FloatVector.zero(S);
        int i = 0, bound = S.loopBound(len);
        for (; i < bound; i += S.length())
            acc = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), acc);
        float sum = Lanes.sum(acc);
        for (; i < len; i++) sum += x[xOff + i] * y[yOff + i];
        return sum;
    }
}
