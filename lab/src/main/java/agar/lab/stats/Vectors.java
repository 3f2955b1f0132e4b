package agar.lab.stats;

/**
 * Small vector helpers for directions in activation space (all sums in double). float[] overloads exist because
 * activations are f32; results are double[].
 */
public final class Vectors {
    private Vectors() {}

    /** A unit vector passed to {@link #projectOut} may be off by this much in norm (f32 round-off). */
    public static final double UNIT_TOLERANCE = 1e-4;

    public static double dot(double[] a, double[] b) {
        checkSameLength(a.length, b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    public static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** Cosine similarity; NaN when either vector is zero (the angle is undefined). */
    public static double cosine(double[] a, double[] b) {
        double na = norm(a), nb = norm(b);
        if (na == 0 || nb == 0) return Double.NaN;
        return dot(a, b) / (na * nb);
    }

    public static double cosine(float[] a, float[] b) {
        return cosine(toDouble(a), toDouble(b));
    }

    public static double[] subtract(double[] a, double[] b) {
        checkSameLength(a.length, b.length);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] - b[i];
        return out;
    }

    /** a / |a|; throws on the zero vector. */
    public static double[] unit(double[] a) {
        double n = norm(a);
        if (n == 0) throw new IllegalArgumentException("cannot normalise the zero vector");
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] / n;
        return out;
    }

    /** h - (h.r) r for a unit vector r: removes the component of h along r (directional ablation). */
    public static double[] projectOut(double[] h, double[] unitR) {
        checkUnit(unitR);
        double c = dot(h, unitR);
        double[] out = new double[h.length];
        for (int i = 0; i < h.length; i++) out[i] = h[i] - c * unitR[i];
        return out;
    }

    /** In place on f32 activations: h[offset .. offset+r.length) -= (h.r) r, with the dot product in double. */
    public static void projectOutInPlace(float[] h, int offset, double[] unitR) {
        checkUnit(unitR);
        if (offset < 0 || offset + unitR.length > h.length) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + unitR.length) + ") outside array of " + h.length);
        }
        double c = 0;
        for (int i = 0; i < unitR.length; i++) c += h[offset + i] * unitR[i];
        for (int i = 0; i < unitR.length; i++) h[offset + i] = (float) (h[offset + i] - c * unitR[i]);
    }

    /** mean(a) - mean(b) over rows: the difference-of-means direction (not normalised). */
    public static double[] meanDifference(double[][] a, double[][] b) {
        return subtract(mean(a), mean(b));
    }

    public static double[] meanDifference(float[][] a, float[][] b) {
        return meanDifference(toDouble(a), toDouble(b));
    }

    /** Row mean of a non-empty set of equal-length vectors. */
    public static double[] mean(double[][] rows) {
        if (rows.length == 0) throw new IllegalArgumentException("mean of an empty set of vectors");
        double[] m = new double[rows[0].length];
        for (double[] r : rows) {
            checkSameLength(m.length, r.length);
            for (int i = 0; i < m.length; i++) m[i] += r[i];
        }
        for (int i = 0; i < m.length; i++) m[i] /= rows.length;
        return m;
    }

    public static float[] toFloat(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = (float) a[i];
        return out;
    }

    public static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    /**
     * The top {@code k} right singular vectors of {@code rows} (n x d), largest singular value first: an orthonormal
     * basis of the k-dimensional subspace that holds most of the rows' energy. From the eigenvectors u of the
     * n x n Gram matrix (cyclic Jacobi), v = rows^T u / |rows^T u|, so n may be small and d large.
     */
    public static double[][] topRightSingularVectors(double[][] rows, int k) {
        int n = rows.length;
        if (k < 1 || k > n) throw new IllegalArgumentException("k = " + k + ": need 1 <= k <= " + n + " rows");
        double[][] g = new double[n][n], u = new double[n][n];
        for (int i = 0; i < n; i++) {
            u[i][i] = 1;
            for (int j = 0; j < n; j++) g[i][j] = dot(rows[i], rows[j]);
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += g[p][q] * g[p][q];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) {
                    if (g[p][q] == 0) continue;
                    double theta = (g[q][q] - g[p][p]) / (2 * g[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int r = 0; r < n; r++) { // G <- G J
                        double a = g[r][p], b = g[r][q];
                        g[r][p] = c * a - s * b;
                        g[r][q] = s * a + c * b;
                    }
                    for (int r = 0; r < n; r++) { // G <- J^T G
                        double a = g[p][r], b = g[q][r];
                        g[p][r] = c * a - s * b;
                        g[q][r] = s * a + c * b;
                    }
                    for (int r = 0; r < n; r++) { // U <- U J
                        double a = u[r][p], b = u[r][q];
                        u[r][p] = c * a - s * b;
                        u[r][q] = s * a + c * b;
                    }
                }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(g[b][b], g[a][a]));
        double[][] out = new double[k][];
        for (int i = 0; i < k; i++) {
            int e = order[i];
            if (g[e][e] <= 1e-12 * Math.max(1e-300, g[order[0]][order[0]]))
                throw new IllegalArgumentException("the rows span fewer than " + k + " dimensions");
            double[] v = new double[rows[0].length];
            for (int r = 0; r < n; r++) for (int j = 0; j < v.length; j++) v[j] += u[r][e] * rows[r][j];
            out[i] = unit(v);
        }
        return out;
    }

    private static double[][] toDouble(float[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) out[i] = toDouble(a[i]);
        return out;
    }

    private static void checkUnit(double[] r) {
        double n = norm(r);
        if (Math.abs(n - 1) > UNIT_TOLERANCE) {
            throw new IllegalArgumentException("projectOut needs a unit vector, |r| = " + n + "; normalise it with Vectors.unit");
        }
    }

    private static void checkSameLength(int a, int b) {
        if (a != b) throw new IllegalArgumentException("vector lengths differ: " + a + " vs " + b);
    }
}
