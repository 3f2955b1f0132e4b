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
 * @param ablateTo      what ablations set the coordinate along the direction to: 0 (the anchors'), the direction's
 *                      baseline (the mean of its negative class, e.g. the aligned answers: mean ablation), or another
 *                      model's coordinate at the same position
 * @param patch         also replace the whole activation at each hook (and at all at once) with the model's of
 *                      {@code ablateTo}, which must be an {@link AblationTarget.Reference}: activation patching, where
 *                      does the organism's difference from that model act?
 * @param patchRank     also patch, for k = 1..patchRank, the top k principal directions of the evaluated model's
 *                      difference from the reference model over the prompts' shared prefix (needs a Reference with
 *                      the evaluated model's run), at each hook and at all; 0 for none
 * @param loraB         remove the direction from the LoRA B matrices writing to the residual stream (o_proj and
 *                      down_proj), using the direction of {@code loraHook} at every layer
 * @param loraHook      the hook whose direction the LoRA edit removes (null: the first of {@code hooks})
 * @param randomControl repeat every intervention with a random direction of the same norm
 * @param normalize     steer with the unit direction (scale in activation units) instead of the raw difference
 * @param positions     the absolute positions to intervene at (Positions.ALL: prompt and answer)
 * @param seed          seeds the random control directions
 */
public record SteeringPlan(List<String> hooks, double[] scales, boolean addAll, boolean ablate, boolean ablateAll,
                           AblationTarget ablateTo, boolean patch, int patchRank,
                           boolean loraB, String loraHook, boolean randomControl, boolean normalize, Positions positions,
                           long seed) {
    public SteeringPlan {
        hooks = List.copyOf(hooks);
        scales = scales == null ? new double[0] : scales.clone();
        ablateTo = ablateTo == null ? AblationTarget.ZERO : ablateTo;
        if (hooks.isEmpty()) throw new IllegalArgumentException("a steering plan needs at least one hook");
        if ((patch || patchRank > 0) && !(ablateTo instanceof AblationTarget.Reference))
            throw new IllegalArgumentException("patching needs a model to patch from (a reference ablation target)");
    }

    public String loraSource() {
        return loraHook != null ? loraHook : hooks.getFirst();
    }
}
