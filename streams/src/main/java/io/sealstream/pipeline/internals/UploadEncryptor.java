package io.sealstream.pipeline.internals;

import io.sealstream.objects.KeyReferences;
import io.sealstream.text.BoundedText;
import io.sealstream.objects.EncryptedObjectStore;
import io.sealstream.pipeline.UploadWriter;

import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.StagedPayload;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.pipeline.ReasonCode;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectNotFoundException;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStoreUnavailableException;
import io.sealstream.store.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import io.sealstream.events.ChecksumAlgorithm;
import io.sealstream.events.PlaintextChecksum;
import io.sealstream.objects.PlaintextChecksums;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Encrypts one upload into the object store; no Kafka here. Validates the event, picks the KEK from the key policy,
 * takes a (cached) data key, streams the payload (inline or from staging) through the envelope encryptor into the
 * destination object, and describes the result as an {@link ObjectEncrypted} event.
 *
 * <p>Idempotent: the destination is a function of the object's identity, and an object already written for the same
 * event id (a crash after the write, before the Kafka transaction committed) is recognised from its metadata and
 * described again instead of being written twice. Fail-closed: only the envelope encryptor writes to the store, and an
 * input problem found mid-stream (size or checksum) aborts the object so nothing is committed.
 *
 * <p>Throws {@link PermanentFailureException} for problems with the event; KMS and store failures propagate as
 * they are for the caller's retry policy to judge.
 */
