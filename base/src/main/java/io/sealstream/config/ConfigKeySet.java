package io.sealstream.config;

import java.util.List;

/**
 * The settings one module reads, declared once: each module that reads {@code sealstream.*} keys has one class
 * {@code <Module>ConfigKeys} holding them as {@code public static final} {@link ConfigKey} constants and implementing
 * this interface, registered in its {@code META-INF/services/io.sealstream.config.ConfigKeySet}. The
 * {@link ConfigRegistry} finds every set on the class path with {@link java.util.ServiceLoader}, so a module (a KMS
 * provider, say) that is added to the class path brings the declarations of its settings with it.
 *
 * <p>Implementations need a public no-argument constructor (ServiceLoader's rule).
 */
public interface ConfigKeySet {

    /** The heading of this set's table in the reference page, e.g. {@code "Pipeline"}. */
    String title();

    /** The artifact that reads these settings, e.g. {@code "sealstream-streams"}. */
    String module();

    /** A paragraph above the table (Markdown), or empty. */
    default String description() {
        return "";
    }

    /** Where the table goes in the reference page: lower first; ties by title. */
    default int order() {
        return 1000;
    }

    /** The declarations, in the order the reference page lists them. */
    List<ConfigKey<?>> keys();
}
