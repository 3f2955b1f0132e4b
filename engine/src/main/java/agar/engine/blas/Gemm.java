package agar.engine.blas;

/**
 * Single-precision GEMM on row-major float arrays: C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X^T.
 *
 * <p>Everything in the engine multiplies matrices through here. The backend is OpenBLAS (called through FFM with
 * heap arrays pinned, so nothing is copied) when it loads, else the pure-Java {@link JavaGemm}; set
 * {@code -Dagar.blas=java} to force the fallback. Offsets are in floats; leading dimensions are row strides.
 */
public final class Gemm {
    private Gemm() {}

    /** The kernel both backends implement. */
    public interface Backend {
        String name();

        void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                   float beta, float[] c, int cOff, int ldc);
    }

    private static final Backend BACKEND = choose();

    private static Backend choose() {
        if ("java".equals(System.getProperty("agar.blas"))) return new JavaGemm();
        try {
            return OpenBlas.load();
        } catch (Throwable t) {
            System.err.println("agar: OpenBLAS unavailable (" + t.getMessage() + "); using the pure-Java GEMM");
            return new JavaGemm();
        }
    }

    public static Backend backend() {
        return BACKEND;
    }

    /** Bound inside a parallel region: the caller already spreads work over the cores, so a product runs as one call. */
    private static final ScopedValue<Boolean> IN_PARALLEL_REGION = ScopedValue.newInstance();

    /** Runs {@code body} with every product in it computed as one call on this thread. */
    public static void singleThreaded(Runnable body) {
        ScopedValue.where(IN_PARALLEL_REGION, true).run(body);
    }

    static boolean inParallelRegion() {
        return IN_PARALLEL_REGION.isBound();
    }

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        BACKEND.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** y[m,n] (+)= x[m,k] * w[n,k]^T: the HF linear layer layout, weights stored [out, in]. */
    public static void linear(float[] x, float[] w, float[] y, int m, int n, int k, boolean accumulate) {
        sgemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, accumulate ? 1f : 0f, y, 0, n);
    }
}
