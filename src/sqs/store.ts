/**
 * Queues and their messages in the registry's SQLite database (tables sqs_queues and
 * sqs_messages, migration 5). Every method is synchronous on the one better-sqlite3 connection,
 * so callers can compose them inside a larger transaction of their own.
 *
 * A message is visible when `visible_at <= now`; otherwise it is in flight when it has been
 * received (it has a receipt) and delayed when it has not. FIFO queues (migration 12) hand out
 * messages in send order per message group, and none of a group while one of it is in flight.
 */
import { randomBytes } from "node:crypto";
import type Sqlite from "better-sqlite3";
import { SqsError } from "./errors.js";
import type { NewMessage, StoredAttributes } from "./message.js";
import type { QueueSettings } from "./queue-attributes.js";

export interface QueueRecord {
  name: string;
  /** Epoch seconds. */
  created: number;
  lastModified: number;
  settings: QueueSettings;
}

export interface StoredMessage {
  id: string;
  body: string;
  attributes?: StoredAttributes;
  systemAttributes?: StoredAttributes;
  md5OfBody: string;
  /** Epoch ms. */
  sent: number;
  receiveCount: number;
  firstReceive?: number;
  deadLetterSource?: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: number;
}

/** A message's place in a FIFO queue (or a fair standard queue's group). */
export interface MessageOrdering {
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: number;
}

export interface ReceivedMessage extends StoredMessage {
  receiptHandle: string;
}

export interface MessageCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

interface QueueRow {
  name: string;
  created: number;
  last_modified: number;
  settings: string;
}

interface MessageRow {
  seq: number;
  id: string;
  body: string;
  attributes: string | null;
  system_attributes: string | null;
  md5_body: string;
  sent: number;
  visible_at: number;
  receive_count: number;
  first_receive: number | null;
  receipt: string | null;
  dead_letter_source: string | null;
  group_id: string | null;
  deduplication_id: string | null;
  sequence_number: number | null;
}

/** Per message group of a FIFO queue, its first message that cannot be received now and whether any is in flight. */
interface HiddenGroupRow {
  group_id: string | null;
  first_hidden: number;
  in_flight: number;
}

/** How a received message leaves a queue whose RedrivePolicy says it was received too often. */
export interface Redrive {
  maxReceiveCount: number;
  /** The dead-letter queue's name, or undefined when it no longer exists (the message then stays). */
  target: string | undefined;
  sourceArn: string;
}

/** Candidates read per step of ReceiveMessage; redriven messages make it read more than it returns. */
const RECEIVE_CHUNK = 32;

function toQueue(row: QueueRow): QueueRecord {
  return { name: row.name, created: row.created, lastModified: row.last_modified, settings: JSON.parse(row.settings) as QueueSettings };
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    body: row.body,
    attributes: row.attributes === null ? undefined : (JSON.parse(row.attributes) as StoredAttributes),
    systemAttributes: row.system_attributes === null ? undefined : (JSON.parse(row.system_attributes) as StoredAttributes),
    md5OfBody: row.md5_body,
    sent: row.sent,
    receiveCount: row.receive_count,
    firstReceive: row.first_receive ?? undefined,
    deadLetterSource: row.dead_letter_source ?? undefined,
    groupId: row.group_id ?? undefined,
    deduplicationId: row.deduplication_id ?? undefined,
    sequenceNumber: row.sequence_number ?? undefined,
  };
}

/**
 * A receipt handle names the queue, the message and the one receive it came from, so a handle
 * from an earlier receive (or another queue) is recognised as stale rather than acting on the
 * message's newest receive.
 */
function receiptHandle(queue: string, id: string, nonce: string): string {
  return Buffer.from(`${queue}/${id}/${nonce}`).toString("base64url");
}

function parseReceiptHandle(handle: string): { queue: string; id: string; nonce: string } | undefined {
  const parts = /^[A-Za-z0-9_-]+$/.test(handle) ? Buffer.from(handle, "base64url").toString().split("/") : [];
  const [queue, id, nonce] = parts;
  if (parts.length !== 3 || !queue || !id || !nonce) return undefined;
  return { queue, id, nonce };
}

export function invalidReceiptHandle(handle: string): SqsError {
  return new SqsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
}

