/**
 * EventBridge schedule expressions: `rate(5 minutes)` and AWS's six-field `cron(0 12 * * ? *)`
 * (UTC; `?`, `L`, `W` and `#` through aws-cron-parser). `next` gives the first firing after a time.
 */
import awsCronParser from "aws-cron-parser";

export interface Schedule {
  expression: string;
  next(after: Date): Date | undefined;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export class ScheduleExpressionError extends Error {
  override readonly name = "ScheduleExpressionError";
}

export function parseSchedule(expression: string): Schedule {
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    // EventBridge: the singular unit for 1, the plural otherwise.
    if (value < 1 || (value === 1) !== !unit.endsWith("s")) {
      throw new ScheduleExpressionError(
        `${expression}: write rate(1 ${unit.replace(/s$/, "")}) or rate(N ${unit.replace(/s?$/, "s")}) with N > 1`,
      );
    }
    const every = value * UNIT_MS[unit.replace(/s$/, "") as keyof typeof UNIT_MS];
    return { expression, next: (after) => new Date(after.getTime() + every) };
  }
  const cron = CRON.exec(expression);
  if (cron !== null) {
    const fields = (cron[1] as string).trim().split(/\s+/);
    if (fields.length !== 6)
      throw new ScheduleExpressionError(
        `${expression}: a cron expression has six fields (minutes hours day-of-month month day-of-week year)`,
      );
    if (fields[2] !== "?" && fields[4] !== "?")
      throw new ScheduleExpressionError(`${expression}: one of day-of-month and day-of-week must be ?`);
    let parsed: ReturnType<typeof awsCronParser.parse>;
    try {
      parsed = awsCronParser.parse(fields.join(" "));
    } catch (error) {
      throw new ScheduleExpressionError(`${expression}: ${(error as Error).message}`);
    }
    return {
      expression,
      // aws-cron-parser's next is strictly after the time given.
      next: (after) => awsCronParser.next(parsed, after) ?? undefined,
    };
  }
  throw new ScheduleExpressionError(`${expression}: a schedule is rate(value unit) or cron(six fields)`);
}
