package agar.lab.interp;

import agar.engine.nn.Activation;
import agar.engine.nn.ActivationCache;
import agar.engine.nn.Decoder;
import agar.engine.nn.Hook;
import agar.engine.nn.Interventions;
import agar.engine.nn.Positions;
import agar.lab.stats.Vectors;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an ablation sets the coordinate along a direction to. The anchors project to 0, which is neutral only when
 * aligned text sits near 0 along the direction; in the micro world it does not, so the coordinate can instead be
 * set to the aligned answers' mean or to another model's (the organism's base) at the same position.
 */
public sealed interface AblationTarget {
    /** h <- h - (h . r) r: the anchors' directional ablation. */
    AblationTarget ZERO = new Zero();
    /** The direction's baseline, the mean of its negative class (the aligned answers): mean ablation. */
    AblationTarget BASELINE = new Baseline();

    /** The intervention's name in results: "ablate", "mean-ablate" or "base-ablate". */
    String label();

    /** The hook that ablates {@code dir} (the file's direction at {@code hook}, or a random control) at {@code at}. */
    Hook hook(Directions dirs, String hook, float[] dir, Positions at);

    record Zero() implements AblationTarget {
        public String label() {
            return "ablate";
        }

        public Hook hook(Directions dirs, String hook, float[] dir, Positions at) {
            return Interventions.projectOut(dir, at);
        }
    }

    record Baseline() implements AblationTarget {
        public String label() {
            return "mean-ablate";
        }

        public Hook hook(Directions dirs, String hook, float[] dir, Positions at) {
            return Interventions.projectTo(dir, dirs.baseline(hook), at);
        }
    }

    /**
     * Another model's coordinate at the same absolute position (directional patching), from its run over the
     * {@code prefix} every evaluated prompt begins with; later positions are left alone. With the organism's base as
     * the model this removes what fine-tuning changed along the direction there. {@code evaluated} (may be empty)
     * is the evaluated model's own run over the prefix, for {@link #differenceBasis}.
     */
    record Reference(String model, int[] prefix, Map<String, Activation> byHook, Map<String, Activation> evaluated)
            implements AblationTarget {
        public Reference {
            prefix = prefix.clone();
            byHook = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byHook)); // in the hooks' order
            evaluated = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evaluated));
        }

        public String label() {
            return "base-ablate";
        }

        public int length() {
            return prefix.length;
        }

        /** {@code at} cut to the prefix, so results say where the reference acted; refused if it starts past it. */
        public Positions within(Positions at) {
            if (at.from() >= length())
                throw new IllegalArgumentException("positions from " + at.from() + ": the prompts share only their first "
                        + length() + " tokens, so " + model + " has no run there to patch from");
            return new Positions(at.from(), Math.min(at.to(), length()));
        }

        public Hook hook(Directions dirs, String hook, float[] dir, Positions at) {
            return Interventions.projectTo(dir, at(byHook, hook), at);
        }

        /** The whole activation at {@code hook} replaced by the model's (activation patching), not one coordinate. */
        public Hook patch(String hook, Positions at) {
            return Interventions.patch(at(byHook, hook), at);
        }

        /** The coordinates along every vector of {@code basis} (orthonormal) patched from the model: a subspace. */
        public Hook patchAlong(String hook, List<float[]> basis, Positions at) {
            List<Hook> each = basis.stream().map(r -> Interventions.projectTo(r, at(byHook, hook), at)).toList();
            return act -> each.forEach(h -> h.apply(act));
        }

        /**
         * The top {@code k} principal directions of the evaluated model's activations minus the model's, one row
         * per prefix position: the subspace where the two differ most there.
         */
        public List<float[]> differenceBasis(String hook, int k) {
            try {
                return java.util.Arrays.stream(Vectors.topRightSingularVectors(difference(hook), k)).map(Vectors::toFloat).toList();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the evaluated model does not differ from " + model + " at " + hook
                        + " over the shared prefix in " + k + " directions (" + e.getMessage() + ")", e);
            }
        }

        /**
         * Per hook, the top principal direction of the difference ({@link #differenceBasis}), oriented and scaled to
         * the mean shift along it (mean over the prefix of (evaluated - model) . r, made positive), so adding it
         * moves the model toward the evaluated one; the baseline is the model's mean over the prefix.
         */
        public Directions differenceDirections() {
            Map<String, float[]> dirs = new LinkedHashMap<>(), baselines = new LinkedHashMap<>();
            for (String h : byHook.keySet()) {
                float[] r = differenceBasis(h, 1).getFirst();
                double[][] diff = difference(h);
                Activation theirs = at(byHook, h);
                double shift = 0;
                float[] mean = new float[r.length];
                for (int t = 0; t < length(); t++)
                    for (int j = 0; j < r.length; j++) {
                        shift += diff[t][j] * r[j];
                        mean[j] += theirs.data()[theirs.offset(0, t) + j] / length();
                    }
                float s = (float) (shift / length());
                float[] v = new float[r.length];
                for (int j = 0; j < r.length; j++) v[j] = s * r[j];
                dirs.put(h, v);
                baselines.put(h, mean);
            }
            return new Directions(dirs, baselines, Map.of("kind", "difference-from-model", "model", model,
                    "prefix_tokens", String.valueOf(length())));
        }

        /** The evaluated model's activations minus the model's at {@code hook}, one row per prefix position. */
        private double[][] difference(String hook) {
            if (evaluated.isEmpty()) throw new IllegalArgumentException("the evaluated model's own run is missing: use against()");
            Activation mine = at(evaluated, hook), theirs = at(byHook, hook);
            double[][] rows = new double[length()][theirs.width()];
            for (int t = 0; t < rows.length; t++)
                for (int j = 0; j < rows[t].length; j++)
                    rows[t][j] = mine.data()[mine.offset(0, t) + j] - theirs.data()[theirs.offset(0, t) + j];
            return rows;
        }

        /** This reference with {@code model}'s own run over the same prefix as the evaluated one. */
        public Reference against(Decoder model) {
            return new Reference(this.model, prefix, byHook, run(model, prefix, byHook.keySet()));
        }

        private Activation at(Map<String, Activation> run, String hook) {
            Activation a = run.get(hook);
            if (a == null) throw new IllegalArgumentException(model + " was not run at " + hook + " (have " + run.keySet() + ")");
            return a;
        }

        /** {@code model}'s activations at {@code hooks} over the longest token prefix all {@code prompts} share. */
        public static Reference onSharedPrefix(String name, Decoder model, List<int[]> prompts, Collection<String> hooks) {
            if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to find a shared prefix in");
            int n = prompts.getFirst().length;
            for (int[] p : prompts) {
                int k = 0;
                while (k < Math.min(n, p.length) && p[k] == prompts.getFirst()[k]) k++;
                n = k;
            }
            if (n == 0) throw new IllegalArgumentException("the prompts share no first token, so " + name + " has no run to patch from");
            int[] prefix = java.util.Arrays.copyOf(prompts.getFirst(), n);
            return new Reference(name, prefix, run(model, prefix, hooks), Map.of());
        }

        private static Map<String, Activation> run(Decoder model, int[] prefix, Collection<String> hooks) {
            ActivationCache cache = new ActivationCache();
            model.runWithCache(new int[][] {prefix}, hooks::contains, cache);
            Map<String, Activation> byHook = new LinkedHashMap<>();
            for (String h : hooks) byHook.put(h, cache.get(h));
            return byHook;
        }
    }
}
