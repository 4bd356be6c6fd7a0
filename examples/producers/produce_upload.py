"""Announce an upload to sealstream from Python: confluent-kafka and its Avro serializer.

    pip install 'confluent-kafka[avro]'
    python3 produce_upload.py      # KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL from stack.env

The serializer fetches the schema `sealstream stack up` / `run` registered under sealstream.uploads-value
(use.latest.version) instead of registering its own.
"""
import os
import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

topic = os.environ.get("TOPIC", "sealstream.uploads")
registry = SchemaRegistryClient({"url": os.environ["SCHEMA_REGISTRY_URL"]})
serializer = AvroSerializer(registry, schema_str=None,
                            conf={"auto.register.schemas": False, "use.latest.version": True})
tenant = os.environ.get("TENANT", "acme")
event = {
    "eventId": str(uuid.uuid4()),
    "eventTime": int(time.time() * 1000),  # timestamp-millis
    "tenant": tenant,
    "bucket": "invoices",
    "objectKey": os.environ.get("OBJECT_KEY", "from-python.txt"),
    "contentType": "text/plain",
    "uploader": "python@" + tenant,
    "userMetadata": {},
    # The payload union: a (branch name, value) tuple picks the record explicitly.
    "payload": ("io.sealstream.events.InlinePayload", {"data": b"hello from python\n"}),
}
producer = Producer({"bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"], "enable.idempotence": True})
producer.produce(topic, key=f"{tenant}/invoices/{event['objectKey']}",
                 value=serializer(event, SerializationContext(topic, MessageField.VALUE)))
producer.flush()
print("sent", event["eventId"])
