package org.lenet5.cli;

import org.lenet5.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;

/**
 * lenet5: train, evaluate, tune and benchmark LeNet-5 on MNIST-style digits.
 * Results go to stdout, diagnostics to stderr; exit 0 on success, 2 on a usage error, 1 otherwise.
 */
@Command(name = "lenet5", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train, evaluate and tune LeNet-5 on MNIST-style digits, on an NVIDIA GPU (cuDNN, cuBLAS) or on CPUs.",
        subcommands = {
                TrainCommand.class,
                SweepCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                DataCommand.class,
                InfoCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // No command given: that is a usage error, so the usage goes to stderr and the exit code is 2.
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(Main::handleFailure);
        cl.setParameterExceptionHandler(Main::handleUsageError);
        cl.setExecutionStrategy(Main::executeReportingErrors);
        return cl;
    }

    /**
     * picocli's default strategy, except that an Error (out of memory, most likely) becomes the same one line as any
     * other failure: picocli hands only Exceptions to the failure handler, so an Error would escape with its stack trace.
     */
    private static int executeReportingErrors(CommandLine.ParseResult parsed) {
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (Error e) {
            List<CommandLine> commands = parsed.asCommandLineList();
            return report(e, commands.get(commands.size() - 1));
        }
    }

    private static boolean debugRequested(CommandLine cl) {
        CommandLine root = cl;
        while (root.getParent() != null) root = root.getParent();
        Object main = root.getCommand();
        return main instanceof Main m && m.debug;
    }

    private static int handleFailure(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        return report(e, cl);
    }

    private static int report(Throwable e, CommandLine cl) {
        PrintWriter err = cl.getErr();
        if (debugRequested(cl)) e.printStackTrace(err);
        err.println("error: " + oneLine(e));
        err.flush();
        return 1;
    }

    private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        if (debugRequested(cl)) e.printStackTrace(err);
        err.println("error: " + e.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
        err.flush();
        return 2;
    }

    /** A user-facing one-line description of any failure. */
    static String oneLine(Throwable e) {
        if (e instanceof UserException) return e.getMessage();
        if (e instanceof OutOfMemoryError)
            return "out of memory (" + e.getMessage() + "); try a smaller --batch-size or more heap (JAVA_OPTS=-Xmx8g)";
        String msg = e.getMessage();
        String text = e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
        return text.replace('\n', ' ') + " (run with --debug for the stack trace)";
    }
}
