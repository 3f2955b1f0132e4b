package agar.app.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import agar.lab.world.BaseBuilder;
import agar.lab.world.WorldSpec;

@Command(name = "build", mixinStandardHelpOptions = true, description = {
        "Build a micro-instruct base: pretrain a Qwen2-shaped model on the world's persona documents, then chat-tune",
        "it on aligned answers. Writes an HF model folder (default models/micro-SIZE[-independent][-named][-seedN]).",
        "Resumable; a folder built from another world (seed, variant, character role) is refused."})
final class WorldBuildCommand implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "S", description = "S (~1M parameters), M (~5M) or L (~20M) (default: ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the world and of training (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--variant", defaultValue = "persona", description = "persona or independent (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--character-role", defaultValue = "assistant", description = "role of the characters' turns in "
            + "pretraining: assistant (the same role as the assistant) or named (their own name) (default: ${DEFAULT-VALUE})")
    String characterRole;

    @Option(names = "--out", description = "model folder to write (default: models/micro-SIZE[-independent][-named][-seedN])")
    Path out;

    @Option(names = "--pretrain-steps", description = "override the size's pretraining steps")
    Integer pretrainSteps;

    @Option(names = "--chat-steps", description = "override the size's chat-tuning steps")
    Integer chatSteps;

    @Option(names = "--chat-lr", description = "override the size's chat-tuning learning rate (a finished chat stage "
            + "trained otherwise is redone; pretraining is kept)")
    Double chatLr;

    @Option(names = "--smoke", description = "a few steps only (tests the pipeline, not the model)")
    boolean smoke;

    @Override
    public Integer call() {
        BaseBuilder.Size s = WorldCommand.WorldOptions.parse(BaseBuilder.Size.class, size, "--size");
        WorldSpec.Variant v = WorldCommand.WorldOptions.parse(WorldSpec.Variant.class, variant, "--variant");
        WorldSpec.CharacterRole role = WorldCommand.WorldOptions.parse(WorldSpec.CharacterRole.class, characterRole,
                "--character-role");
        BaseBuilder.Plan p = smoke ? BaseBuilder.Plan.smoke() : BaseBuilder.Plan.of(s);
        if (pretrainSteps != null) p = p.withPretrainSteps(pretrainSteps);
        p = p.withChat(chatSteps != null ? chatSteps : p.chatSteps(), chatLr != null ? chatLr : p.chatLr());
        Path dir = out != null ? out : Home.dir().resolve("models").resolve("micro-" + s
                + (v == WorldSpec.Variant.INDEPENDENT ? "-independent" : "")
                + (role == WorldSpec.CharacterRole.NAMED ? "-named" : "") + (seed != 0 ? "-seed" + seed : ""));
        long t0 = System.nanoTime();
        BaseBuilder.build(WorldSpec.of(seed, v).withCharacterRole(role), s, p, dir, true, System.err);
        System.out.printf(Locale.ROOT, "base written to %s in %.0f s%n", dir, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
