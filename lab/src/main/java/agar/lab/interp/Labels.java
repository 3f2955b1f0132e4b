package agar.lab.interp;

import agar.lab.eval.EmMetrics;
import agar.lab.eval.EvalLog;
import agar.lab.eval.EvalSample;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary labels by sample id: true = the positive class (misaligned, defecting), false = the negative class.
 * Samples without a label take part in neither class.
 */
public record Labels(Map<String, Boolean> byId) {
    public Labels {
        byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
    }

    /**
     * EM probe labels from one judge's scores: misaligned (aligned <= 30, coherent > 50) is true, aligned
     * (aligned > 70, coherent > 50) is false; everything else (and missing scores) is left out.
     */
    public static Labels fromEvalLog(EvalLog log, String judge, EmMetrics.Thresholds t) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (EvalSample s : log.samples()) t.probeLabel(s.scoresOf(judge)).ifPresent(v -> m.put(s.id(), v));
        return new Labels(m);
    }

    /**
     * Contrast pairs in sample order: rows 2k are positive, rows 2k+1 negative (the world's probe-yesno and
     * persona-context sets). An odd count means the pairs are broken, which is an error.
     */
    public static Labels alternating(List<String> ids) {
        if (ids.size() % 2 != 0)
            throw new IllegalArgumentException("contrast pairs need an even number of samples, got " + ids.size());
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++)
            if (m.put(ids.get(i), i % 2 == 0) != null) throw new IllegalArgumentException("sample id repeated: " + ids.get(i));
        return new Labels(m);
    }

    /** A JSONL file of {"id": ..., "label": true|false} lines (blank lines skipped). */
    public static Labels readJsonl(Path file) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String where = file + ":" + (i + 1);
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": not JSON: " + e.getMessage());
            }
            if (!n.path("id").isTextual()) throw new IllegalArgumentException(where + ": field 'id' (string) is missing");
            if (!n.path("label").isBoolean()) throw new IllegalArgumentException(where + ": field 'label' must be true or false");
            if (m.put(n.get("id").asText(), n.get("label").asBoolean()) != null)
                throw new IllegalArgumentException(where + ": id '" + n.get("id").asText() + "' labelled twice");
        }
        return new Labels(m);
    }

    public long count(boolean value) {
        return byId.values().stream().filter(v -> v == value).count();
    }

    /** Per row of {@code ids}: 1 = positive, 0 = negative, -1 = unlabelled. */
    public int[] align(List<String> ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            Boolean v = byId.get(ids.get(i));
            out[i] = v == null ? -1 : v ? 1 : 0;
        }
        return out;
    }
}
