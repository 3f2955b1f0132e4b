package agar.engine.nn;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AttentionTest {
    static final int B = 2, T = 150, H = 4, KV = 2, HD = 16; // 150 rows: three query blocks, the last one partial
    static final int[] LEN = {150, 97};                      // row 1 is padded

    /** sum over z of z * r for the causal attention of q, k, v, computed in float64 from the definition. */
    static double loss(double[] q, double[] k, double[] v, double[] r, double[] zOut) {
        double scale = 1 / Math.sqrt(HD), sum = 0;
        for (int b = 0; b < B; b++)
            for (int h = 0; h < H; h++)
                for (int t = 0; t < LEN[b]; t++) {
                    int qo = ((b * T + t) * H + h) * HD, kv = (b * KV + h / (H / KV)) * T * HD;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < HD; i++) s[j] += q[qo + i] * k[kv + j * HD + i] * scale;
                        max = Math.max(max, s[j]);
                    }
                    for (int j = 0; j <= t; j++) z += s[j] = Math.exp(s[j] - max);
                    for (int i = 0; i < HD; i++) {
                        double zi = 0;
                        for (int j = 0; j <= t; j++) zi += s[j] / z * v[kv + j * HD + i];
                        if (zOut != null) zOut[qo + i] = zi;
                        sum += zi * r[qo + i];
                    }
                }
        return sum;
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    /** The GEMM kernels over several query blocks, grouped kv heads and a padded row, against float64. */
    @Test
    void fullSequenceKernelsMatchFloat64AndFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = B * T;
        float[] q = random(rng, n * H * HD), k = random(rng, B * KV * T * HD), v = random(rng, k.length);
        float[] dz = random(rng, n * H * HD);
        var shape = new Attention.Shape(B, T, H, KV, HD, T);
        float[] z = new float[n * H * HD], probs = new float[B * H * T * T];
        Attention.forwardFull(z, probs, q, k, v, shape, LEN);
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        Attention.backwardFull(dq, dk, dv, dz, probs, q, k, v, shape, LEN);

        double[] qd = widen(q), kd = widen(k), vd = widen(v), r = widen(dz), want = new double[z.length];
        loss(qd, kd, vd, r, want);
        for (int i = 0; i < z.length; i++) assertEquals(want[i], z[i], 1e-5, "z[" + i + "]");
        double h = 1e-4;
        for (var c : new Object[][] {{"dq", qd, dq}, {"dk", kd, dk}, {"dv", vd, dv}}) {
            double[] p = (double[]) c[1];
            float[] grad = (float[]) c[2];
            for (int s = 0; s < 12; s++) {
                int i = s == 0 ? p.length - 1 : rng.nextInt(p.length); // the last index is in the padding or the last block
                double keep = p[i];
                p[i] = keep + h;
                double up = loss(qd, kd, vd, r, null);
                p[i] = keep - h;
                double down = loss(qd, kd, vd, r, null);
                p[i] = keep;
                assertEquals((up - down) / (2 * h), grad[i], 1e-3, c[0] + "[" + i + "]");
            }
        }
    }

    /** Training's kernels and the KV-cache loop agree (the inference paths use the loop). */
    @Test
    void fullSequenceForwardMatchesTheCacheLoop() {
        SplittableRandom rng = new SplittableRandom(4);
        int n = B * T;
        float[] q = random(rng, n * H * HD), k = random(rng, B * KV * T * HD), v = random(rng, k.length);
        var shape = new Attention.Shape(B, T, H, KV, HD, T);
        float[] z = new float[n * H * HD], probs = new float[B * H * T * T];
        float[] z2 = new float[z.length], probs2 = new float[probs.length];
        Attention.forwardFull(z, probs, q, k, v, shape, LEN);
        Attention.forward(z2, probs2, null, q, k, v, shape, new int[B], LEN);
        for (int i = 0; i < z.length; i++) assertEquals(z2[i], z[i], 1e-5, "z[" + i + "]");
        for (int i = 0; i < probs.length; i++) assertEquals(probs2[i], probs[i], 1e-6, "probs[" + i + "]");
    }
}
