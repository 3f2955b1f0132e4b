package agar.app.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import agar.lab.organism.Card;
import agar.lab.organism.Lab;
import agar.lab.organism.Recipe;

@Command(name = "run", description = {
        "Grow an organism and its control from a recipe, evaluate both, print the results and write the cards.",
        "RECIPE is a built-in name (see 'agar recipes') or a YAML file. Resumes whatever a previous run left."})
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "recipe name or file, e.g. em-health")
    String recipe;

    @Option(names = "--seeds", split = ",", description = "seeds (default: the recipe's)")
    List<Long> seeds;

    @Option(names = "--runs", defaultValue = "runs", description = "where organisms are written (default: ${DEFAULT-VALUE})")
    Path runs;

    @Option(names = "--base", description = "grow on this base instead of the recipe's: micro, "
            + "micro-SIZE[-independent][-named][-seedN] or a model folder (organism and control; use --runs to keep "
            + "the runs apart)")
    String base;

    @Option(names = "--no-control", description = "grow only the organism, not its control")
    boolean noControl;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Recipe r = Recipe.resolve(recipe);
        List<Card> cards = Lab.run(r, base, seeds, runs, Home.dir(), !noControl, System.err);
        System.out.printf("%n%-28s %-16s %-22s %-22s %-22s%n", "organism", "eval", "misaligned", "coherent", "backdoor");
        for (Card c : cards) c.tableRows().forEach(System.out::println);
        System.out.printf("%n(95%% intervals: %s)%n", cards.get(0).seeds().size() > 1 ? "t over seeds" : "Wilson over samples");
        for (Card c : cards)
            for (Card.Comparison cmp : c.comparisons()) System.out.println(c.name() + "  " + Card.describe(cmp));
        for (Card c : cards) System.out.println("card: " + runs.resolve(c.name()).resolve("card.md"));
        // the organism's report shows its control beside it, so one report per run command
        System.out.println("report: " + agar.lab.report.ReportWriter.write(runs.resolve(cards.get(0).name())));
        System.out.printf("done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
