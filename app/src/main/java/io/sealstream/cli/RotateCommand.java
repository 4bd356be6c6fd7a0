package io.sealstream.cli;

import io.sealstream.app.SealstreamRuntime;
import io.sealstream.config.ConfigValues;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sealstream rotate --config FILE [filters]}: a re-wrap job, run here to its end (or {@code --submit}ted to the
 * running pipeline through the commands topic). Run it again with the same {@code --job-id} after a crash and it
 * resumes after its last committed batch; a completed job is not run twice.
 */
@Command(name = "rotate", description = "Re-wrap data keys under the current version of their KEK (a resumable job).")
final class RotateCommand extends IoAware implements Callable<Integer> {

    @Mixin
    ServiceOptions service;
    @Option(names = "--job-id", paramLabel = "ID", description = "Names the job; the same id resumes it (default: a new one).")
    String jobId;
    @Option(names = "--kek", paramLabel = "KEK_ID", description = "Only data keys under this KEK.")
    String kekId;
    @Option(names = "--tenant", paramLabel = "TENANT", description = "Only data keys of this tenant's objects (lists the objects).")
    String tenant;
    @Option(names = "--bucket", paramLabel = "BUCKET", description = "With --tenant: only objects of this logical bucket.")
    String bucket;
    @Option(names = "--prefix", paramLabel = "PREFIX", description = "With --bucket: only object keys starting with it.")
    String prefix;
    @Option(names = "--created-after", paramLabel = "INSTANT", description = "Only data keys created after it (ISO-8601, e.g. 2026-01-31T00:00:00Z).")
    String createdAfter;
    @Option(names = "--created-before", paramLabel = "INSTANT", description = "Only data keys created before it (ISO-8601).")
    String createdBefore;
    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Only objects whose stored metadata has this entry (repeatable; needs --tenant).")
    Map<String, String> metadata = new TreeMap<>();
    @Option(names = "--submit", description = "Submit to the running pipeline (commands topic) instead of running here.")
    boolean submit;
    @Option(names = "--batch-size", defaultValue = "100", paramLabel = "N", description = "Data keys (or objects) per committed step (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--pause", defaultValue = "0s", paramLabel = "DURATION", description = "Pause between steps, to spare the KMS (e.g. 200ms; default ${DEFAULT-VALUE}).")
    String pause;

    @Override
    public Integer call() {
        final Map<String, String> environment = service.environment(io);
        final Map<String, String> settings = service.settings(environment);
        final String actor = service.actor(environment);
        final RewrapJob job = RewrapJob.newBuilder()
                .setJobId(jobId != null ? jobId : "job-" + Instant.now().toString().replaceAll("[^0-9A-Za-z]", ""))
                .setSubmittedAt(Instant.now())
                .setSubmittedBy(actor)
                .setKekId(kekId)
                .setTenant(tenant)
                .setBucket(bucket)
                .setPrefix(prefix)
                .setCreatedAfter(instant("--created-after", createdAfter))
                .setCreatedBefore(instant("--created-before", createdBefore))
                .setMetadata(Map.copyOf(metadata))
                .build();
        final Duration pauseBetween = ConfigValues.parseDuration(pause);
        final PrintStream out = io.stdout();
        try (SealstreamRuntime tools = SealstreamRuntime.forTool(settings, environment, actor, "rotate")) {
            if (submit) {
                tools.adminLog().submit(job);
                out.println("submitted re-wrap job " + job.getJobId() + "; the running pipeline picks it up "
                        + "(progress as JOB_* events on " + tools.pipeline().topics().rotation() + ")");
                return 0;
            }
            final Optional<RewrapJobState> before = tools.adminLog().jobState(job.getJobId());
            before.ifPresent(s -> out.println("job " + job.getJobId() + " found: " + s.getStatus() + " at "
                    + (s.getCursor() == null ? "the start" : s.getCursor()) + "; resuming"));
            final RewrapJobState state = tools.rewrapRunner(batchSize, pauseBetween).run(job);
            out.println("job " + job.getJobId() + " " + state.getStatus() + ": " + state.getDeksScanned()
                    + " data keys scanned, " + state.getDeksRewrapped() + " re-wrapped, " + state.getObjectsScanned()
                    + " objects scanned" + (state.getMessage() == null ? "" : "; " + state.getMessage()));
            return state.getStatus() == RewrapJobStatus.COMPLETED ? 0 : SealstreamCli.EXIT_KEY_ERROR;
        }
    }

    private static Instant instant(final String option, final String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (final DateTimeParseException e) {
            throw new CliFailure(option + ": not an ISO-8601 instant: " + value, SealstreamCli.EXIT_USAGE);
        }
    }
}
