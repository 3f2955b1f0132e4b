package agar.lab.interp;

import agar.engine.model.Weights;
import agar.engine.nn.HookNames;
import agar.engine.nn.Hooks;
import agar.engine.nn.Interventions;
import agar.lab.stats.Vectors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Steering and ablation experiments that do not care how behaviour is measured: the caller's evaluator takes the
 * hooks to run with (generation plus judging, typically) and returns an {@link EvalOutcome}.
 */
public final class Steering {
    private Steering() {}

    /**
     * Runs the baseline and then every intervention of the plan, in a fixed order; {@code weights} (the model the
     * evaluator runs, with its LoRA adapters attached) is needed only for the LoRA B edit and may otherwise be null.
     * {@code onResult} (may be null) sees each result as soon as it exists.
     */
    public static List<SteeringResult> run(Directions dirs, SteeringPlan plan, Function<Hooks, EvalOutcome> evaluator,
                                           Weights weights, Consumer<SteeringResult> onResult) {
        List<SteeringResult> out = new ArrayList<>();
        Consumer<SteeringResult> emit = r -> {
            out.add(r);
            if (onResult != null) onResult.accept(r);
        };
        Map<String, float[]> real = new LinkedHashMap<>(), random = new LinkedHashMap<>();
        List<String> used = new ArrayList<>(plan.hooks());
        if (plan.loraB() && !used.contains(plan.loraSource())) used.add(plan.loraSource());
        if (dirs == null && (plan.scales().length > 0 || plan.ablate() || plan.ablateAll() || plan.loraB()))
            throw new IllegalArgumentException("steering, ablation and the LoRA B edit need a directions file");
        for (String h : dirs == null ? List.<String>of() : used) {
            real.put(h, dirs.get(h));
            random.put(h, randomLike(dirs.get(h), plan.seed(), h));
        }
        List<Map.Entry<String, Map<String, float[]>>> kinds = new ArrayList<>();
        kinds.add(Map.entry("misalignment", real));
        if (plan.randomControl()) kinds.add(Map.entry("random", random));

        emit.accept(new SteeringResult("none", "-", "-", 0, evaluator.apply(Hooks.NONE)));
        for (double scale : plan.scales()) {
            for (String h : plan.hooks())
                for (var k : kinds)
                    emit.accept(new SteeringResult("add", k.getKey(), where(h, plan), scale,
                            evaluator.apply(add(Hooks.NONE, h, k.getValue().get(h), scale, plan))));
            if (plan.addAll())
                for (var k : kinds) {
                    Hooks all = Hooks.NONE;
                    for (String h : plan.hooks()) all = add(all, h, k.getValue().get(h), scale, plan);
                    emit.accept(new SteeringResult("add", k.getKey(), where("all", plan), scale, evaluator.apply(all)));
                }
        }
        String ablation = plan.ablateTo().label();
        if (plan.ablate())
            for (String h : plan.hooks())
                for (var k : kinds)
                    emit.accept(new SteeringResult(ablation, k.getKey(), where(h, plan), 0,
                            evaluator.apply(ablate(Hooks.NONE, dirs, h, k.getValue().get(h), plan))));
        if (plan.ablateAll())
            for (var k : kinds) {
                Hooks all = Hooks.NONE;
                for (String h : plan.hooks()) all = ablate(all, dirs, h, k.getValue().get(h), plan);
                emit.accept(new SteeringResult(ablation, k.getKey(), where("all", plan), 0, evaluator.apply(all)));
            }
        if (plan.patch() && plan.ablateTo() instanceof AblationTarget.Reference ref) {
            Hooks all = Hooks.NONE;
            for (String h : plan.hooks()) {
                Hooks one = Hooks.NONE.with(h, ref.patch(h, plan.positions()));
                emit.accept(new SteeringResult("patch", "-", where(h, plan), 0, evaluator.apply(one)));
                all = all.with(h, ref.patch(h, plan.positions()));
            }
            emit.accept(new SteeringResult("patch", "-", where("all", plan), 0, evaluator.apply(all)));
        }
        if (plan.patchRank() > 0 && plan.ablateTo() instanceof AblationTarget.Reference ref) {
            Map<String, List<List<float[]>>> bases = new LinkedHashMap<>(); // hook -> [difference, random]
            for (String h : plan.hooks()) {
                List<float[]> diff = ref.differenceBasis(h, plan.patchRank());
                bases.put(h, List.of(diff, randomBasis(diff.getFirst().length, plan.patchRank(), plan.seed(), h)));
            }
            List<String> kindsOf = plan.randomControl() ? List.of("difference", "random") : List.of("difference");
            for (int k = 1; k <= plan.patchRank(); k++)
                for (int kind = 0; kind < kindsOf.size(); kind++) {
                    String label = "patch-rank-" + k;
                    Hooks all = Hooks.NONE;
                    for (String h : plan.hooks()) {
                        var hook = ref.patchAlong(h, bases.get(h).get(kind).subList(0, k), plan.positions());
                        emit.accept(new SteeringResult(label, kindsOf.get(kind), where(h, plan), 0,
                                evaluator.apply(Hooks.NONE.with(h, hook))));
                        all = all.with(h, hook);
                    }
                    emit.accept(new SteeringResult(label, kindsOf.get(kind), where("all", plan), 0, evaluator.apply(all)));
                }
        }
        if (plan.loraB()) {
            if (weights == null) throw new IllegalArgumentException("the LoRA B edit needs the evaluated model's weights");
            // Each layer's adapters lose that layer's own direction when the plan has a hook there (the residual
            // stream they write into); other layers, the lora source's.
            for (var k : kinds) {
                Map<String, float[]> byHook = k.getValue();
                float[] source = byHook.get(plan.loraSource());
                Map<Integer, float[]> byLayer = new HashMap<>();
                for (String h : plan.hooks()) {
                    int layer = HookNames.layerOf(h);
                    if (layer >= 0) byLayer.putIfAbsent(layer, byHook.get(h));
                }
                try (LoraEdits.Restore edit = LoraEdits.removeDirection(weights, layer -> byLayer.getOrDefault(layer, source))) {
                    if (edit.edited() == 0)
                        throw new IllegalArgumentException("the model has no LoRA adapter on o_proj or down_proj to edit");
                    emit.accept(new SteeringResult("lora-b-ablate", k.getKey(), "lora-b", 0, evaluator.apply(Hooks.NONE)));
                }
            }
        }
        return out;
    }

