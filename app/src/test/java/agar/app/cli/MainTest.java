package agar.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void aMissingFileIsNamedAsMissingEvenWhenWrapped() {
        var missing = new NoSuchFileException("runs/d.safetensors");
        // what a loader throws: the path prefixed to the cause's message, which is the bare path again
        var wrapped = new UncheckedIOException("runs/d.safetensors: " + missing.getMessage(), missing);
        assertEquals("no such file: runs/d.safetensors", Main.describe(wrapped));
        assertEquals("no such file: runs/d.safetensors", Main.describe(missing));
        assertEquals("bad shape", Main.describe(new IllegalArgumentException("bad shape")));
        assertEquals("java.lang.IllegalStateException", Main.describe(new IllegalStateException()));
    }
}
