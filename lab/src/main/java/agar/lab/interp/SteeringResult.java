package agar.lab.interp;

/**
 * One evaluated intervention.
 *
 * @param intervention "none" (baseline), "add", "ablate" (or "mean-ablate", "base-ablate"), "patch" or
 *                     "lora-b-ablate"
 * @param direction    "misalignment", "random" (the same-norm control) or "-" for the baseline
 * @param where        the hook, "all" (every planned hook at once), "lora-b" or "-"; followed by " @FROM-TO" (or
 *                     " @FROM-") when the intervention acts on some positions only
 * @param scale        the steering scale (0 unless intervention is "add")
 */
public record SteeringResult(String intervention, String direction, String where, double scale, EvalOutcome outcome) {}
