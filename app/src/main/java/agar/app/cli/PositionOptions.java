package agar.app.cli;

import agar.engine.nn.Positions;

import picocli.CommandLine.Option;

/** Which positions an intervention acts on: [--from-position, --to-position), absolute (a prompt counts from 0). */
final class PositionOptions {
    @Option(names = "--from-position", defaultValue = "0", description = "intervene at positions >= this (default: ${DEFAULT-VALUE})")
    int from;

    @Option(names = "--to-position", description = "and at positions < this (default: to the end of the answer), e.g. "
            + "--from-position 0 --to-position 9 for the micro world's system line")
    Integer to;

    Positions positions() {
        try {
            return new Positions(from, to == null ? Integer.MAX_VALUE : to);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--from-position/--to-position: " + e.getMessage(), e);
        }
    }
}
