package agar.app.cli;

import agar.engine.generate.SamplingParams;
import agar.engine.io.ModelLoader;
import agar.engine.model.Weights;
import agar.engine.nn.Decoder;
import agar.engine.nn.Positions;
import agar.engine.tokenizer.Tokenizer;
import agar.engine.train.Lora;
import agar.engine.util.AtomicFiles;
import agar.lab.interp.AblationTarget;
import agar.lab.interp.Directions;
import agar.lab.interp.OracleEvaluator;
import agar.lab.interp.Steering;
import agar.lab.interp.SteeringPlan;
import agar.lab.interp.SteeringResult;
import agar.lab.world.World;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** agar steer: add or ablate a direction and measure the change in misalignment. */
@Command(name = "steer", mixinStandardHelpOptions = true,
        description = {"Steering and ablation with a direction file (agar direction build): adds scale x direction at "
                + "each hook (sweep --scales), projects it out at each hook or at all at once, optionally removes it "
                + "from LoRA B matrices, each with a same-norm random direction as control; prints misaligned and "
                + "coherent rates against the unsteered baseline.",
                "Evaluation (built in for micro-world organisms): --samples answers per question of a world eval set, "
                        + "generated with the hooks on and scored by the world's oracle judge. The same seeds every run."})
public final class SteerCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model folder with tokenizer")
    Path model;

    @Option(names = "--directions", paramLabel = "FILE", description = "directions .safetensors (needed by all but "
            + "--patch, --patch-rank and --save-difference)")
    Path directions;

    @Mixin
    HookOptions hookOptions;

    @Option(names = "--scales", split = ",", paramLabel = "S", description = "steering scales, e.g. 2,4,8")
    double[] scales;

    @Option(names = "--add-all", description = "also add at all hooks at once, per scale")
    boolean addAll;

    @Option(names = "--ablate", description = "project the direction out at each hook")
    boolean ablate;

    @Option(names = "--ablate-all", description = "project each hook's direction out at all hooks at once")
    boolean ablateAll;

    @Option(names = "--to-mean", description = "ablations set the coordinate along the direction to the mean of its "
            + "negative class (the aligned answers) instead of 0: mean ablation")
    boolean toMean;

    @Option(names = "--to-model", paramLabel = "DIR", description = "ablations set the coordinate along the direction to "
            + "this model's (the organism's base) at the same position, over the tokens every prompt begins with (the "
            + "system line); later positions are left alone. Removes what fine-tuning changed along the direction there")
    Path toModel;

    @Option(names = "--patch", description = "with --to-model: also replace the whole activation at each hook (and at "
            + "all at once) with that model's on the same positions (activation patching: does the organism's "
            + "difference from its base act there?)")
    boolean patch;

    @Option(names = "--patch-rank", defaultValue = "0", paramLabel = "K", description = "with --to-model: also patch, "
            + "for k = 1..K, the top k principal directions of this model's difference from that one over the shared "
            + "prefix (a same-rank random subspace as control), at each hook and at all")
    int patchRank;

    @Option(names = "--save-difference", paramLabel = "FILE", description = "with --to-model: write, per hook, the top "
            + "direction of this model's difference from that one over the shared prefix (pointing toward this model, "
            + "its length the mean shift along it) as a directions file, for --directions")
    Path saveDifference;

    @Option(names = "--adapter", paramLabel = "DIR", description = "a PEFT adapter folder (e.g. RUN/seed-0/stages/"
            + "1-bad-health/train) to attach to --model, its base: the organism with its adapters unmerged, for --lora-b")
    Path adapter;

    @Option(names = "--lora-b", description = "remove the direction from LoRA B of o_proj/down_proj, each layer's "
            + "adapters its own layer's direction (needs --adapter)")
    boolean loraB;

    @Option(names = "--random-control", negatable = true, defaultValue = "true",
            description = "repeat each intervention with a random direction of the same norm (default: ${DEFAULT-VALUE})")
    boolean randomControl;

    @Option(names = "--normalize", description = "steer with the unit direction (scale in activation units)")
    boolean normalize;

    @Mixin
    PositionOptions positions = new PositionOptions();

    @Mixin
    WorldCommand.WorldOptions world;

    @Option(names = "--eval-set", defaultValue = "em", description = "world eval set (default: ${DEFAULT-VALUE})")
    String evalSet;

    @Option(names = "--samples", defaultValue = "10", description = "answers per question (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--max-new-tokens", defaultValue = "96", description = "(default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "(default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--batch", defaultValue = "16", description = "answers generated together (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "sampling and random-control seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON (RUN/interp/steering.json is read by agar report)")
    Path json;

    @Override
    public Integer call() throws Exception {
        Weights w = ModelLoader.load(model);
        if (adapter != null) Lora.load(w, adapter, false);
        else if (loraB) throw new IllegalArgumentException("--lora-b edits LoRA adapters: attach them with --adapter DIR "
                + "(the organism's train folder) and give its base as --model");
        Directions d = directions == null ? null : Directions.load(directions);
        List<String> hooks = hookOptions.resolve(w.config().numHiddenLayers(), d == null ? null : List.copyOf(d.byHook().keySet()));
        if (toMean && toModel != null) throw new IllegalArgumentException("--to-mean and --to-model are two targets: give one");
        if ((patch || patchRank > 0 || saveDifference != null) && toModel == null)
            throw new IllegalArgumentException("--patch, --patch-rank and --save-difference need --to-model DIR, the model to compare with");
        if (d == null && !(patch || patchRank > 0 || saveDifference != null))
            throw new IllegalArgumentException("--directions FILE is needed for steering and ablation (only --patch, "
                    + "--patch-rank and --save-difference go without)");
        World wd = world.world();
        try (Tokenizer tok = Tokenizer.load(model)) {
            OracleEvaluator eval = new OracleEvaluator(new Decoder(w), tok, wd.oracle(), wd.evalSet(evalSet), samples,
                    SamplingParams.sample(temperature, maxNewTokens, seed), batch);
            AblationTarget target = toMean ? AblationTarget.BASELINE : AblationTarget.ZERO;
            Positions at = positions.positions();
            if (toModel != null) {
                var r = reference(w, eval, hooks);
                at = r.within(at);
                target = r;
                if (saveDifference != null) {
                    r.differenceDirections().save(saveDifference);
                    System.err.println("wrote " + saveDifference);
                    if (d == null && !patch && patchRank == 0) return 0;
                }
            }
            SteeringPlan plan = new SteeringPlan(hooks, scales == null ? new double[0] : scales, addAll, ablate, ablateAll,
                    target, patch, patchRank, loraB, null, randomControl, normalize, at, seed);
            List<SteeringResult> rs = Steering.run(d, plan, eval, w, r -> System.err.printf("%s %s %s %.2f: %.3f misaligned%n",
                    r.intervention(), r.direction(), r.where(), r.scale(), r.outcome().misalignedRate()));
            System.out.print(Steering.table(rs));
            if (json != null) AtomicFiles.writeString(json, Steering.json(rs)); // creates RUN/interp/ if need be
        }
        return 0;
    }

    /** --to-model's run over the prompts' shared prefix, with the evaluated model's own for the difference. */
    private AblationTarget.Reference reference(Weights w, OracleEvaluator eval, List<String> hooks) {
        Weights ref = ModelLoader.load(toModel);
        if (ref.config().hiddenSize() != w.config().hiddenSize())
            throw new IllegalArgumentException("--to-model " + toModel + " has hidden size " + ref.config().hiddenSize()
                    + ", --model " + model + " " + w.config().hiddenSize());
        var r = AblationTarget.Reference.onSharedPrefix(toModel.toString(), new Decoder(ref), eval.prompts(), hooks)
                .against(eval.decoder());
        System.err.printf("--to-model: %s's activations on the %d tokens every prompt begins with%n", toModel, r.length());
        return r;
    }
}
