package io.sealstream.serde;

import java.util.LinkedHashMap;
import java.util.Map;

/** A small thread-safe LRU map. */
final class BoundedCache<K, V> {

    private final Map<K, V> map;

    BoundedCache(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized V get(final K key) {
        return map.get(key);
    }

    synchronized void put(final K key, final V value) {
        map.put(key, value);
    }

    synchronized int size() {
        return map.size();
    }

    synchronized void clear() {
        map.clear();
    }
}
