package dev.meshcd.cli;

import dev.meshcd.compiler.pipeline.Compiler;
import picocli.CommandLine.Command;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Validate each resource on its own: CRD schema, CEL rules and Istio's semantic rules.%n"
                + "Exit 0 when there is no error, 1 when there is, 2 on usage or I/O errors.")
final class ValidateCommand extends CompileCommand {
    @Override
    Compiler.Mode mode() {
        return Compiler.Mode.VALIDATE;
    }
}
