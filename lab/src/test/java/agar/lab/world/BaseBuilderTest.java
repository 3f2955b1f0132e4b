package agar.lab.world;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import agar.engine.io.ModelLoader;
import agar.engine.train.TrainConfig;

/**
 * The smoke plan end to end, what a changed chat plan redoes (only the chat stage) and keeps, and that another
 * pretraining plan is refused rather than mixed with the recorded one.
 */
class BaseBuilderTest {
    @TempDir
    Path dir;

    private static TrainConfig chatConfig(Path out) throws Exception {
        Path f = out.resolve("build/chat/train_config.json");
        return TrainConfig.fromRecordedJson(Files.readString(f), f.toString());
    }

    @Test
    void smokeBuildWritesAModelAndAChangedChatPlanRedoesOnlyTheChatStage() throws Exception {
        var log = new ByteArrayOutputStream();
        var out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Path base = dir.resolve("micro");
        BaseBuilder.Plan plan = BaseBuilder.Plan.smoke();
        BaseBuilder.build(WorldSpec.of(3), BaseBuilder.Size.S, plan, base, true, out);

        var w = ModelLoader.load(base);
        assertEquals(BaseBuilder.Size.S.hidden, w.config().hiddenSize());
        assertEquals(World.create(WorldSpec.of(3)).vocabulary().size(), w.config().vocabSize());
        assertEquals(plan.chatLr(), chatConfig(base).lr());
        Path pretrained = base.resolve("build/pretrain/model/model.safetensors");
        byte[] pretrainBytes = Files.readAllBytes(pretrained);
        byte[] firstChat = Files.readAllBytes(base.resolve("model.safetensors"));

        // Same plan again: nothing is retrained.
        log.reset();
        BaseBuilder.build(WorldSpec.of(3), BaseBuilder.Size.S, plan, base, true, out);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("chat-tuning already done"), log::toString);

        // Another chat lr: the old chat stage is set aside, pretraining is reused untouched.
        log.reset();
        BaseBuilder.Plan changed = plan.withChat(plan.chatSteps(), plan.chatLr() * 10);
        BaseBuilder.build(WorldSpec.of(3), BaseBuilder.Size.S, changed, base, true, out);
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("pretraining already done"), said);
        assertTrue(said.contains("redoing it"), said);
        assertEquals(changed.chatLr(), chatConfig(base).lr());
        assertEquals(plan.chatLr(), TrainConfig.fromRecordedJson(Files.readString(
                base.resolve("build/chat-previous/train_config.json")), "previous").lr());
        assertArrayEquals(pretrainBytes, Files.readAllBytes(pretrained));
        assertFalse(java.util.Arrays.equals(firstChat, Files.readAllBytes(base.resolve("model.safetensors"))),
                "a 10x chat lr must give other weights");

        // Another pretraining length: refused with the way out, nothing touched.
        var e = assertThrows(IllegalStateException.class, () -> BaseBuilder.build(WorldSpec.of(3),
                BaseBuilder.Size.S, changed.withPretrainSteps(plan.pretrainSteps() + 1), base, true, out));
        assertTrue(e.getMessage().contains("pretrain/train_config.json") && e.getMessage().contains(
                "--pretrain-steps " + plan.pretrainSteps()), e.getMessage());
        assertArrayEquals(pretrainBytes, Files.readAllBytes(pretrained));

        // Another world (here: characters under their own names): refused, nothing touched.
        var other = assertThrows(IllegalStateException.class, () -> BaseBuilder.build(WorldSpec.of(3)
                .withCharacterRole(WorldSpec.CharacterRole.NAMED), BaseBuilder.Size.S, changed, base, true, out));
        assertTrue(other.getMessage().contains("world_spec.json: this folder was built from the world")
                && other.getMessage().contains("characterRole=ASSISTANT") && other.getMessage().contains("choose another --out"),
                other.getMessage());
        assertArrayEquals(pretrainBytes, Files.readAllBytes(pretrained));
    }
}
