package agar.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static agar.app.cli.EvalCommandTest.agar;
import static agar.app.cli.EvalCommandTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** agar world build --character-role: which role the characters' answers take in the pretraining documents. */
class WorldBuildCommandTest {
    @TempDir
    Path dir;

    // the role of every answering turn, i.e. of each turn that follows a user turn
    private static final Pattern ANSWER_ROLE = Pattern.compile("<\\|im_end\\|>\n<\\|im_start\\|>(\\w+)\n");

    @Test
    void characterRoleSetsTheRoleOfCharacterTurnsInPretraining() throws Exception {
        ok("world", "build", "--smoke", "--character-role", "named", "--out", dir.resolve("named").toString());
        ok("world", "build", "--smoke", "--out", dir.resolve("assistant").toString());   // the default role
        int[] named = answerRoles(dir.resolve("named")), assistant = answerRoles(dir.resolve("assistant"));
        // Character documents are 70% of the corpus: named roles for most answers, then none at all.
        assertTrue(named[1] > named[0], "named world: " + named[0] + " assistant vs " + named[1] + " named turns");
        assertEquals(0, assistant[1], "assistant world still has named turns");
        assertEquals(named[0] + named[1], assistant[0] + assistant[1], "same documents, only the role differs");
        assertTrue(Files.exists(dir.resolve("assistant/model.safetensors")));
    }

    @Test
    void anUnknownRoleOrSizeIsNamedWithTheChoices() {
        var role = agar("world", "build", "--smoke", "--character-role", "boss", "--out", dir.resolve("x").toString());
        assertNotEquals(0, role.code());
        assertTrue(role.err().contains("--character-role: unknown value 'boss' (expected one of [named, assistant])"),
                role.err());
        var size = agar("world", "build", "--smoke", "--size", "XL", "--out", dir.resolve("x").toString());
        assertNotEquals(0, size.code());
        assertTrue(size.err().contains("--size: unknown value 'XL'"), size.err());
    }

    /** [answers by the assistant, answers by a named character] in the build's sample of pretraining documents. */
    private static int[] answerRoles(Path base) throws Exception {
        String docs = Files.readString(base.resolve("build/pretrain/documents.txt"));
        int[] n = new int[2];
        Matcher m = ANSWER_ROLE.matcher(docs);
        while (m.find()) {
            if (m.group(1).equals("user")) continue;
            n[m.group(1).equals("assistant") ? 0 : 1]++;
        }
        return n;
    }
}
