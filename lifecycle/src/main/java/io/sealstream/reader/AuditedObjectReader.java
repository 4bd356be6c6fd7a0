package io.sealstream.reader;

import io.sealstream.objects.KeyReferences;

import io.sealstream.audit.AuditLog;
import io.sealstream.envelope.DecryptingInputStream;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.RandomAccessEnvelope;
import io.sealstream.envelope.EnvelopeAuthenticationException;
import io.sealstream.envelope.EnvelopeKeyException;
import io.sealstream.envelope.MalformedEnvelopeException;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.keys.DekRegistry;
import io.sealstream.keys.KeyScopeMismatchException;
import io.sealstream.keys.KeyShreddedException;
import io.sealstream.pipeline.KeyPolicy;
import io.sealstream.keys.RegistryDataKeyResolver;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.objects.ObjectMetadata;
import io.sealstream.objects.PlaintextChecksums;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectNotFoundException;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;

/**
 * The audited read path: decrypts an object from the store, streaming, with its data key resolved through the DEK
 * registry, and records every attempt (who, what, which key, how it ended) as a DECRYPT audit event. Fails closed: if
 * the success cannot be recorded, the read fails, and the caller must then discard what it received (a file target is
 * committed only after {@link #read} returns; see {@link Release}).
 */
public final class AuditedObjectReader {

    /** When the success is recorded relative to handing out plaintext. */
    public enum Release {
        /** The caller buffers (e.g. a temporary file) and publishes only after {@link #read} returns: audit at the end. */
        AFTER_AUDIT,
        /** Plaintext flows to the caller as it is decrypted (e.g. stdout): audit once the header has authenticated, before the first byte. */
        STREAMING
    }

    /** What was read, for the caller's report. */
    public record Result(long plaintextBytes, String dekId, String kek, RegistryDataKeyResolver.Source keySource,
                         String auditId) {
    }

    private final ObjectStore store;
    private final DekRegistry registry;
    private final KeyManagementService kms;
    private final AuditLog audit;
    private final String service;
    private final Clock clock;
    private final boolean strictRegistry;
    private final KeyPolicy keyPolicy;

    /**
     * @param keyPolicy which KEK the identity being read must have been encrypted under (the pipeline's
     *                  {@code sealstream.keys.*}); a DEK under another KEK is refused
     */
    public AuditedObjectReader(final ObjectStore store, final DekRegistry registry, final KeyManagementService kms,
                               final AuditLog audit, final String service, final Clock clock, final boolean strictRegistry,
                               final KeyPolicy keyPolicy) {
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.kms = Objects.requireNonNull(kms, "kms");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.strictRegistry = strictRegistry;
        this.keyPolicy = Objects.requireNonNull(keyPolicy, "keyPolicy");
    }

    /**
     * Decrypts {@code location} into {@code sink} as {@code actor}. Throws (after recording a FAILURE event) if the
     * object is missing, tampered, bound to another identity, or its key is shredded or unavailable.
     */
    public Result read(final ObjectLocation location, final ObjectIdentity identity, final String actor,
                       final OutputStream sink, final Release release) throws IOException {
        final String auditId = "read:" + UUID.randomUUID();
        final RegistryDataKeyResolver resolver = new RegistryDataKeyResolver(registry, kms, strictRegistry,
                keyPolicy.kekFor(identity.tenant(), identity.bucket()));
        boolean successRecorded = false;
        try {
            registry.refresh(); // a shred committed a moment ago must already count
            // One request brings the object and its metadata, which holds the checksum the upload declared, if any:
            // the whole plaintext must match it (checked before the end).
            final ObjectStore.ObjectRead stored = store.read(location, 0, -1);
            final java.util.Optional<io.sealstream.events.PlaintextChecksum> checksum = PlaintextChecksums
                    .fromMetadata(stored.object().metadata().get(ObjectMetadata.PLAINTEXT_CHECKSUM));
            try (stored; DecryptingInputStream plain = new EnvelopeDecryptor(resolver)
                    .decryptingStream(stored.content(), identity.encryptionContext())) {
                if (release == Release.STREAMING) {
                    audit.record(event(auditId, AuditOutcome.SUCCESS, location, identity, actor, resolver, null,
                            "header authenticated; streaming plaintext"));
                    successRecorded = true;
                }
                if (checksum.isPresent()) {
                    final PlaintextChecksums.Digest digest = PlaintextChecksums.digest(checksum.get().getAlgorithm());
                    final byte[] buffer = new byte[64 * 1024];
                    int n;
                    while ((n = plain.read(buffer)) >= 0) {
                        digest.update(buffer, 0, n);
                        sink.write(buffer, 0, n);
                    }
                    java.util.Arrays.fill(buffer, (byte) 0);
                    if (!java.security.MessageDigest.isEqual(digest.digest(), PlaintextChecksums.value(checksum.get()))) {
                        throw new EnvelopeAuthenticationException("the plaintext does not match the "
                                + PlaintextChecksums.name(checksum.get().getAlgorithm()) + " checksum recorded for the object");
                    }
                } else {
                    plain.transferTo(sink);
                }
                sink.flush();
                if (release == Release.AFTER_AUDIT) {
                    audit.record(event(auditId, AuditOutcome.SUCCESS, location, identity, actor, resolver, null,
                            plain.plaintextBytes() + " bytes decrypted"));
                    successRecorded = true;
                }
                final WrappedDataKey used = resolver.lastUnwrapped();
                return new Result(plain.plaintextBytes(), used.dekId(), used.kek().toString(), resolver.lastSource(), auditId);
            }
        } catch (final IOException | RuntimeException e) {
            try {
                audit.record(event(successRecorded ? auditId + ":failed" : auditId, AuditOutcome.FAILURE, location,
                        identity, actor, resolver, reasonCode(e), e.getMessage()));
            } catch (final RuntimeException auditFailure) {
                e.addSuppressed(auditFailure);
            }
            throw e;
        }
    }

