package dev.meshcd.cli;

import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.ByteSize;
import picocli.CommandLine;

/** {@code --max-file-size SIZE}: {@code 64Mi}, {@code 512Ki}, {@code 1Gi} or a number of bytes, from 1 KiB to 1 GiB. */
final class FileSizeOption implements CommandLine.ITypeConverter<Integer> {
    static final String DESCRIPTION = "Largest input file read, e.g. 64Mi or 1Gi (default: meshcd.yaml's maxFileSize,"
            + " else 64Mi). A larger file is not read: it is an MCD1005 error.";

    @Override
    public Integer convert(String value) {
        long bytes = ByteSize.parse(value).orElse(-1L);
        if (bytes < 1024 || bytes > BoundedRead.LARGEST_MAX_FILE_BYTES) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a size from 1Ki to 1Gi (e.g. 64Mi, 512Ki, 1Gi)");
        }
        return (int) bytes;
    }
}
