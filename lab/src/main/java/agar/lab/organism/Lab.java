package agar.lab.organism;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Grows an organism and its control over every seed, and writes their cards. */
public final class Lab {
    private Lab() {}

    /** {@code base}, when not null, replaces the base of the organism and of its control (not of a teacher). */
    public static List<Card> run(Recipe r, String base, List<Long> seeds, Path runs, Path home, boolean withControl,
                                 PrintStream log) {
        Grower g = new Grower(runs, home, log);
        List<Card> cards = new ArrayList<>();
        List<Recipe> recipes = new ArrayList<>(List.of(r));
        if (withControl && r.control() != null) recipes.add(Recipe.resolve(r.control()));
        if (base != null) recipes.replaceAll(x -> x.withBase(base));
        for (Recipe x : recipes) {
            List<Grower.Grown> grown = new ArrayList<>();
            for (long s : seeds != null ? seeds : x.seedsOrDefault()) grown.add(g.grow(x, s, true));
            Card c = Card.of(x, grown, home);
            c.write(runs.resolve(x.name()));
            cards.add(c);
        }
        return cards;
    }
}
