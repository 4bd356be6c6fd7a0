package io.sealstream.cli;

import org.slf4j.LoggerFactory;

/**
 * Sets a logger's level at run time unless the user chose it ({@code -Dsealstream.log.<logger>=LEVEL}): commands raise
 * sealstream's own logging ({@code run}) or quiet a library's ({@code demo}, {@code stack}). Works with the runtime's
 * logback and, for code run where slf4j-simple is the binding (module tests), through its system properties.
 */
public final class LogLevels {

    private LogLevels() {
    }

    /** {@code logger} at {@code level} (TRACE, DEBUG, INFO, WARN, ERROR), unless set by a system property. */
    public static void setUnlessChosen(final String logger, final String level) {
        if (System.getProperty("sealstream.log." + logger) != null) {
            return;
        }
        final org.slf4j.Logger target = LoggerFactory.getLogger(logger);
        if (target.getClass().getName().equals("ch.qos.logback.classic.Logger")) {
            try {
                // Through reflection: logback is the runtime's binding, not a compile-time dependency.
                final Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", true,
                        target.getClass().getClassLoader());
                target.getClass().getMethod("setLevel", levelClass).invoke(target,
                        levelClass.getMethod("toLevel", String.class).invoke(null, level));
            } catch (final ReflectiveOperationException e) {
                throw new IllegalStateException("cannot set the level of logger " + logger + ": " + e, e);
            }
        } else if (System.getProperty("org.slf4j.simpleLogger.log." + logger) == null) {
            System.setProperty("org.slf4j.simpleLogger.log." + logger, level.toLowerCase(java.util.Locale.ROOT));
        }
    }
}
