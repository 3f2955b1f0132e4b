package agar.engine.nn;

import agar.engine.blas.Lanes;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Loops the kernels share (Vector API where it pays). Each sums in a fixed order, so results repeat exactly run to run. */
final class Vec {
    private Vec() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** sum_i x[xo + i] * y[yo + i] over n values. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        var a0 = FloatVector.zero(S);
        var a1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            a0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), a0);
            a1 = FloatVector.fromArray(S, x, xo + i + L).fma(FloatVector.fromArray(S, y, yo + i + L), a1);
        }
        for (; i + L <= n; i += L) a0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), a0);
        float s = Lanes.sum(a0.add(a1));
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /** y[yo + i] += a * x[xo + i] over n values. */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        var av = FloatVector.broadcast(S, a);
        int i = 0;
        for (; i + L <= n; i += L)
            FloatVector.fromArray(S, x, xo + i).fma(av, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    /**
     * (float) Math.exp(v) lane by lane: the exponential is taken in double (the Vector API's double EXP, accurate to
     * about an ulp of a double), so rounding to float gives what the scalar {@code (float) Math.exp(x)} gives (no
     * difference on 2^20 random inputs), at a fraction of the cost. The float EXP is not used: it is less accurate,
     * enough to change a training run (TrainerTest).
     */
    static FloatVector exp(FloatVector v) {
        var lo = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).lanewise(VectorOperators.EXP);
        var hi = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).lanewise(VectorOperators.EXP);
        return ((FloatVector) lo.convertShape(VectorOperators.D2F, S, 0))
                .add((FloatVector) hi.convertShape(VectorOperators.D2F, S, -1));
    }

    /** Lanes of the preferred float vector. */
    static int lanes() {
        return L;
    }

    static VectorSpecies<Float> species() {
        return S;
    }

    /**
     * x[o + i] = exp(x[o + i] - max) over n values; returns their sum, added in index order (as the scalar loop did,
     * so results are unchanged).
     */
    static float expMinus(float[] x, int o, int n, float max) {
        int i = 0;
        for (; i + L <= n; i += L) exp(FloatVector.fromArray(S, x, o + i).sub(max)).intoArray(x, o + i);
        for (; i < n; i++) x[o + i] = (float) Math.exp(x[o + i] - max);
        float s = 0;
        for (i = 0; i < n; i++) s += x[o + i];
        return s;
    }

    /** x[o + i] *= a over n values. */
    static void scale(float a, float[] x, int o, int n) {
        int i = 0;
        for (; i + L <= n; i += L) FloatVector.fromArray(S, x, o + i).mul(a).intoArray(x, o + i);
        for (; i < n; i++) x[o + i] *= a;
    }

    /** Softmax backward: d[do + j] = p[po + j] * (d[do + j] - dot) * scale over n values (d holds dL/dp on entry). */
    static void softmaxBackward(float[] p, int po, float[] d, int dOff, float dot, float scale, int n) {
        int i = 0;
        for (; i + L <= n; i += L)
            FloatVector.fromArray(S, p, po + i).mul(FloatVector.fromArray(S, d, dOff + i).sub(dot)).mul(scale)
                    .intoArray(d, dOff + i);
        for (; i < n; i++) d[dOff + i] = p[po + i] * (d[dOff + i] - dot) * scale;
    }

    /** max_i x[o + i] over n > 0 values. */
    static float max(float[] x, int o, int n) {
        var acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + L <= n; i += L) acc = acc.max(FloatVector.fromArray(S, x, o + i));
        float max = acc.reduceLanes(VectorOperators.MAX); // max is exact whatever the order
        for (; i < n; i++) max = Math.max(max, x[o + i]);
        return max;
    }
}
