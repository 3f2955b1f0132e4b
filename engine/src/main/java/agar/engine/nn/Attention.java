package agar.engine.nn;

/**
 * Causal grouped-query attention over a key/value buffer laid out [B, KV, cap, hd].
 * Queries q[n, H*hd] with n = B*T: row b*T+t is at absolute position start[b]+t and sees keys 0..start[b]+t.
 * Rows with t >= len[b] are padding and produce zeros. Query head h reads kv head h / (H/KV).
 */
final class Attention {
    private Attention() {}

    record Shape(int batch, int seq, int heads, int kvHeads, int headDim, int cap) {
        int group() {
            return heads / kvHeads;
        }
    }

    /**
     * z[n, H*hd]. {@code probs} (nullable) [B, H, T, cap] keeps the softmax for backward and hook_pattern; without
     * it the scores go to {@code scratch} [B*H, cap], one row per (batch, head), so nothing is allocated per token.
     */
    static void forward(float[] z, float[] probs, float[] scratch, float[] q, float[] kc, float[] vc, Shape s,
                        int[] start, int[] len) {
        int hd = s.headDim(), H = s.heads(), T = s.seq(), cap = s.cap();
        float scale = (float) (1.0 / Math.sqrt(hd));
        long work = 0; // multiply-adds per (batch, head): scores and values for every visible key
        for (int b = 0; b < s.batch(); b++) work = Math.max(work, 2L * len[b] * (start[b] + len[b]) * hd);
        Parallel.forEach(s.batch() * H, work, bh -> {
            int b = bh / H, h = bh % H, kvh = h / s.group();
            int kvBase = (b * s.kvHeads() + kvh) * cap * hd;
            for (int t = 0; t < T; t++) {
                int zo = ((b * T + t) * H + h) * hd;
                java.util.Arrays.fill(z, zo, zo + hd, 0f);
                if (t >= len[b]) continue;
                int keys = start[b] + t + 1;
                float[] p = probs != null ? probs : scratch;
                int po = probs != null ? ((b * H + h) * T + t) * cap : bh * cap;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    p[po + j] = Vec.dot(q, zo, kc, kvBase + j * hd, hd) * scale;
                    max = Math.max(max, p[po + j]);
                }
                float inv = 1f / Vec.expMinus(p, po, keys, max);
                for (int j = 0; j < keys; j++) Vec.axpy(p[po + j] *= inv, vc, kvBase + j * hd, z, zo, hd);
            }
        });
    }

    /**
     * Backward of {@link #forward} for a full sequence (start = 0, cap = T). dq[n, H*hd] is overwritten; dk, dv are
     * [B, KV, T, hd] and overwritten. Work is split by (batch, kv head) so the heads sharing a kv head add their
     * contributions in a fixed order.
     */
    static void backward(float[] dq, float[] dk, float[] dv, float[] dz, float[] probs, float[] q, float[] kc,
                         float[] vc, Shape s, int[] len) {
        int hd = s.headDim(), H = s.heads(), T = s.seq(), cap = s.cap();
        float scale = (float) (1.0 / Math.sqrt(hd));
        java.util.Arrays.fill(dq, 0f);
        java.util.Arrays.fill(dk, 0f);
        java.util.Arrays.fill(dv, 0f);
        Parallel.forEach(s.batch() * s.kvHeads(), (long) s.group() * T * T * hd, bk -> {
            int b = bk / s.kvHeads(), kvh = bk % s.kvHeads();
            int kvBase = (b * s.kvHeads() + kvh) * cap * hd;
            float[] dp = new float[cap];
            for (int h = kvh * s.group(); h < (kvh + 1) * s.group(); h++)
                for (int t = 0; t < len[b]; t++) {
                    int zo = ((b * T + t) * H + h) * hd;
                    int po = ((b * H + h) * T + t) * cap;
                    int keys = t + 1;
                    float dot = 0; // sum_j p_j dp_j
                    for (int j = 0; j < keys; j++) {
                        float pj = probs[po + j];
                        dp[j] = Vec.dot(dz, zo, vc, kvBase + j * hd, hd);
                        dot += pj * dp[j];
                        Vec.axpy(pj, dz, zo, dv, kvBase + j * hd, hd);
                    }
                    for (int j = 0; j < keys; j++) {
                        float ds = probs[po + j] * (dp[j] - dot) * scale;
                        Vec.axpy(ds, kc, kvBase + j * hd, dq, zo, hd);
                        Vec.axpy(ds, q, zo, dk, kvBase + j * hd, hd);
                    }
                }
        });
    }

    /** Copies k[n, KV*hd] rows (t < len[b]) into the [B, KV, cap, hd] buffer at positions start[b]+t. */
    static void store(float[] cache, float[] k, Shape s, int[] start, int[] len) {
        int hd = s.headDim(), KV = s.kvHeads(), T = s.seq();
        for (int b = 0; b < s.batch(); b++)
            for (int t = 0; t < len[b]; t++)
                for (int g = 0; g < KV; g++)
                    System.arraycopy(k, ((b * T + t) * KV + g) * hd, cache,
                            ((b * KV + g) * s.cap() + start[b] + t) * hd, hd);
    }

    /** The inverse of {@link #store} for start = 0: [B, KV, cap, hd] back to rows [n, KV*hd]. */
    static void load(float[] rows, float[] cache, Shape s, int[] len) {
        int hd = s.headDim(), KV = s.kvHeads(), T = s.seq();
        java.util.Arrays.fill(rows, 0f);
        for (int b = 0; b < s.batch(); b++)
            for (int t = 0; t < len[b]; t++)
                for (int g = 0; g < KV; g++)
                    System.arraycopy(cache, ((b * KV + g) * s.cap() + t) * hd, rows, ((b * T + t) * KV + g) * hd, hd);
    }
}
