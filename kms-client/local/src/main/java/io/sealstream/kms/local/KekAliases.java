package io.sealstream.kms.local;

import io.sealstream.kms.KekRef;
import io.sealstream.kms.KmsException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Naming of the local KEKs: valid key ids and versions, and their reversible mapping to PKCS#12 aliases. */
final class KekAliases {

    static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern VERSION_ALIAS = Pattern.compile("(.+)#v([1-9][0-9]{0,8})");
    private static final String INVALID_KEY_ID =
            "invalid KEK id: use 1 to 128 characters from A-Z a-z 0-9 . _ -";

    private KekAliases() {
    }

    static void requireValidKeyId(final String kekId) {
        if (kekId == null || !KEY_ID.matcher(kekId).matches()) {
            throw new IllegalArgumentException(INVALID_KEY_ID);
        }
    }

    static KekRef ref(final String keyId, final int version) {
        return new KekRef(LocalKeyStoreKms.PROVIDER, keyId, Integer.toString(version));
    }

    static String alias(final String keyId, final int version) {
        final StringBuilder alias = new StringBuilder(keyId.length() + 8);
        for (int i = 0; i < keyId.length(); i++) {
            final char c = keyId.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                alias.append('^').append(Character.toLowerCase(c));
            } else {
                alias.append(c);
            }
        }
        return alias.append("#v").append(version).toString();
    }

    /** Key id of an escaped alias prefix, or null if it is not one of ours. */
    private static String unescapeKeyId(final String escaped) {
        final StringBuilder keyId = new StringBuilder(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            final char c = escaped.charAt(i);
            if (c == '^') {
                if (++i == escaped.length() || escaped.charAt(i) < 'a' || escaped.charAt(i) > 'z') {
                    return null; // only our own escapes: '^' before a lower-case letter
                }
                keyId.append(Character.toUpperCase(escaped.charAt(i)));
            } else {
                keyId.append(c);
            }
        }
        final String id = keyId.toString();
        return KEY_ID.matcher(id).matches() ? id : null;
    }

    static Map<String, TreeSet<Integer>> versionsIn(final KeyStore store) {
        final Map<String, TreeSet<Integer>> versions = new TreeMap<>();
        try {
            for (final String alias : Collections.list(store.aliases())) {
                final Matcher m = VERSION_ALIAS.matcher(alias);
                if (!m.matches() || !store.isKeyEntry(alias)) {
                    continue; // not ours; leave foreign entries alone
                }
                final String keyId = unescapeKeyId(m.group(1));
                if (keyId != null) {
                    versions.computeIfAbsent(keyId, k -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
                }
            }
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot list key store entries", e);
        }
        return versions;
    }
}
