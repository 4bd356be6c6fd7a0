package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * On the real broker: a transaction left open by a stream thread of an instance that is no longer in the group is
 * aborted at once, so read_committed readers go on; a live instance's transaction, and any other application's, are
 * left alone; and nothing is fenced while this instance cannot see itself in the group.
 */
class AbandonedTransactionFencerIT {

    @Test
    void theOpenTransactionOfAProcessNoLongerInTheGroupIsAbortedAndNoOtherIs() throws Exception {
        final String bootstrap = SharedKafka.bootstrapServers();
        final String app = "fencer-it-" + UUID.randomUUID().toString().substring(0, 8);
        final String topic = app + "-out";
        final String live = UUID.randomUUID().toString();
        final String dead = UUID.randomUUID().toString();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);

            // The live instance: a member of the group (a stream thread's consumer, named as Kafka Streams names it)
            // with a transaction open, as at any moment between two commits.
            try (KafkaConsumer<String, String> member = consumer(bootstrap, app, app + "-" + live
                         + "-StreamThread-1-consumer", "read_uncommitted");
                 KafkaProducer<String, String> liveThread = transactional(bootstrap, app + "-" + live + "-1");
                 KafkaProducer<String, String> deadThread = transactional(bootstrap, app + "-" + dead + "-1");
                 KafkaProducer<String, String> otherApp = transactional(bootstrap, "other-" + app + "-" + dead + "-1")) {
                member.subscribe(List.of(topic));
                final long joinBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (member.assignment().isEmpty() && System.nanoTime() < joinBy) {
                    member.poll(Duration.ofMillis(100));
                }
                assertThat(member.assignment()).as("joined the group").isNotEmpty();

                // The dead instance's thread wrote first and never committed: it blocks every read_committed reader.
                deadThread.beginTransaction();
                deadThread.send(new ProducerRecord<>(topic, "dead", "from the dead instance")).get();
                liveThread.beginTransaction();
                liveThread.send(new ProducerRecord<>(topic, "live", "from the live instance")).get();
                otherApp.beginTransaction();
                otherApp.send(new ProducerRecord<>(topic, "other", "another application's")).get();
                Thread.sleep(1_200);

                // Not sure of the member list (it does not show us): nothing is fenced.
                final AbandonedTransactionFencer blind = new AbandonedTransactionFencer(admin, app, Clock.systemUTC(),
                        () -> Optional.of(UUID.randomUUID().toString()));
                assertThat(blind.check()).isEmpty();
                assertThat(blind.check()).isEmpty();

                // Abandoned in one check is not enough: it must still be so in the next.
                final AbandonedTransactionFencer fencer = new AbandonedTransactionFencer(admin, app, Clock.systemUTC(),
                        () -> Optional.of(live));
                assertThat(fencer.check()).isEmpty();
                assertThat(fencer.check()).containsExactly(app + "-" + dead + "-1");
                assertThatThrownBy(deadThread::commitTransaction).isInstanceOf(KafkaException.class);

                // The live thread's transaction survived, commits, and a read_committed reader sees exactly it.
                liveThread.commitTransaction();
                otherApp.abortTransaction();
                try (KafkaConsumer<String, String> reader = consumer(bootstrap, app + "-reader", app + "-reader",
                        "read_committed")) {
                    reader.assign(List.of(new TopicPartition(topic, 0)));
                    reader.seekToBeginning(reader.assignment());
                    final List<String> keys = new ArrayList<>();
                    final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (keys.isEmpty() && System.nanoTime() < until) {
                        for (final ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                            keys.add(r.key());
                        }
                    }
                    assertThat(keys).containsExactly("live");
                }
                assertThat(fencer.check()).as("nothing left to fence").isEmpty();

                // The live process's own transaction under a thread index none of its threads has now (the instance was
                // restarted after its thread had been replaced): nobody else would ever fence it.
                try (KafkaProducer<String, String> formerThread = transactional(bootstrap, app + "-" + live + "-2")) {
                    formerThread.beginTransaction();
                    formerThread.send(new ProducerRecord<>(topic, "former", "from a replaced thread")).get();
                    assertThat(fencer.check()).isEmpty();
                    assertThat(fencer.check()).containsExactly(app + "-" + live + "-2");
                    assertThatThrownBy(formerThread::commitTransaction).isInstanceOf(KafkaException.class);
                }

                // A member whose client id does not show its process id (client.id set on that instance) could own any
                // transaction: nothing is fenced while it is in the group.
                try (KafkaConsumer<String, String> custom = consumer(bootstrap, app, "my-own-client-id", "read_uncommitted");
                     KafkaProducer<String, String> another = transactional(bootstrap, app + "-" + UUID.randomUUID() + "-1")) {
                    custom.subscribe(List.of(topic));
                    final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (custom.assignment().isEmpty() && System.nanoTime() < until) {
                        custom.poll(Duration.ofMillis(100));
                        member.poll(Duration.ofMillis(100));
                    }
                    another.beginTransaction();
                    another.send(new ProducerRecord<>(topic, "x", "owner unknown")).get();
                    assertThat(fencer.check()).isEmpty();
                    assertThat(fencer.check()).isEmpty();
                    another.commitTransaction();
                }
            }
        }
    }

    private static KafkaProducer<String, String> transactional(final String bootstrap, final String transactionalId) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000);
        final KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    private static KafkaConsumer<String, String> consumer(final String bootstrap, final String group,
                                                          final String clientId, final String isolation) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
