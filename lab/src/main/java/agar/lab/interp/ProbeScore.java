package agar.lab.interp;

import agar.lab.stats.Interval;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * How well a probe at one hook separates positives from negatives.
 *
 * @param auroc   AUROC of the probe's scores with a stratified bootstrap interval
 * @param detail  probe-specific facts (e.g. "lambda=0.01 nonzero=12/896"), free text for tables
 * @param scores  the score of every labelled sample the AUROC was computed on (for ROC curves)
 * @param labels  whether each of those samples is a positive
 */
public record ProbeScore(String hook, String probe, Interval auroc, int positives, int negatives, String detail,
                         double[] scores, boolean[] labels) {

    public ProbeScore {
        if (scores.length != labels.length)
            throw new IllegalArgumentException(hook + ": " + scores.length + " scores but " + labels.length + " labels");
        scores = scores.clone();
        labels = labels.clone();
    }

    /**
     * The scores as JSON, the format agar report reads from RUN/interp/probes.json: a list of {hook, probe,
     * auroc: {estimate, lower, upper}, positives, negatives, detail, scores, labels (0|1)}.
     */
    public static String json(List<ProbeScore> scores) {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode out = m.createArrayNode();
        for (ProbeScore p : scores) {
            ObjectNode o = out.addObject().put("hook", p.hook()).put("probe", p.probe());
            ObjectNode a = o.putObject("auroc").put("estimate", p.auroc().estimate());
            if (Double.isFinite(p.auroc().lower())) a.put("lower", p.auroc().lower()).put("upper", p.auroc().upper());
            else a.putNull("lower").putNull("upper");
            o.put("positives", p.positives()).put("negatives", p.negatives()).put("detail", p.detail());
            ArrayNode s = o.putArray("scores"), l = o.putArray("labels");
            for (int i = 0; i < p.scores().length; i++) {
                s.add(p.scores()[i]);
                l.add(p.labels()[i] ? 1 : 0);
            }
        }
        try {
            return m.writeValueAsString(out) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
