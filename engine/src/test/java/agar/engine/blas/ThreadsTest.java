package agar.engine.blas;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ThreadsTest {
    @Test
    void everyItemRunsExactlyOnceAndIsFinishedOnReturn() {
        for (int n : new int[] {0, 1, 2, 3, 100, 5000}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            Threads.forEach(n, i -> {
                if (i % 7 == 0) Thread.onSpinWait(); // uneven items
                runs.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, runs.get(i), "n=" + n + " item " + i);
        }
    }

    @Test
    void anItemsExceptionReachesTheCaller() {
        IllegalStateException boom = new IllegalStateException("item 37");
        var thrown = assertThrows(IllegalStateException.class, () -> Threads.forEach(100, i -> {
            if (i == 37) throw boom;
        }));
        assertSame(boom, thrown);
    }
}
