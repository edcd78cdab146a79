/** Event topics of the official SDK (EventTopic) with their domain and how often they occur. */

/** [topic, domain, relative weight]; records and commits dominate a real account's stream. */
const TOPIC_TABLE: ReadonlyArray<readonly [string, string, number]> = [
  ['records:created', 'workbook', 12],
  ['records:updated', 'workbook', 18],
  ['records:deleted', 'workbook', 4],
  ['commit:created', 'sheet', 12],
  ['commit:updated', 'sheet', 3],
  ['commit:completed', 'sheet', 6],
  ['sheet:created', 'sheet', 2],
  ['sheet:updated', 'sheet', 5],
  ['sheet:deleted', 'sheet', 1],
  ['snapshot:created', 'sheet', 1],
  ['layer:created', 'sheet', 1],
  ['workbook:created', 'workbook', 3],
  ['workbook:updated', 'workbook', 6],
  ['workbook:deleted', 'workbook', 1],
  ['job:created', 'job', 5],
  ['job:ready', 'job', 3],
  ['job:scheduled', 'job', 1],
  ['job:updated', 'job', 4],
  ['job:completed', 'job', 5],
  ['job:failed', 'job', 1],
  ['job:outcome-acknowledged', 'job', 2],
  ['job:deleted', 'job', 1],
  ['file:created', 'file', 3],
  ['file:updated', 'file', 2],
  ['file:deleted', 'file', 1],
  ['space:created', 'space', 2],
  ['space:updated', 'space', 2],
  ['space:deleted', 'space', 1],
  ['document:created', 'document', 1],
  ['document:updated', 'document', 1],
  ['document:deleted', 'document', 1],
  ['agent:created', 'environment', 1],
  ['agent:updated', 'environment', 1],
  ['agent:deleted', 'environment', 1],
  // What an auditor looks for (shared/flatfile-api.md), rare as in a real account. space:guestAdded
  // and space:guestRemoved are not drawn: they come only from real changes of access (access-history.ts).
  // space:unarchived and program:recompute* are EventTopic values the SDK's Event union (what GET
  // /events answers) has no member for, and are left out. The SDK's Domain has no `action`: action
  // events are the workbook's, whose actions they are.
  ['space:archived', 'space', 1],
  ['space:expired', 'space', 1],
  ['environment:created', 'environment', 1],
  ['environment:updated', 'environment', 1],
  ['environment:deleted', 'environment', 1],
  ['secret:created', 'secret', 1],
  ['secret:updated', 'secret', 1],
  ['secret:deleted', 'secret', 1],
  ['action:created', 'workbook', 1],
  ['action:updated', 'workbook', 1],
  ['action:deleted', 'workbook', 1],
  ['program:created', 'program', 1],
  ['program:updated', 'program', 1],
  // The scheduled events Flatfile emits into an environment for agents subscribed to them. The SDK's
  // Event union has no member for them either, but unlike the topics above they have a domain of
  // their own in the SDK's Domain (`cron`), a field only an event carries: the SDK models cron events
  // as events. Nothing in it proves GET /events leaves them out, and an auditor must not find out
  // in production that the client chokes on them, so they are drawn here, in the shape of the SDK's
  // GenericEvent: domain cron, the environment's context and no actor (the platform sends them),
  // payload {}. test/contract/simulator-wire.test.ts checks them against that shape.
  ['cron:5-minutes', 'cron', 1],
  ['cron:hourly', 'cron', 1],
  ['cron:daily', 'cron', 1],
  ['cron:weekly', 'cron', 1],
];

/** Topics with a domain of their own that are never drawn at random (see access-history.ts). */
const UNDRAWN: ReadonlyArray<readonly [string, string]> = [
  ['space:guestAdded', 'space'],
  ['space:guestRemoved', 'space'],
];

export const TOPICS: readonly string[] = TOPIC_TABLE.map(([topic]) => topic);

const DOMAINS = new Map([...TOPIC_TABLE.map(([topic, domain]) => [topic, domain] as const), ...UNDRAWN]);
const TOTAL_WEIGHT = TOPIC_TABLE.reduce((sum, [, , weight]) => sum + weight, 0);
let running = 0;
const CUMULATIVE = TOPIC_TABLE.map(([, , weight]) => (running += weight));

/** The domain of a topic; unknown topics (added by tests) use their prefix, like the API does. */
export function domainOf(topic: string): string {
  return DOMAINS.get(topic) ?? topic.split(':')[0] ?? topic;
}

/** A topic for a uniform draw u in [0, 1), following the weights. */
export function topicFor(u: number): string {
  const target = u * TOTAL_WEIGHT;
  for (let i = 0; i < CUMULATIVE.length; i++) {
    if (target < (CUMULATIVE[i] as number)) return TOPICS[i] as string;
  }
  return TOPICS[TOPICS.length - 1] as string;
}
