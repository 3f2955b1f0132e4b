package agar.engine.blas;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs items 0..n-1 on the calling thread and the common pool's workers, each item on one thread. Threads take items
 * one at a time from a shared counter, and the caller starts on them at once, so the caller waits only for items a
 * worker has already begun. (A parallel stream hands a worker a quarter or half of the range at a time: at one
 * decode token a product is a few tens of microseconds, and a worker woken late or descheduled by another process
 * then held the whole step up.)
 */
public final class Threads {
    private Threads() {}

    public static void forEach(int n, IntConsumer body) {
        int helpers = Math.min(ForkJoinPool.getCommonPoolParallelism(), n - 1);
        if (helpers <= 0) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        Job job = new Job(n, body);
        for (int h = 0; h < helpers; h++) ForkJoinPool.commonPool().execute(job::run);
        job.run();
        job.await();
    }

    private static final class Job {
        final int n;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable error;

        Job(int n, IntConsumer body) {
            this.n = n;
            this.body = body;
        }

        /** Takes items until none are left; a helper that starts late finds none and returns. */
        void run() {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                try {
                    if (error == null) body.accept(i);
                } catch (Throwable e) {
                    error = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        /** Waits for the items other threads are still running: spins briefly, then yields the core. */
        void await() {
            for (int spins = 0; done.get() < n; spins++) {
                if (spins < 2_000) Thread.onSpinWait();
                else Thread.yield();
            }
            if (error instanceof RuntimeException e) throw e;
            if (error instanceof Error e) throw e;
            if (error != null) throw new RuntimeException(error);
        }
    }
}
