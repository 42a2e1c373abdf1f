// A partner system (e.g. a municipality's case system) submits one registration of interest to selvhjelp
// over AMQP and waits for the answer on its own reply queue. See docs/partners.md.
//
//   AMQP_URL=amqp://kommune-x:SECRET@rabbitmq.example:5671/selvhjelp node submit.mjs registration.json
//
// Prints each answer on the reply queue as one JSON line, until the one to this submission arrives:
// registration.received.v1 (our registration id for your reference; exit 0) or registration.rejected.v1
// (which fields were wrong; exit 2).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';

const url = process.env.AMQP_URL;
if (!url || process.argv.length < 3) {
  console.error('usage: AMQP_URL=amqp://USER:PASSWORD@HOST:PORT/VHOST node submit.mjs registration.json');
  process.exit(64);
}
// Our broker user is our name at selvhjelp: it names the reply queue, and every message we publish
// carries it as `userId`, which the broker checks against the user we connected as.
const partner = decodeURIComponent(new URL(url).username);
const replyQueue = `partner.${partner}.replies`;
const timeoutMs = Number(process.env.ANSWER_TIMEOUT_MS || 30000);

const envelope = {
  event_id: randomUUID(), // keep it with your case: the answer names it as submitted_event_id
  event_type: 'registration.submitted.v1',
  schema_version: 1,
  occurred_at: new Date().toISOString(),
  correlation_id: randomUUID(),
  source: partner,
  data: JSON.parse(readFileSync(process.argv[2], 'utf8')), // must carry your own external_ref
};

const connection = await amqp.connect(url);
let exitCode = 1;
try {
  const channel = await connection.createConfirmChannel();
  await channel.prefetch(10);
  const answer = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    // No assertQueue: the queue is ours to read, not to declare (our user may configure nothing).
    channel.consume(replyQueue, (message) => {
      if (message === null) return reject(new Error('the broker cancelled our consumer'));
      const reply = JSON.parse(message.content.toString('utf8'));
      console.log(JSON.stringify(reply));
      // A real system would store each answer with its case before acknowledging it.
      channel.ack(message);
      if (reply.data.submitted_event_id === envelope.event_id) {
        clearTimeout(timer);
        resolve(reply);
      }
    });
  });
  channel.publish(
    'selvhjelp.intake',
    'registration.submitted.v1',
    Buffer.from(JSON.stringify(envelope)),
    {
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      messageId: envelope.event_id,
      type: envelope.event_type,
      userId: partner,
    },
  );
  await channel.waitForConfirms(); // the broker has it: from here on, answers come to our queue
  const reply = await answer;
  exitCode = reply.event_type === 'registration.received.v1' ? 0 : 2;
} catch (error) {
  console.error(`failed: ${error.message}`);
} finally {
  await connection.close().catch(() => {});
}
process.exit(exitCode);