function prepare(db: Sqlite.Database) {
  return {
    queue: db.prepare<[string], QueueRow>("SELECT name, created, last_modified, settings FROM sqs_queues WHERE name = ?"),
    insertQueue: db.prepare<[string, number, number, string, string]>(
      "INSERT INTO sqs_queues (name, created, last_modified, settings, tags) VALUES (?, ?, ?, ?, ?)",
    ),
    updateSettings: db.prepare<[string, number, string]>("UPDATE sqs_queues SET settings = ?, last_modified = ? WHERE name = ?"),
    deleteQueue: db.prepare<[string]>("DELETE FROM sqs_queues WHERE name = ?"),
    list: db
      .prepare<{ prefix: string; after: string; limit: number }, string>(
        "SELECT name FROM sqs_queues WHERE substr(name, 1, length(:prefix)) = :prefix AND name > :after ORDER BY name LIMIT :limit",
      )
      .pluck(),
    insertMessage: db.prepare<Record<string, unknown>>(
      `INSERT INTO sqs_messages (queue, id, body, attributes, system_attributes, md5_body, sent, visible_at, group_id, deduplication_id, sequence_number)
       VALUES (:queue, :id, :body, :attributes, :systemAttributes, :md5, :sent, :visibleAt, :groupId, :deduplicationId, :sequence)`,
    ),
    expire: db.prepare<[string, number]>("DELETE FROM sqs_messages WHERE queue = ? AND sent <= ?"),
    candidates: db.prepare<[string, number, number, number], MessageRow>(
      `SELECT * FROM sqs_messages WHERE queue = ? AND visible_at <= ? AND (visible_at, seq) > (?, ?)
       ORDER BY visible_at, seq LIMIT ${RECEIVE_CHUNK}`,
    ),
    // FIFO: send order, so a message that comes back after its visibility timeout keeps its place;
    // the groups with messages in flight (a JSON array) are skipped here rather than read and dropped.
    fifoCandidates: db.prepare<[string, number, number, string], MessageRow>(
      `SELECT * FROM sqs_messages WHERE queue = ? AND visible_at <= ? AND seq > ?
         AND group_id NOT IN (SELECT value FROM json_each(?))
       ORDER BY seq LIMIT ${RECEIVE_CHUNK}`,
    ),
    hiddenGroups: db.prepare<[string, number], HiddenGroupRow>(
      `SELECT group_id, min(seq) AS first_hidden, max(receipt IS NOT NULL) AS in_flight
       FROM sqs_messages WHERE queue = ? AND visible_at > ? GROUP BY group_id`,
    ),
    oldestSent: db.prepare<[string], number>("SELECT sent FROM sqs_messages WHERE queue = ? ORDER BY seq LIMIT 1").pluck(),
    markReceived: db.prepare<{ now: number; nonce: string; visibleAt: number; seq: number }>(
      `UPDATE sqs_messages SET receive_count = receive_count + 1, first_receive = coalesce(first_receive, :now),
         visible_at = :visibleAt, receipt = :nonce
       WHERE seq = :seq`,
    ),
    moveTo: db.prepare<[string, number, string, number]>(
      "UPDATE sqs_messages SET queue = ?, visible_at = ?, receipt = NULL, dead_letter_source = ? WHERE seq = ?",
    ),
    byId: db.prepare<[string], MessageRow & { queue: string }>("SELECT * FROM sqs_messages WHERE id = ?"),
    deleteSeq: db.prepare<[number]>("DELETE FROM sqs_messages WHERE seq = ?"),
    setVisibleAt: db.prepare<[number, number]>("UPDATE sqs_messages SET visible_at = ? WHERE seq = ?"),
    counts: db.prepare<{ queue: string; now: number }, { visible: number | null; inFlight: number | null; delayed: number | null }>(
      `SELECT sum(visible_at <= :now) AS visible,
              sum(visible_at > :now AND receipt IS NOT NULL) AS inFlight,
              sum(visible_at > :now AND receipt IS NULL) AS delayed
       FROM sqs_messages WHERE queue = :queue`,
    ),
    nextVisibleAt: db
      .prepare<[string, number], number | null>("SELECT min(visible_at) FROM sqs_messages WHERE queue = ? AND visible_at > ?")
      .pluck(),
    purge: db.prepare<[string]>("DELETE FROM sqs_messages WHERE queue = ?"),
    tags: db.prepare<[string], string>("SELECT tags FROM sqs_queues WHERE name = ?").pluck(),
    setTags: db.prepare<[string, string]>("UPDATE sqs_queues SET tags = ? WHERE name = ?"),
    deadLetterSources: db
      .prepare<[string], string>(
        "SELECT name FROM sqs_queues WHERE json_extract(settings, '$.RedrivePolicy.deadLetterTargetArn') = ? ORDER BY name",
      )
      .pluck(),
  };
}

