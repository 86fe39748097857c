/**
 * The registry's schema, as an ordered list of SQL steps. `PRAGMA user_version` records how many
 * steps a database has had; opening it runs the rest, each in its own write transaction. Steps are
 * only ever appended: a released step never changes.
 */
import type Sqlite from "better-sqlite3";

export const MIGRATIONS: readonly string[] = [
  // 1: functions ($LATEST and published versions), their tags, and the stored code packages.
  `
  CREATE TABLE code (
    sha256 TEXT PRIMARY KEY,        -- base64 SHA-256 of the zip, as Lambda's CodeSha256
    size INTEGER NOT NULL,          -- bytes of the zip, as Lambda's CodeSize
    created TEXT NOT NULL
  ) STRICT;

  CREATE TABLE functions (
    name TEXT NOT NULL,
    version TEXT NOT NULL,          -- '$LATEST' or '1', '2', ...
    version_number INTEGER NOT NULL,-- 0 for $LATEST: orders versions numerically
    runtime TEXT NOT NULL,
    handler TEXT NOT NULL,
    memory_size INTEGER NOT NULL,
    timeout INTEGER NOT NULL,
    description TEXT NOT NULL,
    environment TEXT NOT NULL,      -- JSON object of variables
    role TEXT NOT NULL,
    code_sha256 TEXT NOT NULL REFERENCES code (sha256),
    revision_id TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    last_published INTEGER NOT NULL DEFAULT 0, -- on $LATEST: the highest version number ever published
    PRIMARY KEY (name, version_number),
    UNIQUE (name, version),
    CHECK ((version = '$LATEST') = (version_number = 0))
  ) STRICT;

  CREATE INDEX functions_code ON functions (code_sha256);

  CREATE TABLE tags (
    function_name TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (function_name, key)
  ) STRICT;
  `,
  // 2: aliases, and on each published version the description $LATEST had when it was published
  // (PublishVersion's Description may differ), so an unchanged $LATEST publishes nothing new.
  `
  CREATE TABLE aliases (
    function_name TEXT NOT NULL,
    name TEXT NOT NULL,
    function_version TEXT NOT NULL, -- '$LATEST' or a published version number
    description TEXT NOT NULL,
    weights TEXT NOT NULL,          -- JSON object: RoutingConfig.AdditionalVersionWeights
    revision_id TEXT NOT NULL,
    PRIMARY KEY (function_name, name)
  ) STRICT;

  ALTER TABLE functions ADD COLUMN source_description TEXT;
  `,
  // 3: reserved concurrency per function (PutFunctionConcurrency).
  `
  CREATE TABLE concurrency (
    function_name TEXT PRIMARY KEY,
    reserved INTEGER NOT NULL CHECK (reserved >= 0)
  ) STRICT;
  `,
  // 4: provisioned concurrency per published version or alias (PutProvisionedConcurrencyConfig).
  `
  CREATE TABLE provisioned (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    requested INTEGER NOT NULL CHECK (requested >= 1),
    last_modified TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
  ) STRICT;
  `,
  // 5: the asynchronous invocation queue (Event invokes until their outcome is recorded), and
  // the asynchronous invocation settings per function or qualifier (PutFunctionEventInvokeConfig).
  `
  CREATE TABLE async_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- order of arrival
    request_id TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,              -- as invoked: '$LATEST', a version or an alias
    payload TEXT NOT NULL,
    client_context TEXT,                  -- JSON
    trace_id TEXT,
    received INTEGER NOT NULL,            -- epoch ms
    attempts INTEGER NOT NULL DEFAULT 0,  -- invocations made so far
    due INTEGER NOT NULL                  -- epoch ms before which it waits (retry delay)
  ) STRICT;

  CREATE TABLE event_invoke_configs (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    maximum_retry_attempts INTEGER,
    maximum_event_age INTEGER,
    on_success TEXT,
    on_failure TEXT,
    last_modified INTEGER NOT NULL,       -- epoch seconds, as the API returns it
    PRIMARY KEY (function_name, qualifier)
  ) STRICT;
  `,
  // 6: the built-in SQS-compatible queues (src/sqs) and their messages.
  `
  CREATE TABLE sqs_queues (
    name TEXT PRIMARY KEY,
    created INTEGER NOT NULL,       -- epoch seconds, as CreatedTimestamp
    last_modified INTEGER NOT NULL, -- epoch seconds, as LastModifiedTimestamp
    settings TEXT NOT NULL,         -- JSON: the settable attributes (VisibilityTimeout, RedrivePolicy, ...)
    tags TEXT NOT NULL              -- JSON object given to CreateQueue
  ) STRICT;

  CREATE TABLE sqs_messages (
    seq INTEGER PRIMARY KEY,         -- arrival order
    queue TEXT NOT NULL REFERENCES sqs_queues (name) ON DELETE CASCADE,
    id TEXT NOT NULL UNIQUE,        -- MessageId
    body TEXT NOT NULL,
    attributes TEXT,                -- JSON: MessageAttributes as on the wire (Binary values base64)
    system_attributes TEXT,         -- JSON: MessageSystemAttributes (AWSTraceHeader)
    md5_body TEXT NOT NULL,
    sent INTEGER NOT NULL,          -- epoch ms, as SentTimestamp; retention counts from here, also in a DLQ
    visible_at INTEGER NOT NULL,    -- epoch ms: delayed or in flight until then
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive INTEGER,          -- epoch ms, as ApproximateFirstReceiveTimestamp
    receipt TEXT,                   -- nonce of the newest receipt handle; NULL until first received
    dead_letter_source TEXT         -- ARN of the queue that moved it here (DeadLetterQueueSourceArn)
  ) STRICT;

  CREATE INDEX sqs_messages_ready ON sqs_messages (queue, visible_at, seq);
  `,
  // 7: layers and their versions; on functions the layers they use (pinned: JSON array of
  // {arn, codeSha256, codeSize}) and EphemeralStorage.Size; on code the unzipped size, for
  // Lambda's limit on a function and its layers together (NULL for packages stored before).
  `
  CREATE TABLE layers (
    name TEXT PRIMARY KEY,
    last_version INTEGER NOT NULL   -- the highest version ever published: numbers are never reused
  ) STRICT;

  CREATE TABLE layer_versions (
    layer_name TEXT NOT NULL REFERENCES layers (name),
    version INTEGER NOT NULL CHECK (version >= 1),
    description TEXT NOT NULL,
    license_info TEXT,
    compatible_runtimes TEXT NOT NULL,      -- JSON array
    compatible_architectures TEXT NOT NULL, -- JSON array
    code_sha256 TEXT NOT NULL REFERENCES code (sha256),
    created TEXT NOT NULL,
    PRIMARY KEY (layer_name, version)
  ) STRICT;

  ALTER TABLE functions ADD COLUMN layers TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE functions ADD COLUMN ephemeral_storage INTEGER NOT NULL DEFAULT 512;
  ALTER TABLE code ADD COLUMN unzipped_size INTEGER;
  `,
  // 8: event source mappings (CreateEventSourceMapping): queues that drive functions.
  `
  CREATE TABLE event_source_mappings (
    uuid TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    qualifier TEXT,                 -- NULL: $LATEST of the unqualified function
    event_source_arn TEXT NOT NULL,
    settings TEXT NOT NULL,         -- JSON: BatchSize, MaximumBatchingWindowInSeconds, FunctionResponseTypes, FilterCriteria, ScalingConfig
    enabled INTEGER NOT NULL,
    last_modified INTEGER NOT NULL, -- epoch seconds
    last_processing_result TEXT NOT NULL DEFAULT 'No records processed'
  ) STRICT;

  CREATE INDEX event_source_mappings_function ON event_source_mappings (function_name);
  `,
  // 9: DeadLetterConfig.TargetArn per function version ('' when none): where failed async events go.
  `
  ALTER TABLE functions ADD COLUMN dead_letter_target TEXT NOT NULL DEFAULT '';
  `,
  // 10: schedules (function.json schedules): when each fires next, so a restart neither skips nor doubles one.
  `
  CREATE TABLE schedules (
    name TEXT PRIMARY KEY,          -- the rule name in its ARN
    function_name TEXT NOT NULL,
    expression TEXT NOT NULL,       -- rate(...) or cron(...)
    input TEXT,                     -- JSON the function receives instead of the Scheduled Event
    next_fire INTEGER NOT NULL      -- epoch ms
  ) STRICT;
  `,
  // 11: SnapStart.ApplyOn ('None' or 'PublishedVersions'); a published version keeps the value it was published with.
  `
  ALTER TABLE functions ADD COLUMN snap_start TEXT NOT NULL DEFAULT 'None';
  `,
  // 12: FIFO queues: message groups, deduplication within SQS's 5-minute interval, sequence numbers.
  `
  ALTER TABLE sqs_queues ADD COLUMN last_sequence INTEGER NOT NULL DEFAULT 0; -- the SequenceNumber given last (FIFO)
  ALTER TABLE sqs_messages ADD COLUMN group_id TEXT;          -- MessageGroupId: FIFO queues, and fair standard queues
  ALTER TABLE sqs_messages ADD COLUMN deduplication_id TEXT;  -- MessageDeduplicationId, given or the body's SHA-256 (FIFO)
  ALTER TABLE sqs_messages ADD COLUMN sequence_number INTEGER; -- SequenceNumber (FIFO)

  -- FIFO receives in send order; the age of a queue's oldest message.
  CREATE INDEX sqs_messages_order ON sqs_messages (queue, seq);

  CREATE TABLE sqs_deduplication (
    queue TEXT NOT NULL REFERENCES sqs_queues (name) ON DELETE CASCADE,
    scope TEXT NOT NULL,            -- '' with DeduplicationScope queue, else the MessageGroupId
    id TEXT NOT NULL,               -- MessageDeduplicationId
    message_id TEXT NOT NULL,       -- what a duplicate send answers
    sequence_number INTEGER NOT NULL,
    expires INTEGER NOT NULL,       -- epoch ms: the end of the deduplication interval
    PRIMARY KEY (queue, scope, id)
  ) STRICT;

  CREATE INDEX sqs_deduplication_expiry ON sqs_deduplication (queue, expires);
  `,
  // 13: LoggingConfig, as JSON: {"logFormat":"Text"} or {"logFormat":"JSON","applicationLogLevel":...,"systemLogLevel":...},
  // with "logGroup" when one was given; a published version keeps the value it was published with.
  `
  ALTER TABLE functions ADD COLUMN logging TEXT NOT NULL DEFAULT '{"logFormat":"Text"}';
  `,
];

/** Brings `db` up to the newest schema; refuses a database written by a newer isolambda. */
export function migrate(db: Sqlite.Database, steps: readonly string[] = MIGRATIONS): void {
  const version = () => db.pragma("user_version", { simple: true }) as number;
  const newest = steps.length;
  if (version() > newest) {
    throw new Error(`registry database schema version ${version()} is newer than this isolambda supports (${newest})`);
  }
  while (version() < newest) {
    // IMMEDIATE takes the write lock first, so two processes opening one data dir cannot both
    // run a step: the second waits (busy_timeout), then sees the new user_version and moves on.
    db.transaction(() => {
      const current = version();
      if (current >= newest) return;
      db.exec(steps[current] as string);
      db.pragma(`user_version = ${current + 1}`);
    }).immediate();
  }
}
