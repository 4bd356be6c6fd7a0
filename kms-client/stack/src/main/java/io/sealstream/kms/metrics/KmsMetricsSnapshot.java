package io.sealstream.kms.metrics;

import java.util.Map;

/** Point-in-time copy of a {@link MeteredKeyManagementService}'s counters, per operation. */
public record KmsMetricsSnapshot(String provider, Map<KmsOperation, OperationMetrics> operations) {

    public KmsMetricsSnapshot {
        operations = Map.copyOf(operations);
    }

    public OperationMetrics get(final KmsOperation operation) {
        return operations.get(operation);
    }

    /** Calls over all operations. */
    public long totalCalls() {
        return operations.values().stream().mapToLong(OperationMetrics::calls).sum();
    }
}
