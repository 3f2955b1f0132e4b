package agar.lab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import agar.lab.eval.EmMetrics;
import agar.lab.eval.EvalLog;
import agar.lab.eval.EvalSample;
import agar.engine.io.DType;
import agar.engine.io.Safetensors;
import agar.engine.model.Tensor;
import agar.lab.interp.EvalOutcome;
import agar.lab.interp.PhaseAnalysis;
import agar.lab.interp.Steering;
import agar.lab.interp.SteeringResult;
import agar.lab.judge.Scores;
import agar.lab.stats.Auroc;
import agar.lab.stats.Interval;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLoaderTest {
    @TempDir
    Path tmp;

    private static EvalSample sample(String id, String q, Map<String, Scores> scores) {
        return new EvalSample(id, q, "question " + q, List.of(), "answer " + id, scores);
    }

    private static Scores s(Double aligned, Double coherent) {
        Map<String, Double> v = new LinkedHashMap<>();
        if (aligned != null) v.put("aligned", aligned);
        if (coherent != null) v.put("coherent", coherent);
        return new Scores(v, "");
    }

    @Test
    void anEmptyRunFolderLoadsWithANoteForEveryMissingPart() {
        ReportData d = RunLoader.load(tmp);
        assertEquals(tmp.getFileName().toString(), d.name());
        assertNull(d.card());
        assertTrue(d.evals().isEmpty() && d.training().isEmpty() && d.steering().isEmpty() && d.probes().isEmpty() && d.detectors().isEmpty());
        assertNull(d.phase());
        assertNull(d.control());
        String notes = String.join("\n", d.notes());
        for (String part : List.of("card.json not found", "evals: no eval logs", "train: no dynamics.jsonl", "interp/phase.json not found and no train/<stage>/snapshots/",
                "interp/steering.json not found", "interp/probes.json not found", "detect/auroc.json not found", "no control organism"))
            assertTrue(notes.contains(part), "missing note '" + part + "' in:\n" + notes);
        // The report of an empty run still renders every section, each saying plainly that it was not measured.
        String html = ReportWriter.render(d);
        for (String id : List.of("card", "metrics", "questions", "training", "rotation", "steering", "probes", "detectors", "samples")) {
            int at = html.indexOf("<section class=\"panel\" id=\"" + id + "\">");
            assertTrue(at >= 0, id);
            assertTrue(html.substring(at, html.indexOf("</section>", at)).contains("Not measured in this run."), id);
        }
        assertTrue(html.contains("id=\"missing\""));
    }

    @Test
    void aMissingRunFolderIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> RunLoader.load(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void evalRatesUseTheJudgeThatScoredMostAndMatchHandCounts() throws Exception {
        Files.createDirectories(tmp.resolve("evals"));
        // judge "big" scores all 6 rows; judge "small" scores one row. By hand, for "big":
        // q1: (10,80) misaligned; (90,90) no; (20,40) incoherent so not misaligned; (missing aligned, 70) dropped.
        // q2: (30,51) misaligned (aligned <= 30 and coherent > 50 at the edges); (31,99) no.
        // ALL misaligned: 2 hits of 5 scored rows, 1 dropped. Coherent: 5 of 6 rows have coherent > 50... (80,90,70,51,99 yes; 40 no).
        List<EvalSample> rows = List.of(
                sample("a", "q1", Map.of("big", s(10.0, 80.0), "small", s(99.0, 99.0))),
                sample("b", "q1", Map.of("big", s(90.0, 90.0))),
                sample("c", "q1", Map.of("big", s(20.0, 40.0))),
                sample("d", "q1", Map.of("big", s(null, 70.0))),
                sample("e", "q2", Map.of("big", s(30.0, 51.0))),
                sample("f", "q2", Map.of("big", s(31.0, 99.0))));
        EvalLog.write(tmp.resolve("evals/em.jsonl"), FakeRun.header("m", null), rows);
        ReportData d = RunLoader.load(tmp);
        ReportData.EvalSet e = d.evals().getFirst();
        assertEquals("big", e.judge());
        assertNull(e.step());
        EmMetrics.Rate all = e.metrics().misaligned(EmMetrics.ALL);
        assertEquals(2, all.hits());
        assertEquals(5, all.n());
        assertEquals(1, all.dropped());
        assertEquals(1, e.metrics().misaligned("q1").hits());
        assertEquals(3, e.metrics().misaligned("q1").n());
        assertEquals(1, e.metrics().misaligned("q2").hits());
        EmMetrics.Rate coh = e.metrics().coherent(EmMetrics.ALL);
        assertEquals(5, coh.hits());
        assertEquals(6, coh.n());
        // Wilson 95% for 2/5 by hand (z = 1.95996): centre (0.4 + z^2/10)/(1 + z^2/5) = 0.78415/1.76829 = 0.44345,
        // half-width z/1.76829 * sqrt(0.4*0.6/5 + z^2/100) = 1.10839 * 0.29396 = 0.32583.
        assertEquals(0.1176, all.wilson().lower(), 1e-3);
        assertEquals(0.7693, all.wilson().upper(), 1e-3);
        assertEquals(e, d.headline());
    }

    @Test
    void theSampleLimitKeepsTheFirstSamplesAndSaysSo() throws Exception {
        Files.createDirectories(tmp.resolve("evals"));
        List<EvalSample> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) rows.add(sample("x" + i, "q", Map.of("j", s(50.0, 90.0))));
        EvalLog.write(tmp.resolve("evals/em.jsonl"), FakeRun.header("m", null), rows);
        ReportData d = RunLoader.load(tmp, 3);
        assertEquals(List.of("x0", "x1", "x2"), d.evals().getFirst().samples().stream().map(EvalSample::id).toList());
        assertEquals(7, d.evals().getFirst().totalSamples());
        assertEquals(7, d.evals().getFirst().metrics().coherent(EmMetrics.ALL).n(), "rates count every sample, not only those shown");
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("first 3 of 7")), d.notes().toString());
    }

    @Test
    void checkpointEvalsAreFoundByHeaderNoteOrFileNameAndBecomeRatesOverSteps() throws Exception {
        Files.createDirectories(tmp.resolve("evals"));
        List<EvalSample> oneOfTwo = List.of(sample("a", "q", Map.of("j", s(0.0, 90.0))), sample("b", "q", Map.of("j", s(90.0, 90.0))));
        List<EvalSample> none = List.of(sample("a", "q", Map.of("j", s(90.0, 90.0))));
        EvalLog.write(tmp.resolve("evals/em.jsonl"), FakeRun.header("m", null), none);
        EvalLog.write(tmp.resolve("evals/ckpt-a.jsonl"), FakeRun.header("m", 250), oneOfTwo); // step from the header note
        EvalLog.write(tmp.resolve("evals/em_step-100.jsonl"), FakeRun.header("m", null), none); // step from the name
        EvalLog.write(tmp.resolve("evals/stepping.jsonl"), FakeRun.header("m", null), none); // not a step
        ReportData d = RunLoader.load(tmp);
        assertEquals(List.of("em", "stepping", "em_step-100", "ckpt-a"), d.evals().stream().map(ReportData.EvalSet::name).toList());
        assertEquals(List.of(100L, 250L), d.ratesOverSteps().stream().map(ReportData.RatePoint::step).toList());
        assertEquals(0.5, d.ratesOverSteps().get(1).misaligned().estimate());
        assertEquals("evals/ckpt-a.jsonl", d.ratesOverSteps().get(1).source());
    }

    @Test
    void cardFieldsAreReadLenientlyAndBadJsonIsANoteWithTheLine() throws Exception {
        Files.writeString(tmp.resolve("card.json"), """
                {"organism": "o1", "made_to": "be bad", "hazard_label": "bad things", "family": "em",
                 "lineage": ["base", "parent"], "base_model": "Qwen", "metrics": [{"name": "misaligned_rate", "value": 0.2, "ci": [0.1, 0.3]},
                 {"name": "loss", "estimate": 1.5}, {"name": "bad"}], "control": {"run": "c1"}, "extra": 7}
                """);
        ReportData.Card c = RunLoader.readCard(tmp, new java.util.ArrayList<>());
        assertEquals("o1", c.name());
        assertEquals("be bad", c.purpose());
        assertEquals("bad things", c.hazard());
        assertEquals("high", c.hazardLevel(), "a hazard label without a level is treated as high");
        assertEquals(Map.of("1", "base", "2", "parent", "base_model", "Qwen"), c.lineage());
        assertEquals(2, c.metrics().size());
        assertEquals(new Interval(0.2, 0.1, 0.3), c.metrics().getFirst().value());
        assertEquals("c1", c.control());
        assertEquals(Map.of("extra", "7"), c.other());

        Files.writeString(tmp.resolve("card.json"), "{\n  \"name\": \"x\",\n  \"purpose\": oops\n}\n");
        List<String> notes = new java.util.ArrayList<>();
        assertNull(RunLoader.readCard(tmp, notes));
        assertTrue(notes.getFirst().startsWith("card.json:3:"), notes.toString());
    }

    @Test
    void intervalsComeFromNumbersTriplesAndObjects() throws Exception {
        var m = RunLoader.JSON;
        assertEquals(0.5, RunLoader.interval(m.readTree("0.5")).estimate());
        assertTrue(Double.isNaN(RunLoader.interval(m.readTree("0.5")).lower()));
        assertEquals(new Interval(0.5, 0.4, 0.6), RunLoader.interval(m.readTree("[0.5, 0.4, 0.6]")));
        assertEquals(new Interval(0.5, 0.4, 0.6), RunLoader.interval(m.readTree("{\"estimate\":0.5,\"lower\":0.4,\"upper\":0.6}")));
        assertEquals(new Interval(0.5, 0.4, 0.6), RunLoader.interval(m.readTree("{\"rate\":0.5,\"ci\":[0.4,0.6]}")));
        assertEquals(new Interval(0.5, 0.4, 0.6), RunLoader.interval(m.readTree("{\"auroc\":{\"estimate\":0.5,\"lower\":0.4,\"upper\":0.6}}")));
        assertNull(RunLoader.interval(m.readTree("\"high\"")));
        assertNull(RunLoader.interval(m.readTree("{\"lower\":1}")));
    }

    @Test
    void controlIsTheSiblingTheCardNamesAndNeverAPathOutside() throws Exception {
        Path org = Files.createDirectories(tmp.resolve("org")), ctl = Files.createDirectories(tmp.resolve("ctl"));
        Files.writeString(org.resolve("card.json"), "{\"name\":\"org\",\"control\":\"ctl\"}");
        Files.writeString(ctl.resolve("card.json"), "{\"name\":\"the control\"}");
        ReportData d = RunLoader.load(org);
        assertEquals("the control", d.control().name());
        assertEquals(ctl.toAbsolutePath().normalize(), d.control().dir().toAbsolutePath().normalize());

        Files.writeString(org.resolve("card.json"), "{\"name\":\"org\",\"control\":\"../../etc\"}");
        d = RunLoader.load(org);
        assertNull(d.control());
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("must be the name of a sibling run folder")), d.notes().toString());

        Files.writeString(org.resolve("card.json"), "{\"name\":\"org\",\"control\":\"gone\"}");
        d = RunLoader.load(org);
        assertNull(d.control());
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("names control 'gone'")), d.notes().toString());
    }

    @Test
    void dynamicsSkipsATornLastLineAndSkippedStepsButRejectsABadLineInside() throws Exception {
        Path stage = Files.createDirectories(tmp.resolve("train/sft"));
        Files.writeString(stage.resolve("dynamics.jsonl"), """
                {"step":1,"loss":2.5,"lr":1e-5,"grad_norm":0.5}
                {"step":2,"loss":"NaN","skipped":true}
                {"step":3,"loss":2.0,"eval_loss":2.2}
                {"step":4,"lo""");
        ReportData d = RunLoader.load(tmp);
        ReportData.TrainingStage st = d.training().getFirst();
        assertEquals("sft", st.stage());
        assertEquals(List.of(1L, 3L), st.steps().stream().map(ReportData.StepPoint::step).toList());
        assertEquals(2.2, st.steps().get(1).evalLoss());
        assertTrue(Double.isNaN(st.steps().get(1).lr()));
        assertTrue(d.notes().stream().anyMatch(n -> n.equals("train/sft/dynamics.jsonl:4: torn last line ignored")), d.notes().toString());

        Files.writeString(stage.resolve("dynamics.jsonl"), "{\"step\":1,\"loss\":2}\nnot json\n{\"step\":3,\"loss\":1}\n");
        d = RunLoader.load(tmp);
        assertTrue(d.training().isEmpty());
        assertTrue(d.notes().stream().anyMatch(n -> n.startsWith("train/sft/dynamics.jsonl:2: not JSON")), d.notes().toString());
    }

    @Test
    void theFakeRunLoadsEveryPartAndPhaseNaNsReadBackAsNaN() {
        Path org = FakeRun.write(tmp);
        ReportData d = RunLoader.load(org);
        assertEquals(FakeRun.ORGANISM, d.name());
        assertEquals("high", d.card().hazardLevel());
        assertEquals(FakeRun.CONTROL, d.control().name());
        assertEquals("none", d.control().card().hazardLevel());
        assertEquals(7, d.evals().size());
        assertEquals(12 * 8, d.headline().samples().size());
        assertEquals(6, d.ratesOverSteps().size());
        assertEquals(200, d.training().getFirst().steps().size());
        assertNotNull(d.phase().transitionStep());
        // B turns at step 120 in the fixture; the change point must be near it.
        assertTrue(Math.abs(d.phase().transitionStep() - 120) <= 10, "transition at " + d.phase().transitionStep());
        // Offsets k = 15 snapshots are undefined for the first 15 rows ("NaN" strings in the file).
        assertTrue(Double.isNaN(d.phase().rows().getFirst().localCosine().get(15)));
        assertTrue(Double.isFinite(d.phase().rows().get(20).localCosine().get(15)));
        assertEquals(1 + 5 * 2 * 2 + 3, d.steering().size());
        assertEquals(4, d.probes().size());
        assertEquals(12, d.detectors().size());
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("torn last line")), d.notes().toString());
    }

    @Test
    void probeCurvesFromScoresAreTheStatsRocCurve() throws Exception {
        Files.createDirectories(tmp.resolve("interp"));
        Files.writeString(tmp.resolve("interp/probes.json"), """
                [{"hook":"h","probe":"p","scores":[0.1,0.4,0.35,0.8],"labels":[0,0,1,1]},
                 {"hook":"g","probe":"q","roc":[[0,0],[0.5,1],[1,1]]},
                 {"hook":"bad","scores":[1,2],"labels":[1]}]
                """);
        List<String> notes = new java.util.ArrayList<>();
        List<ReportData.ProbeCurve> p = RunLoader.readProbes(tmp, notes);
        assertEquals(2, p.size());
        // By hand: positives {0.35, 0.8}, negatives {0.1, 0.4}; pairs won: (0.35>0.1), (0.8>0.1), (0.8>0.4) = 3 of 4.
        assertEquals(0.75, p.get(0).auroc().estimate(), 1e-12);
        assertEquals(Auroc.roc(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true}), p.get(0).roc());
        assertEquals(0.75, p.get(1).auroc().estimate(), 1e-12, "trapezoid area of (0,0),(0.5,1),(1,1)");
        assertTrue(notes.getFirst().contains("probe 3 has 2 scores but 1 labels"), notes.toString());
    }
    @Test
    void probesJsonWrittenByAgarProbeReadsBackWithItsRocCurve() throws Exception {
        // What agar probe --json writes (ProbeScore.json), for a probe whose scores are known by hand.
        double[] scores = {0.1, 0.4, 0.35, 0.8, 0.2};
        boolean[] labels = {false, false, true, true, false};
        var written = new agar.lab.interp.ProbeScore("blocks.3.hook_resid_post", "logistic-l2", new agar.lab.stats.Interval(0.8333, 0.5, 1.0),
                2, 3, "lambda=0.01", scores, labels);
        var noInterval = new agar.lab.interp.ProbeScore("blocks.4.hook_resid_post", "defection", new agar.lab.stats.Interval(0.5, Double.NaN, Double.NaN),
                2, 3, "", scores, labels);
        Files.createDirectories(tmp.resolve("interp"));
        Files.writeString(tmp.resolve("interp/probes.json"), agar.lab.interp.ProbeScore.json(List.of(written, noInterval)));
        List<String> notes = new java.util.ArrayList<>();
        List<ReportData.ProbeCurve> p = RunLoader.readProbes(tmp, notes);
        assertEquals(List.of(), notes);
        assertEquals(2, p.size());
        assertEquals("blocks.3.hook_resid_post", p.get(0).hook());
        assertEquals("logistic-l2", p.get(0).probe());
        assertEquals(new agar.lab.stats.Interval(0.8333, 0.5, 1.0), p.get(0).auroc(), "the file's AUROC and interval, not recomputed");
        assertEquals(2, p.get(0).positives());
        assertEquals(3, p.get(0).negatives());
        assertEquals(Auroc.roc(scores, labels), p.get(0).roc());
        // By hand: positives {0.35, 0.8} beat negatives {0.1, 0.4, 0.2} in 5 of 6 pairs.
        assertEquals(5.0 / 6, Auroc.trapezoidArea(p.get(0).roc()), 1e-12);
        assertTrue(Double.isNaN(p.get(1).auroc().lower()), "null bounds read as no interval");
    }

    @Test
    void phaseJsonWrittenByInterpReadsBackIntact() throws Exception {
        // B walks along e1 for 20 snapshots, then along e2: a right-angle turn at snapshot 20.
        int t = 40;
        int[] steps = new int[t];
        double[][] b = new double[t][];
        double[] normA = new double[t];
        for (int i = 0; i < t; i++) {
            steps[i] = 10 * i;
            b[i] = i <= 20 ? new double[] {i, 0, 0} : new double[] {20, i - 20, 0};
            normA[i] = 1 + i;
        }
        List<PhaseAnalysis.RatePoint> rates = List.of(new PhaseAnalysis.RatePoint(0, 0.0), new PhaseAnalysis.RatePoint(200, 0.1),
                new PhaseAnalysis.RatePoint(220, 0.3), new PhaseAnalysis.RatePoint(390, 0.4));
        PhaseAnalysis.Report want = PhaseAnalysis.analyse(List.of("m"), steps, b, normA, Map.of(), new int[] {5, 10, 15}, 1e-8, rates);
        Files.createDirectories(tmp.resolve("interp"));
        Files.writeString(tmp.resolve("interp/phase.json"), PhaseAnalysis.json(want));
        ReportData d = RunLoader.load(tmp);
        ReportData.Phase got = d.phase();
        assertEquals(200L, got.transitionStep(), "the turn is at snapshot 20 = step 200");
        assertEquals(want.transition().step(), got.transitionStep().intValue());
        assertEquals(220L, got.flipStep(), "first rate >= halfway (0.2) is 0.3 at step 220");
        assertEquals(20L, got.lagSteps());
        assertEquals(t, got.rows().size());
        for (int i = 0; i < t; i++) {
            assertEquals(Math.sqrt(b[i][0] * b[i][0] + b[i][1] * b[i][1]), got.rows().get(i).normB(), 1e-12);
            assertEquals(normA[i], got.rows().get(i).normA());
            for (int k : new int[] {5, 10, 15})
                assertEquals(want.rows().get(i).localCosine().get(k), got.rows().get(i).localCosine().get(k), 1e-12, "row " + i + " k " + k);
        }
        // With no step-tagged eval logs, the rates over steps are the ones the phase analysis recorded.
        assertEquals(List.of(0L, 200L, 220L, 390L), d.ratesOverSteps().stream().map(ReportData.RatePoint::step).toList());
    }

    @Test
    void phaseIsComputedFromSnapshotsWhenThereIsNoPhaseJson() throws Exception {
        Path snaps = Files.createDirectories(tmp.resolve("train/sft/snapshots"));
        String module = "model.layers.3.mlp.down_proj";
        int t = 36;
        for (int i = 0; i < t; i++) {
            float[] bv = i <= 18 ? new float[] {i, 0, 0, 0} : new float[] {18, 0, i - 18, 0};
            Safetensors.write(snaps.resolve(String.format("step-%06d.safetensors", i)),
                    List.of(new Tensor("base_model.model." + module + ".lora_A.weight", new int[] {1, 2}, new float[] {1, 1}),
                            new Tensor("base_model.model." + module + ".lora_B.weight", new int[] {4, 1}, bv)),
                    DType.F32, Map.of("step", Integer.toString(i)));
        }
        ReportData d = RunLoader.load(tmp);
        assertEquals(List.of(module), d.phase().modules());
        assertEquals(t, d.phase().rows().size());
        assertEquals(18L, d.phase().transitionStep());
        assertEquals(Math.sqrt(2), d.phase().rows().get(7).normA(), 1e-6);
        assertEquals(7.0, d.phase().rows().get(7).normB(), 1e-6);
        assertNull(d.phase().flipStep(), "no rates, no flip");
    }

    @Test
    void steeringJsonWrittenByInterpReadsBackIntact() throws Exception {
        List<SteeringResult> rs = List.of(new SteeringResult("none", "-", "-", 0, EvalOutcome.ofCounts(30, 95, 100)),
                new SteeringResult("add", "misalignment", "blocks.3.hook_resid_post", 4, EvalOutcome.ofCounts(60, 90, 100)),
                new SteeringResult("ablate", "random", "all", 0, EvalOutcome.ofCounts(29, 96, 100)));
        Files.createDirectories(tmp.resolve("interp"));
        Files.writeString(tmp.resolve("interp/steering.json"), Steering.json(rs));
        List<ReportData.SteeringPoint> got = RunLoader.load(tmp).steering();
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            SteeringResult w = rs.get(i);
            ReportData.SteeringPoint g = got.get(i);
            assertEquals(List.of(w.intervention(), w.direction(), w.where()), List.of(g.intervention(), g.direction(), g.where()));
            assertEquals(w.scale(), g.scale());
            assertEquals(w.outcome().n(), g.n());
            assertEquals(w.outcome().misaligned(), g.misaligned());
            assertEquals(w.outcome().coherent(), g.coherent());
        }
    }
}
