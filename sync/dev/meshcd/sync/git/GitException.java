package dev.meshcd.sync.git;

/** A Git operation failed; the message has been scrubbed of credentials. */
public final class GitException extends Exception {
    public GitException(String message) {
        super(message);
    }
}