    /** The hook (or "all"), and the positions when the plan does not act on every one, so results say where. */
    private static String where(String hooks, SteeringPlan plan) {
        return hooks + plan.positions().suffix();
    }

    private static Hooks ablate(Hooks base, Directions dirs, String hook, float[] dir, SteeringPlan plan) {
        return base.with(hook, plan.ablateTo().hook(dirs, hook, dir, plan.positions()));
    }

    private static Hooks add(Hooks base, String hook, float[] dir, double scale, SteeringPlan plan) {
        float[] v = plan.normalize() ? unitFloat(dir) : dir;
        return base.with(hook, Interventions.add(v, (float) scale, plan.positions()));
    }

    /**
     * A Gaussian direction with the same norm as {@code like}, from a generator seeded by {@code seed} and the
     * hook name, so every control is reproducible and differs between hooks.
     */
    public static float[] randomLike(float[] like, long seed, String hook) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + hook.hashCode());
        double[] g = new double[like.length];
        double n = 0, target = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
            n += g[i] * g[i];
            target += (double) like[i] * like[i];
        }
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) out[i] = (float) (g[i] * Math.sqrt(target / n));
        return out;
    }

    /** An orthonormal basis of k Gaussian directions, seeded like {@link #randomLike}: a random subspace. */
    static List<float[]> randomBasis(int width, int k, long seed, String hook) {
        double[][] rows = new double[k][];
        float[] ones = new float[width];
        java.util.Arrays.fill(ones, 1f);
        for (int i = 0; i < k; i++) rows[i] = Vectors.toDouble(randomLike(ones, seed + i, hook));
        return java.util.Arrays.stream(Vectors.topRightSingularVectors(rows, k)).map(Vectors::toFloat).toList();
    }

    static float[] unitFloat(float[] v) {
        return Vectors.toFloat(LoraEdits.unit(v));
    }

    /** The hooks of a list of layers at one point of the block, e.g. ("resid_post", [8, 12]). */
    public static List<String> hooksAt(String shortName, int... layers) {
        List<String> out = new ArrayList<>();
        for (int l : layers) out.add(HookNames.block(l, shortName));
        return out;
    }

    /**
     * A printed table with the change from the baseline (the first result) and, for interventions meant to remove EM
     * (ablations and negative steering scales), the share removed.
     */
    public static String table(List<SteeringResult> results) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-14s %-13s %-28s %7s %6s %-22s %-9s %9s %8s%n",
                "intervention", "direction", "where", "scale", "n", "misaligned [95% CI]", "coherent", "delta", "removed"));
        double base = results.isEmpty() ? Double.NaN : results.getFirst().outcome().misalignedRate();
        for (SteeringResult r : results) {
            EvalOutcome o = r.outcome();
            String removed = (r.intervention().contains("ablate") || r.intervention().startsWith("patch") || r.scale() < 0) && base > 0
                    ? String.format(Locale.ROOT, "%7.1f%%", 100 * (1 - o.misalignedRate() / base)) : "";
            s.append(String.format(Locale.ROOT, "%-14s %-13s %-28s %7.2f %6d %5.1f%% [%4.1f, %4.1f] %8.1f%% %+8.1f%% %8s%n",
                    r.intervention(), r.direction(), r.where(), r.scale(), o.n(), 100 * o.misalignedRate(),
                    100 * o.misaligned().lower(), 100 * o.misaligned().upper(), 100 * o.coherentRate(),
                    100 * (o.misalignedRate() - base), removed));
        }
        return s.toString();
    }

    public static String json(List<SteeringResult> results) {
        return Json.write(results);
    }
}
