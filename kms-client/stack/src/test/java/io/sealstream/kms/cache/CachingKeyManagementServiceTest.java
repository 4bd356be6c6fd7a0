package io.sealstream.kms.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.cache.DataKeyCacheListener.RetireReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CachingKeyManagementServiceTest {

    private static final String KEK = "orders";

    private final FakeKms fake = new FakeKms();
    private final MutableClock clock = new MutableClock();
    private final RecordingListener listener = new RecordingListener();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private CachingKeyManagementService cache(final DataKeyCacheConfig config) {
        return new CachingKeyManagementService(fake, config, clock, listener);
    }

    /** Generates and immediately closes a key, returning its DEK id. */
    private static String use(final CachingKeyManagementService cache, final String kek) {
        try (DataKey key = cache.generateDataKey(kek)) {
            return key.dekId();
        }
    }

    @Test
    void defaultsAreTheDocumentedOnesAndValidated() {
        final DataKeyCacheConfig defaults = DataKeyCacheConfig.defaults();
        assertThat(defaults.maxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.maxObjectsPerKey()).isEqualTo(1_000_000L);
        assertThat(defaults.maxBytesPerKey()).isEqualTo(1L << 40);
        assertThat(defaults.maxUnwrapEntries()).isEqualTo(10_000);
        assertThat(defaults.unwrapMaxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(new DataKeyCacheConfig(null, 1, 1, 1, null)).extracting(DataKeyCacheConfig::maxAge).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> defaults.withMaxObjectsPerKey(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxObjectsPerKey");
        assertThatThrownBy(() -> defaults.withMaxAge(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withMaxUnwrapEntries(-5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thousandObjectsShareOneDataKey() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final Set<String> dekIds = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                dekIds.add(use(cache, KEK));
            }
            assertThat(fake.generateCalls).hasValue(1);
            assertThat(dekIds).hasSize(1);
            assertThat(cache.stats().encryptHits()).isEqualTo(999);
            assertThat(cache.stats().encryptMisses()).isEqualTo(1);
            assertThat(cache.stats().kmsCalls()).isEqualTo(1);
        }
    }

    /** A cached DEK serves one tenant bucket: another scope gets its own, and ever new scopes never grow memory past the bound. */
    @Test
    void eachTenantBucketHasItsOwnDataKeyAndTheirNumberIsBounded() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final KeyScope acme = KeyScope.of("acme", "photos");
            try (DataKey a1 = cache.generateDataKey(KEK, acme); DataKey a2 = cache.generateDataKey(KEK, acme);
                 DataKey g = cache.generateDataKey(KEK, KeyScope.of("globex", "photos"));
                 DataKey unscoped = cache.generateDataKey(KEK)) {
                assertThat(a1.dekId()).isEqualTo(a2.dekId());
                assertThat(a1.wrapped().scope()).isEqualTo(acme);
                assertThat(g.dekId()).isNotEqualTo(a1.dekId()).isNotEqualTo(unscoped.dekId());
                assertThat(g.wrapped().scope()).isEqualTo(KeyScope.of("globex", "photos"));
            }
            for (int i = 0; i < CachingKeyManagementService.MAX_ACTIVE_KEYS + 50; i++) {
                cache.generateDataKey(KEK, KeyScope.of("tenant", "bucket-" + i)).close();
            }
            assertThat(cache.stats().activeDataKeys()).isLessThanOrEqualTo(CachingKeyManagementService.MAX_ACTIVE_KEYS);
        }
    }

    @Test
    void callersGetIndependentCopies() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final DataKey first = cache.generateDataKey(KEK);
            final byte[] bytes = first.copyKeyBytes();
            first.close(); // the caller's close must not destroy the cached key
            try (DataKey second = cache.generateDataKey(KEK)) {
                assertThat(second.copyKeyBytes()).isEqualTo(bytes);
            }
            assertThat(fake.issued.get(0).isDestroyed()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1005, 9})
    void maxObjectsBoundsEveryKeyExactly(final int objects) {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withMaxObjectsPerKey(10))) {
            for (int i = 0; i < objects; i++) {
                use(cache, KEK);
            }
            assertThat(fake.generateCalls).hasValue((objects + 9) / 10);
            assertThat(listener.retiredWith(RetireReason.MAX_OBJECTS)).hasSize(objects / 10);
        }
    }

    @Test
    void maxObjectsIsExactUnderConcurrency() throws Exception {
        final int threads = 8;
        final int perThread = 2000;
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withMaxObjectsPerKey(100))) {
            final List<String> dekIds = new CopyOnWriteArrayList<>();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        dekIds.add(use(cache, KEK));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (final Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(fake.generateCalls).hasValue(threads * perThread / 100);
            assertThat(dekIds.stream().collect(java.util.stream.Collectors.groupingBy(d -> d, java.util.stream.Collectors.counting())))
                    .allSatisfy((dekId, count) -> assertThat(count).isEqualTo(100L));
        }
    }

    @Test
    void maxAgeRetiresTheKey() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withMaxAge(Duration.ofMinutes(60)))) {
            final String first = use(cache, KEK);
            clock.advance(Duration.ofMinutes(59));
            assertThat(use(cache, KEK)).isEqualTo(first);
            clock.advance(Duration.ofMinutes(1));
            assertThat(use(cache, KEK)).isNotEqualTo(first);
            assertThat(fake.generateCalls).hasValue(2);
            assertThat(listener.retiredWith(RetireReason.MAX_AGE)).containsExactly(first);
            assertThat(fake.issued.get(0).isDestroyed()).isTrue();
        }
    }

    @Test
    void maxBytesRetiresTheKey() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withMaxBytesPerKey(1000))) {
            final DataKey first = cache.generateDataKey(KEK);
            cache.reportUsage(first.wrapped(), 600);
            assertThat(use(cache, KEK)).isEqualTo(first.dekId());
            cache.reportUsage(first.wrapped(), 400);
            assertThat(listener.retiredWith(RetireReason.MAX_BYTES)).containsExactly(first.dekId());
            assertThat(use(cache, KEK)).isNotEqualTo(first.dekId());
            assertThat(fake.generateCalls).hasValue(2);
            assertThat(fake.reportedUsageCalls).as("usage is forwarded").hasValue(2);
            assertThat(first.isDestroyed()).as("the caller's copy is the caller's").isFalse();
            first.close();
        }
    }

    @Test
    void concurrentMissesMakeOneKmsCall() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        fake.gate.set(() -> release.await(30, TimeUnit.SECONDS));
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> use(cache, KEK)));
            }
            awaitCondition(() -> fake.generateCalls.get() == 1);
            Thread.sleep(100); // let the other callers reach the flight
            release.countDown();
            final Set<String> dekIds = new HashSet<>();
            for (final Future<String> result : results) {
                dekIds.add(result.get(30, TimeUnit.SECONDS));
            }
            assertThat(fake.generateCalls).hasValue(1);
            assertThat(dekIds).hasSize(1);
        }
    }

    @Test
    void aFailedFetchReachesEveryWaiterAndIsNotCached() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        fake.gate.set(() -> release.await(30, TimeUnit.SECONDS));
        fake.failure.set(new KmsUnavailableException("KMS down"));
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> use(cache, KEK)));
            }
            awaitCondition(() -> fake.generateCalls.get() == 1);
            Thread.sleep(100);
            release.countDown();
            for (final Future<String> result : results) {
                assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(KmsUnavailableException.class).hasMessageContaining("KMS down");
            }
            final int callsDuringOutage = fake.generateCalls.get();
            assertThat(callsDuringOutage).isBetween(1, 8);
            fake.failure.set(null);
            use(cache, KEK);
            assertThat(fake.generateCalls).hasValue(callsDuringOutage + 1);
            assertThat(cache.stats().kmsFailures()).isEqualTo(callsDuringOutage);
        }
    }

    @Test
    void differentKeksDoNotWaitForEachOther() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        fake.gate.set(() -> {
            if (fake.generateCalls.get() == 1) {
                release.await(30, TimeUnit.SECONDS); // only the first ("slow") fetch blocks
            }
        });
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final Future<String> slow = pool.submit(() -> use(cache, "slow"));
            awaitCondition(() -> fake.generateCalls.get() == 1);
            final Future<String> fast = pool.submit(() -> use(cache, "fast"));
            assertThat(fast.get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(slow.isDone()).isFalse();
            release.countDown();
            assertThat(slow.get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void retiredAndClosedKeysAreZeroised() {
        final CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withMaxObjectsPerKey(2));
        final DataKey callerCopy = cache.generateDataKey(KEK);
        use(cache, KEK);
        use(cache, KEK); // third object: second DEK
        assertThat(fake.issued).hasSize(2);
        assertThat(fake.issued.get(0).isDestroyed()).as("retired DEK").isTrue();
        assertThat(fake.issued.get(1).isDestroyed()).as("active DEK").isFalse();
        assertThat(callerCopy.isDestroyed()).as("callers own their copies").isFalse();
        callerCopy.close();

        final WrappedDataKey foreign = fake.foreignWrappedKey(KEK);
        cache.unwrap(foreign).close();
        assertThat(fake.unwrapped.get(0).isDestroyed()).isFalse();

        cache.close();
        assertThat(fake.issued).allSatisfy(k -> assertThat(k.isDestroyed()).isTrue());
        assertThat(fake.unwrapped).allSatisfy(k -> assertThat(k.isDestroyed()).isTrue());
        assertThat(fake.closed).isTrue();
        assertThat(listener.retiredWith(RetireReason.CLOSED)).containsExactly(fake.issued.get(1).dekId());
        assertThatThrownBy(() -> cache.generateDataKey(KEK)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unwrapHitsTheCache() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final WrappedDataKey foreign = fake.foreignWrappedKey(KEK);
            final byte[] first;
            try (DataKey a = cache.unwrap(foreign)) {
                first = a.copyKeyBytes();
            }
            try (DataKey b = cache.unwrap(foreign)) {
                assertThat(b.copyKeyBytes()).isEqualTo(first);
            }
            assertThat(fake.unwrapCalls).hasValue(1);
            assertThat(cache.stats().unwrapHits()).isEqualTo(1);
            assertThat(cache.stats().unwrapMisses()).isEqualTo(1);
        }
    }

    @Test
    void keysThisProcessGeneratedUnwrapWithoutTheKms() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final DataKey generated = cache.generateDataKey(KEK);
            try (DataKey unwrapped = cache.unwrap(generated.wrapped())) {
                assertThat(unwrapped.copyKeyBytes()).isEqualTo(generated.copyKeyBytes());
            }
            assertThat(fake.unwrapCalls).hasValue(0);
            generated.close();
        }
    }

    @Test
    void tamperedWrappedKeyNeverHitsTheCache() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final WrappedDataKey genuine;
            try (DataKey generated = cache.generateDataKey(KEK)) {
                genuine = generated.wrapped();
            }
            final byte[] bytes = genuine.ciphertext();
            bytes[3] ^= 1;
            assertThatThrownBy(() -> cache.unwrap(new WrappedDataKey(genuine.dekId(), genuine.kek(), bytes)))
                    .isInstanceOf(KeyUnwrapException.class);
            assertThat(fake.unwrapCalls).hasValue(1);
        }
    }

    @Test
    void unwrapCacheIsBoundedBySize() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withMaxUnwrapEntries(2))) {
            final WrappedDataKey a = fake.foreignWrappedKey(KEK);
            final WrappedDataKey b = fake.foreignWrappedKey(KEK);
            final WrappedDataKey c = fake.foreignWrappedKey(KEK);
            cache.unwrap(a).close();
            cache.unwrap(b).close();
            cache.unwrap(a).close(); // a is now more recently used than b
            cache.unwrap(c).close(); // evicts b
            assertThat(fake.unwrapCalls).hasValue(3);
            assertThat(fake.unwrapped.get(1).isDestroyed()).as("evicted b").isTrue();
            assertThat(cache.stats().unwrapEntries()).isEqualTo(2);
            cache.unwrap(a).close();
            assertThat(fake.unwrapCalls).hasValue(3);
            cache.unwrap(b).close();
            assertThat(fake.unwrapCalls).hasValue(4);
        }
    }

    @Test
    void unwrapCacheIsBoundedByAge() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withUnwrapMaxAge(Duration.ofMinutes(10)))) {
            final WrappedDataKey a = fake.foreignWrappedKey(KEK);
            cache.unwrap(a).close();
            clock.advance(Duration.ofMinutes(9));
            cache.unwrap(a).close();
            assertThat(fake.unwrapCalls).hasValue(1);
            clock.advance(Duration.ofMinutes(1));
            cache.unwrap(a).close();
            assertThat(fake.unwrapCalls).hasValue(2);
            assertThat(fake.unwrapped.get(0).isDestroyed()).isTrue();
        }
    }

    @Test
    void concurrentUnwrapMissesMakeOneKmsCall() throws Exception {
        final WrappedDataKey wrapped = fake.foreignWrappedKey(KEK);
        final CountDownLatch release = new CountDownLatch(1);
        fake.gate.set(() -> release.await(30, TimeUnit.SECONDS));
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> {
                    try (DataKey key = cache.unwrap(wrapped)) {
                        return key.copyKeyBytes();
                    }
                }));
            }
            awaitCondition(() -> fake.unwrapCalls.get() == 1);
            Thread.sleep(100);
            release.countDown();
            final byte[] expected = results.get(0).get(30, TimeUnit.SECONDS);
            for (final Future<byte[]> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
            }
            assertThat(fake.unwrapCalls).hasValue(1);
        }
    }

    @Test
    void listenerSeesCreationAndRetirement() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults().withMaxObjectsPerKey(1))) {
            final String first = use(cache, KEK);
            final String second = use(cache, KEK);
            assertThat(listener.created).containsExactly(first, second);
            assertThat(listener.events).containsExactly("created " + first, "retired " + first + " MAX_OBJECTS",
                    "created " + second, "retired " + second + " MAX_OBJECTS");
            assertThat(cache.stats().retired()).isEqualTo(2);
        }
    }

    @Test
    void aFailingListenerDoesNotBreakEncryption() {
        final DataKeyCacheListener broken = new DataKeyCacheListener() {
            @Override
            public void onDataKeyCreated(final WrappedDataKey key) {
                throw new IllegalStateException("listener bug");
            }
        };
        try (CachingKeyManagementService cache = new CachingKeyManagementService(fake, DataKeyCacheConfig.defaults(), clock, broken)) {
            assertThat(use(cache, KEK)).isNotNull();
        }
    }

    @Test
    void rotateKeyRetiresTheActiveDataKey() {
        try (CachingKeyManagementService cache = cache(DataKeyCacheConfig.defaults())) {
            final DataKey before = cache.generateDataKey(KEK);
            cache.rotateKey(KEK);
            try (DataKey after = cache.generateDataKey(KEK)) {
                assertThat(after.dekId()).isNotEqualTo(before.dekId());
                assertThat(after.kek().version()).isEqualTo("2");
            }
            assertThat(listener.retiredWith(RetireReason.EVICTED)).containsExactly(before.dekId());
            assertThat(fake.issued.get(0).isDestroyed()).isTrue();
            try (DataKey old = cache.unwrap(before.wrapped())) {
                assertThat(old.copyKeyBytes()).as("old objects still decrypt").isEqualTo(before.copyKeyBytes());
            }
            before.close();
        }
    }

    private static void awaitCondition(final java.util.function.BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 30 s");
            }
            Thread.sleep(5);
        }
    }

    static final class RecordingListener implements DataKeyCacheListener {
        final List<String> created = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String[]> retired = new CopyOnWriteArrayList<>();

        @Override
        public void onDataKeyCreated(final WrappedDataKey key) {
            created.add(key.dekId());
            events.add("created " + key.dekId());
        }

        @Override
        public void onDataKeyRetired(final WrappedDataKey key, final RetireReason reason) {
            retired.add(new String[] {key.dekId(), reason.name()});
            events.add("retired " + key.dekId() + " " + reason);
        }

        List<String> retiredWith(final RetireReason reason) {
            return retired.stream().filter(r -> r[1].equals(reason.name())).map(r -> r[0]).toList();
        }
    }
}
