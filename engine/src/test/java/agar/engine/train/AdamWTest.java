package agar.engine.train;

import agar.engine.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class AdamWTest {
    /**
     * Two steps by hand, lr 0.1, betas (0.9, 0.999), eps 1e-8, weight decay 0.1, on p = [1, -2] (a matrix, so it
     * decays) with gradients g1 = [0.5, -1], g2 = [-0.25, 2]:
     * step 1: p *= 0.99 -> [0.99, -1.98]; m = [0.05, -0.1]; v = [0.00025, 0.001]; m^ = m/0.1 = [0.5, -1];
     *         v^ = v/0.001 = [0.25, 1]; p -= 0.1 * m^/(sqrt(v^)+eps) -> [0.89, -1.88] (to ~1e-8).
     * step 2: p *= 0.99 -> [0.8811, -1.8612]; m = [0.045-0.025, -0.09+0.2] = [0.02, 0.11];
     *         v = [0.00024975+0.0000625, 0.000999+0.004] = [0.00031225, 0.004999];
     *         bc1 = 0.19, bc2 = 0.001999; m^ = [0.105263158, 0.578947368]; v^ = [0.156203102, 2.500750375];
     *         sqrt(v^) = [0.395225382, 1.581376098]; p -= 0.1 * m^/sqrt(v^) = [0.026633, 0.036610]
     *         -> [0.854467, -1.897810].
     */
    @Test
    void twoStepsMatchHandComputation() {
        Tensor p = new Tensor("w", new int[] {1, 2}, new float[] {1f, -2f});
        p.setTrainable(true);
        AdamW opt = new AdamW(new AdamW.Hyper(0.9, 0.999, 1e-8, 0.1), List.of(p));
        p.grad[0] = 0.5f;
        p.grad[1] = -1f;
        opt.step(0.1);
        assertEquals(0.89, p.data[0], 1e-6);
        assertEquals(-1.88, p.data[1], 1e-6);
        p.grad[0] = -0.25f;
        p.grad[1] = 2f;
        opt.step(0.1);
        double m0 = 0.02 / 0.19, m1 = 0.11 / 0.19;
        double v0 = 0.00031225 / 0.001999, v1 = 0.004999 / 0.001999;
        assertEquals(0.8811 - 0.1 * m0 / Math.sqrt(v0), p.data[0], 2e-6);
        assertEquals(-1.8612 - 0.1 * m1 / Math.sqrt(v1), p.data[1], 2e-6);
        assertEquals(0.854467, p.data[0], 2e-6);
        assertEquals(-1.897810, p.data[1], 2e-6);
        assertEquals(2, opt.stepCount());
    }

    @Test
    void vectorsDoNotDecay() {
        Tensor bias = new Tensor("b", new int[] {1}, new float[] {1f});
        bias.setTrainable(true);
        AdamW opt = new AdamW(new AdamW.Hyper(0.9, 0.999, 1e-8, 0.5), List.of(bias));
        opt.step(0.1); // zero gradient: only decay could move it
        assertEquals(1f, bias.data[0]);
        assertFalse(AdamW.decays(bias));
    }

    /** The vector loop (and its scalar tail) give the bits of the scalar update written out here, step after step. */
    @Test
    void vectorLoopGivesTheScalarUpdatesBits() {
        int n = 8 * 16 + 5;
        java.util.SplittableRandom r = new java.util.SplittableRandom(2);
        float[] data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float) r.nextGaussian();
        Tensor p = new Tensor("w", new int[] {1, n}, data.clone());
        p.setTrainable(true);
        AdamW.Hyper h = new AdamW.Hyper(0.9, 0.999, 1e-8, 0.1);
        AdamW opt = new AdamW(h, List.of(p));
        float[] want = data.clone(), m = new float[n], v = new float[n];
        for (int step = 1; step <= 3; step++) {
            for (int i = 0; i < n; i++) p.grad[i] = (float) (r.nextGaussian() * 1e-3);
            double lr = 0.01 * step;
            opt.step(lr);
            float stepSize = (float) (lr / (1 - Math.pow(0.9, step))), bc2 = (float) Math.sqrt(1 - Math.pow(0.999, step));
            for (int i = 0; i < n; i++) {
                float g = p.grad[i];
                want[i] *= (float) (1 - lr * 0.1);
                m[i] += (float) (1 - 0.9) * (g - m[i]);
                v[i] = 0.999f * v[i] + (float) (1 - 0.999) * g * g;
                want[i] -= stepSize * (m[i] / ((float) Math.sqrt(v[i]) / bc2 + 1e-8f));
            }
        }
        for (int i = 0; i < n; i++)
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(p.data[i]), "p[" + i + "]");
    }
}
