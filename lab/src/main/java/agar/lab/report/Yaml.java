package agar.lab.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.UncheckedIOException;

/** A JSON value as the YAML a person would write for it: no document marker, quotes only where needed, no null keys. */
final class Yaml {
    private Yaml() {}

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES) // long prompts stay on one line; the page wraps them
            .build());

    /** {@code node} as YAML; keys whose value is null are left out (a recipe's unset options say nothing). */
    static String of(JsonNode node) {
        try {
            return YAML.writeValueAsString(withoutNulls(node)).stripTrailing();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode withoutNulls(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = ((ObjectNode) n).objectNode();
            n.properties().forEach(e -> {
                if (!e.getValue().isNull()) o.set(e.getKey(), withoutNulls(e.getValue()));
            });
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = ((ArrayNode) n).arrayNode();
            n.forEach(x -> a.add(withoutNulls(x)));
            return a;
        }
        return n;
    }
}