public final class UploadEncryptor {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UploadEncryptor.class);

    /** Read buffer when copying the payload into the encrypting stream. */
    private static final int COPY_BUFFER = 64 * 1024;

    private final KeyManagementService kms;
    private final EncryptedObjectStore objects;
    private final ObjectStore store;
    private final PipelineConfig config;
    private final UploadValidator validator;
    private final UploadWriter writer;
    private final Clock clock;

    public UploadEncryptor(final KeyManagementService kms, final ObjectStore store, final PipelineConfig config,
                           final Clock clock) {
        this(kms, store, config, clock, null);
    }

    /** {@code writer} replaces envelope encryption (the benchmarks' plaintext baseline); null means encrypt. */
    public UploadEncryptor(final KeyManagementService kms, final ObjectStore store, final PipelineConfig config,
                           final Clock clock, final UploadWriter writer) {
        this.kms = Objects.requireNonNull(kms, "kms");
        this.store = Objects.requireNonNull(store, "store");
        this.objects = new EncryptedObjectStore(store);
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.validator = new UploadValidator(config.inlineMaxBytes(), config.staging());
        this.writer = writer != null ? writer : this::encryptInto;
    }

    /** The result, and whether it describes an object an earlier attempt had already written. */
    public record Result(ObjectEncrypted event, boolean alreadyWritten) {
    }

    public Result encrypt(final ObjectUploaded upload) throws IOException {
        try {
            return encryptValidated(upload);
        } catch (final IllegalArgumentException e) {
            // A store refused a key or metadata value the validator let through: the event's fault, not a bug.
            throw new PermanentFailureException(ReasonCode.INVALID_FIELD, e.getMessage());
        }
    }

    private Result encryptValidated(final ObjectUploaded upload) throws IOException {
        final ObjectLocation staging = validator.validate(upload);
        declaredChecksum(upload); // a malformed checksum is refused before any I/O
        final ObjectIdentity identity = new ObjectIdentity(upload.getTenant(), upload.getBucket(), upload.getObjectKey());
        final ObjectLocation destination = identity.destination(config.destinationBucket());

        final long declaredSize = declaredSize(upload, staging);
        if (declaredSize >= config.reuseExistingMinBytes()) {
            // An earlier attempt at this very event may have written the object and died before its transaction
            // committed: describe that object instead of writing it again.
            final Optional<EncryptedObjectStore.Written> earlier = objects.writtenBy(destination, upload.getEventId());
            if (earlier.isPresent()) {
                return new Result(event(upload, destination, earlier.get()), true);
            }
        }
        final EncryptedObjectStore.Written written = writer.write(upload, identity, destination, declaredSize, out -> {
            try (InputStream plaintext = openPayload(upload, staging)) {
                copyChecked(plaintext, out, upload, declaredSize);
            }
        });
        return new Result(event(upload, destination, written), false);
    }

    /** The pipeline's writer: a data key under the KEK the key policy picks, and the envelope. */
    private EncryptedObjectStore.Written encryptInto(final ObjectUploaded upload, final ObjectIdentity identity,
                                                    final ObjectLocation destination, final long declaredSize,
                                                    final EncryptedObjectStore.PlaintextWriter payload)
            throws IOException {
        final String kekId = config.keyPolicy().kekFor(upload.getTenant(), upload.getBucket());
        try (DataKey dek = dataKey(kekId, identity)) {
            final WrappedDataKey wrapped = dek.wrapped();
            // Failed attempts encrypted bytes under this key too: the cache's byte limit counts them.
            return objects.write(destination, identity, dek, config.preset(), upload.getEventId(), declaredSize,
                    upload.getContentType(), declaredChecksum(upload), payload, bytes -> kms.reportUsage(wrapped, bytes));
        }
    }

    private DataKey dataKey(final String kekId, final ObjectIdentity identity) throws IOException {
        try {
            return kms.generateDataKey(kekId, identity.keyScope());
        } catch (final KeyNotFoundException e) {
            throw new PermanentFailureException(ReasonCode.KEY_NOT_FOUND, e.getMessage());
        } catch (final KmsException e) {
            if (e.isTransient()) {
                throw e;
            }
            throw refusal(kekId, e);
        }
    }

    /**
     * The KMS refused a data key for a reason other than an outage or a missing key. Whether that is this record's
     * problem depends on its scope: a refusal of this KEK alone (disabled, pending deletion, a policy that denies this
     * key) must not stop every other tenant, so the record is dead-lettered (KEY_UNUSABLE); a refusal of the pipeline
     * itself (expired credentials, a revoked role: the KMS will not even describe the KEK) is every record's problem,
     * so it is treated like an outage: the record waits and is retried (back-pressure), and nothing is dead-lettered.
     */
    private IOException refusal(final String kekId, final KmsException e) throws PermanentFailureException {
        try {
            kms.describeKey(kekId);
        } catch (final KmsException describeFailed) {
            throw new io.sealstream.kms.KmsUnavailableException("the KMS refuses the pipeline (it will not describe KEK "
                    + kekId + " either); waiting for its access to be restored: " + BoundedText.message(e), e);
        }
        LOG.error("the KMS refused a data key under KEK {} although it describes the key: {}", kekId,
                BoundedText.message(e));
        return new PermanentFailureException(ReasonCode.KEY_UNUSABLE, "the KMS refused a data key under KEK "
                + kekId + ": " + BoundedText.message(e));
    }

    /** The size the event promises; for staged payloads also checked against the staging object before reading. */
    private long declaredSize(final ObjectUploaded upload, final ObjectLocation staging) throws IOException {
        if (staging == null) {
            return ((InlinePayload) upload.getPayload()).getData().remaining();
        }
        final StagedPayload staged = (StagedPayload) upload.getPayload();
        final StoredObject head = stagingCall(staging, () -> store.head(staging)).orElseThrow(() -> new PermanentFailureException(
                ReasonCode.STAGING_NOT_FOUND, "staging object not found: " + staging));
        if (head.size() != staged.getSize()) {
            throw sizeMismatch(staging, staged.getSize(), head.size());
        }
        return staged.getSize();
    }

    private InputStream openPayload(final ObjectUploaded upload, final ObjectLocation staging) throws IOException {
        if (staging == null) {
            final ByteBuffer data = ((InlinePayload) upload.getPayload()).getData().duplicate();
            final byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            return new ByteArrayInputStream(bytes);
        }
        return stagingCall(staging, () -> store.get(staging));
    }

    private interface StoreCall<T> {
        T call() throws IOException;
    }

    /**
     * A staging object is named by the event, so the store's refusals are the event's problem: not found, or refused
     * (e.g. 403). Outages stay transient.
     */
    private static <T> T stagingCall(final ObjectLocation staging, final StoreCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (final ObjectNotFoundException e) {
            throw new PermanentFailureException(ReasonCode.STAGING_NOT_FOUND, "staging object not found: " + staging);
        } catch (final ObjectStoreUnavailableException | PermanentFailureException e) {
            throw e;
        } catch (final IOException e) {
            throw new PermanentFailureException(ReasonCode.STAGING_UNREADABLE, e.getMessage());
        }
    }

    /**
     * The plaintext checksum the upload declares: {@code payload.checksum} (SHA-256 or BLAKE2b-256, inline or staged),
     * else a staged payload's older {@code sha256} field as a SHA-256 one; null if none. Both given must agree.
     */
    static PlaintextChecksum declaredChecksum(final ObjectUploaded upload) throws PermanentFailureException {
        final PlaintextChecksum checksum;
        final ByteBuffer legacySha256;
        if (upload.getPayload() instanceof StagedPayload s) {
            checksum = s.getChecksum();
            legacySha256 = s.getSha256();
        } else {
            checksum = ((InlinePayload) upload.getPayload()).getChecksum();
            legacySha256 = null;
        }
        if (checksum != null) {
            try {
                PlaintextChecksums.requireWellFormed(checksum);
            } catch (final IllegalArgumentException e) {
                throw new PermanentFailureException(ReasonCode.INVALID_FIELD, "payload." + e.getMessage());
            }
            if (legacySha256 != null && (checksum.getAlgorithm() != ChecksumAlgorithm.SHA256
                    || !legacySha256.equals(checksum.getValue()))) {
                throw new PermanentFailureException(ReasonCode.INVALID_FIELD,
                        "payload.sha256 and payload.checksum are both set and disagree; give one");
            }
            return checksum;
        }
        return legacySha256 == null ? null : new PlaintextChecksum(ChecksumAlgorithm.SHA256, legacySha256);
    }

    /** Streams the payload, counting bytes and hashing them when a checksum was declared. */
    private static void copyChecked(final InputStream in, final OutputStream out, final ObjectUploaded upload,
                                    final long declaredSize) throws IOException {
        final PlaintextChecksum declared = declaredChecksum(upload);
        final PlaintextChecksums.Digest digest = declared == null ? null : PlaintextChecksums.digest(declared.getAlgorithm());
        final byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, Math.max(1, declaredSize + 1))];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > declaredSize) {
                    throw sizeMismatch(((StagedPayload) upload.getPayload()).getLocation(), declaredSize, total);
                }
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                out.write(buffer, 0, n);
            }
        } finally {
            Arrays.fill(buffer, (byte) 0);
        }
        if (total != declaredSize) {
            throw sizeMismatch(((StagedPayload) upload.getPayload()).getLocation(), declaredSize, total);
        }
        if (digest != null && !MessageDigest.isEqual(PlaintextChecksums.value(declared), digest.digest())) {
            throw new PermanentFailureException(ReasonCode.CHECKSUM_MISMATCH, "the plaintext's "
                    + PlaintextChecksums.name(declared.getAlgorithm()) + " differs from the declared checksum; "
                    + "nothing was stored");
        }
    }

    private static PermanentFailureException sizeMismatch(final Object staging, final long declared, final long actual) {
        return new PermanentFailureException(ReasonCode.STAGING_SIZE_MISMATCH, "staging object " + staging + " has "
                + (actual > declared ? "more than " : "") + actual + " bytes but payload.size declares " + declared);
    }

    private ObjectEncrypted event(final ObjectUploaded upload, final ObjectLocation destination,
                                  final EncryptedObjectStore.Written written) throws PermanentFailureException {
        return ObjectEncrypted.newBuilder()
                .setEventId(upload.getEventId())
                .setEncryptedAt(Instant.ofEpochMilli(clock.millis()))
                .setTenant(upload.getTenant())
                .setBucket(upload.getBucket())
                .setObjectKey(upload.getObjectKey())
                .setContentType(upload.getContentType())
                .setDestination(destination.toUri())
                .setPlaintextSize(written.plaintextBytes())
                .setCiphertextSize(written.ciphertextBytes())
                .setCiphertextDigest(ByteBuffer.wrap(written.ciphertextDigest()))
                .setDekId(written.dekId())
                .setKek(KeyReferences.of(written.kek()))
                .setFormatVersion(written.formatVersion())
                .setSegmentSize(written.segmentSize())
                .setPlaintextChecksum(declaredChecksum(upload))
                .setStagingLocation(upload.getPayload() instanceof StagedPayload s ? s.getLocation() : null)
                .build();
    }

}
