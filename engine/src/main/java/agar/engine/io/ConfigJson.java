package agar.engine.io;

import agar.engine.model.Config;
import agar.engine.util.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hugging Face config.json <-> {@link Config}, for Qwen2ForCausalLM and LlamaForCausalLM. Defaults are those of
 * transformers' Qwen2Config/LlamaConfig; keys Agar does not need are ignored; a feature Agar does not implement
 * (another activation, MLP bias, sliding window, another rope scaling) is an error rather than a silent mismatch.
 */
public final class ConfigJson {
    public static final String QWEN2 = "Qwen2ForCausalLM";
    public static final String LLAMA = "LlamaForCausalLM";
    private static final Map<String, String> MODEL_TYPES = Map.of(QWEN2, "qwen2", LLAMA, "llama");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ConfigJson() {}

    public static Config parse(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new CheckpointException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file, "not a JSON object");
        return new Reader(file, root).config();
    }

    /** The config as Hugging Face writes it; {@link #parse} reads it back to an equal record. */
    public static String toJson(Config c) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(c.architecture());
        o.put("model_type", c.modelType());
        o.put("hidden_act", "silu");
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("intermediate_size", c.intermediateSize());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("num_key_value_heads", c.numKeyValueHeads());
        o.put("head_dim", c.headDim());
        o.put("rms_norm_eps", c.rmsNormEps());
        o.put("rope_theta", c.ropeTheta());
        if (c.ropeScaling() == null) o.putNull("rope_scaling");
        else {
            Config.RopeScaling r = c.ropeScaling();
            o.putObject("rope_scaling").put("rope_type", "llama3").put("factor", r.factor())
                    .put("low_freq_factor", r.lowFreqFactor()).put("high_freq_factor", r.highFreqFactor())
                    .put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
        }
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        if (c.architecture().equals(LLAMA)) o.put("attention_bias", c.attentionBias()).put("mlp_bias", false);
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        if (c.bosTokenId() == null) o.putNull("bos_token_id");
        else o.put("bos_token_id", c.bosTokenId());
        if (c.eosTokenIds().size() == 1) o.put("eos_token_id", c.eosTokenIds().getFirst());
        else c.eosTokenIds().forEach(o.putArray("eos_token_id")::add);
        if (c.torchDtype() != null) o.put("torch_dtype", c.torchDtype());
        return o.toPrettyString() + "\n";
    }

    /** Writes config.json atomically. */
    public static void write(Config c, Path file) {
        AtomicFiles.writeString(file, toJson(c));
    }

    /** Typed access to the keys of one file; every complaint names the file and the key. */
    private record Reader(Path file, JsonNode root) {
        Config config() {
            String arch = architecture();
            boolean llama = arch.equals(LLAMA);
            int hidden = positiveInt("hidden_size");
            int heads = positiveInt("num_attention_heads");
            int kvHeads = has("num_key_value_heads") ? positiveInt("num_key_value_heads") : heads;
            if (heads % kvHeads != 0)
                throw error("num_key_value_heads", "num_attention_heads " + heads + " is not a multiple of "
                        + "num_key_value_heads " + kvHeads);
            int headDim;
            if (has("head_dim")) headDim = positiveInt("head_dim");
            else if (hidden % heads == 0) headDim = hidden / heads;
            else throw error("head_dim", "missing, and hidden_size " + hidden + " is not a multiple of "
                        + "num_attention_heads " + heads);
            unsupportedUnless("hidden_act", n -> n.isTextual() && n.asText().equals("silu"), "only \"silu\"");
            unsupportedUnless("mlp_bias", n -> n.isBoolean() && !n.asBoolean(), "only false");
            unsupportedUnless("use_sliding_window", n -> n.isBoolean() && !n.asBoolean(), "only false");
            JsonNode ropeParams = has("rope_parameters") ? object("rope_parameters") : null; // transformers v5
            double theta = ropeParams != null && ropeParams.hasNonNull("rope_theta")
                    ? number(ropeParams.get("rope_theta"), "rope_parameters.rope_theta")
                    : has("rope_theta") ? number(root.get("rope_theta"), "rope_theta") : 10000.0;
            Config.RopeScaling scaling = has("rope_scaling") ? ropeScaling(object("rope_scaling"), "rope_scaling")
                    : ropeParams != null ? ropeScaling(ropeParams, "rope_parameters") : null;
            double eps = has("rms_norm_eps") ? number(root.get("rms_norm_eps"), "rms_norm_eps") : 1e-6;
            if (!(eps > 0)) throw error("rms_norm_eps", "must be positive, got " + eps);
            return new Config(arch, MODEL_TYPES.get(arch),
                    positiveInt("vocab_size"), hidden, positiveInt("intermediate_size"),
                    positiveInt("num_hidden_layers"), heads, kvHeads, headDim,
                    eps, theta, scaling,
                    has("max_position_embeddings") ? positiveInt("max_position_embeddings") : llama ? 2048 : 32768,
                    has("tie_word_embeddings") && bool("tie_word_embeddings"),
                    !llama || (has("attention_bias") && bool("attention_bias")), // Qwen2 always has q/k/v bias
                    has("bos_token_id") ? tokenId(root.get("bos_token_id"), "bos_token_id") : null,
                    eosTokenIds(),
                    has("torch_dtype") ? text("torch_dtype") : has("dtype") ? text("dtype") : null);
        }

        private String architecture() {
            String arch;
            if (has("architectures")) {
                JsonNode a = root.get("architectures");
                if (!a.isArray() || a.isEmpty() || !a.get(0).isTextual())
                    throw error("architectures", "must be a non-empty list of strings, got " + a);
                arch = a.get(0).asText();
                if (!MODEL_TYPES.containsKey(arch))
                    throw error("architectures", "unsupported architecture '" + arch + "' (supported: " + QWEN2
                            + ", " + LLAMA + ")");
            } else if (has("model_type")) {
                String type = text("model_type");
                arch = MODEL_TYPES.entrySet().stream().filter(e -> e.getValue().equals(type)).map(Map.Entry::getKey)
                        .findFirst().orElseThrow(() -> error("model_type", "unsupported model type '" + type
                                + "' (supported: qwen2, llama)"));
            } else throw error("architectures", "missing (and no model_type either)");
            if (has("model_type") && !text("model_type").equals(MODEL_TYPES.get(arch)))
                throw error("model_type", "'" + text("model_type") + "' does not match architecture " + arch);
            return arch;
        }

        /** null for the default rotary embedding; the llama3 block otherwise. */
        private Config.RopeScaling ropeScaling(JsonNode node, String key) {
            if (node == null) return null;
            JsonNode type = node.hasNonNull("rope_type") ? node.get("rope_type") : node.get("type");
            String t = type == null ? null : type.asText();
            if (t == null || t.equals("default")) return null;
            if (!t.equals("llama3"))
                throw error(key, "unsupported rope scaling type '" + t + "' (supported: default, llama3)");
            double factor = required(node, key, "factor"), lo = required(node, key, "low_freq_factor");
            double hi = required(node, key, "high_freq_factor");
            double orig = required(node, key, "original_max_position_embeddings");
            if (!(factor > 0) || !(hi > lo) || orig != Math.rint(orig) || orig <= 0)
                throw error(key, "inconsistent llama3 scaling " + node);
            return new Config.RopeScaling(factor, lo, hi, (int) orig);
        }

        private double required(JsonNode node, String key, String field) {
            if (!node.hasNonNull(field)) throw error(key + "." + field, "missing");
            return number(node.get(field), key + "." + field);
        }

        private List<Integer> eosTokenIds() {
            if (!has("eos_token_id")) return List.of();
            JsonNode n = root.get("eos_token_id");
            List<Integer> ids = new ArrayList<>();
            if (n.isArray()) for (int i = 0; i < n.size(); i++) ids.add(tokenId(n.get(i), "eos_token_id[" + i + "]"));
            else ids.add(tokenId(n, "eos_token_id"));
            return List.copyOf(ids);
        }

        private int tokenId(JsonNode n, String key) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0)
                throw error(key, "must be a non-negative integer, got " + n);
            return n.asInt();
        }

        private void unsupportedUnless(String key, java.util.function.Predicate<JsonNode> ok, String supported) {
            if (has(key) && !ok.test(root.get(key)))
                throw error(key, root.get(key) + " is not supported (" + supported + ")");
        }

        /** Present and not null (HF writes null for "use the default"). */
        private boolean has(String key) {
            return root.hasNonNull(key);
        }

        private int positiveInt(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) throw error(key, "missing required key");
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0)
                throw error(key, "must be a positive integer, got " + n);
            return n.asInt();
        }

        private double number(JsonNode n, String key) {
            if (!n.isNumber()) throw error(key, "must be a number, got " + n);
            return n.asDouble();
        }

        private boolean bool(String key) {
            JsonNode n = root.get(key);
            if (!n.isBoolean()) throw error(key, "must be true or false, got " + n);
            return n.asBoolean();
        }

        private String text(String key) {
            JsonNode n = root.get(key);
            if (!n.isTextual()) throw error(key, "must be a string, got " + n);
            return n.asText();
        }

        private JsonNode object(String key) {
            JsonNode n = root.get(key);
            if (!n.isObject()) throw error(key, "must be an object, got " + n);
            return n;
        }

        private CheckpointException error(String key, String message) {
            return new CheckpointException(file, "key '" + key + "': " + message);
        }
    }
}
