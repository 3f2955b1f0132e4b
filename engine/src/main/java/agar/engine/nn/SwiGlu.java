package agar.engine.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gated MLP activation: h = silu(g) * u, silu(g) = g * sigmoid(g). Vector loops with the scalar loop's
 * operations in the scalar loop's order (and {@link Vec#exp}), so every value is what the scalar code gives.
 */
final class SwiGlu {
    private SwiGlu() {}

    private static final VectorSpecies<Float> S = Vec.species();
    private static final int CHUNK = 4096;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    static void forward(float[] h, float[] g, float[] u, int len) {
        Parallel.forEach(len / CHUNK + 1, CHUNK, c -> {
            int i = c * CHUNK, end = Math.min(len, i + CHUNK);
            for (; i + S.length() <= end; i += S.length()) {
                var gv = FloatVector.fromArray(S, g, i);
                var s = ONE.div(Vec.exp(gv.neg()).add(1f));
                gv.mul(s).mul(FloatVector.fromArray(S, u, i)).intoArray(h, i);
            }
            for (; i < end; i++) {
                float s = 1f / (1f + (float) Math.exp(-g[i]));
                h[i] = g[i] * s * u[i];
            }
        });
    }

    /** dg, du are overwritten. */
    static void backward(float[] dg, float[] du, float[] dh, float[] g, float[] u, int len) {
        Parallel.forEach(len / CHUNK + 1, CHUNK, c -> {
            int i = c * CHUNK, end = Math.min(len, i + CHUNK);
            for (; i + S.length() <= end; i += S.length()) {
                var gv = FloatVector.fromArray(S, g, i);
                var dhv = FloatVector.fromArray(S, dh, i);
                var s = ONE.div(Vec.exp(gv.neg()).add(1f));
                dhv.mul(gv.mul(s)).intoArray(du, i);
                var oneMinusS = ONE.sub(s);
                dhv.mul(FloatVector.fromArray(S, u, i)).mul(s).mul(gv.mul(oneMinusS).add(1f)).intoArray(dg, i);
            }
            for (; i < end; i++) {
                float s = 1f / (1f + (float) Math.exp(-g[i]));
                float silu = g[i] * s;
                du[i] = dh[i] * silu;
                dg[i] = dh[i] * u[i] * s * (1 + g[i] * (1 - s));
            }
        });
    }
}
