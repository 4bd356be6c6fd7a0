package io.sealstream.kms.fake;

import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import io.sealstream.kms.UnsupportedKmsOperationException;
import io.sealstream.kms.WrappedDataKey;
import java.util.List;
import java.util.Map;

/**
 * A provider that exists only in this module's tests, registered in its own {@code META-INF/services}: what a new
 * provider module does, and all it does.
 */
public final class FakeProviderFactory implements KmsProviderFactory {

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public KeyManagementService open(final Map<String, String> settings, final Map<String, String> environment) {
        final String label = settings.getOrDefault("sealstream.kms.fake.label", "unlabelled");
        return new KeyManagementService() {
            @Override
            public String providerName() {
                return "fake:" + label;
            }

            @Override
            public DataKey generateDataKey(final String kekId, final KeyScope scope) {
                throw new UnsupportedKmsOperationException(providerName(), "generateDataKey");
            }

            @Override
            public DataKey unwrap(final WrappedDataKey wrapped) {
                throw new UnsupportedKmsOperationException(providerName(), "unwrap");
            }

            @Override
            public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
                return wrapped;
            }

            @Override
            public KeyDescription describeKey(final String kekId) {
                throw new UnsupportedKmsOperationException(providerName(), "describeKey");
            }

            @Override
            public KeyDescription createKey(final String kekId) {
                throw new UnsupportedKmsOperationException(providerName(), "createKey");
            }

            @Override
            public KeyDescription rotateKey(final String kekId) {
                throw new UnsupportedKmsOperationException(providerName(), "rotateKey");
            }

            @Override
            public List<KeyDescription> listKeys() {
                return List.of();
            }
        };
    }
}
