package agar.engine.train;

import agar.engine.model.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW as torch.optim.AdamW computes it (single-tensor path): decoupled decay {@code p *= 1 - lr*wd}, moments
 * {@code m = lerp(m, g, 1-b1)}, {@code v = b2 v + (1-b2) g^2}, then {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}.
 * Moments are f32 like the parameters; the bias corrections are computed in double, as Python does.
 * Tensors with {@code decay == false} (biases and norms, as the HF Trainer groups them) skip the decay.
 */
public final class AdamW {
    public record Hyper(double beta1, double beta2, double eps, double weightDecay) {
        public static final Hyper TORCH_DEFAULTS = new Hyper(0.9, 0.999, 1e-8, 0.01);
    }

    /** One optimised tensor and its two moments. */
    public record Slot(Tensor param, boolean decay, float[] expAvg, float[] expAvgSq) {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private final Hyper hyper;
    private final List<Slot> slots = new ArrayList<>();
    private long step;

    public AdamW(Hyper hyper, List<Tensor> params) {
        this.hyper = hyper;
        for (Tensor p : params) {
            if (!p.trainable()) throw new IllegalArgumentException(p.name + " is not trainable");
            slots.add(new Slot(p, decays(p), new float[p.numel()], new float[p.numel()]));
        }
    }

    /** HF Trainer: no decay for biases and norm weights, i.e. every 1-D tensor of a Qwen2/Llama model. */
    static boolean decays(Tensor p) {
        return p.shape.length >= 2;
    }

    public long stepCount() {
        return step;
    }

    public List<Slot> slots() {
        return slots;
    }

    public void step(double lr) {
        step++;
        float b2 = (float) hyper.beta2();
        float oneMinusB1 = (float) (1 - hyper.beta1()), oneMinusB2 = (float) (1 - hyper.beta2());
        double bc1 = 1 - Math.pow(hyper.beta1(), step);
        double bc2 = 1 - Math.pow(hyper.beta2(), step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float eps = (float) hyper.eps();
        float decay = (float) (1 - lr * hyper.weightDecay());
        for (Slot s : slots) {
            float[] p = s.param().data, g = s.param().grad, m = s.expAvg(), v = s.expAvgSq();
            boolean wd = s.decay() && hyper.weightDecay() != 0;
            int i = 0;
            // the scalar loop's operations in its order (sqrt is exact in float), so the bits are the same
            for (; i + F.length() <= p.length; i += F.length()) {
                var gi = FloatVector.fromArray(F, g, i);
                var pi = FloatVector.fromArray(F, p, i);
                if (wd) pi = pi.mul(decay);
                var mi = FloatVector.fromArray(F, m, i);
                mi = mi.add(gi.sub(mi).mul(oneMinusB1));
                var vi = FloatVector.fromArray(F, v, i).mul(b2).add(gi.mul(oneMinusB2).mul(gi));
                var denom = vi.sqrt().div(bc2Sqrt).add(eps);
                pi.sub(mi.div(denom).mul(stepSize)).intoArray(p, i);
                mi.intoArray(m, i);
                vi.intoArray(v, i);
            }
            for (; i < p.length; i++) {
                float gi = g[i];
                if (wd) p[i] *= decay;
                m[i] += oneMinusB1 * (gi - m[i]);
                v[i] = b2 * v[i] + oneMinusB2 * gi * gi;
                float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + eps;
                p[i] -= stepSize * (m[i] / denom);
            }
        }
    }

    /** Moments keyed "{name}.exp_avg" / "{name}.exp_avg_sq", for checkpoints. */
    public List<Tensor> stateTensors() {
        List<Tensor> out = new ArrayList<>();
        for (Slot s : slots) {
            out.add(new Tensor(s.param().name + ".exp_avg", s.param().shape, s.expAvg()));
            out.add(new Tensor(s.param().name + ".exp_avg_sq", s.param().shape, s.expAvgSq()));
        }
        return out;
    }

    /** Restores moments and the step count saved by {@link #stateTensors}. */
    public void restore(Map<String, Tensor> state, long stepCount, String source) {
        for (Slot s : slots) {
            copy(state, s.param().name + ".exp_avg", s.expAvg(), source);
            copy(state, s.param().name + ".exp_avg_sq", s.expAvgSq(), source);
        }
        if (state.size() != 2 * slots.size())
            throw new IllegalArgumentException(source + ": holds " + state.size() + " moment tensors, expected "
                    + 2 * slots.size() + " (were different tensors trained?)");
        this.step = stepCount;
    }

    private static void copy(Map<String, Tensor> state, String key, float[] into, String source) {
        Tensor t = state.get(key);
        if (t == null) throw new IllegalArgumentException(source + ": missing optimizer tensor " + key);
        if (t.numel() != into.length)
            throw new IllegalArgumentException(source + ": " + key + " has " + t.numel() + " values, expected " + into.length);
        System.arraycopy(t.data, 0, into, 0, into.length);
    }

    /** Per-tensor map for tests and reports. */
    Map<String, Slot> byName() {
        Map<String, Slot> m = new LinkedHashMap<>();
        for (Slot s : slots) m.put(s.param().name, s);
        return m;
    }
}
