import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { useSqs } from "../sqs/sqs.js";
import { storedLogs, useServer } from "./server.js";

const functionsDir = mkdtempSync(path.join(tmpdir(), "isolambda-schedules-fn-"));
const fn = path.join(functionsDir, "ticker");
mkdirSync(fn);
writeFileSync(path.join(fn, "index.js"), "exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); };");
writeFileSync(
  path.join(fn, "function.json"),
  JSON.stringify({
    schedules: ["cron(0 12 * * ? *)", { name: "tick-input", expression: "rate(7 days)", input: { job: "weekly" } }],
    eventSources: [{ queue: "ticks" }, { queue: "ordered-ticks.fifo", batchSize: 5 }],
  }),
);
afterAll(() => rmSync(functionsDir, { recursive: true, force: true }));

const api = useServer({ functionsDir });
const sqs = useSqs(api);

const events = async (count: number) =>
  (await storedLogs(api.dataDir, "ticker", (m) => m.join("").split("\tEVENT ").length - 1 >= count)).flatMap((m) =>
    [...m.matchAll(/\tEVENT (.*)$/gm)].map((x) => JSON.parse(x[1] as string) as Record<string, unknown>),
  );

describe("function.json schedules and event sources", () => {
  it("lists the declared schedules, and polls the declared queues (created when missing; FIFO for a .fifo name)", async () => {
    const listed = (await (await fetch(`${api.url}/isolambda/schedules`)).json()) as { Schedules: Array<Record<string, string>> };
    expect(listed.Schedules.map((s) => [s.Name, s.ScheduleExpression])).toEqual(
      expect.arrayContaining([
        ["ticker-schedule-1", "cron(0 12 * * ? *)"],
        ["tick-input", "rate(7 days)"],
      ]),
    );
    await sqs.client().send(new SendMessageCommand({ QueueUrl: `${api.url}/000000000000/ticks`, MessageBody: "tick" }));
    const [batch] = await events(1);
    expect(batch?.Records).toEqual([expect.objectContaining({ body: "tick" })]);
    await sqs.client().send(
      new SendMessageCommand({
        QueueUrl: `${api.url}/000000000000/ordered-ticks.fifo`,
        MessageBody: "ordered tick",
        MessageGroupId: "clock",
        MessageDeduplicationId: "1",
      }),
    );
    const [, fifo] = await events(2);
    expect(fifo?.Records).toEqual([
      expect.objectContaining({ body: "ordered tick", attributes: expect.objectContaining({ MessageGroupId: "clock" }) }),
    ]);
  });

  it("fires a schedule that fell due while the server was down once, late, after the restart", async () => {
    await api.stop();
    const db = new Database(path.join(api.dataDir, "registry.db"));
    db.prepare("UPDATE schedules SET next_fire = ? WHERE name = 'ticker-schedule-1'").run(Date.now() - 3 * 86_400_000);
    db.close();
    await api.start();
    const all = await events(3);
    const scheduled = all.filter((e) => e["detail-type"] === "Scheduled Event");
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toMatchObject({
      source: "aws.events",
      resources: ["arn:aws:events:us-east-1:000000000000:rule/ticker-schedule-1"],
      detail: {},
    });
    const listed = (await (await fetch(`${api.url}/isolambda/schedules`)).json()) as { Schedules: Array<Record<string, string>> };
    const next = listed.Schedules.find((s) => s.Name === "ticker-schedule-1")?.NextFire ?? "";
    expect(Date.parse(next)).toBeGreaterThan(Date.now());
  });
});
