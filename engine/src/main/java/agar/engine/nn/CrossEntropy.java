package agar.engine.nn;

import agar.engine.blas.Gemm;
import agar.engine.blas.Lanes;
import agar.engine.model.Tensor;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LM head and weighted cross-entropy, forward and backward together, in chunks of rows so that the [rows, vocab]
 * logits of a large-vocabulary model never exist for the whole batch at once.
 */
final class CrossEntropy {
    private CrossEntropy() {}

    /** Logit values per chunk (32 MB): the whole batch at once for a small vocabulary (fewer, larger GEMMs). */
    private static final int CHUNK_VALUES = 1 << 23;
    /** At least this many rows per chunk, so that a large vocabulary still gets GEMMs of useful size. */
    private static final int MIN_CHUNK_ROWS = 256;

    /** Returns sum(weight * CE); writes dL/dxf into dxf and adds dL/dhead to head.grad when trainable. */
    static double lossAndBackward(float[] xf, Tensor head, Decoder.Batch bt, int[][] tokens, float[][] labelWeight,
                                  float[] dxf) {
        int d = head.shape[1], V = head.shape[0], n = bt.n();
        double loss = 0;
        int chunk = Math.min(n, Math.max(MIN_CHUNK_ROWS, CHUNK_VALUES / V));
        float[] logits = new float[chunk * V];
        float[] rowWeight = new float[n];
        int[] label = new int[n];
        for (int i = 0; i < n; i++) { // position t predicts token t+1
            int b = i / bt.seq(), t = i % bt.seq();
            if (t + 1 < tokens[b].length && labelWeight[b][t + 1] != 0f) {
                rowWeight[i] = labelWeight[b][t + 1];
                label[i] = tokens[b][t + 1];
            }
        }
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int rows = Math.min(chunk, n - r0);
            boolean any = false;
            for (int i = r0; i < r0 + rows; i++) any |= rowWeight[i] != 0f;
            if (!any) continue;
            Gemm.sgemm(false, true, rows, V, d, 1f, xf, r0 * d, d, head.data, 0, d, 0f, logits, 0, V);
            double[] rowLoss = new double[rows];
            final int base = r0;
            Parallel.forEach(rows, V, i -> {
                int o = i * V;
                float wgt = rowWeight[base + i];
                if (wgt == 0f) {
                    java.util.Arrays.fill(logits, o, o + V, 0f);
                    return;
                }
                float max = Vec.max(logits, o, V), target = logits[o + label[base + i]];
                double sum = expMinus(logits, o, V, max);
                rowLoss[i] = wgt * (max + Math.log(sum) - target);
                Vec.scale((float) (wgt / sum), logits, o, V);
                logits[o + label[base + i]] -= wgt;
            });
            for (double l : rowLoss) loss += l;
            // dxf = dlogits head; dhead += dlogits^T xf
            Gemm.sgemm(false, false, rows, d, V, 1f, logits, 0, V, head.data, 0, d, 0f, dxf, r0 * d, d);
            if (head.grad != null)
                Gemm.sgemm(true, false, V, d, rows, 1f, logits, 0, V, xf, r0 * d, d, 1f, head.grad, 0, d);
        }
        return loss;
    }

    private static final VectorSpecies<Float> F = Vec.species();
    private static final VectorSpecies<Double> D = Vec.D;

    /**
     * x[o + j] = exp(x[o + j] - max), each exponential taken in double (as Math.exp would take it) and rounded to
     * float; returns their sum in double. One exponential per logit: the softmax is then one multiply.
     */
    private static double expMinus(float[] x, int o, int n, float max) {
        var acc = DoubleVector.zero(D);
        int j = 0;
        for (; j + F.length() <= n; j += F.length()) {
            var v = FloatVector.fromArray(F, x, o + j).sub(max);
            var lo = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).lanewise(VectorOperators.EXP);
            var hi = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).lanewise(VectorOperators.EXP);
            acc = acc.add(lo).add(hi);
            ((FloatVector) lo.convertShape(VectorOperators.D2F, F, 0))
                    .add((FloatVector) hi.convertShape(VectorOperators.D2F, F, -1)).intoArray(x, o + j);
        }
        double sum = Lanes.sum(acc);
        for (; j < n; j++) {
            double e = Math.exp(x[o + j] - max);
            sum += e;
            x[o + j] = (float) e;
        }
        return sum;
    }
}
