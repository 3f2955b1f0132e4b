package agar.app.cli;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PhaseCommandTest {
    @Test
    void everyNthKeepsTheFirstAndTheLastSnapshot() {
        List<Integer> steps = List.of(1, 2, 3, 4, 5, 6, 7);
        assertEquals(List.of(1, 4, 7), PhaseCommand.everyNth(steps, 3)); // 7 is on the stride
        assertEquals(List.of(1, 5, 7), PhaseCommand.everyNth(steps, 4)); // 7 added as the last
        assertEquals(steps, PhaseCommand.everyNth(steps, 1));
        assertEquals(List.of(1, 7), PhaseCommand.everyNth(steps, 100));
        assertThrows(IllegalArgumentException.class, () -> PhaseCommand.everyNth(steps, 0));
        assertThrows(IllegalArgumentException.class, () -> PhaseCommand.everyNth(List.of(), 2));
    }
}
