package agar.lab.interp;

import agar.engine.io.DType;
import agar.engine.io.Safetensors;
import agar.engine.model.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Difference-of-means directions, one per hook: mean activation of the positive class minus the mean of the
 * negative class (for EM: misaligned answers minus aligned answers, activations averaged over answer tokens).
 * Saved as safetensors, one [width] tensor per hook named by the hook, and, where known, the point each direction is
 * measured from (the negative class's mean, or the mean of the capture subtracted) as "baseline:" + hook: mean
 * ablation sets the coordinate along the direction to the baseline's instead of 0.
 */
public record Directions(Map<String, float[]> byHook, Map<String, float[]> baselines, Map<String, String> metadata) {
    static final String BASELINE = "baseline:";

    public Directions {
        byHook = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byHook));
        baselines = baselines == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(baselines));
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public Directions(Map<String, float[]> byHook, Map<String, String> metadata) {
        this(byHook, Map.of(), metadata);
    }

    public Directions withMetadata(Map<String, String> meta) {
        return new Directions(byHook, baselines, meta);
    }

    public float[] get(String hook) {
        float[] v = byHook.get(hook);
        if (v == null) throw new IllegalArgumentException("no direction for hook '" + hook + "'; have " + byHook.keySet());
        return v;
    }

    public float[] baseline(String hook) {
        float[] v = baselines.get(hook);
        if (v == null) throw new IllegalArgumentException("no baseline (the negative class's mean) for hook '" + hook
                + "': rebuild the directions with agar direction build (files older than mean ablation lack it)");
        return v;
    }

    /**
     * mean(rows labelled true) - mean(rows labelled false) for each hook, streaming over the capture (sums in
     * double). Needs a per-sample reduction and at least one row of each class.
     */
    public static Directions meanDifference(Activations acts, List<String> hooks, Labels labels) {
        acts.requirePerSample("a mean-difference direction");
        int[] y = labels.align(acts.ids());
        int pos = 0, neg = 0;
        for (int v : y) {
            if (v == 1) pos++;
            if (v == 0) neg++;
        }
        if (pos == 0 || neg == 0)
            throw new IllegalArgumentException("need samples of both classes among the " + y.length
                    + " captured; labels match " + pos + " positive and " + neg + " negative");
        Map<String, float[]> out = new LinkedHashMap<>(), from = new LinkedHashMap<>();
        for (String h : hooks) {
            double[][] sums = classSums(acts, h, y);
            float[] d = new float[sums[1].length], b = new float[d.length];
            for (int j = 0; j < d.length; j++) {
                d[j] = (float) (sums[1][j] / pos - sums[0][j] / neg);
                b[j] = (float) (sums[0][j] / neg);
            }
            out.put(h, d);
            from.put(h, b);
        }
        return new Directions(out, from, Map.of("kind", "mean-difference", "positive", String.valueOf(pos),
                "negative", String.valueOf(neg)));
    }

    /**
     * mean(acts) - mean(minus) for each hook, over every sample: the shift between two captures of the same samples,
     * e.g. a fine-tuned model's activations on its own answers minus the base model's on the same texts (model
     * diffing). The two captures must hold the same sample ids in the same order.
     */
    public static Directions meanShift(Activations acts, Activations minus, List<String> hooks) {
        acts.requirePerSample("a mean-shift direction");
        minus.requirePerSample("a mean-shift direction");
        if (!acts.ids().equals(minus.ids()))
            throw new IllegalArgumentException("the two captures hold different samples (" + acts.ids().size() + " vs "
                    + minus.ids().size() + " ids, or another order): capture the same input with both models");
        int n = acts.ids().size();
        if (n == 0) throw new IllegalArgumentException("the captures are empty");
        int[] all = new int[n];
        Arrays.fill(all, 1);
        Map<String, float[]> out = new LinkedHashMap<>(), from = new LinkedHashMap<>();
        for (String h : hooks) {
            if (acts.width(h) != minus.width(h))
                throw new IllegalArgumentException(h + ": widths differ (" + acts.width(h) + " vs " + minus.width(h) + ")");
            double[] a = classSums(acts, h, all)[1], b = classSums(minus, h, all)[1];
            float[] d = new float[a.length], m = new float[a.length];
            for (int j = 0; j < d.length; j++) {
                d[j] = (float) ((a[j] - b[j]) / n);
                m[j] = (float) (b[j] / n);
            }
            out.put(h, d);
            from.put(h, m);
        }
        return new Directions(out, from, Map.of("kind", "mean-shift", "samples", String.valueOf(n)));
    }

    /** Per-class sums of one hook's rows in double, streamed: [0] over rows labelled 0, [1] over rows labelled 1. */
    private static double[][] classSums(Activations acts, String h, int[] y) {
        int w = acts.width(h);
        double[][] s = new double[2][w];
        acts.forEachChunk(h, (first, rows) -> {
            for (int r = 0; r < rows.length; r++) {
                int label = y[first + r];
                if (label < 0) continue;
                for (int j = 0; j < w; j++) s[label][j] += rows[r][j];
            }
        });
        return s;
    }

    public void save(Path file) {
        List<Tensor> ts = new ArrayList<>();
        byHook.forEach((h, v) -> ts.add(new Tensor(h, new int[] {v.length}, v.clone())));
        baselines.forEach((h, v) -> ts.add(new Tensor(BASELINE + h, new int[] {v.length}, v.clone())));
        Safetensors.write(file, ts, DType.F32, metadata);
    }

    public static Directions load(Path file) {
        Map<String, float[]> m = new LinkedHashMap<>(), from = new LinkedHashMap<>();
        Map<String, String> meta;
        try (var f = Safetensors.open(file)) {
            meta = f.metadata();
            for (String name : f.entries().keySet()) {
                Tensor t = f.read(name);
                if (t.shape.length != 1)
                    throw new IllegalArgumentException(file + ": tensor '" + name + "' has shape "
                            + java.util.Arrays.toString(t.shape) + "; a direction is one vector [width]");
                if (name.startsWith(BASELINE)) from.put(name.substring(BASELINE.length()), t.data);
                else m.put(name, t.data);
            }
        }
        if (m.isEmpty()) throw new IllegalArgumentException(file + ": no directions in the file");
        for (var e : from.entrySet())
            if (!m.containsKey(e.getKey()) || m.get(e.getKey()).length != e.getValue().length)
                throw new IllegalArgumentException(file + ": baseline '" + e.getKey() + "' has no direction of its width");
        return new Directions(m, from, meta);
    }
}
