// Announce a staged upload to sealstream from Node.js: KafkaJS and the Confluent-API schema registry client.
//   npm install kafkajs @kafkajs/confluent-schema-registry
//   node produce-upload.mjs   (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL from stack.env; TOPIC, TENANT optional)
// The schema is the one `sealstream stack up` / `run` registered under sealstream.uploads-value: this client (like
// Confluent's JavaScript serializer) cannot register a union of records itself.
import { Kafka } from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { randomUUID } from 'node:crypto';

const topic = process.env.TOPIC ?? 'sealstream.uploads';
const registry = new SchemaRegistry({ host: process.env.SCHEMA_REGISTRY_URL });
const kafka = new Kafka({ clientId: 'upload-producer', brokers: process.env.KAFKA_BOOTSTRAP_SERVERS.split(',') });

const schemaId = await registry.getLatestSchemaId(`${topic}-value`);
const tenant = process.env.TENANT ?? 'acme';
const event = {
  eventId: process.env.EVENT_ID ?? randomUUID(),
  eventTime: Date.now(),                       // timestamp-millis
  tenant,
  bucket: 'invoices',
  objectKey: process.env.OBJECT_KEY ?? 'from-node.txt',
  contentType: 'text/plain',                   // ["null","string"]: the value itself
  uploader: 'node@' + tenant,
  userMetadata: {},
  // The payload union of two records is written wrapped, named by the branch's full name.
  payload: process.env.STAGED_LOCATION
    ? { 'io.sealstream.events.StagedPayload': {
          location: process.env.STAGED_LOCATION, size: Number(process.env.STAGED_SIZE), sha256: null } }
    : { 'io.sealstream.events.InlinePayload': { data: Buffer.from(process.env.DATA ?? 'hello from node\n') } },
};
const producer = kafka.producer({ idempotent: true });
await producer.connect();
// Key by tenant/bucket/objectKey: repeats and later uploads of one object stay in order on one partition.
await producer.send({ topic, messages: [{
  key: `${event.tenant}/${event.bucket}/${event.objectKey}`,
  value: await registry.encode(schemaId, event),
  headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
}] });
await producer.disconnect();
console.log(`sent ${event.eventId} (schema id ${schemaId})`);