export class QueueStore {
  readonly #db: Sqlite.Database;
  readonly #sql: ReturnType<typeof prepare>;

  constructor(db: Sqlite.Database) {
    this.#db = db;
    this.#sql = prepare(db);
  }

  /** Runs `fn` in one transaction (a savepoint when the caller already has one open). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  queue(name: string): QueueRecord | undefined {
    const row = this.#sql.queue.get(name);
    return row && toQueue(row);
  }

  createQueue(name: string, settings: QueueSettings, tags: Record<string, string>, nowSeconds: number): void {
    this.#sql.insertQueue.run(name, nowSeconds, nowSeconds, JSON.stringify(settings), JSON.stringify(tags));
  }

  updateSettings(name: string, settings: QueueSettings, nowSeconds: number): void {
    this.#sql.updateSettings.run(JSON.stringify(settings), nowSeconds, name);
  }

  /** Deletes the queue and its messages (ON DELETE CASCADE). */
  deleteQueue(name: string): boolean {
    return this.#sql.deleteQueue.run(name).changes > 0;
  }

  /** Names starting with `prefix`, after `after` in name order. */
  listQueues(prefix: string, after: string, limit: number): string[] {
    return this.#sql.list.all({ prefix, after, limit });
  }

  insertMessage(queue: string, id: string, message: NewMessage, sent: number, visibleAt: number, ordering: MessageOrdering = {}): void {
    this.#sql.insertMessage.run({
      queue,
      id,
      body: message.body,
      attributes: message.attributes ? JSON.stringify(message.attributes) : null,
      systemAttributes: message.systemAttributes ? JSON.stringify(message.systemAttributes) : null,
      md5: message.md5OfBody,
      sent,
      visibleAt,
      groupId: ordering.groupId ?? null,
      deduplicationId: ordering.deduplicationId ?? null,
      sequence: ordering.sequenceNumber ?? null,
    });
  }

  /** Drops messages older than the queue's MessageRetentionPeriod (counted from SentTimestamp). */
  expire(queue: QueueRecord, now: number): void {
    this.#sql.expire.run(queue.name, now - queue.settings.MessageRetentionPeriod * 1000);
  }

  /**
   * Receives up to `max` visible messages, oldest-available first, hiding each until
   * `now + visibilityMs`. A message already received `maxReceiveCount` times moves to the
   * dead-letter queue instead ("when the ReceiveCount exceeds maxReceiveCount"); `moved` says
   * whether any did, so the caller can wake that queue's long pollers.
   *
   * FIFO queues: messages come in send order, and a message group yields nothing while one of
   * its messages is in flight, nor anything behind one that is still delayed (SQS: "no more
   * messages for the same message group ID are returned unless you delete the message or it
   * becomes visible").
   */
  receive(
    queue: QueueRecord,
    max: number,
    visibilityMs: number,
    now: number,
    redrive: Redrive | undefined,
  ): { messages: ReceivedMessage[]; moved: boolean } {
    return this.transaction(() => {
      this.expire(queue, now);
      const messages: ReceivedMessage[] = [];
      const seen = new Set<number>();
      const gate = queue.settings.FifoQueue ? this.#groupGate(queue.name, now) : undefined;
      let moved = false;
      let cursor = { visibleAt: Number.MIN_SAFE_INTEGER, seq: 0 };
      while (messages.length < max) {
        const rows = gate
          ? this.#sql.fifoCandidates.all(queue.name, now, cursor.seq, gate.inFlight)
          : this.#sql.candidates.all(queue.name, now, cursor.visibleAt, cursor.seq);
        if (rows.length === 0) break;
        for (const row of rows) {
          cursor = { visibleAt: row.visible_at, seq: row.seq };
          // A message received with VisibilityTimeout 0 stays visible and could come round again.
          if (seen.has(row.seq) || messages.length >= max || (gate && !gate.admits(row))) continue;
          seen.add(row.seq);
          if (redrive?.target !== undefined && row.receive_count >= redrive.maxReceiveCount) {
            this.#sql.moveTo.run(redrive.target, now, redrive.sourceArn, row.seq);
            moved = true;
            continue;
          }
          const nonce = randomBytes(12).toString("hex");
          this.#sql.markReceived.run({ now, nonce, visibleAt: now + visibilityMs, seq: row.seq });
          const message = toMessage(row);
          messages.push({
            ...message,
            receiveCount: message.receiveCount + 1,
            firstReceive: message.firstReceive ?? now,
            receiptHandle: receiptHandle(queue.name, row.id, nonce),
          });
        }
      }
      return { messages, moved };
    });
  }

  /**
   * A FIFO queue's groups that cannot hand out messages now: `inFlight` (JSON array) those with a
   * message in flight, and `admits` whether a visible message is ahead of its group's first delayed one.
   */
  #groupGate(queue: string, now: number): { inFlight: string; admits(row: MessageRow): boolean } {
    const hidden = this.#sql.hiddenGroups.all(queue, now);
    const delayedFrom = new Map(hidden.filter((g) => g.in_flight === 0).map((g) => [g.group_id, g.first_hidden]));
    return {
      inFlight: JSON.stringify(hidden.filter((g) => g.in_flight !== 0).map((g) => g.group_id)),
      admits: (row) => row.seq < (delayedFrom.get(row.group_id) ?? Number.POSITIVE_INFINITY),
    };
  }

  /**
   * DeleteMessage: only the newest receipt handle deletes; an older one, or one for a message
   * already gone, succeeds and changes nothing, as SQS documents.
   */
  deleteMessage(queue: string, handle: string): void {
    const parsed = parseReceiptHandle(handle);
    if (!parsed || parsed.queue !== queue) throw invalidReceiptHandle(handle);
    const row = this.#sql.byId.get(parsed.id);
    if (row && row.queue === queue && row.receipt === parsed.nonce) this.#sql.deleteSeq.run(row.seq);
  }

  /** ChangeMessageVisibility: the message must be in flight under this very receipt. */
  changeVisibility(queue: string, handle: string, visibleAt: number, now: number): void {
    const parsed = parseReceiptHandle(handle);
    if (!parsed || parsed.queue !== queue) throw invalidReceiptHandle(handle);
    const row = this.#sql.byId.get(parsed.id);
    if (!row || row.queue !== queue) throw new SqsError("ReceiptHandleIsInvalid", `The receipt handle has expired.`);
    if (row.receipt !== parsed.nonce || row.visible_at <= now) {
      throw new SqsError("MessageNotInflight", "Message does not exist or is not available for visibility timeout change.");
    }
    this.#sql.setVisibleAt.run(visibleAt, row.seq);
  }

  counts(queue: QueueRecord, now: number): MessageCounts {
    this.expire(queue, now);
    const row = this.#sql.counts.get({ queue: queue.name, now });
    return { visible: row?.visible ?? 0, inFlight: row?.inFlight ?? 0, delayed: row?.delayed ?? 0 };
  }

  /** SentTimestamp of the queue's oldest message, in flight or not; undefined when it is empty. */
  oldestSent(queue: string): number | undefined {
    return this.#sql.oldestSent.get(queue);
  }

  /** When the next delayed or in-flight message becomes visible; a long poll sleeps until then at most. */
  nextVisibleAt(queue: string, now: number): number | undefined {
    return this.#sql.nextVisibleAt.get(queue, now) ?? undefined;
  }

  purge(queue: string): void {
    this.#sql.purge.run(queue);
  }

  tags(queue: string): Record<string, string> {
    const json = this.#sql.tags.get(queue);
    return json === undefined ? {} : (JSON.parse(json) as Record<string, string>);
  }

  setTags(queue: string, tags: Record<string, string>): void {
    this.#sql.setTags.run(JSON.stringify(tags), queue);
  }

  /** Names of the queues whose RedrivePolicy targets `arn`. */
  deadLetterSources(arn: string): string[] {
    return this.#sql.deadLetterSources.all(arn);
  }
}
