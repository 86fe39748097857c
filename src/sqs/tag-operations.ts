/** Queue tags (TagQueue, UntagQueue, ListQueueTags) and ListDeadLetterSourceQueues. */
import { SqsError } from "./errors.js";
import { optionalInteger, pageAfter, pageToken, queueNameOf, stringList, stringMap } from "./input.js";
import { LIST_QUEUES_MAX } from "./limits.js";
import { type Operation, queueUrl } from "./queue-operations.js";

/** SQS allows up to 50 tags per queue (Amazon SQS quotas, "Queue tags"). */
const TAGS_MAX = 50;

const tagQueue: Operation = (input, { queues }) => {
  const name = queueNameOf(input, queues.accountId);
  const added = stringMap(input, "Tags");
  queues.changeTags(name, (tags) => {
    const merged = { ...tags, ...added };
    if (Object.keys(merged).length > TAGS_MAX)
      throw new SqsError("InvalidParameterValue", `Too many tags: a queue can have at most ${TAGS_MAX}.`);
    return merged;
  });
  return {};
};

const untagQueue: Operation = (input, { queues }) => {
  const name = queueNameOf(input, queues.accountId);
  const removed = new Set(stringList(input, "TagKeys"));
  queues.changeTags(name, (tags) => Object.fromEntries(Object.entries(tags).filter(([key]) => !removed.has(key))));
  return {};
};

const listQueueTags: Operation = (input, { queues }) => {
  const tags = queues.tags(queueNameOf(input, queues.accountId));
  return Object.keys(tags).length > 0 ? { Tags: tags } : {};
};

const listDeadLetterSourceQueues: Operation = (input, context) => {
  const { queues } = context;
  const sources = queues.deadLetterSources(queueNameOf(input, queues.accountId));
  const maxResults = optionalInteger(input, "MaxResults", 1, LIST_QUEUES_MAX, `Value must be between 1 and ${LIST_QUEUES_MAX}.`);
  const after = pageAfter(input);
  const rest = sources.filter((n) => n > after);
  const page = rest.slice(0, maxResults ?? LIST_QUEUES_MAX);
  return {
    queueUrls: page.map((n) => queueUrl(context, n)),
    ...(maxResults !== undefined && rest.length > page.length ? { NextToken: pageToken(page.at(-1) as string) } : {}),
  };
};

export const TAG_OPERATIONS: Record<string, Operation> = {
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
};
