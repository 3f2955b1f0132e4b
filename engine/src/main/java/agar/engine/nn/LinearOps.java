package agar.engine.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

import agar.engine.blas.Bf16;
import agar.engine.blas.Gemm;
import agar.engine.model.Linear;
import agar.engine.model.LoraAdapter;
import agar.engine.model.Tensor;

/** A linear layer with optional bias and LoRA adapter: y = x W^T + b + scale * (drop(x) A^T) B^T. */
final class LinearOps {
    private LinearOps() {}

    /** What backward needs from an adapter's forward: the (dropped-out) input and its projection onto A. */
    record LoraTape(float[] xd, float[] xa, boolean[] kept) {}

    /**
     * y[n,out] = linear(x[n,in]). With a training RNG and dropout > 0 the adapter's input is dropped out; the tape
     * (returned when {@code keep}) holds what backward needs. Returns null when there is no adapter or no keep.
     */
    static LoraTape forward(Linear l, float[] x, int n, float[] y, boolean keep, SplittableRandom dropoutRng) {
        matmul(l.weight, x, y, n);
        return biasAndAdapter(l, x, n, y, keep, dropoutRng);
    }

    /**
     * {@link #forward} of several layers on the same input (q, k, v; gate, up), in that order; when decoding, their
     * products share one parallel region ({@link Bf16#linear(float[], int, boolean, Bf16[], float[][])}).
     */
    static LoraTape[] forward(Linear[] ls, float[] x, int n, float[][] ys, boolean keep, SplittableRandom dropoutRng) {
        Bf16[] packed = new Bf16[ls.length];
        for (int i = 0; i < ls.length; i++) packed[i] = ls[i].weight.bf16For(n);
        if (Arrays.asList(packed).contains(null)) {
            for (int i = 0; i < ls.length; i++) matmul(ls[i].weight, x, ys[i], n);
        } else {
            Bf16.linear(x, n, false, packed, ys);
        }
        LoraTape[] tapes = new LoraTape[ls.length];
        for (int i = 0; i < ls.length; i++) tapes[i] = biasAndAdapter(ls[i], x, n, ys[i], keep, dropoutRng);
        return tapes;
    }

    /** The rest of {@link #forward} once y holds x W^T. */
    private static LoraTape biasAndAdapter(Linear l, float[] x, int n, float[] y, boolean keep,
                                           SplittableRandom dropoutRng) {
        int in = l.in(), out = l.out();
        if (l.bias != null) addBias(y, l.bias.data, n, out);
        LoraAdapter lora = l.lora;
        if (lora == null) return null;
        int r = lora.rank();
        float[] xd = x;
        boolean[] kept = null;
        if (dropoutRng != null && lora.dropout() > 0) {
            xd = new float[n * in];
            kept = new boolean[n * in];
            float keepP = 1 - lora.dropout();
            for (int i = 0; i < xd.length; i++) {
                kept[i] = dropoutRng.nextDouble() < keepP;
                xd[i] = kept[i] ? x[i] / keepP : 0f;
            }
        }
        float[] xa = new float[n * r];
        Gemm.linear(xd, lora.a().data, xa, n, r, in, false);
        Gemm.sgemm(false, true, n, out, r, lora.scale(), xa, 0, r, lora.b().data, 0, r, 1f, y, 0, out);
        return keep ? new LoraTape(xd, xa, kept) : null;
    }

    /**
     * y[n, out] = x[n, in] W^T for W = w [out, in]. Decoding (few rows) is bound by reading W, so it uses the
     * tensor's bf16 copy when its values are exactly bf16 (as loaded from a bf16 checkpoint): the same products
     * from half the bytes. Everything else goes through GEMM on the f32 data.
     */
    static void matmul(Tensor w, float[] x, float[] y, int n) {
        Bf16 packed = w.bf16For(n);
        if (packed != null) packed.linear(x, y, n, false);
        else Gemm.linear(x, w.data, y, n, w.shape[0], w.shape[1], false);
    }

    static void addBias(float[] y, float[] b, int n, int out) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < out; j++) y[i * out + j] += b[j];
    }

    /** dx += dy W (+ adapter path); weight, bias and adapter gradients accumulate where trainable. */
    static void backward(Linear l, float[] x, int n, float[] dy, float[] dx, LoraTape tape) {
        int in = l.in(), out = l.out();
        Gemm.sgemm(false, false, n, in, out, 1f, dy, 0, out, l.weight.data, 0, in, 1f, dx, 0, in);
        if (l.weight.grad != null)
            Gemm.sgemm(true, false, out, in, n, 1f, dy, 0, out, x, 0, in, 1f, l.weight.grad, 0, in);
        if (l.bias != null && l.bias.grad != null) {
            float[] db = l.bias.grad;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < out; j++) db[j] += dy[i * out + j];
        }
        LoraAdapter lora = l.lora;
        if (lora == null) return;
        int r = lora.rank();
        float s = lora.scale();
        if (lora.b().grad != null) // dB += s dy^T xa
            Gemm.sgemm(true, false, out, r, n, s, dy, 0, out, tape.xa(), 0, r, 1f, lora.b().grad, 0, r);
        float[] dxa = new float[n * r]; // s dy B
        Gemm.sgemm(false, false, n, r, out, s, dy, 0, out, lora.b().data, 0, r, 0f, dxa, 0, r);
        if (lora.a().grad != null) // dA += dxa^T xd
            Gemm.sgemm(true, false, r, in, n, 1f, dxa, 0, r, tape.xd(), 0, in, 1f, lora.a().grad, 0, in);
        if (tape.kept() == null) {
            Gemm.sgemm(false, false, n, in, r, 1f, dxa, 0, r, lora.a().data, 0, in, 1f, dx, 0, in);
        } else { // through dropout: the gradient passes where xd kept x, scaled as xd was
            float[] dxd = new float[n * in];
            Gemm.sgemm(false, false, n, in, r, 1f, dxa, 0, r, lora.a().data, 0, in, 0f, dxd, 0, in);
            float keepP = 1 - lora.dropout();
            for (int i = 0; i < dxd.length; i++) if (tape.kept()[i]) dx[i] += dxd[i] / keepP;
        }
    }
}
