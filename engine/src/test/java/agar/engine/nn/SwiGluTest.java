package agar.engine.nn;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SwiGluTest {
    /** The vector loops must give the scalar formula's floats exactly (vector body and scalar tail alike). */
    @Test
    void vectorLoopsGiveTheScalarFormulasBits() {
        int n = 3 * 4096 + 13;
        SplittableRandom r = new SplittableRandom(5);
        float[] g = new float[n], u = new float[n], dh = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (r.nextGaussian() * 6);
            u[i] = (float) r.nextGaussian();
            dh[i] = (float) r.nextGaussian();
        }
        float[] h = new float[n], dg = new float[n], du = new float[n];
        SwiGlu.forward(h, g, u, n);
        SwiGlu.backward(dg, du, dh, g, u, n);
        for (int i = 0; i < n; i++) {
            float s = 1f / (1f + (float) Math.exp(-g[i]));
            assertEquals(Float.floatToRawIntBits(g[i] * s * u[i]), Float.floatToRawIntBits(h[i]), "h[" + i + "]");
            assertEquals(Float.floatToRawIntBits(dh[i] * (g[i] * s)), Float.floatToRawIntBits(du[i]), "du[" + i + "]");
            float want = dh[i] * u[i] * s * (1 + g[i] * (1 - s));
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dg[i]), "dg[" + i + "]");
        }
    }
}
