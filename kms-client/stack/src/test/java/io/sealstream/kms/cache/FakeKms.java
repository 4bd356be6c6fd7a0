package io.sealstream.kms.cache;

import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.WrappedDataKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * Counting in-memory KMS for decorator tests. It keeps every DataKey it returns, so tests can check that the
 * cache destroyed the instances it owns. Tests can block calls ({@link #gate}) or make them fail ({@link #failure}).
 */
final class FakeKms implements KeyManagementService {

    interface Gate {
        void pass() throws Exception;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    final AtomicInteger generateCalls = new AtomicInteger();
    final AtomicInteger unwrapCalls = new AtomicInteger();
    final AtomicInteger rotateCalls = new AtomicInteger();
    final AtomicInteger reportedUsageCalls = new AtomicInteger();
    final List<DataKey> issued = new CopyOnWriteArrayList<>();
    final List<DataKey> unwrapped = new CopyOnWriteArrayList<>();
    final AtomicReference<Gate> gate = new AtomicReference<>(() -> { });
    final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    volatile boolean closed;
    private final Map<WrappedDataKey, byte[]> plaintexts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();

    @Override
    public String providerName() {
        return "fake";
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        generateCalls.incrementAndGet();
        enter();
        final byte[] key = new byte[DataKey.KEY_BYTES];
        RANDOM.nextBytes(key);
        final byte[] ciphertext = new byte[40];
        RANDOM.nextBytes(ciphertext);
        final WrappedDataKey wrapped = new WrappedDataKey(DekIds.newDekId(), currentRef(kekId), ciphertext, scope);
        plaintexts.put(wrapped, key.clone());
        final DataKey dataKey = new DataKey(key, wrapped);
        issued.add(dataKey);
        return dataKey;
    }

    /** A wrapped key this KMS can unwrap, made without going through any cache (as if by another process). */
    WrappedDataKey foreignWrappedKey(final String kekId) {
        final int before = generateCalls.get();
        final DataKey key = generateDataKey(kekId);
        generateCalls.set(before);
        issued.remove(key);
        key.destroy();
        return key.wrapped();
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        unwrapCalls.incrementAndGet();
        enter();
        final byte[] key = plaintexts.get(wrapped);
        if (key == null) {
            throw new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " was rejected by KEK " + wrapped.kek());
        }
        final DataKey dataKey = new DataKey(key.clone(), wrapped);
        unwrapped.add(dataKey);
        return dataKey;
    }

    private void enter() {
        try {
            gate.get().pass();
        } catch (final RuntimeException e) {
            throw e;
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
        final RuntimeException toThrow = failure.get();
        if (toThrow != null) {
            throw toThrow;
        }
    }

    private KekRef currentRef(final String kekId) {
        return new KekRef("fake", kekId, Integer.toString(versions.computeIfAbsent(kekId, k -> new AtomicInteger(1)).get()));
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        return wrapped;
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        final AtomicInteger version = versions.get(kekId);
        if (version == null) {
            throw new KeyNotFoundException("no " + kekId);
        }
        return new KeyDescription("fake", kekId, Integer.toString(version.get()),
                IntStream.rangeClosed(1, version.get()).mapToObj(String::valueOf).toList(), Instant.EPOCH);
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        versions.putIfAbsent(kekId, new AtomicInteger(1));
        return describeKey(kekId);
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        rotateCalls.incrementAndGet();
        versions.computeIfAbsent(kekId, k -> new AtomicInteger(1)).incrementAndGet();
        return describeKey(kekId);
    }

    @Override
    public List<KeyDescription> listKeys() {
        return versions.keySet().stream().sorted().map(this::describeKey).toList();
    }

    @Override
    public void reportUsage(final WrappedDataKey key, final long plaintextBytes) {
        reportedUsageCalls.incrementAndGet();
    }

    @Override
    public void close() {
        closed = true;
    }
}
