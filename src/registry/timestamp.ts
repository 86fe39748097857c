/** Lambda's LastModified format: `2024-01-31T12:00:00.000+0000` (UTC, offset without a colon). */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace(/Z$/, "+0000");
}
