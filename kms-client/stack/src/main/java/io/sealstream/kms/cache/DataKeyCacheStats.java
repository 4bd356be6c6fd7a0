package io.sealstream.kms.cache;

/**
 * Counters of a {@link CachingKeyManagementService} since it was created. Counts only, no key ids.
 *
 * @param encryptHits    {@code generateDataKey} calls served by an already cached DEK
 * @param encryptMisses  {@code generateDataKey} calls that had to fetch a DEK from the KMS
 * @param unwrapHits     {@code unwrap} calls served from the cache
 * @param unwrapMisses   {@code unwrap} calls that had to ask the KMS
 * @param kmsCalls       calls made to the delegate (all operations except usage reports and close)
 * @param retired        DEKs retired from encryption (any reason)
 * @param kmsFailures    delegate calls that failed
 * @param activeDataKeys DEKs currently used for encryption (one per KEK id at most)
 * @param unwrapEntries  DEKs currently held for decryption
 */
public record DataKeyCacheStats(long encryptHits, long encryptMisses, long unwrapHits, long unwrapMisses,
                                long kmsCalls, long retired, long kmsFailures, int activeDataKeys, int unwrapEntries) {
}
