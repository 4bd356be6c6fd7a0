package io.sealstream.store;

/** The configuration of one kind of store; {@link ObjectStores#create(ObjectStoreConfig)} makes the store. */
public sealed interface ObjectStoreConfig permits FilesystemStoreConfig, S3StoreConfig {
}
