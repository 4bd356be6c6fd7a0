package io.sealstream.pipeline.internals;

/**
 * A failure of the pipeline itself, not of the record it was processing: a dependency refuses the pipeline's
 * credentials or configuration (the schema registry answering 401, 403 or 422, say). Dead-lettering would send every
 * record after it to the dead-letter topic too, so it stops the application instead (fail closed) with one clear line.
 */
public final class FatalPipelineException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public FatalPipelineException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
