package io.sealstream.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Records the S3 operations a store sends (with their HTTP headers) and can make chosen ones fail. */
final class RecordingInterceptor implements ExecutionInterceptor {

    record Sent(String operation, Map<String, List<String>> headers) {
    }

    private final List<String> calls = new ArrayList<>();
    private final List<Sent> sent = new ArrayList<>();
    private volatile Predicate<String> failing = operation -> false;
    private int callsSoFar;

    /** Fails, client-side, each call whose operation name ("UploadPart") and call number the predicate accepts. */
    void failWhen(final Predicate<String> operationAndCallNumber) {
        this.failing = operationAndCallNumber;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    synchronized void clear() {
        calls.clear();
        sent.clear();
    }

    @Override
    public void beforeExecution(final Context.BeforeExecution context, final ExecutionAttributes attributes) {
        final String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        final int number;
        synchronized (this) {
            calls.add(operation);
            number = ++callsSoFar;
        }
        if (failing.test(operation) || failing.test(operation + "#" + number)) {
            throw SdkClientException.create("injected failure of " + operation);
        }
    }

    @Override
    public void beforeTransmission(final Context.BeforeTransmission context, final ExecutionAttributes attributes) {
        final String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        synchronized (this) {
            sent.add(new Sent(operation, context.httpRequest().headers()));
        }
    }
}
