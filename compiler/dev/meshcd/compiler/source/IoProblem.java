package dev.meshcd.compiler.source;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Says why an I/O operation failed, not only where: Java's file exceptions carry just the path in their message
 * ({@code AccessDeniedException: /x}), so a user would read "cannot read input: /x" and not know why.
 */
public final class IoProblem {
    private IoProblem() {
    }

    /** {@code /x: permission denied}, {@code a/b: symbolic link loop}, or the exception's own message. */
    public static String describe(IOException e) {
        if (e instanceof BoundedRead.TooLargeException) {
            return e.getMessage();
        }
        if (e instanceof FileSystemException fse && fse.getFile() != null) {
            String where = fse.getOtherFile() == null ? fse.getFile() : fse.getFile() + " -> " + fse.getOtherFile();
            return where + ": " + why(fse);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String why(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemLoopException) {
            return "symbolic link loop";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        String reason = e.getReason();
        if (reason == null || reason.isBlank()) {
            return e.getClass().getSimpleName();
        }
        // The OS's words ("Too many levels of symbolic links", "Read-only file system"), in meshcd's lower case.
        return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
}
