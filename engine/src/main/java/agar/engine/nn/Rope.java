package agar.engine.nn;

import agar.engine.model.Config;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Rotary position embeddings in HF's "rotate half" layout: pairs (i, i + headDim/2) rotate by pos * invFreq[i]. */
final class Rope {
    private Rope() {}

    /** theta^(-2i/d), with Llama 3's frequency-dependent scaling when the config has it (float32, as HF computes). */
    static float[] invFreq(Config c) {
        int half = c.headDim() / 2;
        float[] f = new float[half];
        for (int i = 0; i < half; i++) f[i] = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headDim()));
        Config.RopeScaling s = c.ropeScaling();
        if (s == null) return f;
        double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int i = 0; i < half; i++) {
            double wavelen = 2 * Math.PI / f[i];
            if (wavelen > lowWavelen) {
                f[i] = (float) (f[i] / s.factor());                      // long wavelengths: fully scaled
            } else if (wavelen >= highWavelen) {                            // in between: interpolate
                double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                f[i] = (float) ((1 - smooth) * f[i] / s.factor() + smooth * f[i]);
            }                                                               // short wavelengths: unchanged
        }
        return f;
    }

    /** cos and sin of pos[i] * invFreq[j], [n, hd/2] each: computed once per forward or backward, used by every layer. */
    record Angles(float[] cos, float[] sin) {
        static Angles of(int[] pos, float[] invFreq) {
            int half = invFreq.length;
            float[] cos = new float[pos.length * half], sin = new float[pos.length * half];
            for (int i = 0; i < pos.length; i++)
                for (int j = 0; j < half; j++) {
                    float angle = pos[i] * invFreq[j];
                    cos[i * half + j] = (float) Math.cos(angle);
                    sin[i * half + j] = (float) Math.sin(angle);
                }
            return new Angles(cos, sin);
        }
    }

    private static final VectorSpecies<Float> S = Vec.species();

    /**
     * Rotates heads of x[n, heads*hd] in place, row i by angles row i. {@code sign} = +1 applies the rotation, -1 its
     * transpose (which is the backward pass: the gradient rotates back).
     */
    static void apply(float[] x, int n, int heads, int hd, Angles angles, int sign) {
        int half = hd / 2;
        Parallel.forEach(n, (long) heads * hd, i -> {
            for (int o = i * heads * hd, end = (i + 1) * heads * hd; o < end; o += hd) {
                int j = 0, a = i * half;
                for (; j + S.length() <= half; j += S.length()) {
                    var c = FloatVector.fromArray(S, angles.cos(), a + j);
                    var s = FloatVector.fromArray(S, angles.sin(), a + j).mul(sign);
                    var x0 = FloatVector.fromArray(S, x, o + j);
                    var x1 = FloatVector.fromArray(S, x, o + half + j);
                    x0.mul(c).sub(x1.mul(s)).intoArray(x, o + j);
                    x1.mul(c).add(x0.mul(s)).intoArray(x, o + half + j);
                }
                for (; j < half; j++) {
                    float c = angles.cos()[a + j], s = sign * angles.sin()[a + j], x0 = x[o + j], x1 = x[o + half + j];
                    x[o + j] = x0 * c - x1 * s;
                    x[o + half + j] = x1 * c + x0 * s;
                }
            }
        });
    }
}
