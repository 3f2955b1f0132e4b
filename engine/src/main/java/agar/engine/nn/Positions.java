package agar.engine.nn;

/**
 * The absolute positions an intervention acts on: {@code from} inclusive to {@code to} exclusive. A prompt's
 * positions count from 0; during generation an answer token's position is the length of everything before it.
 */
public record Positions(int from, int to) {
    public static final Positions ALL = new Positions(0, Integer.MAX_VALUE);

    public Positions {
        if (from < 0 || to <= from)
            throw new IllegalArgumentException("positions [" + from + ", " + to + "): need 0 <= from < to");
    }

    /** Every position from {@code from} on. */
    public static Positions from(int from) {
        return new Positions(from, Integer.MAX_VALUE);
    }

    public boolean contains(int position) {
        return position >= from && position < to;
    }

    /** " @FROM-TO" for a range, "" for {@link #ALL}: what a result's label appends to say where it acted. */
    public String suffix() {
        return equals(ALL) ? "" : " @" + this;
    }

    @Override
    public String toString() {
        return to == Integer.MAX_VALUE ? from + "-" : from + "-" + (to - 1);
    }
}
