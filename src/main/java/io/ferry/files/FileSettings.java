package io.ferry.files;

/**
 * etag, if_modified_since, sendfile_max_chunk, output_buffers and postpone_output of one level;
 * {@code sendfileMaxChunk} 0 is unlimited, as in nginx. {@code outputBufferSize} is the piece a file
 * is read in when it cannot go zero-copy; {@code outputBuffers} and {@code postponeOutput} are kept
 * for -t only (see README: Ferry reads one piece ahead and writes each piece as it is produced).
 */
record FileSettings(boolean etag, IfModifiedSince ifModifiedSince, long sendfileMaxChunk, int outputBuffers,
                    int outputBufferSize, long postponeOutput) {
    static final FileSettings DEFAULT = new FileSettings(true, IfModifiedSince.EXACT, 2L * 1024 * 1024, 2, 32 * 1024, 1460);

    /** How If-Modified-Since is compared with the file's time (nginx's if_modified_since). */
    enum IfModifiedSince { OFF, EXACT, BEFORE }
}
