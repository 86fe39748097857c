/**
 * What FIFO sends remember (migration 12): each queue's last SequenceNumber and the
 * deduplication ids seen within the interval, with the message each one delivered. Synchronous
 * on the shared connection, like QueueStore, so a send composes them in one transaction.
 */
import type Sqlite from "better-sqlite3";

export interface Delivered {
  messageId: string;
  sequenceNumber: number;
}

export class FifoStore {
  readonly #nextSequence: Sqlite.Statement<[string], number>;
  readonly #find: Sqlite.Statement<[string, string, string, number], { message_id: string; sequence_number: number }>;
  readonly #forget: Sqlite.Statement<[string, number]>;
  readonly #remember: Sqlite.Statement<[string, string, string, string, number, number]>;

  constructor(db: Sqlite.Database) {
    this.#nextSequence = db
      .prepare<[string], number>("UPDATE sqs_queues SET last_sequence = last_sequence + 1 WHERE name = ? RETURNING last_sequence")
      .pluck();
    this.#find = db.prepare(
      "SELECT message_id, sequence_number FROM sqs_deduplication WHERE queue = ? AND scope = ? AND id = ? AND expires > ?",
    );
    this.#forget = db.prepare("DELETE FROM sqs_deduplication WHERE queue = ? AND expires <= ?");
    this.#remember = db.prepare(
      `INSERT INTO sqs_deduplication (queue, scope, id, message_id, sequence_number, expires) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (queue, scope, id) DO UPDATE SET message_id = excluded.message_id,
         sequence_number = excluded.sequence_number, expires = excluded.expires`,
    );
  }

  nextSequence(queue: string): number {
    const sequence = this.#nextSequence.get(queue);
    if (sequence === undefined) throw new Error(`no queue ${queue} to number a message of`);
    return sequence;
  }

  /** The message an earlier send with this deduplication id delivered, while its interval lasts. */
  delivered(queue: string, scope: string, id: string, now: number): Delivered | undefined {
    this.#forget.run(queue, now);
    const row = this.#find.get(queue, scope, id, now);
    return row && { messageId: row.message_id, sequenceNumber: row.sequence_number };
  }

  remember(queue: string, scope: string, id: string, delivered: Delivered, expires: number): void {
    this.#remember.run(queue, scope, id, delivered.messageId, delivered.sequenceNumber, expires);
  }
}
