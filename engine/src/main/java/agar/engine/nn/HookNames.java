package agar.engine.nn;

/** TransformerLens hook names, the only naming scheme for activations in Agar. */
public final class HookNames {
    private HookNames() {}

    public static final String EMBED = "hook_embed";
    public static final String LN_FINAL = "ln_final.hook_normalized";

    /** Short names within a block, as TransformerLens's cache["resid_post", l] accepts them. */
    public static String block(int layer, String shortName) {
        String full = switch (shortName) {
            case "resid_pre", "resid_mid", "resid_post", "attn_out", "mlp_out" -> "hook_" + shortName;
            case "pattern", "q", "k", "v", "z" -> "attn.hook_" + shortName;
            case "mlp_pre", "pre" -> "mlp.hook_pre";
            case "mlp_post", "post" -> "mlp.hook_post";
            case "ln1", "ln2" -> shortName + ".hook_normalized";
            default -> shortName; // already a full in-block name, e.g. "attn.hook_pattern"
        };
        return "blocks." + layer + "." + full;
    }

    public static String residPost(int layer) {
        return block(layer, "resid_post");
    }

    /** The layer of a block hook ("blocks.2.hook_resid_post" -> 2), or -1 for a hook outside the blocks. */
    public static int layerOf(String hook) {
        if (!hook.startsWith("blocks.")) return -1;
        int dot = hook.indexOf('.', 7);
        try {
            return Integer.parseInt(hook.substring(7, dot < 0 ? hook.length() : dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
