package agar.engine.nn;

import agar.engine.blas.Gemm;

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
     * z[n, H*hd], for the KV-cache paths (prefill, decode) and inference: vector loops per query and key, which at a
     * few queries per row beat GEMM calls. {@code probs} (nullable) [B, H, T, cap] keeps the softmax for hook_pattern; without
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

    /** Query rows per block in {@link #forwardFull}/{@link #backwardFull}: a block skips the keys after its last row. */
    private static final int BLOCK = 64;

    /**
     * Training's attention over whole rows (start = 0, cap = T): per (batch, head) and block of query rows, the scores
     * and the weighted sum of values are two small GEMMs, with the causal softmax between them. probs [B, H, T, T]
     * (zeros where masked) is kept for backward; it and z must be zero on entry where rows are padding.
     */
    static void forwardFull(float[] z, float[] probs, float[] q, float[] kc, float[] vc, Shape s, int[] len) {
        int hd = s.headDim(), H = s.heads(), T = s.seq(), ld = H * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        Parallel.forEach(s.batch() * H, 2L * T * T * hd, bh -> {
            int b = bh / H, h = bh % H;
            int kv = (b * s.kvHeads() + h / s.group()) * T * hd, qo = b * T * ld + h * hd, po = bh * T * T;
            for (int t0 = 0; t0 < len[b]; t0 += BLOCK) {
                int rows = Math.min(BLOCK, len[b] - t0), keys = t0 + rows, p0 = po + t0 * T;
                Gemm.sgemm(false, true, rows, keys, hd, scale, q, qo + t0 * ld, ld, kc, kv, hd, 0f, probs, p0, T);
                for (int t = t0; t < keys; t++) {
                    int o = po + t * T;
                    Vec.scale(1f / Vec.expMinus(probs, o, t + 1, Vec.max(probs, o, t + 1)), probs, o, t + 1);
                    java.util.Arrays.fill(probs, o + t + 1, o + keys, 0f);
                }
                Gemm.sgemm(false, false, rows, hd, keys, 1f, probs, p0, T, vc, kv, hd, 0f, z, qo + t0 * ld, ld);
            }
        });
    }

    /**
     * Backward of {@link #forwardFull}. dq[n, H*hd] is overwritten; dk, dv are [B, KV, T, hd] and overwritten. Work is
     * split by (batch, kv head) so the heads sharing a kv head add their contributions in a fixed order.
     */
    static void backwardFull(float[] dq, float[] dk, float[] dv, float[] dz, float[] probs, float[] q, float[] kc,
                             float[] vc, Shape s, int[] len) {
        int hd = s.headDim(), H = s.heads(), T = s.seq(), ld = H * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        java.util.Arrays.fill(dq, 0f);
        java.util.Arrays.fill(dk, 0f);
        java.util.Arrays.fill(dv, 0f);
        Parallel.forEach(s.batch() * s.kvHeads(), 4L * s.group() * T * T * hd, bk -> {
            int b = bk / s.kvHeads(), kv = bk * T * hd;
            float[] ds = new float[BLOCK * T];
            for (int h = bk % s.kvHeads() * s.group(); h < (bk % s.kvHeads() + 1) * s.group(); h++) {
                int qo = b * T * ld + h * hd, po = (b * H + h) * T * T;
                for (int t0 = 0; t0 < len[b]; t0 += BLOCK) {
                    int rows = Math.min(BLOCK, len[b] - t0), keys = t0 + rows, p0 = po + t0 * T, r0 = qo + t0 * ld;
                    // dP = dZ V^T into ds; dV += P^T dZ
                    Gemm.sgemm(false, true, rows, keys, hd, 1f, dz, r0, ld, vc, kv, hd, 0f, ds, 0, keys);
                    Gemm.sgemm(true, false, keys, hd, rows, 1f, probs, p0, T, dz, r0, ld, 1f, dv, kv, hd);
                    // dS = P (dP - sum_j P dP) scale; zero where P is masked
                    for (int r = 0; r < rows; r++) {
                        int o = p0 + r * T, keysT = t0 + r + 1;
                        float dot = Vec.dot(probs, o, ds, r * keys, keysT);
                        Vec.softmaxBackward(probs, o, ds, r * keys, dot, scale, keysT);
                        java.util.Arrays.fill(ds, r * keys + keysT, (r + 1) * keys, 0f);
                    }
                    // dQ = dS K; dK += dS^T Q
                    Gemm.sgemm(false, false, rows, hd, keys, 1f, ds, 0, keys, kc, kv, hd, 0f, dq, r0, ld);
                    Gemm.sgemm(true, false, keys, hd, rows, 1f, ds, 0, keys, q, r0, ld, 1f, dk, kv, hd);
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