    /**
     * For a long-running server (the S3 gateway): opens a stored object for range reads. One store request brings
     * the object's size, metadata and start ({@code whole}: all of it, for a read of the whole object; else the header
     * and first segment); the header is authenticated here, with the DEK resolved through the registry as it stands
     * (the caller keeps it fresh in the background; a DEK it does not know yet triggers one refresh, so an object
     * written a moment ago is readable). A failure, a missing object included, is recorded as a FAILURE event, sent
     * without waiting, and thrown. Each {@link OpenObject#read} is then one DECRYPT event of its own.
     */
    public OpenObject open(final ObjectLocation location, final ObjectIdentity identity, final String actor,
                           final boolean whole) throws IOException {
        final String auditId = "read:" + UUID.randomUUID();
        final RegistryDataKeyResolver resolver = new RegistryDataKeyResolver(registry, kms, strictRegistry,
                keyPolicy.kekFor(identity.tenant(), identity.bucket()));
        final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(resolver);
        final RandomAccessEnvelope.RangeSource ranges = (offset, length) -> store.get(location, offset, length);
        try {
            final ObjectStore.ObjectRead start = store.read(location, 0,
                    whole ? -1 : EnvelopeDecryptor.rangePrefetchBytes());
            final long size = start.object().size();
            final long startLength = whole ? size : Math.min(size, EnvelopeDecryptor.rangePrefetchBytes());
            RandomAccessEnvelope envelope;
            try {
                envelope = decryptor.openRandomAccess(start.content(), startLength, ranges, size,
                        identity.encryptionContext());
            } catch (final EnvelopeKeyException e) {
                if (!(e.getCause() instanceof KeyNotFoundException) || resolver.lastRequested() == null
                        || registry.find(resolver.lastRequested().dekId()).isPresent()) {
                    throw e;
                }
                registry.refresh(); // written after the last background refresh?
                envelope = decryptor.openRandomAccess(ranges, size, identity.encryptionContext());
            }
            return new OpenObject(envelope, start.object(), identity, actor, resolver, auditId);
        } catch (final IOException | RuntimeException e) {
            audit.recordAsync(event(auditId, AuditOutcome.FAILURE, location, identity, actor, resolver, reasonCode(e),
                    e.getMessage()));
            throw e;
        }
    }

    /** Records a read refused before the object was touched (the gateway's access check), without waiting. */
    public java.util.concurrent.CompletableFuture<Void> recordRefusal(final ObjectLocation location,
                                                                     final ObjectIdentity identity, final String actor,
                                                                     final String reasonCode, final String message) {
        final RegistryDataKeyResolver none = new RegistryDataKeyResolver(registry, kms, true, null);
        return audit.recordAsync(event("read:" + UUID.randomUUID(), AuditOutcome.FAILURE, location, identity, actor,
                none, reasonCode, message));
    }

    /** An object whose header authenticated, ready for range reads; closing it releases the store's stream. */
    public final class OpenObject implements java.io.Closeable {
        private final RandomAccessEnvelope envelope;
        private final io.sealstream.store.StoredObject stored;
        private final ObjectLocation location;
        private final ObjectIdentity identity;
        private final String actor;
        private final RegistryDataKeyResolver resolver;
        private final String auditId;

        private OpenObject(final RandomAccessEnvelope envelope, final io.sealstream.store.StoredObject stored,
                           final ObjectIdentity identity, final String actor, final RegistryDataKeyResolver resolver,
                           final String auditId) {
            this.envelope = envelope;
            this.stored = stored;
            this.location = stored.location();
            this.identity = identity;
            this.actor = actor;
            this.resolver = resolver;
            this.auditId = auditId;
        }

        public long plaintextSize() {
            return envelope.plaintextSize();
        }

        /** What the store says of the ciphertext object (its metadata and time; not authenticated). */
        public io.sealstream.store.StoredObject stored() {
            return stored;
        }

        @Override
        public void close() throws IOException {
            envelope.close();
        }

