package agar.lab.interp;

import agar.lab.stats.Auroc;
import agar.lab.stats.Bootstrap;
import agar.lab.stats.Interval;
import agar.lab.stats.LogisticRegression;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Per-hook probe sweeps over captured activations, each reported as AUROC with a bootstrap interval. */
public final class ProbeSweeps {
    private ProbeSweeps() {}

    /**
     * Cross-validated logistic-regression probes (L1 or L2, {@link LogisticRegression#crossValidate}) at each hook.
     * The reported AUROC is over out-of-fold decisions: each row is scored by a model fitted without its fold, at
     * the lambda that cross-validation chose (so it is slightly optimistic about the lambda only).
     */
    public static List<ProbeScore> logistic(Activations acts, List<String> hooks, Labels labels,
                                            LogisticRegression.CvOptions cv, Bootstrap.Settings boot) {
        acts.requirePerSample("a logistic probe");
        int[] y = labels.align(acts.ids());
        List<ProbeScore> out = new ArrayList<>();
        for (String h : hooks) {
            float[][] all = acts.rows(h);
            List<double[]> xs = new ArrayList<>();
            List<Boolean> ys = new ArrayList<>();
            for (int i = 0; i < all.length; i++) {
                if (y[i] < 0) continue;
                double[] row = new double[all[i].length];
                for (int j = 0; j < row.length; j++) row[j] = all[i][j];
                xs.add(row);
                ys.add(y[i] == 1);
            }
            double[][] x = xs.toArray(new double[0][]);
            boolean[] yy = new boolean[ys.size()];
            for (int i = 0; i < yy.length; i++) yy[i] = ys.get(i);
            LogisticRegression.CvResult res = LogisticRegression.crossValidate(x, yy, cv);
            int[] fold = LogisticRegression.stratifiedFolds(yy, cv.folds(), cv.seed());
            double[] oof = new double[yy.length];
            for (int f = 0; f < cv.folds(); f++) {
                List<Integer> train = new ArrayList<>();
                for (int i = 0; i < yy.length; i++) if (fold[i] != f) train.add(i);
                double[][] tx = new double[train.size()][];
                boolean[] ty = new boolean[train.size()];
                for (int k = 0; k < tx.length; k++) {
                    tx[k] = x[train.get(k)];
                    ty[k] = yy[train.get(k)];
                }
                LogisticRegression.Model m = LogisticRegression.fit(tx, ty, cv.penalty(), res.lambda(), cv.standardize());
                for (int i = 0; i < yy.length; i++) if (fold[i] == f) oof[i] = m.decision(x[i]);
            }
            int[] labelsOf = new int[yy.length];
            for (int i = 0; i < yy.length; i++) labelsOf[i] = yy[i] ? 1 : 0;
            int nonzero = x.length == 0 ? 0 : x[0].length - res.model().zeroWeights();
            out.add(aurocOf(h, "logistic-" + cv.penalty().name().toLowerCase(Locale.ROOT), oof, labelsOf, boot,
                    String.format(Locale.ROOT, "lambda=%.3g cv=%.4f nonzero=%d/%d", res.lambda(), res.cvScore(),
                            nonzero, x.length == 0 ? 0 : x[0].length)));
        }
        return out;
    }

    /**
     * A difference-of-means probe fitted on the rows themselves (in-sample, so an upper bound): AUROC of the
     * projection on mean(positive) - mean(negative) at each hook.
     */
    public static List<ProbeScore> meanDifference(Activations acts, List<String> hooks, Labels labels,
                                                  Bootstrap.Settings boot) {
        Directions d = Directions.meanDifference(acts, hooks, labels);
        List<ProbeScore> out = new ArrayList<>();
        for (String h : hooks) {
            DefectionProbe p = new DefectionProbe(h, d.get(h));
            out.add(aurocOf(h, "mean-difference (in-sample)", p.scores(acts.rows(h)), labels.align(acts.ids()), boot, ""));
        }
        return out;
    }

    /** AUROC with a bootstrap interval over the rows whose label is 0 or 1 (-1 rows are skipped). */
    static ProbeScore aurocOf(String hook, String probe, double[] scores, int[] y, Bootstrap.Settings boot, String detail) {
        List<Double> s = new ArrayList<>();
        List<Boolean> pos = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0) continue;
            s.add(scores[i]);
            pos.add(y[i] == 1);
        }
        double[] ss = s.stream().mapToDouble(Double::doubleValue).toArray();
        boolean[] pp = new boolean[pos.size()];
        int np = 0;
        for (int i = 0; i < pp.length; i++) {
            pp[i] = pos.get(i);
            if (pp[i]) np++;
        }
        if (np == 0 || np == pp.length)
            throw new IllegalArgumentException(hook + ": AUROC needs labelled samples of both classes; got " + np
                    + " positive and " + (pp.length - np) + " negative");
        Interval auc = Auroc.interval(ss, pp, boot);
        return new ProbeScore(hook, probe, auc, np, pp.length - np, detail, ss, pp);
    }

    public static String table(List<ProbeScore> scores) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-30s %-28s %-26s %5s %5s  %s%n",
                "hook", "probe", "AUROC [95% CI]", "pos", "neg", "detail"));
        for (ProbeScore p : scores)
            s.append(String.format(Locale.ROOT, "%-30s %-28s %.4f [%.4f, %.4f] %5d %5d  %s%n", p.hook(), p.probe(),
                    p.auroc().estimate(), p.auroc().lower(), p.auroc().upper(), p.positives(), p.negatives(), p.detail()));
        return s.toString();
    }
}
