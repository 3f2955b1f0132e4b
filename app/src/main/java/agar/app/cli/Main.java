package agar.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The agar command: its help is the lab's table of contents. */
@Command(name = "agar", mixinStandardHelpOptions = true, version = "agar 0.1.0",
        description = "A laboratory for model organisms of misalignment.",
        subcommands = {
                CommandLine.HelpCommand.class,
                RunCommand.class,
                RecipesCommand.class,
                LsCommand.class,
                ShowCommand.class,
                EvalCommand.class,
                DataCommand.class,
                ModelCommand.class,
                LogitsCommand.class,
                GenerateCommand.class,
                TokenizeCommand.class,
                WorldCommand.class,
                TrainCommand.class,
                BenchCommand.class,
                CaptureCommand.class,
                DirectionCommand.class,
                SteerCommand.class,
                ProbeCommand.class,
                DetectCommand.class,
                InterveneCommand.class,
                PhaseCommand.class,
                ServeCommand.class,
                ReportCommand.class,
                ViewCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler(Main::reportError)
                .execute(args);
        System.exit(code);
    }

    /** Errors from bad input are the user's to fix: print the message, not a stack trace (AGAR_DEBUG=1 for one). */
    private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (System.getenv("AGAR_DEBUG") != null) e.printStackTrace();
        cmd.getErr().println("agar: " + describe(e));
        return 1;
    }

    /** The message to print; a missing file anywhere in the causes is named as such (its own message is the bare path). */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof java.nio.file.NoSuchFileException missing) return "no such file: " + missing.getFile();
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