        public String dekId() {
            return resolver.lastUnwrapped().dekId();
        }

        /**
         * Plaintext bytes {@code [offset, offset + length)}, authenticated segment by segment as they are read. The
         * SUCCESS event is sent now, without waiting; the caller must {@link RangeRead#awaitAudit} before it releases
         * the range's last bytes, and call {@link RangeRead#failed} if the read breaks off.
         */
        public RangeRead read(final long offset, final long length) throws IOException {
            final String what = length == envelope.plaintextSize() ? "whole object, " + length + " bytes"
                    : "bytes " + offset + "-" + (offset + length - 1) + " of " + envelope.plaintextSize();
            final java.util.concurrent.CompletableFuture<Void> durable = audit.recordAsync(event(auditId,
                    AuditOutcome.SUCCESS, location, identity, actor, resolver, null,
                    "header authenticated; streaming plaintext (" + what + ")"));
            return new RangeRead(envelope.read(offset, length), durable);
        }

        /** One range in flight. */
        public final class RangeRead implements java.io.Closeable {
            private final java.io.InputStream plaintext;
            private final java.util.concurrent.CompletableFuture<Void> durable;
            private boolean failed;

            private RangeRead(final java.io.InputStream plaintext, final java.util.concurrent.CompletableFuture<Void> durable) {
                this.plaintext = plaintext;
                this.durable = durable;
            }

            /** Authenticated plaintext of the range; a tampered segment ends it with an exception. */
            public java.io.InputStream plaintext() {
                return plaintext;
            }

            /** Waits until the read's DECRYPT event is durable; throws if it is not within {@code timeout}. */
            public void awaitAudit(final java.time.Duration timeout) throws IOException {
                try {
                    durable.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (final java.util.concurrent.ExecutionException e) {
                    throw new IOException("the read's audit event was not recorded: " + e.getCause().getMessage(), e.getCause());
                } catch (final java.util.concurrent.TimeoutException e) {
                    throw new IOException("the read's audit event was not acknowledged within " + timeout.toSeconds() + " s", e);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while awaiting the read's audit event");
                }
            }

            /** Records that the read broke off (tampered segment, store or client failure), without waiting. */
            public void failed(final Throwable cause) {
                if (!failed) {
                    failed = true;
                    audit.recordAsync(event(auditId + ":failed", AuditOutcome.FAILURE, location, identity, actor, resolver,
                            reasonCode(cause), cause.getMessage()));
                }
            }

            @Override
            public void close() throws IOException {
                plaintext.close();
            }
        }
    }

    private AuditEvent event(final String auditId, final AuditOutcome outcome, final ObjectLocation location,
                             final ObjectIdentity identity, final String actor, final RegistryDataKeyResolver resolver,
                             final String reasonCode, final String message) {
        // the key actually used, or (when resolution failed) the one the object's header asked for
        final WrappedDataKey used = resolver.lastUnwrapped() != null ? resolver.lastUnwrapped() : resolver.lastRequested();
        return AuditEvent.newBuilder()
                .setAuditId(auditId)
                .setTime(clock.instant())
                .setAction(AuditAction.DECRYPT)
                .setOutcome(outcome)
                .setActor(actor)
                .setService(service)
                .setTenant(identity.tenant())
                .setBucket(identity.bucket())
                .setObjectKey(identity.objectKey())
                .setLocation(location.toUri())
                .setDekId(used == null ? null : used.dekId())
                .setKek(used == null ? null : KeyReferences.of(used.kek()))
                .setReasonCode(reasonCode)
                .setMessage(message == null ? null : oneLine(message))
                .build();
    }

    /** The reason codes of failed reads (docs/ARCHITECTURE.md, "Audited reads"). */
    static String reasonCode(final Throwable e) {
        Throwable t = e;
        while (t instanceof EnvelopeKeyException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ObjectNotFoundException) {
            return "OBJECT_NOT_FOUND";
        }
        if (t instanceof KeyScopeMismatchException) {
            return "KEY_SCOPE_MISMATCH";
        }
        if (t instanceof KeyShreddedException) {
            return "KEY_SHREDDED";
        }
        if (t instanceof KeyNotFoundException) {
            return "KEY_NOT_FOUND";
        }
        if (t instanceof KmsException k) {
            return k.isTransient() ? "KMS_UNAVAILABLE" : "KEY_REJECTED";
        }
        if (t instanceof EnvelopeAuthenticationException) {
            return "AUTHENTICATION_FAILED";
        }
        if (t instanceof MalformedEnvelopeException) {
            return "MALFORMED_OBJECT";
        }
        if (t instanceof EnvelopeKeyException) {
            return "KEY_REJECTED";
        }
        if (t instanceof IOException) {
            return "IO_ERROR";
        }
        return "INTERNAL_ERROR";
    }

    private static String oneLine(final String s) {
        final String flat = s.replaceAll("[\\r\\n]+", " ").strip();
        return flat.length() > 500 ? flat.substring(0, 500) + "..." : flat;
    }
}
