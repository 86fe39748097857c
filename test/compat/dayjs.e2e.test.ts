import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();

describe("dayjs inside the sandbox", () => {
  it("formats a fixed instant in UTC and in a fixed offset, with the utc, relativeTime and customParseFormat plugins", async () => {
    await deployPackaged(api, "compat-dayjs", {
      packages: ["dayjs"],
      files: {
        "index.js": `
          const dayjs = require("dayjs");
          dayjs.extend(require("dayjs/plugin/utc"));
          dayjs.extend(require("dayjs/plugin/relativeTime"));
          dayjs.extend(require("dayjs/plugin/customParseFormat"));
          exports.handler = async (event) => {
            const at = dayjs.utc(event.at);
            return {
              formatted: at.format("YYYY-MM-DD HH:mm:ss.SSS [UTC] dddd MMMM"),
              iso: at.toISOString(),
              plusMonth: at.add(1, "month").endOf("month").format("YYYY-MM-DDTHH:mm:ss"),
              offset: at.utcOffset(330).format("YYYY-MM-DD HH:mm Z"),
              unix: at.unix(),
              diffDays: dayjs.utc("2024-03-01").diff(dayjs.utc("2024-02-01"), "day"),
              relative: at.from(at.add(3, "hour")),
              parsed: dayjs.utc("29/02/2024 13:45", "DD/MM/YYYY HH:mm").toISOString(),
              invalid: dayjs("not a date").isValid(),
            };
          };`,
      },
    });
    const out = (await invokeOk(api, "compat-dayjs", { at: "2024-02-29T23:59:58.123Z" })) as Record<string, unknown>;
    expect(out).toEqual({
      formatted: "2024-02-29 23:59:58.123 UTC Thursday February",
      iso: "2024-02-29T23:59:58.123Z",
      plusMonth: "2024-03-31T23:59:59",
      offset: "2024-03-01 05:29 +05:30",
      unix: 1709251198,
      diffDays: 29,
      relative: "3 hours ago",
      parsed: "2024-02-29T13:45:00.000Z",
      invalid: false,
    });
  });
});
