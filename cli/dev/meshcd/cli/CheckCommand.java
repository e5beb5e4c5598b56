package dev.meshcd.cli;

import dev.meshcd.compiler.pipeline.Compiler;
import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate, then analyze resources against each other as istioctl analyze does.%n"
                + "Exit 0 when there is no error, 1 when there is, 2 on usage or I/O errors.")
final class CheckCommand extends CompileCommand {
    @Override
    Compiler.Mode mode() {
        return Compiler.Mode.CHECK;
    }
}
