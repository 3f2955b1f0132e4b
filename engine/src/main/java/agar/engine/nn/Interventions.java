package agar.engine.nn;

/**
 * The standard hooks of activation experiments, for [batch, seq, width] activations. Each acts only on real tokens
 * (not padding) at the chosen absolute {@link Positions} (e.g. only the system line, only the generated answer, or
 * {@link Positions#ALL}).
 */
public final class Interventions {
    private Interventions() {}

    /** h <- h + scale * v (steering). */
    public static Hook add(float[] v, float scale, Positions at) {
        return act -> each(act, at, (data, o, w) -> {
            for (int j = 0; j < w; j++) data[o + j] += scale * v[j];
        });
    }

    /** h <- h - (h . r) r with r = dir / |dir| (directional ablation). */
    public static Hook projectOut(float[] dir, Positions at) {
        return projectTo(dir, new float[dir.length], at);
    }

    /**
     * h <- h - ((h - p) . r) r with r = dir / |dir|: the coordinate along r is set to the point p's instead of 0
     * (mean ablation when p is a mean activation). Zero is not neutral when the activations along r are offset.
     */
    public static Hook projectTo(float[] dir, float[] point, Positions at) {
        if (point.length != dir.length)
            throw new IllegalArgumentException("point has width " + point.length + ", direction " + dir.length);
        float[] r = unit(dir);
        double target = 0;
        for (int j = 0; j < r.length; j++) target += (double) point[j] * r[j];
        double t = target;
        return act -> each(act, at, (data, o, w) -> {
            double dot = -t;
            for (int j = 0; j < w; j++) dot += data[o + j] * r[j];
            for (int j = 0; j < w; j++) data[o + j] -= (float) (dot * r[j]);
        });
    }

    /** h <- 0 (zero ablation). */
    public static Hook zero(Positions at) {
        return act -> each(act, at, (data, o, w) -> java.util.Arrays.fill(data, o, o + w, 0f));
    }

    /** h <- the same position's activation from another run (activation patching); see {@link #sourceOffset}. */
    public static Hook patch(Activation source, Positions at) {
        return act -> each(act, at, (data, o, w) -> {
            int s = sourceOffset(source, act, o);
            if (s >= 0) System.arraycopy(source.data(), s, data, o, w);
        });
    }

    /**
     * h <- h - ((h - s) . r) r with s the same position's activation from another run: the coordinate along r is
     * patched from that run and everything else kept (directional patching). With the organism's base as the
     * source this removes what fine-tuning changed along r, where zero would not be neutral.
     */
    public static Hook projectTo(float[] dir, Activation source, Positions at) {
        float[] r = unit(dir);
        if (source.width() != r.length)
            throw new IllegalArgumentException("source " + source.name() + " has width " + source.width() + ", direction " + r.length);
        return act -> each(act, at, (data, o, w) -> {
            int s = sourceOffset(source, act, o);
            if (s < 0) return;
            double dot = 0;
            for (int j = 0; j < w; j++) dot += (data[o + j] - source.data()[s + j]) * r[j];
            for (int j = 0; j < w; j++) data[o + j] -= (float) (dot * r[j]);
        });
    }

    /**
     * Where the source holds the activation at {@code act}'s offset {@code o}: the same row (a source of batch 1
     * serves every row, e.g. a prefix all prompts share) at the same absolute position; -1 if it has none there.
     */
    private static int sourceOffset(Activation source, Activation act, int o) {
        if (source.width() != act.width() || (source.batch() != act.batch() && source.batch() != 1))
            throw new IllegalArgumentException("patch " + act.name() + ": source shape " + java.util.Arrays.toString(source.shape())
                    + " does not match " + java.util.Arrays.toString(act.shape()));
        int b = o / act.width() / act.seq(), t = o / act.width() % act.seq();
        int sb = source.batch() == 1 ? 0 : b;
        int pos = act.start()[b] + t - source.start()[sb];
        return pos >= 0 && pos < source.lengths()[sb] ? source.offset(sb, pos) : -1;
    }

    static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) n += x * x;
        if (n == 0) throw new IllegalArgumentException("direction has zero norm");
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (float) (v[i] / Math.sqrt(n));
        return r;
    }

    private interface RowOp {
        void apply(float[] data, int offset, int width);
    }

    private static void each(Activation act, Positions at, RowOp op) {
        for (int b = 0; b < act.batch(); b++)
            for (int t = 0; t < act.lengths()[b]; t++)
                if (at.contains(act.start()[b] + t)) op.apply(act.data(), act.offset(b, t), act.width());
    }
}
