package agar.lab.interp;

import agar.engine.nn.Positions;

import java.util.List;

/**
 * Which steering and ablation runs to do. Every intervention uses, at each hook, that hook's own direction.
 *
 * @param hooks         hooks to intervene at one at a time (e.g. blocks.{l}.hook_resid_post for the layers swept)
 * @param scales        steering scales: h <- h + scale * v (v = the direction, or its unit vector if normalize)
 * @param addAll        also add at every hook of {@code hooks} at once, per scale
 * @param ablate        project the direction out at each hook alone: h <- h - (h.r) r
 * @param ablateAll     project each hook's direction out at all hooks at once
 * @param toBaseline    ablations set the coordinate along the direction to the direction's baseline (the mean of
 *                      its negative class, e.g. the aligned answers) instead of 0: mean ablation
 * @param loraB         remove the direction from the LoRA B matrices writing to the residual stream (o_proj and
 *                      down_proj), using the direction of {@code loraHook} at every layer
 * @param loraHook      the hook whose direction the LoRA edit removes (null: the first of {@code hooks})
 * @param randomControl repeat every intervention with a random direction of the same norm
 * @param normalize     steer with the unit direction (scale in activation units) instead of the raw difference
 * @param positions     the absolute positions to intervene at (Positions.ALL: prompt and answer)
 * @param seed          seeds the random control directions
 */
public record SteeringPlan(List<String> hooks, double[] scales, boolean addAll, boolean ablate, boolean ablateAll,
                           boolean toBaseline,
                           boolean loraB, String loraHook, boolean randomControl, boolean normalize, Positions positions,
                           long seed) {
    public SteeringPlan {
        hooks = List.copyOf(hooks);
        scales = scales == null ? new double[0] : scales.clone();
        if (hooks.isEmpty()) throw new IllegalArgumentException("a steering plan needs at least one hook");
    }

    public String loraSource() {
        return loraHook != null ? loraHook : hooks.getFirst();
    }
}
