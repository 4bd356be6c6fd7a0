package io.sealstream.app;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.clients.admin.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts, at once, the open transaction an instance left behind when it died. Under exactly_once_v2 each stream
 * thread has its own transactional id, {@code <application.id>-<processId>-<thread>}; when an instance dies without
 * coming back, no survivor shares that id, so nothing fences it: the broker aborts the transaction only when
 * {@code transaction.timeout.ms} has passed (plus up to its 10 s clean-up interval). Until then every
 * read_committed reader of the partitions it wrote (the audit topic, the objects topic, the changelogs and the
 * uploads' committed offsets that the new owner must read before it starts) waits.
 *
 * <p>Every second or so this checks the application's open transactions against the members of its consumer group.
 * A transaction whose stream thread (process id and thread index) is no longer a member is fenced with
 * {@link Admin#fenceProducers}, which bumps its epoch and aborts it: a dead instance's, once the group coordinator
 * removed it when its session expired, and also one an instance left under another thread index than it runs now (a
 * replaced stream thread takes a new index, so an instance killed after a replacement and restarted on its state
 * directory does not fence its own open transaction by starting). Safety:
 * <ul>
 *   <li>it acts only when this instance finds itself in the member list (so the list is current), and only when every
 *       member's client id shows its process id (an instance with {@code client.id} set would otherwise look dead);</li>
 *   <li>only on ids in Kafka Streams' format under this application id;</li>
 *   <li>only on a transaction found abandoned in two checks in a row (no clock is compared with the broker's).</li>
 * </ul>
 * Should it ever fence a live instance, that instance's thread sees a fenced producer, Kafka Streams closes its tasks
 * and it rejoins: nothing is lost or duplicated, the open transaction is simply redone.
 *
 * <p>Needs DESCRIBE and WRITE on the application's transactional ids and DESCRIBE on its group. An authorization error
 * is logged once and ends the checks. Ids it may not describe are left out of the listing by the broker without an
 * error, so missing DESCRIBE shows only as a fencer that never acts (OPERATIONS.md lists the ACLs). Other failures
 * are logged at WARN after {@link #FAILURES_BEFORE_WARNING} checks in a row. Whenever it cannot act, the transaction
 * timeout bounds the wait.
 */
final class AbandonedTransactionFencer {

    private static final Logger LOG = LoggerFactory.getLogger(AbandonedTransactionFencer.class);
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    static final int FAILURES_BEFORE_WARNING = 30;

    private final Admin admin;
    private final String applicationId;
    private final Clock clock;
    private final Supplier<Optional<String>> ownProcessId;
    private final Pattern transactionalId;
    private final Pattern memberClientId;
    private boolean disabled;
    private int failuresInARow;
    private boolean warnedAboutClientIds;
    /** Abandoned in the previous check: fenced if still abandoned in this one. */
    private Set<String> abandonedBefore = Set.of();

    /**
     * @param ownProcessId this instance's Kafka Streams process id, once its threads exist (empty before)
     */
    AbandonedTransactionFencer(final Admin admin, final String applicationId, final Clock clock,
                               final Supplier<Optional<String>> ownProcessId) {
        this.admin = admin;
        this.applicationId = applicationId;
        this.clock = clock;
        this.ownProcessId = ownProcessId;
        this.transactionalId = Pattern.compile(Pattern.quote(applicationId) + "-(" + UUID + ")-(\\d+)");
        this.memberClientId = Pattern.compile(Pattern.quote(applicationId) + "-(" + UUID + ")-StreamThread-(\\d+)-consumer");
    }

    /** The process id in a stream thread's consumer client id ({@code <app>-<processId>-StreamThread-<n>-consumer}). */
    static Optional<String> processIdOfClient(final String applicationId, final String clientId) {
        final Matcher m = Pattern.compile(Pattern.quote(applicationId) + "-(" + UUID + ")-StreamThread-\\d+-consumer")
                .matcher(clientId);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** One check; returns the transactional ids it fenced. Never throws. */
    List<String> check() {
        if (disabled) {
            return List.of();
        }
        try {
            final List<String> fenced = fenceAbandoned();
            failuresInARow = 0;
            return fenced;
        } catch (final ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof AuthorizationException || cause instanceof TransactionalIdAuthorizationException
                    || cause instanceof GroupAuthorizationException || cause instanceof UnsupportedVersionException) {
                disabled = true;
                LOG.warn("cannot fence transactions left open by dead instances ({}: {}); after an instance dies, "
                        + "read_committed readers of what it wrote wait up to transaction.timeout.ms. Grant DESCRIBE "
                        + "and WRITE on transactional ids prefixed {}- and DESCRIBE on group {}", cause.getClass()
                        .getSimpleName(), cause.getMessage(), applicationId, applicationId);
            } else {
                failed(String.valueOf(cause));
            }
        } catch (final TimeoutException | RuntimeException e) {
            failed(String.valueOf(e));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }

    private void failed(final String why) {
        failuresInARow++;
        if (failuresInARow == FAILURES_BEFORE_WARNING) {
            LOG.warn("{} abandoned-transaction checks in a row failed (last: {}); until they succeed, a dead instance's "
                    + "open transaction blocks readers until transaction.timeout.ms", failuresInARow, why);
        } else {
            LOG.debug("abandoned-transaction check failed: {}", why);
        }
    }

    private List<String> fenceAbandoned() throws ExecutionException, InterruptedException, TimeoutException {
        final Optional<String> self = ownProcessId.get();
        if (self.isEmpty()) {
            return List.of();
        }
        final Collection<TransactionListing> open = admin.listTransactions(new ListTransactionsOptions()
                .filterStates(List.of(TransactionState.ONGOING)).timeoutMs(5_000)).all().get(10, TimeUnit.SECONDS);
        final List<String> candidates = new ArrayList<>();
        for (final TransactionListing t : open) {
            if (transactionalId.matcher(t.transactionalId()).matches()) {
                candidates.add(t.transactionalId());
            }
        }
        if (candidates.isEmpty()) {
            abandonedBefore = Set.of();
            return List.of();
        }
        final ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId)).all()
                .get(10, TimeUnit.SECONDS).get(applicationId);
        final Set<String> live = new HashSet<>();
        final Set<String> liveProcesses = new HashSet<>();
        for (final MemberDescription member : group.members()) {
            final Matcher m = memberClientId.matcher(member.clientId());
            if (!m.matches()) {
                // A member whose process id cannot be read (client.id set on that instance): any transaction could be
                // its own. Do nothing rather than fence a live instance over and over.
                if (!warnedAboutClientIds) {
                    warnedAboutClientIds = true;
                    LOG.warn("group {} has a member with client id {}, not Kafka Streams' default: transactions left "
                            + "open by dead instances wait for transaction.timeout.ms while it is a member",
                            applicationId, member.clientId());
                }
                abandonedBefore = Set.of();
                return List.of();
            }
            // A stream thread's consumer and producer share its index: process id and index name its transactions.
            live.add(m.group(1) + "-" + m.group(2));
            liveProcesses.add(m.group(1));
        }
        if (!liveProcesses.contains(self.get()) || group.groupState() == GroupState.DEAD) {
            abandonedBefore = Set.of(); // the member list does not show us yet: it cannot be trusted to show who is gone
            return List.of();
        }
        final Set<String> abandoned = new HashSet<>();
        for (final String id : candidates) {
            final Matcher m = transactionalId.matcher(id);
            // Abandoned: no member is this process's thread of that index. That covers a dead instance, and also
            // this very process's earlier life (restarted on its state directory after its thread had been replaced,
            // so its open transaction sits on another index than any thread it runs now).
            if (m.matches() && !live.contains(m.group(1) + "-" + m.group(2))) {
                abandoned.add(id);
            }
        }
        final List<String> fence = abandoned.stream().filter(abandonedBefore::contains).sorted().toList();
        abandonedBefore = abandoned;
        if (fence.isEmpty()) {
            return List.of();
        }
        final Map<String, TransactionDescription> described = admin.describeTransactions(fence).all()
                .get(10, TimeUnit.SECONDS);
        admin.fenceProducers(fence).all().get(10, TimeUnit.SECONDS);
        final long now = clock.millis();
        for (final String id : fence) {
            final OptionalLong started = described.get(id).transactionStartTimeMs();
            LOG.warn("aborted the transaction {} left open by a stream thread that is no longer in group {} (open for about "
                    + "{} ms): read_committed readers of what it wrote go on", id, applicationId,
                    started.isPresent() ? Math.max(0, now - started.getAsLong()) : -1);
        }
        return fence;
    }
}
